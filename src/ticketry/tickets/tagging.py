"""Tags on tickets: attach and detach, remembering when and by whom.

Both go through the ticket's change path (the ticket row locked), so tagging the same
ticket from several requests at once is idempotent: the first attaches, the rest find it.
"""

from __future__ import annotations

from sqlalchemy import delete, insert, select

from ticketry.db.database import Conn, Row
from ticketry.errors import NotFound
from ticketry.kit import ids
from ticketry.tables import ticket_tags
from ticketry.tags.queries import get_tag
from ticketry.tickets import changes, lookups
from ticketry.tickets.parts import Author


def find_tag(conn: Conn, workspace_id: int, tag_id: str) -> Row:
    """The tag a tagging request names, or 404 `tag_not_found` (tickets and conversations)."""
    tag = get_tag(conn, workspace_id, tag_id)
    if tag is None:
        raise NotFound("Tag not found", code="tag_not_found", field="id")
    return tag


def _admin(conn: Conn, workspace_id: int, admin_id: str) -> Author:
    found = lookups.admin(
        conn,
        workspace_id,
        admin_id,
        NotFound("Admin not found", code="admin_not_found", field="admin_id"),
    )
    return Author("admin", str(found))


def tag_ticket(
    conn: Conn, workspace_id: int, ticket_id: int, tag_id: str, admin_id: str
) -> tuple[Row, int, int]:
    """Attach (idempotently); the tag, when it was applied and by which admin."""
    with changes.changing(conn, workspace_id, ticket_id, Author("bot", "0"), touch=False) as t:
        tag = find_tag(conn, workspace_id, tag_id)
        admin = _admin(conn, workspace_id, admin_id)
        existing = conn.one(
            select(ticket_tags).where(
                ticket_tags.c.ticket_id == ticket_id, ticket_tags.c.tag_id == tag["id"]
            )
        )
        if existing is not None:
            return tag, existing["applied_at"], existing["applied_by"]
        conn.execute(
            insert(ticket_tags).values(
                ticket_id=ticket_id,
                tag_id=tag["id"],
                workspace_id=workspace_id,
                applied_at=t.at,
                applied_by=int(admin.id),
            )
        )
        t.event("ticket.tag.created", data={"tag_id": str(tag["id"])}, author=admin)
        return tag, t.at, int(admin.id)


def untag_ticket(
    conn: Conn, workspace_id: int, ticket_id: int, tag_id: str, admin_id: str
) -> tuple[Row, int, int]:
    with changes.changing(conn, workspace_id, ticket_id, Author("bot", "0"), touch=False) as t:
        tag = find_tag(conn, workspace_id, tag_id)
        admin = _admin(conn, workspace_id, admin_id)
        removed = conn.execute(
            delete(ticket_tags).where(
                ticket_tags.c.ticket_id == ticket_id, ticket_tags.c.tag_id == tag["id"]
            )
        )
        if not removed:
            raise NotFound("Tag not found on this ticket", code="tag_not_found", field="tag_id")
        t.event("ticket.tag.deleted", data={"tag_id": str(tag["id"])}, author=admin)
        return tag, ids.now(), int(admin.id)
