"""Linking conversations and Customer tickets to Back-office and Tracker tickets.

Intercom allows four pairs (reference §K): a conversation with a Back-office or a Tracker
ticket, a Customer ticket with a non-shared Back-office ticket or a Tracker ticket. A
conversation (or Customer ticket) has at most one Tracker, a Tracker at most 2,500 links.
Both ends are locked, the ticket first: two requests linking one conversation to two
trackers at once cannot both succeed. Linking what is already linked to the same ticket
answers as a success and changes nothing.
"""

from __future__ import annotations

from sqlalchemy import bindparam, delete, insert, select

from ticketry.db.database import Conn, Row
from ticketry.db.sql import Q
from ticketry.errors import ApiError, NotFound, ParameterInvalid, ParameterNotFound
from ticketry.kit import ids
from ticketry.links import queries
from ticketry.tables import conversations, ticket_links, tickets
from ticketry.tickets import changes
from ticketry.tickets.changes import TicketChange
from ticketry.tickets.parts import Author

TRACKER_LIMIT = 2500

_LOCK_CONVERSATION = Q(
    select(conversations.c.id)
    .where(conversations.c.workspace_id == bindparam("ws"), conversations.c.id == bindparam("id"))
    .with_for_update()
)
_LOCK_TICKET = Q(
    select(tickets.c.id, tickets.c.category, tickets.c.is_shared)
    .where(tickets.c.workspace_id == bindparam("ws"), tickets.c.id == bindparam("id"))
    .with_for_update()
)
_TRACKER_OF = Q(
    select(ticket_links.c.ticket_id)
    .join(tickets, tickets.c.id == ticket_links.c.ticket_id)
    .where(
        ticket_links.c.workspace_id == bindparam("ws"),
        ticket_links.c.object_id == bindparam("id"),
        tickets.c.category == "Tracker",
    )
)
_LINK = Q(
    select(ticket_links.c.object_type).where(
        ticket_links.c.ticket_id == bindparam("t"), ticket_links.c.object_id == bindparam("o")
    )
)


def conversation_not_found(message: str = "Conversation not found") -> NotFound:
    return NotFound(message, code="conversation_not_found", field="conversation_id")


def _linkable(conn: Conn, workspace_id: int, object_id: int) -> tuple[str, Row | None]:
    """What an id names, locked: ("ticket", its row) for a Customer ticket, else
    ("conversation", None). A converted conversation is linked as the ticket it became."""
    found = conn.one(_LOCK_TICKET, {"ws": workspace_id, "id": object_id})
    if found is not None:
        if found["category"] != "Customer":
            raise ParameterInvalid(
                "Only conversations and customer tickets can be linked to a ticket",
                field="conversation_id",
            )
        return "ticket", found
    if conn.one(_LOCK_CONVERSATION, {"ws": workspace_id, "id": object_id}) is None:
        raise conversation_not_found()
    return "conversation", None


def _attach(t: TicketChange, object_id: int, kind: str) -> None:
    ws = t.workspace_id
    if t.row["category"] == "Tracker":
        current = t.conn.scalar(_TRACKER_OF, {"ws": ws, "id": object_id})
        if current is not None and current != t.id:
            raise ApiError(
                "A conversation can only have one tracker ticket",
                code="already_linked_to_tracker",
                field="conversation_id",
            )
        if queries.count_on(t.conn, ws, t.id) >= TRACKER_LIMIT:
            raise ApiError(
                "Ticket has reached the maximum number of conversations that can be linked",
                code="linked_conversation_limit_exceeded",
            )
    t.conn.execute(
        insert(ticket_links).values(
            ticket_id=t.id,
            object_id=object_id,
            object_type=kind,
            workspace_id=ws,
            created_at=t.at,
        )
    )
    t.event("ticket.linked", data={"object_type": kind, "object_id": str(object_id)})


def link_to_tracker(
    conn: Conn, workspace_id: int, caller_admin: int, ticket_id: int, object_ref: str | None
) -> int:
    """`POST /tickets/{id}/linked_conversations`: the linked object's id."""
    if object_ref is None:
        raise ParameterNotFound("conversation_id", "conversation_id not specified")
    object_id = ids.parse_id(object_ref)
    with changes.changing(conn, workspace_id, ticket_id, Author("admin", str(caller_admin))) as t:
        if t.row["category"] != "Tracker":
            raise ApiError(
                "Only tracker tickets support linking conversations", code="invalid_ticket_type"
            )
        if object_id is None:
            raise conversation_not_found()
        kind, _ = _linkable(conn, workspace_id, object_id)
        if conn.one(_LINK, {"t": t.id, "o": object_id}) is None:
            _attach(t, object_id, kind)
        return object_id


def unlink_from_tracker(
    conn: Conn, workspace_id: int, caller_admin: int, ticket_id: int, object_ref: str
) -> int:
    object_id = ids.parse_id(object_ref)
    with changes.changing(conn, workspace_id, ticket_id, Author("admin", str(caller_admin))) as t:
        if t.row["category"] != "Tracker":
            raise ApiError(
                "Only tracker tickets support unlinking conversations", code="invalid_ticket_type"
            )
        found = conn.one(_LINK, {"t": t.id, "o": object_id}) if object_id is not None else None
        if object_id is None or found is None:
            raise conversation_not_found("Conversation is not linked to this ticket")
        conn.execute(
            delete(ticket_links).where(
                ticket_links.c.ticket_id == t.id, ticket_links.c.object_id == object_id
            )
        )
        t.event(
            "ticket.unlinked",
            data={"object_type": found["object_type"], "object_id": str(object_id)},
        )
        return object_id


def check_on_create(
    conn: Conn, workspace_id: int, category: str, is_shared: bool, object_ref: str
) -> tuple[int, str]:
    """`conversation_to_link_id` on `POST /tickets` (2.14+): only Back-office and Tracker
    tickets link, a Customer ticket only to a Tracker or a Back-office ticket that is not
    shared. The linked object's id and kind (locked when the caller writes)."""
    if category not in ("Back-office", "Tracker"):
        raise ParameterInvalid(
            "Only back-office and tracker tickets can be linked to a conversation",
            field="conversation_to_link_id",
        )
    object_id = ids.parse_id(object_ref)
    if object_id is None:
        raise conversation_not_found()
    kind, _ = _linkable(conn, workspace_id, object_id)
    if kind == "ticket" and category == "Back-office" and is_shared:
        raise ParameterInvalid(
            "A customer ticket can only be linked to a back-office ticket that is not shared",
            field="conversation_to_link_id",
        )
    return object_id, kind


def link_on_create(t: TicketChange, object_ref: str) -> None:
    """Link a new ticket as `conversation_to_link_id` asks, inside its change."""
    object_id, kind = check_on_create(
        t.conn, t.workspace_id, t.row["category"], bool(t.row["is_shared"]), object_ref
    )
    _attach(t, object_id, kind)
