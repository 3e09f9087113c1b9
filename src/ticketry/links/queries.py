"""Reading `linked_objects`: what a ticket or conversation is linked to, from both ends of
each link (a Back-office or Tracker ticket on one end; a conversation or a Customer ticket
on the other), as Intercom's `linked_object_list` items."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, func, or_, select

from ticketry.db.database import Conn, Row
from ticketry.db.sql import Q
from ticketry.tables import ticket_links, tickets

MAX_SHOWN = 1000  # "up to 1000 can be returned"; total_count stays exact


@dataclass(slots=True)
class Linked:
    items: list[tuple[str, int, str | None]] = field(default_factory=list)  # type, id, category
    total: int = 0


NONE = Linked()


_LINKS = select(
    ticket_links.c.ticket_id, ticket_links.c.object_id, ticket_links.c.object_type
).order_by(ticket_links.c.created_at, ticket_links.c.object_id)


def of_object(object_id: ColumnElement[Any]) -> Select[Any]:
    """The links of one object, at either end, oldest first (`object_id` may be a
    correlated column)."""
    return _LINKS.where(
        ticket_links.c.workspace_id == bindparam("ws"),
        or_(ticket_links.c.ticket_id == object_id, ticket_links.c.object_id == object_id),
    )


# One object's links (every ticket read): compiled once.
OF_ONE = Q(of_object(bindparam("id")))

_OF_MANY = Q(
    _LINKS.where(
        ticket_links.c.workspace_id == bindparam("ws"),
        or_(
            ticket_links.c.ticket_id.in_(bindparam("ids", expanding=True)),
            ticket_links.c.object_id.in_(bindparam("ids", expanding=True)),
        ),
    )
)
_CATEGORIES = Q(
    select(tickets.c.id, tickets.c.category).where(
        tickets.c.id.in_(bindparam("ids", expanding=True))
    )
)


def linked(conn: Conn, workspace_id: int, object_ids: Iterable[int]) -> dict[int, Linked]:
    """Linked objects of each id, oldest link first, in one query (two when any link names
    a ticket whose category must be shown)."""
    wanted = set(object_ids)
    if not wanted:
        return {}
    if len(wanted) == 1:
        (one,) = wanted
        rows = conn.all(OF_ONE, {"ws": workspace_id, "id": one})
    else:
        rows = conn.all(_OF_MANY, {"ws": workspace_id, "ids": sorted(wanted)})
    return from_rows(conn, wanted, rows)


def from_rows(conn: Conn, wanted: set[int], rows: list[Row]) -> dict[int, Linked]:
    """`linked` from the link rows of `wanted` (as `OF_ONE` reads them)."""
    if not rows:
        return {}
    ticket_ids = {r["ticket_id"] for r in rows} | {
        r["object_id"] for r in rows if r["object_type"] == "ticket"
    }
    category = {r["id"]: r["category"] for r in conn.all(_CATEGORIES, {"ids": sorted(ticket_ids)})}
    out: dict[int, Linked] = defaultdict(Linked)
    for r in rows:
        if r["ticket_id"] in wanted:  # seen from the tracker / back-office end
            other = r["object_id"]
            kind = r["object_type"]
            out[r["ticket_id"]].items.append(
                (kind, other, category.get(other) if kind == "ticket" else None)
            )
        if r["object_id"] in wanted:  # seen from the conversation / customer ticket end
            out[r["object_id"]].items.append(
                ("ticket", r["ticket_id"], category.get(r["ticket_id"]))
            )
    for found in out.values():
        found.total = len(found.items)
        del found.items[MAX_SHOWN:]
    return dict(out)


def count_on(conn: Conn, workspace_id: int, ticket_id: int) -> int:
    """How many objects are linked to a ticket (the tracker limit)."""
    return int(
        conn.scalar(
            select(func.count())
            .select_from(ticket_links)
            .where(
                ticket_links.c.workspace_id == workspace_id, ticket_links.c.ticket_id == ticket_id
            )
        )
    )


def render(found: Linked) -> dict[str, object]:
    return {
        "type": "list",
        "total_count": found.total,
        "has_more": found.total > len(found.items),
        "data": [
            {"type": kind, "id": str(ident), "category": cat} for kind, ident, cat in found.items
        ],
    }
