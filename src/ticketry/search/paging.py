"""Keyset pages over a list or search statement: opaque cursors, `total_count`, `pages.next`.

A cursor is `[page number, sort key values of the last row]`, base64'd JSON, so the next
page starts strictly after that row in a stable order whatever was written meanwhile, and
`pages.page` still counts up. `next` is present exactly while more rows remain: the
python SDK stops paging on its absence.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, func, literal_column, or_, select
from sqlalchemy.sql.elements import ColumnElement

from ticketry.db.database import Conn, Row
from ticketry.errors import ParameterInvalid
from ticketry.kit import ids, pagination

MAX_PER_PAGE = 150
# Up to this many matches (where counts are exact), SQLite sorts the matches rather than walking the order index.
SORT_MATCHES_BELOW = 10_000
_BIG = 2**63


@dataclass(frozen=True)
class SortKey:
    """One NOT NULL column of the page order; `kind` is its Python type, for cursor checks."""

    column: ColumnElement[Any]
    kind: type
    descending: bool = False

    @property
    def name(self) -> str:
        return str(self.column.key)


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    total_count: int
    page: int
    per_page: int
    next_cursor: str | None

    def pages(self) -> dict[str, Any]:
        """Intercom's `cursor_pages`; an empty result has 0 pages, as in the spec's examples."""
        out: dict[str, Any] = {
            "type": "pages",
            "page": self.page,
            "per_page": self.per_page,
            "total_pages": -(-self.total_count // self.per_page),
        }
        if self.next_cursor is not None:
            out["next"] = {"per_page": self.per_page, "starting_after": self.next_cursor}
        return out


def per_page_value(raw: Any, default: int, field: str) -> int:
    if raw is None:
        return default
    value: int | None = None
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, str) and ids.is_digits(raw.strip()) and len(raw.strip()) < 10:
        value = int(raw.strip())
    if value is None:
        raise ParameterInvalid(f"{field} must be an integer", field=field)
    if not 1 <= value <= MAX_PER_PAGE:
        raise ParameterInvalid(f"{field} must be between 1 and {MAX_PER_PAGE}", field=field)
    return value


def parse_pagination(raw: Any, default_per_page: int) -> tuple[int, str | None]:
    """`{"per_page", "starting_after"}` of a search body (null or absent = first page)."""
    if raw is None:
        return default_per_page, None
    if not isinstance(raw, dict):
        raise ParameterInvalid("pagination must be an object", field="pagination")
    per_page = per_page_value(raw.get("per_page"), default_per_page, "pagination.per_page")
    cursor = raw.get("starting_after")
    if cursor is not None and not isinstance(cursor, str):
        raise ParameterInvalid(
            "pagination.starting_after must be a cursor string", field="pagination.starting_after"
        )
    return per_page, cursor or None


def _position(cursor: str, order: Sequence[SortKey], field: str) -> tuple[int, list[Any]]:
    position = pagination.decode(cursor, 1 + len(order), field)
    page, keys = position[0], position[1:]
    valid = isinstance(page, int) and not isinstance(page, bool) and 1 < page < _BIG
    for key, value in zip(order, keys, strict=True):
        valid = valid and isinstance(value, key.kind) and not isinstance(value, bool)
        if isinstance(value, int):
            valid = valid and -_BIG <= value < _BIG
        if isinstance(value, str):
            valid = valid and "\x00" not in value
    if not valid:
        raise ParameterInvalid(f"{field} is not a cursor this server handed out", field=field)
    return page, keys


def _after(order: Sequence[SortKey], keys: list[Any]) -> ColumnElement[bool]:
    """Rows strictly after `keys` in `order`: (a > x) OR (a = x AND b > y) OR ..."""
    branches = []
    for i, key in enumerate(order):
        equal = [order[j].column == keys[j] for j in range(i)]
        beyond = key.column < keys[i] if key.descending else key.column > keys[i]
        branches.append(and_(*equal, beyond))
    return or_(*branches)


def count_of(conn: Conn, stmt: Select[Any], limit: int | None = None) -> int:
    """How many rows `stmt` matches; with `limit`, counting stops at `limit + 1`."""
    counted = stmt.order_by(None)
    if limit is not None:
        counted = counted.limit(limit + 1)
    return int(conn.scalar(select(func.count()).select_from(counted.subquery())) or 0)


def fetch_page(
    conn: Conn,
    stmt: Select[Any],
    order: Sequence[SortKey],
    per_page: int,
    starting_after: str | None,
    cursor_field: str = "pagination.starting_after",
    count_limit: int | None = None,
    count: Callable[[Select[Any]], int] | None = None,
) -> Page:
    """One page of `stmt` (already filtered by workspace and query) in `order`. `count`
    gives `total_count` when a resource has its own rule (tickets), else it is exact; with
    `count_limit`, counting stops there (`total_count` is then at most `count_limit + 1`):
    the inbox shows "more than 10,000" rather than paying for an exact count."""
    page, keys = 1, None
    if starting_after:
        page, keys = _position(starting_after, order, cursor_field)

    def counted() -> int:
        return count(stmt) if count is not None else count_of(conn, stmt, count_limit)

    # SQLite picks the page's plan by the count (below), so it counts first. PostgreSQL
    # plans the page itself and counts only when the first page does not hold every match:
    # a search matching one page's worth (a point search) is one statement, not two.
    total = counted() if conn.dialect == "sqlite" else None
    paged = stmt if keys is None else stmt.where(_after(order, keys))
    terms = [k.column for k in order]
    capped = count_limit is not None and total is not None and total > count_limit
    if (
        conn.dialect == "sqlite"
        and total is not None
        and total <= SORT_MATCHES_BELOW
        and not capped
    ):
        # SQLite's planner prefers walking the index of the page order and testing every
        # row, which reads the whole table when few rows match (no statistics on ranges).
        # Knowing the count, order by `+column` (SQLite's documented way to keep a term
        # off an index): it then reads the matches through the filter's index and sorts.
        terms = [literal_column(f"+{k.column.table.name}.{k.column.name}") for k in order]
    paged = paged.order_by(
        *(t.desc() if k.descending else t for t, k in zip(terms, order, strict=True))
    )
    rows = conn.all(paged.limit(per_page + 1))
    next_cursor = None
    if len(rows) > per_page:
        rows = rows[:per_page]
        last = rows[-1]
        next_cursor = pagination.encode([page + 1, *(last[k.name] for k in order)])
    if total is None:
        total = len(rows) if keys is None and next_cursor is None else counted()
    return Page(rows, int(total or 0), page, per_page, next_cursor)
