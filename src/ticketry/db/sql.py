"""SQLAlchemy Core statements run through the raw driver.

Statements are built with Core and compiled once per dialect to the driver's own SQL
(`Q`), or per call when they are dynamic (search); rows come straight from sqlite3 or
psycopg, with no SQLAlchemy result processing on the hot path. Values therefore travel as
the drivers take them: integers for timestamps, text for JSON (encoded by callers), and
booleans that SQLite hands back as 0/1.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Table, bindparam, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import ClauseElement, Insert

DIALECTS = {
    "sqlite": sqlite.dialect(paramstyle="named"),
    "postgresql": postgresql.dialect(paramstyle="pyformat"),  # type: ignore[no-untyped-call]
}


def compile_sql(stmt: ClauseElement, dialect: str) -> tuple[str, dict[str, Any]]:
    """The driver SQL and bound values of a statement (IN lists expanded)."""
    compiled = stmt.compile(dialect=DIALECTS[dialect], compile_kwargs={"render_postcompile": True})
    return compiled.string, compiled.params


class Q:
    """A statement with named `bindparam`s, compiled lazily once per dialect. Literal values
    in the statement (`col + 1`) become parameters too; `bind` supplies them."""

    __slots__ = ("_cache", "stmt")

    def __init__(self, stmt: ClauseElement) -> None:
        self.stmt = stmt
        self._cache: dict[str, tuple[str, dict[str, Any]]] = {}

    def compiled(self, dialect: str) -> tuple[str, dict[str, Any]]:
        found = self._cache.get(dialect)
        if found is None:
            compiled = self.stmt.compile(dialect=DIALECTS[dialect])
            literals = {k: v for k, v in compiled.params.items() if v is not None}
            found = self._cache[dialect] = (compiled.string, literals)
        return found

    def sql(self, dialect: str) -> str:
        return self.compiled(dialect)[0]

    def bind(self, dialect: str, params: dict[str, Any] | None) -> tuple[str, dict[str, Any]]:
        text, literals = self.compiled(dialect)
        if not literals:
            return text, params or {}
        return text, {**literals, **(params or {})}


class InsertQ(Q):
    """A precompiled INSERT of one row naming every column but the generated `id`, for
    hot write paths (compiling an insert costs more than running it). `row()` fills the
    columns a caller leaves out with NULL and refuses names the table does not have."""

    __slots__ = ("columns",)

    def __init__(self, table: Table, returning: Column[Any] | None = None) -> None:
        self.columns = tuple(c.key for c in table.columns if c.key != "id")
        stmt = insert(table).values({k: bindparam(k) for k in self.columns})
        super().__init__(stmt.returning(returning) if returning is not None else stmt)

    def row(self, **values: Any) -> dict[str, Any]:
        unknown = set(values) - set(self.columns)
        if unknown:
            raise KeyError(f"no such columns: {sorted(unknown)}")
        return {k: values.get(k) for k in self.columns}


def insert_ignoring_conflicts(dialect: str, table: Table, **values: Any) -> Insert:
    """INSERT ... ON CONFLICT DO NOTHING: a concurrent writer creating the same row first is
    not an error (the caller reads the row back either way)."""
    build = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return build(table).values(**values).on_conflict_do_nothing()


def storable(value: str) -> bool:
    """Whether a text value can be stored at all: PostgreSQL text cannot hold NUL, so no
    stored key has one and a lookup by one need not ask the database."""
    return "\x00" not in value
