"""`POST /conversations/{id}/convert`: a customer conversation becomes a Customer ticket.

The ticket keeps the conversation's id (they share one sequence) and its contacts. Its
history starts with the conversation's opening message as a `comment` by its author, then
the conversation's parts as they were, then the bot's `submitted` state part, as in
Intercom's examples; the copied history records no events of its own (it happened
before), the conversion records `ticket.created` and `conversation.converted`. The
conversation stays as it was (open, readable at its id) and remembers its ticket.
Converting twice is refused (400 `parameter_invalid`).
"""

from __future__ import annotations

import orjson
from sqlalchemy import select

from ticketry.conversations import changes as conversation_changes
from ticketry.db.database import Conn, Row
from ticketry.errors import ApiError, ParameterInvalid, ParameterNotFound
from ticketry.kit import ids
from ticketry.kit.wire import IdStr, Payload
from ticketry.tables import contacts, conversation_contacts, conversation_parts
from ticketry.ticket_states import queries as states
from ticketry.ticket_types.queries import TypeData, load_types
from ticketry.ticket_types.values import validate_values
from ticketry.tickets import changes, lookups, parts, search_values
from ticketry.tickets.parts import Author
from ticketry.tickets.service import defaults_to_columns


class ConvertConversation(Payload):
    ticket_type_id: IdStr | None = None
    attributes: dict[str, object] | None = None
    ticket_state_id: IdStr | None = None  # 2.16+, understood in every version


def _customer_type(conn: Conn, workspace_id: int, type_id: str | None) -> TypeData:
    if type_id is None:
        raise ParameterNotFound("ticket_type_id")
    ident = lookups.as_int(type_id)
    found = load_types(conn, workspace_id, [ident]).get(ident) if ident is not None else None
    if found is None or found.row["archived"]:
        raise ParameterInvalid(f"Ticket type {type_id} not found", field="ticket_type_id")
    if found.row["category"] != "Customer":
        raise ParameterInvalid("Ticket type is not a customer ticket type", field="ticket_type_id")
    return found


def _state(conn: Conn, workspace_id: int, type_data: TypeData, state_id: str | None) -> Row:
    if state_id is None:
        return states.default_state(conn, workspace_id, "submitted")
    ident = lookups.as_int(state_id)
    if ident is None or not states.state_belongs_to_type(
        conn, workspace_id, ident, type_data.row["id"]
    ):
        raise ApiError(
            "Ticket state id is not valid or is not associated with the ticket type",
            code="ticket_state_id_invalid",
            field="ticket_state_id",
        )
    found = states.get_state(conn, workspace_id, ident)
    assert found is not None
    return found


def convert(
    conn: Conn, workspace_id: int, caller_admin: int, conversation_id: int, p: ConvertConversation
) -> int:
    """The new ticket's id (the conversation's)."""
    admin = Author("admin", str(caller_admin))
    with conversation_changes.changing(conn, workspace_id, conversation_id, admin) as c:
        conv = c.row
        if conv["ticket_id"] is not None:
            raise ParameterInvalid(
                "This conversation has already been converted to a ticket", field="id"
            )
        type_data = _customer_type(conn, workspace_id, p.ticket_type_id)
        values = validate_values(type_data, p.attributes, creating=True, field="attributes")
        state = _state(conn, workspace_id, type_data, p.ticket_state_id)
        stored = {str(k): v for k, v in values.items()}
        now = ids.now()
        columns = dict(
            id=c.id,
            ticket_type_id=type_data.row["id"],
            ticket_state_id=state["id"],
            state=state["category"],
            category="Customer",
            attributes=orjson.dumps(stored).decode(),
            open=state["category"] != "resolved",
            is_shared=True,  # Customer tickets are always shared with the contact
            created_at=conv["created_at"],
            updated_at=now,
            **defaults_to_columns(type_data, stored),
        )
        with changes.creating(conn, workspace_id, columns, admin, now) as t:
            search_values.write(conn, workspace_id, t.id, type_data, stored, values, replace=False)
            _copy_history(conn, workspace_id, conv)
            t.part(
                "ticket_state_updated_by_admin",
                author=Author("bot", "0"),
                topic="ticket.created",
                previous_state="submitted",
                state=state["category"],
                data={"via_api": True},
            )
            for contact in _contacts(conn, workspace_id, c.id):
                t.attach_contact(contact)
        c.set(ticket_id=c.id)
        c.event("conversation.converted", data={"ticket_id": str(c.id)})
        return c.id


def _contacts(conn: Conn, workspace_id: int, conversation_id: int) -> list[Row]:
    return conn.all(
        select(contacts)
        .join(conversation_contacts, conversation_contacts.c.contact_id == contacts.c.id)
        .where(
            contacts.c.workspace_id == workspace_id,
            conversation_contacts.c.conversation_id == conversation_id,
        )
        .order_by(contacts.c.id)
    )


def _copy_history(conn: Conn, workspace_id: int, conv: Row) -> None:
    """The opening message as a comment, then the conversation's parts, as ticket parts."""
    opening = orjson.loads(conv["attachments"]) if conv["attachments"] else []
    parts.append(
        conn,
        workspace_id,
        conv["id"],
        "comment",
        Author("admin" if conv["author_type"] == "admin" else "user", conv["author_id"]),
        conv["created_at"],
        body=conv["body"],
        data={"attachments": opening} if opening else None,
    )
    for row in conn.all(
        select(conversation_parts)
        .where(conversation_parts.c.conversation_id == conv["id"])
        .order_by(conversation_parts.c.id)
    ):
        assigned = (
            (row["assigned_to_type"], row["assigned_to_id"] or "0")
            if row["assigned_to_type"]
            else None
        )
        parts.append(
            conn,
            workspace_id,
            conv["id"],
            row["part_type"],
            # a ticket part's author is admin, bot, team or user: leads are users there
            Author(
                "user" if row["author_type"] == "lead" else row["author_type"], row["author_id"]
            ),
            row["created_at"],
            body=row["body"],
            assigned_to=assigned,
            data=orjson.loads(row["data"]) if row["data"] else None,
        )
