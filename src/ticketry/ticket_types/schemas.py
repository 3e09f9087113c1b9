"""Request payloads for ticket types and ticket type attributes.

Enums (`category`, `data_type`) are plain strings here and checked in the service, so the
error can name the field and list the allowed values, and so `category` can be ignored for
2.9 clients (it exists on the wire from 2.10).
"""

from __future__ import annotations

from ticketry.kit.wire import Payload


class TicketTypeCreate(Payload):
    name: str | None = None
    description: str | None = None
    category: str | None = None
    icon: str | None = None
    is_internal: bool | None = None


class TicketTypeUpdate(TicketTypeCreate):
    archived: bool | None = None


class AttributeCreate(Payload):
    name: str | None = None
    description: str | None = None
    data_type: str | None = None
    required_to_create: bool | None = None
    required_to_create_for_contacts: bool | None = None
    visible_on_create: bool | None = None
    visible_to_contacts: bool | None = None
    multiline: bool | None = None
    list_items: str | None = None
    allow_multiple_values: bool | None = None


class AttributeUpdate(AttributeCreate):
    # `data_type` is not in Intercom's update body; it is accepted (from the create role)
    # only to refuse a change with a clear error.
    archived: bool | None = None


def sent(payload: Payload) -> dict[str, object]:
    """The fields the client actually sent, `null`s included (they are refused later)."""
    return {name: getattr(payload, name) for name in payload.model_fields_set}
