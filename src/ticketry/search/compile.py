"""A parsed filter tree -> one SQLAlchemy Core condition, the same on SQLite and PostgreSQL.

Semantics we chose where Intercom is silent, and that the tests hold both databases to:
- `~ !~ ^ $` ignore case (ASCII case on SQLite, whose lower() is ASCII-only); `= != IN
  NIN` are exact except on `casefold` fields. LIKE wildcards in values match literally.
- The negative operators (`!=`, `NIN`, `!~`) also match rows where the field is null:
  a contact without a name "doesn't equal" any name.
- `< <= > >=` never match null; `= null` / `!= null` are IS NULL / IS NOT NULL.
- JSON documents stored as TEXT are read through `json_text` / `json_number` /
  `json_boolean`, which yield NULL when the stored value has another JSON type.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Float, Select, String, and_, bindparam, func, not_, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from ticketry.search.fields import Builder
from ticketry.search.parse import Filter, Group, Node

_ESCAPE = "\\"


def where(node: Node) -> ColumnElement[bool]:
    if isinstance(node, Group):
        parts = [where(child) for child in node.filters]
        return and_(*parts) if node.operator == "AND" else or_(*parts)
    return _filter(node)


def _filter(f: Filter) -> ColumnElement[bool]:
    if f.field.build is not None:
        return f.field.build(f.operator, f.value)
    assert f.field.column is not None
    return condition(f.field.column, f.operator, f.value)


def like_escape(text: str) -> str:
    return (
        text.replace(_ESCAPE, _ESCAPE * 2).replace("%", _ESCAPE + "%").replace("_", _ESCAPE + "_")
    )


def _like(column: ColumnElement[Any], operator: str, value: str) -> ColumnElement[bool]:
    text = like_escape(value.lower())
    pattern = {"~": f"%{text}%", "^": f"{text}%", "$": f"%{text}"}[operator]
    return func.lower(column).like(pattern, escape=_ESCAPE)


_POSITIVE_OF = {"!=": "=", "NIN": "IN", "!~": "~"}


def condition(column: ColumnElement[Any], operator: str, value: Any) -> ColumnElement[bool]:
    """The standard condition for `column <operator> value` (see the module notes)."""
    if value is None:
        return column.is_(None) if operator == "=" else column.is_not(None)
    positive = _positive(column, _POSITIVE_OF.get(operator, operator), value)
    if operator in _POSITIVE_OF:
        return or_(column.is_(None), not_(positive))
    return positive


def _positive(column: ColumnElement[Any], operator: str, value: Any) -> ColumnElement[bool]:
    if operator == "=":
        return column == value
    if operator == "IN":
        return column.in_(list(value))
    if operator in ("~", "^", "$"):
        return _like(column, operator, value)
    if operator == "<":
        return column < value
    if operator == "<=":
        return column <= value
    if operator == ">":
        return column > value
    if operator == ">=":
        return column >= value
    raise ValueError(f"no positive form for operator {operator}")


def link_builder(
    parent: ColumnElement[Any], link: Select[Any], column: ColumnElement[Any]
) -> Builder:
    """A Builder for a many-to-many field (a ticket's `contact_ids`): `link` selects the
    parent ids of the link rows (uncorrelated, with any fixed conditions), `column` is the
    linked value compared to the search value.

    A positive operator matches when ANY linked value matches; a negative one when NO
    linked value matches the positive form (`contact_ids != X`: X is not on the ticket);
    `= null` means no links at all, `!= null` at least one. Written as `parent IN (...)`
    rather than a correlated EXISTS: SQLite then reads the link index once instead of
    probing it for every parent row (seconds at a million tickets).
    """

    def build(operator: str, value: Any) -> ColumnElement[bool]:
        if value is None:
            has_any = parent.in_(link)
            return not_(has_any) if operator == "=" else has_any
        matches = parent.in_(
            link.where(_positive(column, _POSITIVE_OF.get(operator, operator), value))
        )
        return not_(matches) if operator in _POSITIVE_OF else matches

    return build


# -- values inside JSON documents stored as TEXT ------------------------------------------


class _JsonScalar(FunctionElement[Any]):
    inherit_cache = True

    def __init__(self, document: ColumnElement[Any], key: str) -> None:
        super().__init__(document, bindparam(None, key, type_=String()))


class json_text(_JsonScalar):
    """The string stored under `key`, or NULL if the value is absent or not a string."""

    type = String()
    inherit_cache = True


class json_number(_JsonScalar):
    """The number stored under `key`, or NULL if the value is absent or not a number."""

    type = Float()
    inherit_cache = True


class json_boolean(_JsonScalar):
    """The boolean stored under `key`, or NULL if the value is absent or not a boolean."""

    type = Boolean()
    inherit_cache = True


def _parts(element: _JsonScalar, compiler: SQLCompiler, kw: dict[str, Any]) -> tuple[str, str]:
    document, key = list(element.clauses)
    return compiler.process(document, **kw), compiler.process(key, **kw)


# SQLite: JSON paths quote the key ($."key"), so keys may hold dots and spaces; the
# allowlists refuse keys with a double quote or a backslash.


@compiles(json_text, "sqlite")
def _json_text_sqlite(element: json_text, compiler: SQLCompiler, **kw: Any) -> str:
    doc, key = _parts(element, compiler, kw)
    path = f"('$.\"' || {key} || '\"')"
    return f"(CASE WHEN json_type({doc}, {path}) = 'text' THEN json_extract({doc}, {path}) END)"


@compiles(json_number, "sqlite")
def _json_number_sqlite(element: json_number, compiler: SQLCompiler, **kw: Any) -> str:
    doc, key = _parts(element, compiler, kw)
    path = f"('$.\"' || {key} || '\"')"
    return (
        f"(CASE WHEN json_type({doc}, {path}) IN ('integer', 'real') "
        f"THEN json_extract({doc}, {path}) END)"
    )


@compiles(json_boolean, "sqlite")
def _json_boolean_sqlite(element: json_boolean, compiler: SQLCompiler, **kw: Any) -> str:
    doc, key = _parts(element, compiler, kw)
    path = f"('$.\"' || {key} || '\"')"
    return f"(CASE json_type({doc}, {path}) WHEN 'true' THEN 1 WHEN 'false' THEN 0 END)"


def _pg(element: _JsonScalar, compiler: SQLCompiler, kw: dict[str, Any]) -> tuple[str, str]:
    doc, key = _parts(element, compiler, kw)
    return f"CAST({doc} AS JSONB)", key


@compiles(json_text, "postgresql")
def _json_text_pg(element: json_text, compiler: SQLCompiler, **kw: Any) -> str:
    doc, key = _pg(element, compiler, kw)
    return (
        f"(CASE WHEN jsonb_typeof(jsonb_extract_path({doc}, {key})) = 'string' "
        f"THEN jsonb_extract_path_text({doc}, {key}) END)"
    )


@compiles(json_number, "postgresql")
def _json_number_pg(element: json_number, compiler: SQLCompiler, **kw: Any) -> str:
    doc, key = _pg(element, compiler, kw)
    return (
        f"(CASE WHEN jsonb_typeof(jsonb_extract_path({doc}, {key})) = 'number' "
        f"THEN CAST(jsonb_extract_path_text({doc}, {key}) AS NUMERIC) END)"
    )


@compiles(json_boolean, "postgresql")
def _json_boolean_pg(element: json_boolean, compiler: SQLCompiler, **kw: Any) -> str:
    doc, key = _pg(element, compiler, kw)
    return (
        f"(CASE WHEN jsonb_typeof(jsonb_extract_path({doc}, {key})) = 'boolean' "
        f"THEN CAST(jsonb_extract_path_text({doc}, {key}) AS BOOLEAN) END)"
    )
