"""Tags on tickets: attach and detach, remembering when and by whom."""

from __future__ import annotations

from sqlalchemy import delete, insert, select

from ticketry.db.database import Conn, Row
from ticketry.errors import NotFound
from ticketry.kit import ids
from ticketry.tables import ticket_tags
from ticketry.tags.queries import get_tag
from ticketry.tickets import lookups
from ticketry.tickets.queries import get_row


def _ticket_and_tag(conn: Conn, workspace_id: int, ticket_id: int, tag_id: str) -> Row:
    if get_row(conn, workspace_id, ticket_id) is None:
        raise NotFound("Ticket not found", code="ticket_not_found")
    ident = lookups.as_int(tag_id)
    tag = get_tag(conn, workspace_id, ident) if ident is not None else None
    if tag is None:
        raise NotFound("Tag not found", code="tag_not_found", field="id")
    return tag


def _admin(conn: Conn, workspace_id: int, admin_id: str) -> int:
    return lookups.admin(
        conn,
        workspace_id,
        admin_id,
        NotFound("Admin not found", code="admin_not_found", field="admin_id"),
    )


def tag_ticket(
    conn: Conn, workspace_id: int, ticket_id: int, tag_id: str, admin_id: str
) -> tuple[Row, int, int]:
    """Attach (idempotently); the tag, when it was applied and by which admin."""
    tag = _ticket_and_tag(conn, workspace_id, ticket_id, tag_id)
    admin = _admin(conn, workspace_id, admin_id)
    existing = conn.one(
        select(ticket_tags).where(
            ticket_tags.c.ticket_id == ticket_id, ticket_tags.c.tag_id == tag["id"]
        )
    )
    if existing is not None:
        return tag, existing["applied_at"], existing["applied_by"]
    at = ids.now()
    conn.execute(
        insert(ticket_tags).values(
            ticket_id=ticket_id,
            tag_id=tag["id"],
            workspace_id=workspace_id,
            applied_at=at,
            applied_by=admin,
        )
    )
    return tag, at, admin


def untag_ticket(
    conn: Conn, workspace_id: int, ticket_id: int, tag_id: str, admin_id: str
) -> tuple[Row, int, int]:
    tag = _ticket_and_tag(conn, workspace_id, ticket_id, tag_id)
    admin = _admin(conn, workspace_id, admin_id)
    removed = conn.execute(
        delete(ticket_tags).where(
            ticket_tags.c.ticket_id == ticket_id, ticket_tags.c.tag_id == tag["id"]
        )
    )
    if not removed:
        raise NotFound("Tag not found on this ticket", code="tag_not_found", field="tag_id")
    return tag, ids.now(), admin
