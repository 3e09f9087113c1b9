"""Search field declarations: the per-resource allowlist of names, value types and SQL targets.

A `Field` says what values a name takes (its `FieldType`, which fixes the operators) and
where it lives in SQL: a `column` expression compared the standard way, or a `build`
callable that makes the whole condition itself (an `IN (subquery)` for many-to-many
fields, a mapped value). `Fields` is the allowlist: fixed names plus prefixes
resolved on demand (`custom_attributes.{name}`, `ticket_attribute.{id}`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy.sql.elements import ColumnElement


class FieldType(StrEnum):
    STRING = "string"
    ID = "id"
    INTEGER = "integer"
    FLOAT = "float"
    DATE = "date"
    BOOLEAN = "boolean"


_EQUALITY = ("=", "!=", "IN", "NIN")
_ORDERED = (*_EQUALITY, "<", "<=", ">", ">=")

# Which operators each type takes. Intercom's 2.16 contacts docs refuse !=, <=, >=, IN and
# NIN on dates (matched by calendar day there); we compare exact seconds instead, so every
# ordering operator makes sense on a date and is accepted.
OPERATORS: dict[FieldType, tuple[str, ...]] = {
    FieldType.STRING: (*_EQUALITY, "~", "!~", "^", "$"),
    FieldType.ID: _EQUALITY,
    FieldType.INTEGER: _ORDERED,
    FieldType.FLOAT: _ORDERED,
    FieldType.DATE: _ORDERED,
    FieldType.BOOLEAN: ("=", "!="),
}

ALL_OPERATORS = ("=", "!=", "IN", "NIN", "<", "<=", ">", ">=", "~", "!~", "^", "$")

# (operator, typed value) -> condition. The value is None (a null search), a scalar of the
# field's Python type, or a tuple of them for IN / NIN.
Builder = Callable[[str, Any], ColumnElement[bool]]


@dataclass(frozen=True)
class Field:
    type: FieldType
    column: ColumnElement[Any] | None = None
    build: Builder | None = None
    # The column holds a lowercased key (contacts.email_key): values are lowercased too,
    # so every operator ignores case.
    casefold: bool = False
    # Typed search value -> stored value (e.g. a category term -> the stored name). It may
    # raise ValueError, which becomes a 400 naming the value.
    convert: Callable[[Any], Any] | None = None
    # Narrower than the type's operators (Intercom: `tag_id` takes = and != only).
    operators: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if (self.column is None) == (self.build is None):
            raise ValueError("a search Field needs exactly one of column= or build=")

    @property
    def allowed(self) -> tuple[str, ...]:
        return self.operators or OPERATORS[self.type]


class Fields:
    """One resource's searchable fields."""

    def __init__(
        self,
        fields: Mapping[str, Field],
        prefixes: Mapping[str, Callable[[str], Field | None]] | None = None,
    ) -> None:
        self._fields = dict(fields)
        self._prefixes = dict(prefixes or {})

    def get(self, name: str) -> Field | None:
        field = self._fields.get(name)
        if field is not None:
            return field
        for prefix, resolve in self._prefixes.items():
            if name.startswith(prefix) and len(name) > len(prefix):
                return resolve(name[len(prefix) :])
        return None

    def describe(self) -> str:
        """The accepted names, for the unknown-field message."""
        return ", ".join([*self._fields, *(f"{p}{{name}}" for p in self._prefixes)])
