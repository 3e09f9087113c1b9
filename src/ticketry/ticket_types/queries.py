"""Reading ticket types and their attributes, alone or in batches for tickets.

Every ticket-type row these functions return carries one extra column, `workspace_code`
(the workspace's `id_code`, joined in), because the wire `workspace_id` of a type and of
each attribute is that code: the renderers read it from the row and never query again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import bindparam, select

from ticketry.db.database import Conn, Row
from ticketry.db.sql import Q
from ticketry.tables import ticket_type_attributes, ticket_types, workspaces

_TYPES = select(ticket_types, workspaces.c.id_code.label("workspace_code")).select_from(
    ticket_types.join(workspaces, workspaces.c.id == ticket_types.c.workspace_id)
)
_GET = Q(
    _TYPES.where(
        ticket_types.c.workspace_id == bindparam("ws"), ticket_types.c.id == bindparam("id")
    )
)
_LIST = Q(_TYPES.where(ticket_types.c.workspace_id == bindparam("ws")).order_by(ticket_types.c.id))
_ATTR_ORDER = (ticket_type_attributes.c.position, ticket_type_attributes.c.id)
_ATTRS_OF = Q(
    select(ticket_type_attributes)
    .where(
        ticket_type_attributes.c.workspace_id == bindparam("ws"),
        ticket_type_attributes.c.ticket_type_id == bindparam("type_id"),
    )
    .order_by(*_ATTR_ORDER)
)
_ALL_ATTRS = Q(
    select(ticket_type_attributes)
    .where(ticket_type_attributes.c.workspace_id == bindparam("ws"))
    .order_by(*_ATTR_ORDER)
)
_ATTR = Q(
    select(ticket_type_attributes).where(
        ticket_type_attributes.c.workspace_id == bindparam("ws"),
        ticket_type_attributes.c.ticket_type_id == bindparam("type_id"),
        ticket_type_attributes.c.id == bindparam("id"),
    )
)


@dataclass(slots=True)
class TypeData:
    """A ticket type with its attributes (ordered by `order`, archived included), indexed
    the two ways tickets look them up."""

    row: Row
    attributes: list[Row]
    workspace_code: str
    by_name: dict[str, Row] = field(default_factory=dict)
    by_id: dict[int, Row] = field(default_factory=dict)
    # attribute id -> decoded `input_options`, parsed once per load rather than per value
    options: dict[int, dict[str, Any]] = field(default_factory=dict)
    # version -> the type as embedded in a ticket (filled by tickets/render.py)
    rendered: dict[Any, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def of(cls, row: Row, attributes: list[Row]) -> TypeData:
        return cls(
            row,
            attributes,
            row["workspace_code"],
            {a["name"]: a for a in attributes},
            {a["id"]: a for a in attributes},
            {a["id"]: input_options(a) for a in attributes},
        )


def get_type(conn: Conn, workspace_id: int, type_id: int) -> Row | None:
    return conn.one(_GET, {"ws": workspace_id, "id": type_id})


def list_types(conn: Conn, workspace_id: int) -> list[Row]:
    return conn.all(_LIST, {"ws": workspace_id})


def attributes_of(conn: Conn, workspace_id: int, type_id: int) -> list[Row]:
    return conn.all(_ATTRS_OF, {"ws": workspace_id, "type_id": type_id})


def get_attribute(conn: Conn, workspace_id: int, type_id: int, attr_id: int) -> Row | None:
    return conn.one(_ATTR, {"ws": workspace_id, "type_id": type_id, "id": attr_id})


def all_attributes(conn: Conn, workspace_id: int) -> dict[int, list[Row]]:
    """Every attribute of the workspace grouped by type id (one query for type lists)."""
    out: dict[int, list[Row]] = {}
    for a in conn.all(_ALL_ATTRS, {"ws": workspace_id}):
        out.setdefault(a["ticket_type_id"], []).append(a)
    return out


_REVISION = Q(
    select(ticket_types.c.revision).where(
        ticket_types.c.workspace_id == bindparam("ws"), ticket_types.c.id == bindparam("id")
    )
)
_CACHE_MAX = 2_000


def load_type(
    conn: Conn, workspace_id: int, type_id: int, revision: int | None = None
) -> TypeData | None:
    # (workspace, type) -> (revision, TypeData), per database: every ticket read embeds
    # its type, which rarely changes; one indexed read of `revision` says if it is current
    # (none when the caller read the type's `revision` with its ticket).
    cache: dict[tuple[int, int], tuple[int, TypeData]] = conn.cache.setdefault("types", {})
    key = (workspace_id, type_id)
    cached = cache.get(key)
    if cached is not None and revision is not None and revision == cached[0]:
        return cached[1]
    if cached is not None:
        row = conn.one(_REVISION, {"ws": workspace_id, "id": type_id})
        if row is None:
            return None
        if row["revision"] == cached[0]:
            return cached[1]
    row = get_type(conn, workspace_id, type_id)
    if row is None:
        return None
    data = TypeData.of(row, attributes_of(conn, workspace_id, type_id))
    if not conn.writable:  # a write transaction may still roll back what it read
        if len(cache) >= _CACHE_MAX:
            cache.clear()
        cache[key] = (row["revision"], data)
    return data


_TYPES_MANY = Q(
    _TYPES.where(
        ticket_types.c.workspace_id == bindparam("ws"),
        ticket_types.c.id.in_(bindparam("ids", expanding=True)),
    ).order_by(ticket_types.c.id)
)
_ATTRS_MANY = Q(
    select(ticket_type_attributes)
    .where(
        ticket_type_attributes.c.workspace_id == bindparam("ws"),
        ticket_type_attributes.c.ticket_type_id.in_(bindparam("ids", expanding=True)),
    )
    .order_by(*_ATTR_ORDER)
)


def load_types(conn: Conn, workspace_id: int, type_ids: Iterable[int]) -> dict[int, TypeData]:
    """The types among `type_ids` that exist in the workspace, with their attributes, in
    two queries whatever the count (unknown ids are simply absent from the result)."""
    wanted = sorted({int(t) for t in type_ids})
    if not wanted:
        return {}
    if len(wanted) == 1:
        one = load_type(conn, workspace_id, wanted[0])
        return {} if one is None else {wanted[0]: one}
    rows = conn.all(_TYPES_MANY, {"ws": workspace_id, "ids": wanted})
    attrs: dict[int, list[Row]] = {r["id"]: [] for r in rows}
    if rows:
        for a in conn.all(_ATTRS_MANY, {"ws": workspace_id, "ids": list(attrs)}):
            attrs[a["ticket_type_id"]].append(a)
    return {r["id"]: TypeData.of(r, attrs[r["id"]]) for r in rows}


def input_options(attr: Row) -> dict[str, Any]:
    """The stored options document of an attribute (`{}` when none)."""
    raw = attr["input_options"]
    return orjson.loads(raw) if raw else {}


def list_options(attr: Row) -> list[dict[str, Any]]:
    """A list attribute's options, archived ones included: `[{id, label, archived}]`."""
    return input_options(attr).get("list_options", [])


def allows_multiple(attr: Row) -> bool:
    return bool(input_options(attr).get("allow_multiple_values", False))
