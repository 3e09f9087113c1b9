"""Reading tickets with everything their wire shape embeds."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import (
    ColumnElement,
    Select,
    Subquery,
    Text,
    bindparam,
    cast,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by

from ticketry.db.database import Conn, Row
from ticketry.db.sql import Q
from ticketry.links import queries as links
from ticketry.links.queries import Linked
from ticketry.tables import (
    contacts,
    ticket_contacts,
    ticket_links,
    ticket_states,
    ticket_types,
    tickets,
    workspaces,
)
from ticketry.ticket_types.queries import TypeData, load_type
from ticketry.tickets import parts

_GET = Q(
    select(tickets).where(
        tickets.c.workspace_id == bindparam("ws"), tickets.c.id == bindparam("id")
    )
)


def _contacts_of(ticket_id: ColumnElement[Any]) -> Select[Any]:
    return (
        select(contacts.c.id, contacts.c.external_id)
        .join(ticket_contacts, ticket_contacts.c.contact_id == contacts.c.id)
        .where(
            ticket_contacts.c.workspace_id == bindparam("ws"),
            ticket_contacts.c.ticket_id == ticket_id,
        )
        .order_by(contacts.c.id)
    )


_CONTACTS = Q(_contacts_of(bindparam("t")))
_STATE_PREFIX = "state__"
# A ticket read: the ticket row and its state's columns (prefixed) in one query.
_WITH_STATE = (
    select(
        tickets,
        *(c.label(_STATE_PREFIX + c.key) for c in ticket_states.c),
        ticket_types.c.revision.label("type_revision"),
    )
    .join(ticket_states, ticket_states.c.id == tickets.c.ticket_state_id)
    .join(ticket_types, ticket_types.c.id == tickets.c.ticket_type_id)
    .where(tickets.c.workspace_id == bindparam("ws"))
)
_GET_WITH_STATE = Q(_WITH_STATE.where(tickets.c.id == bindparam("id")))
_STATE_COLUMNS = tuple(c.key for c in ticket_states.c)


def _json_rows(stmt: Select[Any], order: Callable[[Subquery], tuple[Any, ...]]) -> Any:
    """PostgreSQL: the rows of `stmt` as one JSON array (text), in `order(rows)`."""
    sub = stmt.subquery()
    agg = func.json_agg(aggregate_order_by(sub.table_valued(), *order(sub)))
    return select(cast(func.coalesce(agg, literal_column("'[]'::json")), Text)).scalar_subquery()


def _with_lists(which: ColumnElement[bool]) -> Q:
    """PostgreSQL: the tickets `which` selects, each with its state as above and, as JSON
    arrays, its newest parts with their authors, its contacts and its links."""
    ticket = tickets.c.id
    return Q(
        _WITH_STATE.where(which).add_columns(
            _json_rows(
                parts.newest_with_authors_of(ticket).correlate(tickets),
                lambda sub: (sub.c.id.desc(),),
            ).label("parts_json"),
            _json_rows(_contacts_of(ticket).correlate(tickets), lambda sub: (sub.c.id,)).label(
                "contacts_json"
            ),
            _json_rows(
                links.of_object(ticket)
                .add_columns(ticket_links.c.created_at.label("linked_at"))
                .correlate(tickets),
                lambda sub: (sub.c.linked_at, sub.c.object_id),
            ).label("links_json"),
        )
    )


# PostgreSQL: a ticket read in one round trip, a search page's tickets in another. One
# statement is a third of the client's CPU of four (measured with psycopg: 0.21 ms against
# 0.64 to 0.80 ms per read), and every value in these lists is an integer or a string,
# which JSON carries as the driver would.
_VIEW_ONE_TRIP = _with_lists(tickets.c.id == bindparam("id"))
_VIEWS_ONE_TRIP = _with_lists(tickets.c.id.in_(bindparam("ids", expanding=True)))


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
    """One ticket as its response embeds it: in one statement on PostgreSQL, four on SQLite
    (where a statement costs no round trip), whatever its history."""
    if conn.dialect == "postgresql":
        found = _one_trip(conn, workspace_id, _VIEW_ONE_TRIP, {"id": ticket_id})
        return found[0] if found else None
    key = {"ws": workspace_id, "id": ticket_id}
    row = conn.one(_GET_WITH_STATE, key)
    if row is None:
        return None
    type_data = load_type(conn, workspace_id, row["ticket_type_id"], row["type_revision"])
    assert type_data is not None  # joined above
    newest, total, authors = parts.newest_with_authors(conn, workspace_id, ticket_id)
    linked = links.from_rows(conn, {ticket_id}, conn.all(links.OF_ONE, key))
    return TicketView(
        row,
        contact_rows(conn, workspace_id, ticket_id),
        type_data,
        _state_of(row),
        newest,
        total,
        authors,
        linked.get(ticket_id, links.NONE),
    )


def _state_of(row: Row) -> dict[str, Any]:
    return {k: row[_STATE_PREFIX + k] for k in _STATE_COLUMNS}


def _one_trip(conn: Conn, workspace_id: int, q: Q, which: dict[str, Any]) -> list[TicketView]:
    """PostgreSQL: the tickets of `_with_lists` (in the order the rows come)."""
    rows = conn.all(q, {"ws": workspace_id, **which})
    lists = [(orjson.loads(r["parts_json"]), orjson.loads(r["contacts_json"]), r) for r in rows]
    link_rows = {
        (link["ticket_id"], link["object_id"], link["object_type"]): link
        for r in rows
        for link in orjson.loads(r["links_json"])
    }
    linked = links.from_rows(conn, {r["id"] for r in rows}, list(link_rows.values()))
    out = []
    for part_rows, contact_list, row in lists:
        type_data = load_type(conn, workspace_id, row["ticket_type_id"], row["type_revision"])
        assert type_data is not None  # joined
        newest, total, authors = parts.with_authors(conn, workspace_id, row["id"], part_rows)
        out.append(
            TicketView(
                row,
                contact_list,
                type_data,
                _state_of(row),
                newest,
                total,
                authors,
                linked.get(row["id"], links.NONE),
            )
        )
    return out


# A search page's batch reads, compiled once (IN lists expand at bind time, see db/sql.py).
_MANY_WITH_STATE = Q(_WITH_STATE.where(tickets.c.id.in_(bindparam("ids", expanding=True))))
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
    """Several tickets in a fixed number of queries (search pages), in `ticket_ids` order:
    one statement on PostgreSQL (see `_with_lists`)."""
    if not ticket_ids:
        return []
    if conn.dialect == "postgresql":
        by_id = {
            v.row["id"]: v
            for v in _one_trip(conn, workspace_id, _VIEWS_ONE_TRIP, {"ids": ticket_ids})
        }
        return [by_id[i] for i in ticket_ids if i in by_id]
    rows = {r["id"]: r for r in conn.all(_MANY_WITH_STATE, {"ws": workspace_id, "ids": ticket_ids})}
    found = [rows[i] for i in ticket_ids if i in rows]
    types = {
        r["ticket_type_id"]: load_type(conn, workspace_id, r["ticket_type_id"], r["type_revision"])
        for r in found
    }
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
            types[r["ticket_type_id"]],  # type: ignore[arg-type]  # joined: it exists
            _state_of(r),
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
