"""SQLAlchemy Core statements run through the raw driver.

Statements are built with Core and compiled once per dialect to the driver's own SQL
(`Q`), or per call when they are dynamic (search); rows come straight from sqlite3 or
psycopg, with no SQLAlchemy result processing on the hot path. Values therefore travel as
the drivers take them: integers for timestamps, text for JSON (encoded by callers), and
booleans that SQLite hands back as 0/1.
"""

from __future__ import annotations

import re
from typing import Any, cast

from sqlalchemy import Column, Table, bindparam, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import ClauseElement, Insert
from sqlalchemy.sql.compiler import SQLCompiler

DIALECTS = {
    "sqlite": sqlite.dialect(paramstyle="named"),
    "postgresql": postgresql.dialect(paramstyle="pyformat"),  # type: ignore[no-untyped-call]
}


_COMPILED: dict[tuple[str, Any], SQLCompiler] = {}
_COMPILED_MAX = 2_000


def compile_sql(stmt: ClauseElement, dialect: str) -> tuple[str, dict[str, Any]]:
    """The driver SQL and bound values of a statement (IN lists expanded).

    Compiled once per statement shape: SQLAlchemy's cache key holds a statement's structure
    and pulls its values out, so two searches that differ only in their values share one
    compilation (it cost more than a point search's queries). Elements that cannot say
    what their SQL depends on (no cache key) compile every time."""
    key = stmt._generate_cache_key()
    if key is None:
        compiled = stmt.compile(
            dialect=DIALECTS[dialect], compile_kwargs={"render_postcompile": True}
        )
        return compiled.string, compiled.params
    found = _COMPILED.get((dialect, key.key))
    if found is None:
        found = cast(SQLCompiler, stmt.compile(dialect=DIALECTS[dialect], cache_key=key))
        if len(_COMPILED) >= _COMPILED_MAX:
            _COMPILED.clear()
        _COMPILED[(dialect, key.key)] = found
    params = found.construct_params(extracted_parameters=key.bindparams)
    expanded = found._process_parameters_for_postcompile(params)
    return expanded.statement, dict(expanded.parameters)


_EXPANDING = re.compile(r"__\[POSTCOMPILE_(\w+)\]")
_PLACEHOLDER = {"sqlite": ":{}", "postgresql": "%({})s"}


class Q:
    """A statement with named `bindparam`s, compiled lazily once per dialect. Literal values
    in the statement (`col + 1`) become parameters too; `bind` supplies them.

    An `IN` list is a `bindparam(name, expanding=True)` given a list: `bind` writes one
    placeholder per value into the compiled text (an empty list matches nothing), so a
    search page's batch reads are compiled once too (compiling cost more than running them)."""

    __slots__ = ("_cache", "_expanding", "stmt")

    def __init__(self, stmt: ClauseElement) -> None:
        self.stmt = stmt
        self._cache: dict[str, tuple[str, dict[str, Any]]] = {}
        self._expanding: tuple[str, ...] = ()

    def compiled(self, dialect: str) -> tuple[str, dict[str, Any]]:
        found = self._cache.get(dialect)
        if found is None:
            compiled = self.stmt.compile(dialect=DIALECTS[dialect])
            literals = {k: v for k, v in compiled.params.items() if v is not None}
            self._expanding = tuple(dict.fromkeys(_EXPANDING.findall(compiled.string)))
            found = self._cache[dialect] = (compiled.string, literals)
        return found

    def sql(self, dialect: str) -> str:
        return self.compiled(dialect)[0]

    def bind(self, dialect: str, params: dict[str, Any] | None) -> tuple[str, dict[str, Any]]:
        text, literals = self.compiled(dialect)
        if self._expanding:
            params = {**literals, **(params or {})}
            for name in self._expanding:
                values = list(params.pop(name))
                keys = [f"{name}_{i}" for i in range(len(values))]
                params.update(zip(keys, values, strict=True))
                marks = ", ".join(_PLACEHOLDER[dialect].format(k) for k in keys)
                text = text.replace(f"__[POSTCOMPILE_{name}]", marks or "NULL")
            return text, params
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
