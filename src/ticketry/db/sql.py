"""SQLAlchemy Core statements run through the raw driver.

Statements are built with Core and compiled once per dialect to the driver's own SQL
(`Q`), or per call when they are dynamic (search); rows come straight from sqlite3 or
psycopg, with no SQLAlchemy result processing on the hot path. Values therefore travel as
the drivers take them: integers for timestamps, text for JSON (encoded by callers), and
booleans that SQLite hands back as 0/1.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import ClauseElement

DIALECTS = {
    "sqlite": sqlite.dialect(paramstyle="named"),
    "postgresql": postgresql.dialect(paramstyle="pyformat"),
}


def compile_sql(stmt: ClauseElement, dialect: str) -> tuple[str, dict[str, Any]]:
    """The driver SQL and bound values of a statement (IN lists expanded)."""
    compiled = stmt.compile(dialect=DIALECTS[dialect], compile_kwargs={"render_postcompile": True})
    return compiled.string, compiled.params


class Q:
    """A statement with named `bindparam`s, compiled lazily once per dialect."""

    __slots__ = ("_cache", "stmt")

    def __init__(self, stmt: ClauseElement) -> None:
        self.stmt = stmt
        self._cache: dict[str, str] = {}

    def sql(self, dialect: str) -> str:
        text = self._cache.get(dialect)
        if text is None:
            text = self._cache[dialect] = self.stmt.compile(dialect=DIALECTS[dialect]).string
        return text
