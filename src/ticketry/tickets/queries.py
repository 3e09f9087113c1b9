"""Reading tickets with everything their wire shape embeds."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import bindparam, select

from ticketry.db.database import Conn, Row
from ticketry.db.sql import Q
from ticketry.links import queries as links
from ticketry.links.queries import Linked
from ticketry.tables import (
    contacts,
    ticket_contacts,
    ticket_states,
    ticket_types,
    tickets,
    workspaces,
)
from ticketry.ticket_types.queries import TypeData, load_type, load_types
from ticketry.tickets import parts

_GET = Q(
    select(tickets).where(
        tickets.c.workspace_id == bindparam("ws"), tickets.c.id == bindparam("id")
    )
)
_CONTACTS = Q(
    select(contacts.c.id, contacts.c.external_id)
    .join(ticket_contacts, ticket_contacts.c.contact_id == contacts.c.id)
    .where(
        ticket_contacts.c.workspace_id == bindparam("ws"),
        ticket_contacts.c.ticket_id == bindparam("t"),
    )
    .order_by(contacts.c.id)
)
_STATE_PREFIX = "state__"
# A ticket read: the ticket row and its state's columns (prefixed) in one query.
_GET_WITH_STATE = Q(
    select(
        tickets,
        *(c.label(_STATE_PREFIX + c.key) for c in ticket_states.c),
        ticket_types.c.revision.label("type_revision"),
    )
    .join(ticket_states, ticket_states.c.id == tickets.c.ticket_state_id)
    .join(ticket_types, ticket_types.c.id == tickets.c.ticket_type_id)
    .where(tickets.c.workspace_id == bindparam("ws"), tickets.c.id == bindparam("id"))
)
_STATE_COLUMNS = tuple(c.key for c in ticket_states.c)


@dataclass(slots=True)
class TicketView:
    """A ticket and what its response embeds."""

    row: Row
    contacts: list[Row]
    type: TypeData
    state: Row
    parts: list[Row]
    parts_total: int
    authors: dict[tuple[str, str], Row]
    linked: Linked = field(default_factory=Linked)


def get_row(conn: Conn, workspace_id: int, ticket_id: int) -> Row | None:
    return conn.one(_GET, {"ws": workspace_id, "id": ticket_id})


def contact_rows(conn: Conn, workspace_id: int, ticket_id: int) -> list[Row]:
    return conn.all(_CONTACTS, {"ws": workspace_id, "t": ticket_id})


def view(conn: Conn, workspace_id: int, ticket_id: int) -> TicketView | None:
    """One ticket as its response embeds it, in four queries whatever its history."""
    row = conn.one(_GET_WITH_STATE, {"ws": workspace_id, "id": ticket_id})
    if row is None:
        return None
    state = {k: row[_STATE_PREFIX + k] for k in _STATE_COLUMNS}
    type_data = load_type(conn, workspace_id, row["ticket_type_id"], row["type_revision"])
    assert type_data is not None  # joined above
    part_rows, total, authors = parts.newest_with_authors(conn, workspace_id, ticket_id)
    return TicketView(
        row,
        contact_rows(conn, workspace_id, ticket_id),
        type_data,
        state,
        part_rows,
        total,
        authors,
        links.linked(conn, workspace_id, [ticket_id]).get(ticket_id, links.NONE),
    )


# A search page's batch reads, compiled once (IN lists expand at bind time, see db/sql.py).
_MANY = Q(
    select(tickets).where(
        tickets.c.workspace_id == bindparam("ws"),
        tickets.c.id.in_(bindparam("ids", expanding=True)),
    )
)
_STATES = Q(
    select(ticket_states).where(
        ticket_states.c.workspace_id == bindparam("ws"),
        ticket_states.c.id.in_(bindparam("ids", expanding=True)),
    )
)
_CONTACTS_OF_MANY = Q(
    select(ticket_contacts.c.ticket_id, contacts.c.id, contacts.c.external_id)
    .join(contacts, contacts.c.id == ticket_contacts.c.contact_id)
    .where(
        ticket_contacts.c.workspace_id == bindparam("ws"),
        ticket_contacts.c.ticket_id.in_(bindparam("ids", expanding=True)),
    )
    .order_by(contacts.c.id)
)


def views(conn: Conn, workspace_id: int, ticket_ids: list[int]) -> list[TicketView]:
    """Several tickets in a fixed number of queries (search pages), in `ticket_ids` order."""
    if not ticket_ids:
        return []
    rows = {r["id"]: r for r in conn.all(_MANY, {"ws": workspace_id, "ids": ticket_ids})}
    found = [rows[i] for i in ticket_ids if i in rows]
    types = load_types(conn, workspace_id, {r["ticket_type_id"] for r in found})
    state_ids = sorted({r["ticket_state_id"] for r in found})
    states = {s["id"]: s for s in conn.all(_STATES, {"ws": workspace_id, "ids": state_ids})}
    on: dict[int, list[Row]] = defaultdict(list)
    for c in conn.all(_CONTACTS_OF_MANY, {"ws": workspace_id, "ids": ticket_ids}):
        on[c["ticket_id"]].append(c)
    part_rows, totals = parts.newest_of_many(conn, workspace_id, ticket_ids)
    authors = parts.author_directory(
        conn, workspace_id, [p for ps in part_rows.values() for p in ps]
    )
    linked = links.linked(conn, workspace_id, ticket_ids)
    return [
        TicketView(
            r,
            on[r["id"]],
            types[r["ticket_type_id"]],
            states[r["ticket_state_id"]],
            part_rows.get(r["id"], []),
            totals.get(r["id"], 0),
            authors,
            linked.get(r["id"], links.NONE),
        )
        for r in found
    ]


_WORKSPACE_CODE = Q(select(workspaces.c.id_code).where(workspaces.c.id == bindparam("ws")))


def workspace_code(conn: Conn, workspace_id: int) -> str:
    return conn.scalar(_WORKSPACE_CODE, {"ws": workspace_id})


def part_view(
    conn: Conn, workspace_id: int, part_id: int
) -> tuple[Row, dict[tuple[str, str], Row], str]:
    """A part with what rendering it needs: its author's row and the workspace code."""
    row = parts.get(conn, workspace_id, part_id)
    assert row is not None  # just written in this transaction
    directory = parts.author_directory(conn, workspace_id, [row])
    return row, directory, workspace_code(conn, workspace_id)
