"""Request payloads for the ticket endpoints, covering every version's fields.

Input is read liberally across versions where the meanings do not clash: `state` (up to
2.11) and `ticket_state_id` (2.12+) are both understood, as are the 2.9-2.13 `assignment`
object and the 2.14+ top-level `admin_id`/`assignee_id`, so an integration written for
either keeps working whatever version header it sends.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool

from ticketry.kit.wire import IdStr, LongText, Payload, UnixTime


class ContactRef(Payload):
    id: IdStr | None = None
    external_id: IdStr | None = None
    email: str | None = None


class CreateAssignment(Payload):
    admin_assignee_id: IdStr | None = None
    team_assignee_id: IdStr | None = None


class CreateTicket(Payload):
    ticket_type_id: IdStr
    contacts: list[ContactRef]
    ticket_attributes: dict[str, Any] | None = None
    company_id: IdStr | None = None
    created_at: UnixTime | None = None
    assignment: CreateAssignment | None = None
    conversation_to_link_id: IdStr | None = None
    skip_notifications: StrictBool | None = None


class UpdateAssignment(Payload):
    admin_id: IdStr | None = None
    assignee_id: IdStr | None = None


class UpdateTicket(Payload):
    ticket_attributes: dict[str, Any] | None = None
    state: Literal["in_progress", "waiting_on_customer", "resolved"] | None = None
    ticket_state_id: IdStr | None = None
    company_id: IdStr | None = None
    open: StrictBool | None = None
    is_shared: StrictBool | None = None
    snoozed_until: UnixTime | None = None
    admin_id: IdStr | None = None
    assignee_id: IdStr | None = None
    assignment: UpdateAssignment | None = None
    skip_notifications: StrictBool | None = None


class ReplyOption(Payload):
    text: Annotated[str, Field(max_length=255)]
    uuid: Annotated[str, Field(max_length=64)]


class AttachmentFile(Payload):
    content_type: str
    data: str
    name: str


class Reply(Payload):
    """Both reply bodies in one model: `type` says which, the service checks the rest."""

    type: Literal["admin", "user", "contact"] | None = None
    message_type: Literal["comment", "note", "quick_reply"] | None = None
    body: LongText | None = None
    admin_id: IdStr | None = None
    intercom_user_id: IdStr | None = None
    user_id: IdStr | None = None
    email: str | None = None
    created_at: UnixTime | None = None
    attachment_urls: list[Annotated[str, Field(max_length=2048)]] | None = None
    attachment_files: list[AttachmentFile] | None = None
    reply_options: list[ReplyOption] | None = None
    cross_post: StrictBool | None = None
    skip_notifications: StrictBool | None = None


class TagTicket(Payload):
    id: IdStr
    admin_id: IdStr


class UntagTicket(Payload):
    admin_id: IdStr


class ChangeTicketType(Payload):
    """2.16 `change_ticket_type_request`: both ids are required (the schema's `required`, and
    its "Missing ticket_state_id" example)."""

    ticket_type_id: IdStr
    ticket_state_id: IdStr
    ticket_attributes: dict[str, Any] | None = None
