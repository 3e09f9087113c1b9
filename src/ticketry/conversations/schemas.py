"""Request payloads for conversations: started by a contact or an admin, replies, managing
(close, open, snooze, assign) and updates. Input is read liberally across versions, as for
tickets: what one version calls a field, every version understands."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool

from ticketry.contacts.schemas import CustomAttributes
from ticketry.kit.wire import IdStr, LongText, Payload, UnixTime


class Party(Payload):
    type: str | None = None
    id: IdStr | None = None
    user_id: IdStr | None = None  # some 2.x examples name the recipient by external id
    email: str | None = None


class CreateConversation(Payload):
    """`POST /conversations`: a contact writes in (`from` names it)."""

    from_: Party | None = Field(default=None, alias="from")
    body: LongText | None = None
    subject: Annotated[str, Field(max_length=255)] | None = None
    attachment_urls: list[Annotated[str, Field(max_length=2048)]] | None = None
    created_at: UnixTime | None = None


class CreateMessage(Payload):
    """`POST /messages`: an admin writes to a contact (in-app or email)."""

    message_type: str | None = None
    subject: Annotated[str, Field(max_length=255)] | None = None
    template: str | None = None
    body: LongText | None = None
    from_: Party | None = Field(default=None, alias="from")
    to: Party | list[Party] | None = None
    created_at: UnixTime | None = None
    create_conversation_without_contact_reply: StrictBool | None = None


class Manage(Payload):
    """`POST /conversations/{id}/parts`: one of close, snoozed, open, assignment."""

    message_type: Literal["close", "snoozed", "open", "assignment"] | None = None
    type: Literal["admin", "team"] | None = None
    admin_id: IdStr | None = None
    assignee_id: IdStr | None = None
    body: LongText | None = None
    snoozed_until: UnixTime | None = None


class UpdateConversation(Payload):
    read: StrictBool | None = None
    title: Annotated[str, Field(max_length=255)] | None = None
    custom_attributes: CustomAttributes | None = None
