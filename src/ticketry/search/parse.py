"""Search request JSON -> a typed filter tree, checked against a resource's field allowlist.

Every rejection is a 400 `parameter_invalid` whose `field` is the path of the offending
part (`query.value[1].operator`). Values are coerced to the field's type the lenient way
Intercom's own clients need: numeric strings for integers and dates (the spec's example
sends `"1306054154"`), 1/0 and "true"/"false" for booleans (python-intercom turns `True`
into `1`), integers for string and id fields (`external_id: 70`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from ticketry.errors import ParameterInvalid
from ticketry.kit.wire import Payload
from ticketry.search.fields import ALL_OPERATORS, Field, Fields, FieldType
from ticketry.search.paging import parse_pagination

MAX_DEPTH = 2  # "(1 OR 2) AND (3 OR 4)": AND/OR groups nest at most two levels deep
MAX_GROUP = 15  # filters in one AND/OR group
# Values in one IN/NIN list. Not an Intercom number: it keeps the worst case query
# (2 levels x 15 x 15 lists) under SQLite's 32,766 bound parameters.
MAX_LIST = 100
# A filter value longer than this is refused: it can match nothing real, and a huge `~`
# pattern costs every trigram of it (SQLite FTS5 gives up on ~60,000 characters).
MAX_VALUE_LENGTH = 1000
INT_MIN, INT_MAX = -(2**63), 2**63 - 1

_GROUP_OPERATORS = ("AND", "OR")
_INTEGER = re.compile(r"[+-]?\d{1,20}")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


@dataclass(frozen=True)
class Filter:
    name: str
    field: Field
    operator: str
    value: Any  # None, a scalar of the field's type, or a tuple of them for IN / NIN
    path: str


@dataclass(frozen=True)
class Group:
    operator: str  # AND | OR
    filters: tuple[Filter | Group, ...]
    path: str


Node = Filter | Group


@dataclass(frozen=True)
class SearchRequest:
    query: Node
    per_page: int
    starting_after: str | None


class SearchBody(Payload):
    query: Any
    pagination: Any = None


def search_request(body: SearchBody, fields: Fields, default_per_page: int) -> SearchRequest:
    query = parse_query(body.query, fields)
    per_page, starting_after = parse_pagination(body.pagination, default_per_page)
    return SearchRequest(query, per_page, starting_after)


def parse_query(raw: Any, fields: Fields, path: str = "query") -> Node:
    return _node(raw, fields, path, depth=0)


def _bad(message: str, path: str) -> ParameterInvalid:
    return ParameterInvalid(message, field=path)


def _node(raw: Any, fields: Fields, path: str, depth: int) -> Node:
    if not isinstance(raw, dict):
        raise _bad(f"{path} must be an object with field, operator and value", path)
    if "operator" not in raw:
        raise _bad(f"{path}.operator is required", f"{path}.operator")
    operator = raw["operator"]
    if not isinstance(operator, str):
        raise _bad(f"{path}.operator must be a string", f"{path}.operator")
    if operator in _GROUP_OPERATORS:
        return _group(raw, operator, fields, path, depth + 1)
    return _filter(raw, operator, fields, path)


def _group(raw: dict[str, Any], operator: str, fields: Fields, path: str, depth: int) -> Group:
    if depth > MAX_DEPTH:
        raise _bad(
            f"{path} nests AND/OR groups {depth} levels deep; at most {MAX_DEPTH} are allowed",
            path,
        )
    items = raw.get("value")
    if "value" not in raw or items is None:
        raise _bad(f"{path}.value is required: the filters to {operator}", f"{path}.value")
    if not isinstance(items, list):
        raise _bad(f"{path}.value must be an array of filters", f"{path}.value")
    if not items:
        raise _bad(f"{path}.value must hold at least one filter", f"{path}.value")
    if len(items) > MAX_GROUP:
        raise _bad(
            f"{path}.value has {len(items)} filters; at most {MAX_GROUP} are allowed "
            "in one AND/OR group",
            f"{path}.value",
        )
    children = tuple(
        _node(item, fields, f"{path}.value[{i}]", depth) for i, item in enumerate(items)
    )
    return Group(operator, children, path)


def _filter(raw: dict[str, Any], operator: str, fields: Fields, path: str) -> Filter:
    if "field" not in raw or raw["field"] is None:
        raise _bad(f"{path}.field is required", f"{path}.field")
    name = raw["field"]
    if not isinstance(name, str):
        raise _bad(f"{path}.field must be a string", f"{path}.field")
    field = fields.get(name)
    if field is None:
        raise _bad(
            f"{path}.field '{name}' is not a searchable field; use one of {fields.describe()}",
            f"{path}.field",
        )
    if operator not in ALL_OPERATORS:
        raise _bad(
            f"{path}.operator '{operator}' is not a search operator; use one of "
            f"{' '.join(ALL_OPERATORS)} (or AND / OR to group filters)",
            f"{path}.operator",
        )
    if operator not in field.allowed:
        raise _bad(
            f"{path}.operator '{operator}' cannot be used on {field.type} field '{name}'; "
            f"use one of {' '.join(field.allowed)}",
            f"{path}.operator",
        )
    if "value" not in raw:
        raise _bad(f"{path}.value is required", f"{path}.value")
    value = _value(raw["value"], field, name, operator, f"{path}.value")
    return Filter(name, field, operator, value, path)


def _value(raw: Any, field: Field, name: str, operator: str, path: str) -> Any:
    if raw is None:
        if operator not in ("=", "!="):
            raise _bad(f"{path} null can only be used with = or !=", path)
        return None
    if operator in ("IN", "NIN"):
        if not isinstance(raw, list) or not raw:
            raise _bad(f"{path} must be a non-empty array for {operator}", path)
        if len(raw) > MAX_LIST:
            raise _bad(f"{path} has {len(raw)} values; at most {MAX_LIST} are allowed", path)
        return tuple(_scalar(item, field, name, f"{path}[{i}]") for i, item in enumerate(raw))
    if isinstance(raw, (list, dict)):
        raise _bad(f"{path} must be a single value for {operator}; use IN for a list", path)
    return _scalar(raw, field, name, path)


def _scalar(raw: Any, field: Field, name: str, path: str) -> Any:
    if isinstance(raw, str) and len(raw) > MAX_VALUE_LENGTH:
        raise _bad(f"{path} is longer than {MAX_VALUE_LENGTH:,} characters", path)
    coerce = _COERCE[field.type]
    value = coerce(raw)
    if value is None:
        raise _bad(f"{path} must be {_EXPECTED[field.type]} for {field.type} field '{name}'", path)
    if field.casefold and isinstance(value, str):
        value = value.lower()
    if field.convert is not None:
        try:
            value = field.convert(value)
        except ValueError as exc:
            raise _bad(f"{path} is not a valid value for '{name}': {exc}", path) from None
    return value


# Coercions answer None for a value of the wrong type.


def _text(raw: Any) -> str | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, str) and "\x00" not in raw:
        return raw
    return None


def _identifier(raw: Any) -> str | None:
    text = _text(raw)
    return None if text is None else text.strip()


def _integer(raw: Any) -> int | None:
    value: int | None = None
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float) and raw.is_integer():
        value = int(raw)
    elif isinstance(raw, str) and _INTEGER.fullmatch(raw.strip()):
        value = int(raw.strip())
    if value is None or not INT_MIN <= value <= INT_MAX:
        return None
    return value


def _number(raw: Any) -> int | float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if INT_MIN <= raw <= INT_MAX else None
    value: float | None = None
    if isinstance(raw, float):
        value = raw
    elif isinstance(raw, str) and _NUMBER.fullmatch(raw.strip()):
        value = float(raw.strip())
    return value if value is not None and math.isfinite(value) else None


def _boolean(raw: Any) -> bool | None:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        return {"true": True, "false": False, "1": True, "0": False}.get(raw.strip().lower())
    return None


_COERCE = {
    FieldType.STRING: _text,
    FieldType.ID: _identifier,
    FieldType.INTEGER: _integer,
    FieldType.DATE: _integer,
    FieldType.FLOAT: _number,
    FieldType.BOOLEAN: _boolean,
}

_EXPECTED = {
    FieldType.STRING: "a string",
    FieldType.ID: "a string or integer id",
    FieldType.INTEGER: "an integer (or a string of digits)",
    FieldType.DATE: "a UNIX timestamp in seconds (an integer or a string of digits)",
    FieldType.FLOAT: "a number (or a numeric string)",
    FieldType.BOOLEAN: "true or false (1/0 and the strings 'true'/'false' also work)",
}
