"""Ticket counts by field value (`ticket_counts`) and the `total_count` rule of ticket search.

`total_count` is exact up to EXACT_BELOW matches. One `=` or `IN` on a counted field
(`state`, `open`, `category`, `ticket_type_id`, `admin_assignee_id`, `team_assignee_id`)
is read, exact at any size, from counters kept in the transaction of every ticket change.
Another query that only tests the ticket row (`_on_rows`) counts its matches but stops at
EXACT_BELOW + 1, so its cost no longer grows with the match set; above that its count is
an estimate (`estimate`). One `=`/`IN` on linked rows (contacts, teammates, attribute
values), and on SQLite one FTS text match, is counted on that index, also stopping at
EXACT_BELOW + 1, and estimated above (`_linked_total`). Another query on linked rows (on
SQLite also other text filters and OR groups) is counted exactly: its subqueries read every match whatever the count stops at. The page
itself is always exact.

Who keeps the counters: `changes.py` (create, change, delete), `set_type_category` and the
seed (which rebuilds them). A change updates its counter rows after recording its events,
that is after taking the workspace's event counter (events/service.py), so on PostgreSQL
every transaction reaches the counter rows in the same order and two cannot deadlock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    Select,
    String,
    bindparam,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    union,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression, ColumnElement
from sqlalchemy.sql.selectable import CompoundSelect, ScalarSelect

from ticketry.db.database import Conn
from ticketry.db.sql import Q, compile_sql
from ticketry.search import compile as search_compile
from ticketry.search.parse import Filter, Group, Node
from ticketry.tables import admins, contacts, ticket_counts, tickets

EXACT_BELOW = 10_000
# The estimate samples the matches among about SAMPLE tickets, in WINDOWS runs of ids.
SAMPLE = 20_000
WINDOWS = 20
ALL = "all"  # the workspace's number of tickets, under value ""
COUNTED = (
    "state",
    "open",
    "category",
    "ticket_type_id",
    "admin_assignee_id",
    "team_assignee_id",
)

Delta = dict[tuple[str, str], int]


def key(field: str, value: Any) -> str:
    """The text a column value is counted under: "" for null, "1"/"0" for `open`."""
    if value is None:
        return ""
    if field == "open":
        return "1" if value else "0"
    return str(value)


def _keys(get: Callable[[str], Any]) -> list[tuple[str, str]]:
    return [(ALL, ""), *((f, key(f, get(f))) for f in COUNTED)]


def delta(old: Callable[[str], Any] | None, new: Callable[[str], Any] | None) -> Delta:
    """What moving one ticket from `old` to `new` (column getters; None: no ticket) does
    to the counters."""
    out: Counter[tuple[str, str]] = Counter()
    for k in _keys(old) if old is not None else ():
        out[k] -= 1
    for k in _keys(new) if new is not None else ():
        out[k] += 1
    return {k: n for k, n in out.items() if n}


def _upsert(build: Any) -> Q:
    stmt = build(ticket_counts).values(
        workspace_id=bindparam("ws"),
        field=bindparam("field"),
        value=bindparam("value"),
        count=bindparam("n"),
    )
    return Q(
        stmt.on_conflict_do_update(
            index_elements=["workspace_id", "field", "value"],
            set_={"count": ticket_counts.c.count + stmt.excluded.count},
        )
    )


_UPSERT = {"sqlite": _upsert(sqlite.insert), "postgresql": _upsert(postgresql.insert)}


def apply(conn: Conn, workspace_id: int, changes: Delta) -> None:
    """Add `changes` to the workspace's counters, rows in a fixed order."""
    if not changes:
        return
    conn.execute_many(
        _UPSERT[conn.dialect],
        [
            {"ws": workspace_id, "field": f, "value": v, "n": n}
            for (f, v), n in sorted(changes.items())
        ],
    )


def _key_column(field: str) -> ColumnElement[Any]:
    if field == ALL:
        return literal("", String)
    if field == "open":
        return case((tickets.c.open.is_(True), "1"), else_="0")
    return func.coalesce(cast(tickets.c[field], String), "")


def rebuild(conn: Conn, workspace_id: int) -> None:
    """Count the workspace's tickets afresh (after a bulk load that bypassed `changes`)."""
    conn.execute(delete(ticket_counts).where(ticket_counts.c.workspace_id == workspace_id))
    for field in (ALL, *COUNTED):
        value = _key_column(field)
        rows = (
            select(literal(workspace_id), literal(field, String), value, func.count())
            .select_from(tickets)
            .where(tickets.c.workspace_id == workspace_id)
        )
        if field != ALL:
            rows = rows.group_by(value)
        conn.execute(
            insert(ticket_counts).from_select(["workspace_id", "field", "value", "count"], rows)
        )


def counted(conn: Conn, workspace_id: int, node: Node) -> int | None:
    """How many tickets `node` matches, from the counters, if it is one `=` or `IN` on a
    counted field; else None."""
    while isinstance(node, Group) and len(node.filters) == 1:
        node = node.filters[0]
    if not isinstance(node, Filter) or node.name not in COUNTED or node.operator not in ("=", "IN"):
        return None
    values = node.value if node.operator == "IN" else (node.value,)
    keys = sorted({key(node.name, v) for v in values})
    total = conn.scalar(
        select(func.coalesce(func.sum(ticket_counts.c.count), 0)).where(
            ticket_counts.c.workspace_id == workspace_id,
            ticket_counts.c.field == node.name,
            ticket_counts.c.value.in_(keys),
        )
    )
    return int(total)


def _planned_rows(conn: Conn, stmt: Select[Any]) -> int:
    text, params = compile_sql(stmt, conn.dialect)
    plan = conn.scalar("EXPLAIN (FORMAT JSON) " + text, params)
    return int(plan[0]["Plan"]["Plan Rows"])


def estimate(conn: Conn, workspace_id: int, stmt: Select[Any]) -> int:
    """An estimate of a big match set (of a query on ticket rows) that no counter answers.
    SQLite: the share of matches among about SAMPLE of the workspace's tickets, in WINDOWS
    runs of consecutive ids spread evenly from its oldest ticket to its newest (so a filter
    that favours old or new tickets is sampled fairly), times its number of tickets.
    PostgreSQL: its planner's share of matching rows (statistics over the whole table,
    all workspaces), times the workspace's number of tickets. Never less than the
    EXACT_BELOW + 1 matches already counted nor more than the tickets there are; exact in
    a workspace of at most SAMPLE tickets."""
    span = _span(conn, workspace_id)
    if span is None:  # small enough to count
        return _count(conn, stmt)
    everything, starts, width = span
    floor = EXACT_BELOW + 1
    ids = _ids(workspace_id)
    if conn.dialect == "postgresql":
        # The planner's share of the workspace's rows that match, from ANALYZE's statistics
        # (about 1 ms; sampling windows measured 70-300 ms here, more than counting).
        share = _planned_rows(conn, stmt) / max(1, _planned_rows(conn, ids))
        return min(max(round(share * everything), floor), max(everything, floor))
    windows = _windows(starts, width)
    sampled = _in_windows(conn, workspace_id, everything, starts, width)
    # The sampled ids as a list to probe, so the planner reads the windows, not the
    # filter's own index over the whole table.
    window_ids = ids.where(windows).cte("sampled")
    matches = _count(conn, stmt.where(tickets.c.id.in_(select(window_ids.c.id))))
    guess = round(matches * everything / sampled) if sampled else everything
    return min(max(guess, floor), max(everything, floor))


# Fields whose filter is a condition on the ticket row itself; on PostgreSQL also the
# text fields (LIKE on the row, served by a trigram index).
_ROW_FIELDS = frozenset(("id", "created_at", "updated_at", "snoozed_until", *COUNTED))


def _on_rows(node: Node, dialect: str) -> bool:
    """Whether `node` only tests the ticket row: no linked rows (contacts, teammates,
    attribute values), and on SQLite no FTS match or OR group, which are subqueries that
    read every match whatever the count stops at."""
    if isinstance(node, Group):
        if dialect == "sqlite" and node.operator == "OR" and len(node.filters) > 1:
            return False
        return all(_on_rows(child, dialect) for child in node.filters)
    if node.name in ("title", "description"):
        return dialect == "postgresql"
    return node.name in _ROW_FIELDS


def _count(conn: Conn, stmt: Select[Any] | CompoundSelect[Any]) -> int:
    return int(conn.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())))


# The owners of the values a linked field is searched by, when a caller may name another
# workspace's (an attribute resolves only among the workspace's own).
_OWNERS = {
    "contact_ids": (contacts.c.id, contacts.c.workspace_id),
    "teammate_ids": (admins.c.id, admins.c.workspace_id),
}


def _owned(conn: Conn, workspace_id: int, node: Filter) -> bool:
    """Whether every value `node` names is the workspace's own."""
    owner = _OWNERS.get(node.name)
    if owner is None:
        return True
    column, workspace = owner
    values = set(node.value if node.operator == "IN" else (node.value,))
    if column.type.python_type is int:
        if not all(str(v).isdigit() for v in values):
            return False
        values = {int(v) for v in values}
    found = conn.scalar(
        select(func.count()).where(column.in_(sorted(values)), workspace == workspace_id)
    )
    return int(found) == len(values)


def single_link(
    conn: Conn, workspace_id: int, node: Node, operators_: tuple[str, ...] = ("=", "IN")
) -> Select[Any] | None:
    """A select of the ticket ids (each once, in an index that can give them newest first)
    that `node` matches, when it is one filter that an index of linked rows answers; else
    None. Those filters:
    - one of `operators_` on linked rows (`contact_ids`, `teammate_ids`,
      `ticket_attribute.*`) with values of this workspace, which compiles to `tickets.id
      IN (SELECT ticket_id FROM <links> WHERE <value test>)`. Equality only: the link
      indexes are (what, value, ticket), so an equal value is one index range in ticket
      order. The link rows need no workspace test: what they are filtered by (an
      attribute, an admin, a contact) is the workspace's own;
    - a text match that says which rows answer it (`link_rows`: SQLite's FTS index, read
      in ticket order and joined to the workspace's tickets)."""
    while isinstance(node, Group) and len(node.filters) == 1:
        node = node.filters[0]
    if not isinstance(node, Filter) or node.value is None:
        return None
    condition = search_compile.where(node)
    rows_of = getattr(condition, "link_rows", None)
    if rows_of is not None:
        found: Select[Any] | None = rows_of(workspace_id, conn.dialect)
        return found
    if node.operator not in operators_ or not _owned(conn, workspace_id, node):
        return None
    if (
        isinstance(condition, BinaryExpression)
        and condition.operator is operators.in_op
        and isinstance(condition.right, ScalarSelect)
        and isinstance(condition.right.element, Select)
    ):
        return condition.right.element.distinct()
    return None


def _linked_total(conn: Conn, workspace_id: int, link: Select[Any]) -> int:
    """`total_count` of one filter on linked rows, read from the link table's own index
    (attribute, value, ticket): distinct tickets, stopping at EXACT_BELOW + 1 (a few
    milliseconds at a million tickets, where counting every match took 100-700 ms), and
    above that an estimate sampled from the same index (`_estimate_linked`)."""
    found = _count(conn, link.limit(EXACT_BELOW + 1))
    if found <= EXACT_BELOW:
        return found
    return _estimate_linked(conn, workspace_id, link)


def _estimate_linked(conn: Conn, workspace_id: int, link: Select[Any]) -> int:
    """`estimate` for one filter on linked rows: the tickets it matches among the same
    WINDOWS runs of ids, each read as a range of the link index, scaled by the workspace's
    tickets over those the windows hold."""
    span = _span(conn, workspace_id)
    if span is None:  # small enough to count
        return _count(conn, link)
    everything, starts, width = span
    sampled = _in_windows(conn, workspace_id, everything, starts, width)
    parent = link.selected_columns[0]
    windows = [link.where(parent.between(a, a + width - 1)) for a in starts]
    matches = _count(conn, union(*windows))  # windows are disjoint: no ticket twice
    guess = round(matches * everything / sampled) if sampled else everything
    floor = EXACT_BELOW + 1
    return min(max(guess, floor), max(everything, floor))


def _ids(workspace_id: int) -> Select[Any]:
    return select(tickets.c.id).where(tickets.c.workspace_id == workspace_id)


def _span(conn: Conn, workspace_id: int) -> tuple[int, list[int], int] | None:
    """The workspace's ticket count, where its WINDOWS sample windows of consecutive ids
    start and their width (about SAMPLE tickets in all); None for a workspace small enough
    to count."""
    everything = int(
        conn.scalar(
            select(ticket_counts.c.count).where(
                ticket_counts.c.workspace_id == workspace_id,
                ticket_counts.c.field == ALL,
                ticket_counts.c.value == "",
            )
        )
        or 0
    )
    ids = _ids(workspace_id)
    low = conn.scalar(ids.order_by(tickets.c.id).limit(1))
    high = conn.scalar(ids.order_by(tickets.c.id.desc()).limit(1))
    if low is None or high is None or everything <= SAMPLE:
        return None
    span = high - low + 1
    width = max(1, span * SAMPLE // (everything * WINDOWS))
    step = span / WINDOWS
    return everything, [low + int(i * step) for i in range(WINDOWS)], width


def _windows(starts: list[int], width: int) -> ColumnElement[bool]:
    return or_(*(tickets.c.id.between(a, a + width - 1) for a in starts))


_WINDOWS_CACHE_MAX = 1_000


def _in_windows(
    conn: Conn, workspace_id: int, everything: int, starts: list[int], width: int
) -> int:
    """How many of the workspace's tickets the sample windows hold: 5-25 ms at a million
    tickets, so kept per process for the same windows (which move whenever the workspace's
    number of tickets, its oldest or its newest changes). Read transactions only, like
    every cache here."""
    cache: dict[tuple[int, ...], int] = conn.cache.setdefault("sample_windows", {})
    key = (workspace_id, everything, starts[0], starts[-1], width)
    found = cache.get(key)
    if found is None:
        found = _count(conn, _ids(workspace_id).where(_windows(starts, width)))
        if not conn.writable:
            if len(cache) >= _WINDOWS_CACHE_MAX:
                cache.clear()
            cache[key] = found
    return found


def total(
    conn: Conn,
    workspace_id: int,
    query: Node,
    stmt: Select[Any],
    link: Select[Any] | None = None,
) -> int:
    """`total_count` of a ticket search (the module's rule); `link` is `single_link` of
    `query` when the caller already has it."""
    known = counted(conn, workspace_id, query)
    if known is not None:  # exact whatever its size: one row read
        return known
    link = link if link is not None else single_link(conn, workspace_id, query)
    if link is not None:
        return _linked_total(conn, workspace_id, link)
    if not _on_rows(query, conn.dialect):
        # Its subqueries read every match anyway: counting them all costs the same.
        return _count(conn, stmt)
    found = _count(conn, stmt.limit(EXACT_BELOW + 1))
    if found <= EXACT_BELOW:
        return found
    return estimate(conn, workspace_id, stmt)
