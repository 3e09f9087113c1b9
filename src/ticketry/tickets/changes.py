"""The one path for every change to a ticket: lock, apply, append the part, record the event.

Services open a change with `changing` (an existing ticket) or `creating` (a new one), then
say what changes: `set` columns, `part` to append history (each part records its event),
`event` for a change without a part, `delete`. When the block ends the row is written once
and the events are recorded, all in the caller's transaction; if the block raises, the
transaction rolls back and nothing of the change remains.

Locking: `changing` reads the row with `SELECT ... FOR UPDATE` on PostgreSQL, so two
requests changing one ticket run one after the other and the second sees the first's
result (no lost read-modify-write). On SQLite every write already runs on the one writer
thread (or holds the database's write lock from BEGIN IMMEDIATE), which serialises them.
Lock order: the ticket row first, the workspace's event counter last (events/service.py).

Rule for a new kind of ticket change: add a service function that opens `changing`, checks
and applies inside it, and appends a part (or records an event). Nothing else may write
the `tickets` row or its parts; `set_type_category` is the one bulk exception, a column
copied from the ticket type for search.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy import insert as sql_insert

from ticketry.db.database import Conn, Row
from ticketry.db.sql import InsertQ, Q
from ticketry.errors import ApiError, NotFound
from ticketry.events.change import Change
from ticketry.kit import ids
from ticketry.tables import ticket_contacts, ticket_links, ticket_tags, tickets, workspaces
from ticketry.tickets import counts, parts
from ticketry.tickets.parts import Author

CATEGORIES = ("Customer", "Back-office", "Tracker")  # of ticket types, copied to tickets
_LOCK = Q(
    select(tickets)
    .where(tickets.c.workspace_id == bindparam("ws"), tickets.c.id == bindparam("id"))
    .with_for_update()
)
_WHERE = (tickets.c.workspace_id == bindparam("ws"), tickets.c.id == bindparam("id"))
_DELETE = Q(delete(tickets).where(*_WHERE))
_INSERT = InsertQ(tickets, returning=tickets.c.id)


@lru_cache(maxsize=256)
def _update(names: tuple[str, ...]) -> Q:
    """The UPDATE of these columns, compiled once per column set (a few dozen in use)."""
    return Q(update(tickets).where(*_WHERE).values({k: bindparam(f"v_{k}") for k in names}))


_ATTACH = InsertQ(ticket_contacts)
_NEXT_NUMBER = Q(
    update(workspaces)
    .where(workspaces.c.id == bindparam("ws"))
    .values(ticket_seq=workspaces.c.ticket_seq + 1)
    .returning(workspaces.c.ticket_seq)
)

# Topics are Intercom's webhook topic names where Intercom has one; `ticket.unassigned`,
# `ticket.opened`, `ticket.snoozed`, `ticket.unsnoozed`, `ticket.updated`,
# `ticket.tag.created`, `ticket.tag.deleted`, `ticket.type.changed` and `ticket.deleted` are
# Ticketry's own.
_PART_TOPICS = {
    "note": "ticket.note.created",
    "ticket_state_updated_by_admin": "ticket.state.updated",
    "ticket_attribute_updated_by_admin": "ticket.attribute.updated",
    "close": "ticket.closed",
    "open": "ticket.opened",
    "snoozed": "ticket.snoozed",
    "timer_unsnooze": "ticket.unsnoozed",
    "ticket_type_updated_by_admin": "ticket.type.changed",
}


def ticket_not_found() -> NotFound:
    return NotFound("Ticket not found", code="ticket_not_found")


def part_topic(part_type: str, author: Author, assigned_to: tuple[str, str] | None) -> str:
    if part_type in ("comment", "quick_reply"):
        return "ticket.contact.replied" if author.type == "user" else "ticket.admin.replied"
    if part_type == "assignment":
        kind = assigned_to[0] if assigned_to else "nobody_admin"
        return {"admin": "ticket.admin.assigned", "team": "ticket.team.assigned"}.get(
            kind, "ticket.unassigned"
        )
    return _PART_TOPICS[part_type]


class TicketChange(Change):
    """One ticket, locked for the rest of the transaction, and what is changing on it."""

    object_type = "ticket"
    __slots__ = ()

    def part(
        self,
        part_type: str,
        *,
        author: Author | None = None,
        at: int | None = None,
        topic: str | None = None,
        event_data: dict[str, Any] | None = None,
        **fields: Any,
    ) -> int:
        """Append a part (`parts.append` fields) and the event it stands for; its id."""
        author = author or self.actor
        part_id = parts.append(
            self.conn, self.workspace_id, self.id, part_type, author, at or self.at, **fields
        )
        topic = topic or part_topic(part_type, author, fields.get("assigned_to"))
        self.event(topic, part_id, event_data, author)
        return part_id

    def attach_contact(self, contact: Row) -> None:
        """Link a contact to this (new) ticket and record `ticket.contact.attached`, with the
        contact as it is now (its notification shows it, even if it is deleted before the
        notification is made)."""
        self.conn.execute(
            _ATTACH,
            {"ticket_id": self.id, "contact_id": contact["id"], "workspace_id": self.workspace_id},
        )
        self.event(
            "ticket.contact.attached", data={"contact_id": contact["id"], "contact": dict(contact)}
        )

    def _finish(self, touch: bool, created: bool = False) -> None:
        if created:
            # The ticket's number, from the workspace's counter, taken here at the end: that
            # row stays locked until the commit (PostgreSQL), so taken first it made every
            # create of the workspace wait for the whole of the one before (70 creates/s).
            self.columns["ticket_number"] = self.conn.scalar(
                _NEXT_NUMBER, {"ws": self.workspace_id}
            )
        moved = self._counted(created)
        if self._deleted:
            # Links from a tracker or back-office ticket go with it by foreign key; links
            # naming this ticket as the linked object are removed here.
            self.conn.execute(
                delete(ticket_links).where(
                    ticket_links.c.workspace_id == self.workspace_id,
                    ticket_links.c.object_id == self.id,
                )
            )
            self.conn.execute(_DELETE, {"ws": self.workspace_id, "id": self.id})
        else:
            if touch and (self.columns or self._events):
                self.columns.setdefault("updated_at", ids.now())
            if self.columns:
                params = {f"v_{k}": v for k, v in self.columns.items()}
                params.update(ws=self.workspace_id, id=self.id)
                self.conn.execute(_update(tuple(sorted(self.columns))), params)
        self.record_events()
        # After the events: the workspace's event counter is always taken first.
        counts.apply(self.conn, self.workspace_id, moved)

    def _counted(self, created: bool) -> counts.Delta:
        """What this change does to the workspace's ticket counts."""
        row, columns = self.row, self.columns

        def old(name: str) -> Any:
            return row[name]

        def new(name: str) -> Any:
            return columns[name] if name in columns else row[name]

        if self._deleted:
            return {} if created else counts.delta(old, None)
        if created:
            return counts.delta(None, new)
        if not any(name in columns for name in counts.COUNTED):
            return {}
        return counts.delta(old, new)


@contextmanager
def changing(
    conn: Conn,
    workspace_id: int,
    ticket_id: int,
    actor: Author,
    *,
    at: int | None = None,
    touch: bool = True,
    not_found: ApiError | None = None,
) -> Iterator[TicketChange]:
    """Lock the ticket and collect a change to it; written when the block ends.

    `touch` bumps `updated_at` when anything changed (tags do not: Intercom's tagging
    leaves a ticket's `updated_at` alone)."""
    row = locked_row(conn, workspace_id, ticket_id)
    if row is None:
        raise not_found or ticket_not_found()
    change = TicketChange(conn, workspace_id, row, actor, at if at is not None else ids.now())
    yield change
    change._finish(touch)


def locked_row(conn: Conn, workspace_id: int, ticket_id: int) -> Row | None:
    """The ticket's row, locked as `changing` locks it: for a caller that reads a value,
    then changes it through a service in the same transaction (no lost update between)."""
    return conn.one(_LOCK, {"ws": workspace_id, "id": ticket_id})


@contextmanager
def creating(
    conn: Conn, workspace_id: int, values: dict[str, Any], actor: Author, at: int
) -> Iterator[TicketChange]:
    """Insert a ticket row (columns as `tickets` names them, but its number) and collect
    its first parts. An `id` in `values` is used as given (a converted conversation keeps
    its id). The row is inserted under a provisional negative number, unique to this
    transaction, and numbered when the change is written (`_finish`)."""
    ticket_id = values.pop("id", None)
    provisional = -secrets.randbits(62) - 1
    row = _INSERT.row(workspace_id=workspace_id, ticket_number=provisional, **values)
    if ticket_id is None:
        row["id"] = conn.scalar(_INSERT, row)
    else:
        conn.execute(sql_insert(tickets).values(id=ticket_id, **row))
        row["id"] = ticket_id
    change = TicketChange(conn, workspace_id, row, actor, at)
    yield change
    change._finish(touch=False, created=True)


def set_type_category(conn: Conn, workspace_id: int, type_id: int, category: str) -> None:
    """Copy a ticket type's new category to its tickets (a search column, not a change to
    the tickets themselves: no parts, no events, `updated_at` untouched)."""
    moved: counts.Delta = {}
    # One UPDATE per old category: each one's row count is exactly what moved, even with
    # tickets of the type created meanwhile (a count read before the UPDATE could miss them).
    for old in CATEGORIES:
        if old == category:
            continue
        n = conn.execute(
            update(tickets)
            .where(
                tickets.c.workspace_id == workspace_id,
                tickets.c.ticket_type_id == type_id,
                tickets.c.category == old,
            )
            .values(category=category)
        )
        if n:
            moved[("category", old)] = -n
            moved[("category", category)] = moved.get(("category", category), 0) + n
    counts.apply(conn, workspace_id, moved)


def _lock_linked(conn: Conn, workspace_id: int, ticket_ids: Any) -> list[int]:
    """Lock the tickets a subquery names, in id order (so two such transactions cannot
    deadlock), before any event of the transaction takes the workspace counter."""
    stmt = (
        select(tickets.c.id)
        .where(tickets.c.workspace_id == workspace_id, tickets.c.id.in_(ticket_ids))
        .order_by(tickets.c.id)
        .with_for_update()
    )
    return [row["id"] for row in conn.all(stmt)]


def detach_everywhere(
    conn: Conn, workspace_id: int, contact: dict[str, Any], company_ids: list[str], actor: Author
) -> None:
    """Before a contact is deleted (its links go with its row): each of its tickets records
    `ticket.contact.detached`, with the contact as it was (its notification shows it) and
    whether the ticket was open (Intercom notifies only for open tickets)."""
    contact_id = contact["id"]
    linked = select(ticket_contacts.c.ticket_id).where(ticket_contacts.c.contact_id == contact_id)
    for ticket_id in _lock_linked(conn, workspace_id, linked):
        with changing(conn, workspace_id, ticket_id, actor) as t:
            t.event(
                "ticket.contact.detached",
                data={
                    "contact_id": contact_id,
                    "open": bool(t.row["open"]),
                    "contact": contact,
                    "company_ids": company_ids,
                },
            )


def untag_everywhere(conn: Conn, workspace_id: int, tag_id: int, actor: Author) -> None:
    """Before a tag is deleted (its links go with its row): each ticket that had it records
    `ticket.tag.deleted`."""
    linked = select(ticket_tags.c.ticket_id).where(ticket_tags.c.tag_id == tag_id)
    for ticket_id in _lock_linked(conn, workspace_id, linked):
        with changing(conn, workspace_id, ticket_id, actor, touch=False) as t:
            t.event("ticket.tag.deleted", data={"tag_id": str(tag_id)})
