"""The search parser on its own: every operator against every field type, value coercion,
and every rejection (status, code, the query path in `field`, a message naming it)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Boolean, Column, Float, Integer, MetaData, String, Table

from ticketry.errors import ApiError, ParameterInvalid, ParameterNotFound
from ticketry.kit import wire
from ticketry.search.fields import ALL_OPERATORS, OPERATORS, Field, Fields, FieldType
from ticketry.search.paging import MAX_PER_PAGE, parse_pagination
from ticketry.search.parse import (
    MAX_GROUP,
    MAX_LIST,
    Filter,
    Group,
    SearchBody,
    parse_query,
    search_request,
)

_t = Table(
    "things",
    MetaData(),
    Column("s", String),
    Column("i", String),
    Column("n", Integer),
    Column("f", Float),
    Column("d", Integer),
    Column("b", Boolean),
    Column("k", String),
)


def _level(value: str) -> int:
    levels = {"low": 1, "high": 2}
    if value not in levels:
        raise ValueError("use low or high")
    return levels[value]


FIELDS = Fields(
    {
        "s": Field(FieldType.STRING, column=_t.c.s),
        "i": Field(FieldType.ID, column=_t.c.i),
        "n": Field(FieldType.INTEGER, column=_t.c.n),
        "f": Field(FieldType.FLOAT, column=_t.c.f),
        "d": Field(FieldType.DATE, column=_t.c.d),
        "b": Field(FieldType.BOOLEAN, column=_t.c.b),
        "key": Field(FieldType.STRING, column=_t.c.k, casefold=True),
        "level": Field(FieldType.STRING, column=_t.c.s, convert=_level),
        "tag": Field(FieldType.ID, column=_t.c.i, operators=("=", "!=")),
    },
    prefixes={
        "attr.": lambda name: Field(FieldType.STRING, column=_t.c.s) if name.isalnum() else None
    },
)

# A valid scalar per type, for the operator matrix.
SAMPLE = {
    FieldType.STRING: ("s", "text"),
    FieldType.ID: ("i", "abc123"),
    FieldType.INTEGER: ("n", 42),
    FieldType.FLOAT: ("f", 1.5),
    FieldType.DATE: ("d", 1700000000),
    FieldType.BOOLEAN: ("b", True),
}


def leaf(field: str, operator: str, value: Any) -> dict[str, Any]:
    return {"field": field, "operator": operator, "value": value}


def rejected(raw: Any, field: str, contains: str, fields: Fields = FIELDS) -> ParameterInvalid:
    with pytest.raises(ParameterInvalid) as caught:
        parse_query(raw, fields)
    err = caught.value
    assert err.status == 400
    assert err.code == "parameter_invalid"
    assert err.field == field, err.message
    assert contains in err.message, err.message
    return err


# -- the operator matrix ---------------------------------------------------------------------

MATRIX = [(ftype, op) for ftype in SAMPLE for op in ALL_OPERATORS]


@pytest.mark.parametrize(("ftype", "operator"), MATRIX, ids=[f"{t}{o}" for t, o in MATRIX])
def test_every_operator_on_every_type(ftype: FieldType, operator: str) -> None:
    name, value = SAMPLE[ftype]
    raw = leaf(name, operator, [value] if operator in ("IN", "NIN") else value)
    if operator in OPERATORS[ftype]:
        node = parse_query(raw, FIELDS)
        assert isinstance(node, Filter)
        assert (node.name, node.operator, node.path) == (name, operator, "query")
        assert node.value == ((value,) if operator in ("IN", "NIN") else value)
    else:
        err = rejected(raw, "query.operator", f"'{operator}' cannot be used on {ftype} field")
        assert " ".join(OPERATORS[ftype]) in err.message


def test_operator_sets_per_type() -> None:
    assert OPERATORS[FieldType.STRING] == ("=", "!=", "IN", "NIN", "~", "!~", "^", "$")
    assert OPERATORS[FieldType.ID] == ("=", "!=", "IN", "NIN")
    for numeric in (FieldType.INTEGER, FieldType.DATE, FieldType.FLOAT):
        assert OPERATORS[numeric] == ("=", "!=", "IN", "NIN", "<", "<=", ">", ">=")
    assert OPERATORS[FieldType.BOOLEAN] == ("=", "!=")


def test_a_field_can_narrow_its_operators() -> None:
    assert parse_query(leaf("tag", "!=", "7"), FIELDS).value == "7"
    rejected(leaf("tag", "IN", ["7"]), "query.operator", "use one of = !=")


# -- value coercion --------------------------------------------------------------------------

ACCEPTED = [
    ("s", "plain", "plain"),
    ("s", "", ""),
    ("s", 70, "70"),  # Intercom's examples send integer ids where strings are meant
    ("s", "  spaced  ", "  spaced  "),
    ("i", " 5ba6 ", "5ba6"),
    ("i", 991267829, "991267829"),
    ("n", 7, 7),
    ("n", -7, -7),
    ("n", "7", 7),
    ("n", " 12 ", 12),
    ("n", 3.0, 3),
    ("n", 2**63 - 1, 2**63 - 1),
    ("d", "1306054154", 1306054154),  # the spec's own example sends a string
    ("d", 1306054154, 1306054154),
    ("f", 2, 2),
    ("f", 2.5, 2.5),
    ("f", "-0.25", -0.25),
    ("f", "1e3", 1000.0),
    ("b", True, True),
    ("b", False, False),
    ("b", 1, True),  # python-intercom sends True as 1
    ("b", 0, False),
    ("b", "true", True),
    ("b", "FALSE", False),
    ("b", "1", True),
    ("key", "MiXeD@Example.COM", "mixed@example.com"),
    ("level", "high", 2),
    ("attr.plan", "gold", "gold"),
]


@pytest.mark.parametrize(("field", "raw", "expected"), ACCEPTED)
def test_values_are_coerced_to_the_field_type(field: str, raw: Any, expected: Any) -> None:
    value = parse_query(leaf(field, "=", raw), FIELDS).value
    assert value == expected
    assert type(value) is type(expected)


WRONG_TYPE = [
    ("s", True, "must be a string"),
    ("s", 1.5, "must be a string"),
    ("s", "nul\x00byte", "must be a string"),
    ("i", False, "must be a string or integer id"),
    ("i", 2.5, "must be a string or integer id"),
    ("n", "abc", "must be an integer"),
    ("n", "1.5", "must be an integer"),
    ("n", 1.5, "must be an integer"),
    ("n", True, "must be an integer"),
    ("n", 2**63, "must be an integer"),
    ("n", "99999999999999999999", "must be an integer"),
    ("n", "", "must be an integer"),
    ("d", "yesterday", "must be a UNIX timestamp"),
    ("d", False, "must be a UNIX timestamp"),
    ("f", "abc", "must be a number"),
    ("f", float("inf"), "must be a number"),
    ("f", True, "must be a number"),
    ("b", 2, "must be true or false"),
    ("b", "yes", "must be true or false"),
    ("b", 1.0, "must be true or false"),
]


@pytest.mark.parametrize(("field", "raw", "contains"), WRONG_TYPE)
def test_values_of_the_wrong_type_are_rejected(field: str, raw: Any, contains: str) -> None:
    err = rejected(leaf(field, "=", raw), "query.value", contains)
    assert f"field '{field}'" in err.message


def test_a_converter_rejecting_a_value_names_it() -> None:
    rejected(leaf("level", "=", "medium"), "query.value", "not a valid value for 'level': use")


def test_null_means_is_null_with_equality_only() -> None:
    assert parse_query(leaf("s", "=", None), FIELDS).value is None
    assert parse_query(leaf("n", "!=", None), FIELDS).value is None
    for operator in ("IN", "NIN", "~", "^", "$", "!~"):
        rejected(leaf("s", operator, None), "query.value", "null can only be used with = or !=")
    rejected(leaf("n", ">", None), "query.value", "null can only be used with = or !=")


def test_in_and_nin_take_non_empty_arrays_of_typed_values() -> None:
    node = parse_query(leaf("n", "IN", [1, "2", 3.0]), FIELDS)
    assert node.value == (1, 2, 3)
    assert parse_query(leaf("key", "NIN", ["A@X.io"]), FIELDS).value == ("a@x.io",)
    rejected(leaf("n", "IN", 1), "query.value", "must be a non-empty array for IN")
    rejected(leaf("n", "NIN", []), "query.value", "must be a non-empty array for NIN")
    rejected(leaf("n", "IN", [1, "x"]), "query.value[1]", "must be an integer")
    rejected(leaf("s", "IN", ["a", None]), "query.value[1]", "must be a string")
    rejected(
        leaf("n", "IN", list(range(MAX_LIST + 1))),
        "query.value",
        f"at most {MAX_LIST} are allowed",
    )
    assert len(parse_query(leaf("n", "IN", list(range(MAX_LIST))), FIELDS).value) == MAX_LIST


@pytest.mark.parametrize("operator", ["=", "!=", "~", "<"])
def test_single_value_operators_refuse_arrays_and_objects(operator: str) -> None:
    field = "s" if operator in ("=", "!=", "~") else "n"
    rejected(leaf(field, operator, ["a"]), "query.value", "use IN for a list")
    rejected(leaf(field, operator, {"a": 1}), "query.value", "must be a single value")


# -- structure -------------------------------------------------------------------------------


def test_groups_nest_two_levels() -> None:
    raw = {
        "operator": "AND",
        "value": [
            {"operator": "OR", "value": [leaf("s", "=", "1"), leaf("s", "=", "2")]},
            {"operator": "OR", "value": [leaf("n", ">", 3), leaf("b", "=", 1)]},
            leaf("d", "<", "1700000000"),
        ],
    }
    node = parse_query(raw, FIELDS)
    assert isinstance(node, Group) and node.operator == "AND"
    first, second, third = node.filters
    assert isinstance(first, Group) and first.operator == "OR" and first.path == "query.value[0]"
    assert isinstance(second.filters[1], Filter) and second.filters[1].value is True
    assert second.filters[1].path == "query.value[1].value[1]"
    assert isinstance(third, Filter) and third.value == 1700000000


def test_a_third_level_of_groups_is_rejected() -> None:
    inner = {"operator": "AND", "value": [leaf("s", "=", "x")]}
    middle = {"operator": "OR", "value": [inner]}
    rejected(
        {"operator": "AND", "value": [middle]},
        "query.value[0].value[0]",
        "nests AND/OR groups 3 levels deep; at most 2",
    )


def test_fifteen_filters_per_group_at_most() -> None:
    ok = {"operator": "OR", "value": [leaf("n", "=", i) for i in range(MAX_GROUP)]}
    assert len(parse_query(ok, FIELDS).filters) == MAX_GROUP
    too_many = {"operator": "OR", "value": [leaf("n", "=", i) for i in range(MAX_GROUP + 1)]}
    rejected(too_many, "query.value", "has 16 filters; at most 15 are allowed")
    nested = {"operator": "AND", "value": [too_many]}
    rejected(nested, "query.value[0].value", "at most 15")


@pytest.mark.parametrize(
    ("raw", "field", "contains"),
    [
        (None, "query", "query must be an object"),
        ([], "query", "must be an object"),
        ("s = 1", "query", "must be an object"),
        ({"field": "s", "value": "x"}, "query.operator", "query.operator is required"),
        ({"field": "s", "operator": 1, "value": "x"}, "query.operator", "must be a string"),
        (leaf("s", "LIKE", "x"), "query.operator", "'LIKE' is not a search operator"),
        (leaf("s", "and", "x"), "query.operator", "'and' is not a search operator"),
        ({"operator": "=", "value": "x"}, "query.field", "query.field is required"),
        (leaf(None, "=", "x"), "query.field", "query.field is required"),
        (leaf(5, "=", "x"), "query.field", "must be a string"),
        (leaf("nope", "=", "x"), "query.field", "'nope' is not a searchable field"),
        (leaf("attr.", "=", "x"), "query.field", "'attr.' is not a searchable field"),
        (leaf("attr.no-dash", "=", "x"), "query.field", "is not a searchable field"),
        ({"field": "s", "operator": "="}, "query.value", "query.value is required"),
        ({"operator": "AND"}, "query.value", "query.value is required"),
        ({"operator": "OR", "value": None}, "query.value", "is required"),
        ({"operator": "AND", "value": leaf("s", "=", "x")}, "query.value", "must be an array"),
        ({"operator": "AND", "value": []}, "query.value", "at least one filter"),
        ({"operator": "AND", "value": ["s = 1"]}, "query.value[0]", "must be an object"),
        (
            {"operator": "AND", "value": [leaf("s", "=", "x"), leaf("s", ">", "x")]},
            "query.value[1].operator",
            "'>' cannot be used on string field 's'",
        ),
    ],
)
def test_malformed_queries_name_the_path(raw: Any, field: str, contains: str) -> None:
    rejected(raw, field, contains)


def test_unknown_field_message_lists_the_allowlist() -> None:
    err = rejected(leaf("nope", "=", "x"), "query.field", "use one of s, i, n")
    assert "attr.{name}" in err.message


# -- the request body and pagination ---------------------------------------------------------


def test_search_request_reads_query_and_pagination() -> None:
    body = wire.parse(
        SearchBody,
        b'{"query": {"field": "n", "operator": ">", "value": "5"},'
        b' "pagination": {"per_page": 5, "starting_after": "abc"}}',
    )
    request = search_request(body, FIELDS, default_per_page=20)
    assert isinstance(request.query, Filter) and request.query.value == 5
    assert (request.per_page, request.starting_after) == (5, "abc")
    plain = search_request(
        wire.parse(
            SearchBody,
            b'{"query": {"field": "s", "operator": "=", "value": "x"}, "pagination": null}',
        ),
        FIELDS,
        50,
    )
    assert (plain.per_page, plain.starting_after) == (50, None)


def test_a_body_without_query_is_parameter_not_found() -> None:
    with pytest.raises(ParameterNotFound) as caught:
        wire.parse(SearchBody, b'{"pagination": {"per_page": 5}}')
    assert caught.value.field == "query"
    assert caught.value.message == "query is a required parameter"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, (20, None)),
        ({}, (20, None)),
        ({"per_page": None, "starting_after": None}, (20, None)),
        ({"per_page": 1}, (1, None)),
        ({"per_page": MAX_PER_PAGE}, (MAX_PER_PAGE, None)),
        ({"per_page": "7", "starting_after": ""}, (7, None)),
        ({"starting_after": "WzJd"}, (20, "WzJd")),
    ],
)
def test_pagination_values(raw: Any, expected: tuple[int, str | None]) -> None:
    assert parse_pagination(raw, 20) == expected


@pytest.mark.parametrize(
    ("raw", "field", "contains"),
    [
        ([], "pagination", "pagination must be an object"),
        ("5", "pagination", "must be an object"),
        ({"per_page": 0}, "pagination.per_page", "between 1 and 150"),
        ({"per_page": MAX_PER_PAGE + 1}, "pagination.per_page", "between 1 and 150"),
        ({"per_page": -3}, "pagination.per_page", "between 1 and 150"),
        ({"per_page": "x"}, "pagination.per_page", "must be an integer"),
        ({"per_page": True}, "pagination.per_page", "must be an integer"),
        ({"per_page": 2.5}, "pagination.per_page", "must be an integer"),
        ({"starting_after": 5}, "pagination.starting_after", "must be a cursor string"),
    ],
)
def test_bad_pagination_is_rejected(raw: Any, field: str, contains: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_pagination(raw, 20)
    assert (caught.value.status, caught.value.code, caught.value.field) == (
        400,
        "parameter_invalid",
        field,
    )
    assert contains in caught.value.message


def test_a_field_needs_exactly_one_sql_target() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        Field(FieldType.STRING)
    with pytest.raises(ValueError, match="exactly one"):
        Field(FieldType.STRING, column=_t.c.s, build=lambda op, v: _t.c.s == v)
