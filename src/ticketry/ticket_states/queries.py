"""Reading ticket states: which states a ticket type offers, and the detailed state list.

The four default states belong to every ticket type; a custom state belongs to the types
linked to it in `ticket_type_states`. Archived states are offered to no type (tickets
already in one keep it), but `GET /ticket_states` still lists them, flagged.
"""

from __future__ import annotations

from sqlalchemy import bindparam, false, or_, select, true

from ticketry.db.database import Conn, Row
from ticketry.db.sql import Q
from ticketry.tables import ticket_states, ticket_type_states, ticket_types

_WS = ticket_states.c.workspace_id == bindparam("ws")
_GET = Q(select(ticket_states).where(_WS, ticket_states.c.id == bindparam("id")))
_LINKED = (
    select(ticket_type_states.c.ticket_state_id)
    .where(
        ticket_type_states.c.workspace_id == bindparam("ws"),
        ticket_type_states.c.ticket_type_id == bindparam("type_id"),
    )
    .scalar_subquery()
)
_FOR_TYPE = Q(
    select(ticket_states)
    .where(
        _WS,
        ticket_states.c.archived == false(),
        or_(ticket_states.c.is_default == true(), ticket_states.c.id.in_(_LINKED)),
    )
    .order_by(ticket_states.c.id)
)
_DEFAULT = Q(
    select(ticket_states)
    .where(
        _WS,
        ticket_states.c.category == bindparam("category"),
        ticket_states.c.is_default == true(),
    )
    .order_by(ticket_states.c.archived, ticket_states.c.id)
)  # no LIMIT: a Q statement carries no literal values; `one` takes the first row
_ALL = Q(select(ticket_states).where(_WS).order_by(ticket_states.c.id))
_LINKS = Q(
    select(ticket_type_states.c.ticket_state_id, ticket_type_states.c.ticket_type_id)
    .where(ticket_type_states.c.workspace_id == bindparam("ws"))
    .order_by(ticket_type_states.c.ticket_type_id)
)
_TYPES = Q(
    select(ticket_types)
    .where(ticket_types.c.workspace_id == bindparam("ws"))
    .order_by(ticket_types.c.id)
)


def get_state(conn: Conn, workspace_id: int, state_id: int) -> Row | None:
    return conn.one(_GET, {"ws": workspace_id, "id": state_id})


def states_for_type(conn: Conn, workspace_id: int, type_id: int) -> list[Row]:
    """The states a ticket of this type may take: non-archived defaults and linked customs."""
    return conn.all(_FOR_TYPE, {"ws": workspace_id, "type_id": type_id})


def default_state(conn: Conn, workspace_id: int, category: str) -> Row:
    """The default state of a category (every workspace is created with one of each)."""
    row = conn.one(_DEFAULT, {"ws": workspace_id, "category": category})
    if row is None:
        raise LookupError(f"workspace {workspace_id} has no default {category} state")
    return row


def state_belongs_to_type(conn: Conn, workspace_id: int, state_id: int, type_id: int) -> bool:
    return any(s["id"] == state_id for s in states_for_type(conn, workspace_id, type_id))


def states_by_type(conn: Conn, workspace_id: int) -> dict[int, list[Row]]:
    """`states_for_type` for every type of the workspace at once (two queries)."""
    states = [s for s in conn.all(_ALL, {"ws": workspace_id}) if not s["archived"]]
    linked: dict[int, set[int]] = {}
    for link in conn.all(_LINKS, {"ws": workspace_id}):
        linked.setdefault(link["ticket_type_id"], set()).add(link["ticket_state_id"])
    types = {t["id"] for t in conn.all(_TYPES, {"ws": workspace_id})}
    return {
        t: [s for s in states if s["is_default"] or s["id"] in linked.get(t, ())] for t in types
    }


def list_detailed(conn: Conn, workspace_id: int) -> list[tuple[Row, list[Row]]]:
    """Every state (archived included) with the types it applies to: all types for a
    default state, the linked ones for a custom state."""
    types = conn.all(_TYPES, {"ws": workspace_id})
    by_id = {t["id"]: t for t in types}
    linked: dict[int, list[Row]] = {}
    for link in conn.all(_LINKS, {"ws": workspace_id}):
        linked.setdefault(link["ticket_state_id"], []).append(by_id[link["ticket_type_id"]])
    return [
        (s, types if s["is_default"] else linked.get(s["id"], []))
        for s in conn.all(_ALL, {"ws": workspace_id})
    ]


def detailed(conn: Conn, workspace_id: int, state_id: int) -> tuple[Row, list[Row]] | None:
    for state, types in list_detailed(conn, workspace_id):
        if state["id"] == state_id:
            return state, types
    return None
