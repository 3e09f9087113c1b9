"""POST /contacts/search end to end on both databases: each operator's meaning, LIKE
wildcards, case, nulls, custom attributes, paging, isolation, the SDK, rejections, and a
property test holding the SQL to a plain Python filter over the same contacts."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from intercom import MultipleFilterSearchRequest, SingleFilterSearchRequest, StartingAfterPaging
from sqlalchemy import select, update

from tests.conftest import Server, Workspace, make_api, make_workspace
from tests.helpers import assert_error
from ticketry.contacts import queries
from ticketry.search import compile as search_compile
from ticketry.search.compile import json_boolean, json_number, link_builder
from ticketry.search.fields import Field, Fields, FieldType
from ticketry.search.parse import parse_query
from ticketry.tables import contact_companies, contacts

BASE = 1_600_000_000

# Stored values (None = not set). created_at ties on purpose: paging must still be stable.
PEOPLE: list[dict[str, Any]] = [
    {"email": "ada@alpha.io", "name": "Ada Lovelace", "role": "user", "external_id": "u1",
     "phone": "+100", "signed_up_at": BASE, "last_seen_at": BASE + 50,
     "unsubscribed_from_emails": False, "custom_attributes": {"plan": "gold", "seats": 3}},
    {"email": "BOB@Beta.io", "name": "Bob 100%", "role": "lead", "external_id": "u2",
     "phone": None, "signed_up_at": BASE + 10, "last_seen_at": None,
     "unsubscribed_from_emails": True, "custom_attributes": {"plan": "Silver", "vip": True}},
    {"email": None, "name": "a_b", "role": "lead", "external_id": None, "phone": "+200",
     "signed_up_at": None, "last_seen_at": BASE + 50, "unsubscribed_from_emails": False,
     "custom_attributes": {"plan": 5}},
    {"email": "cy@alpha.io", "name": None, "role": "user", "external_id": "x%y",
     "phone": "+100", "signed_up_at": BASE + 20, "last_seen_at": BASE + 60,
     "unsubscribed_from_emails": True, "custom_attributes": {}},
    {"email": "Dee@Gamma.org", "name": "axb", "role": "user", "external_id": "70",
     "phone": None, "signed_up_at": BASE, "last_seen_at": BASE + 10,
     "unsubscribed_from_emails": False, "custom_attributes": {"plan": "gold plus"}},
    {"email": "eve@alpha.io", "name": "back\\slash Eve", "role": "lead", "external_id": "u_3",
     "phone": "+300", "signed_up_at": BASE + 30, "last_seen_at": None,
     "unsubscribed_from_emails": False, "custom_attributes": {"plan": "GOLD",
                                                               "favourite colour": "red"}},
]  # fmt: skip
CREATED = [BASE + 100, BASE + 100, BASE + 200, BASE + 300, BASE + 300, BASE + 400]


def seed(api: Any, server: Server, people: list[dict[str, Any]] = PEOPLE) -> list[dict[str, Any]]:
    """Create the contacts over the API; pin created_at/updated_at so dates differ. Returns
    the stored records (with id) the Python oracle filters."""
    records = []
    for person, created in zip(people, CREATED, strict=True):
        body = {k: v for k, v in person.items() if v is not None}
        resp = api.post("/contacts", json=body)
        assert resp.status_code == 200, resp.text
        contact_id = resp.json()["id"]
        server.tx(
            lambda c, i=contact_id, t=created: c.execute(
                update(contacts).where(contacts.c.id == i).values(created_at=t, updated_at=t + 5)
            )
        )
        records.append(
            {**person, "id": contact_id, "created_at": created, "updated_at": created + 5}
        )
    return records


def search(api: Any, query: Any, per_page: int = 150, **kwargs: Any) -> dict[str, Any]:
    resp = api.post(
        "/contacts/search", json={"query": query, "pagination": {"per_page": per_page}}, **kwargs
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


def found(api: Any, query: Any) -> set[str]:
    body = search(api, query)
    assert body["total_count"] == len(body["data"])
    return {c["id"] for c in body["data"]}


def leaf(field: str, operator: str, value: Any) -> dict[str, Any]:
    return {"field": field, "operator": operator, "value": value}


# -- the Python oracle -----------------------------------------------------------------------

CASEFOLD = {"email", "email_domain"}


def stored(record: dict[str, Any], field: str) -> Any:
    if field == "email":
        return record["email"].lower() if record["email"] else None
    if field == "email_domain":
        return record["email"].lower().split("@")[1] if record["email"] else None
    if field.startswith("custom_attributes."):
        value = record["custom_attributes"].get(field.split(".", 1)[1])
        return value if isinstance(value, str) else None  # string values only
    return record.get(field)


def coerce(field: str, value: Any) -> Any:
    if field in BOOLEAN_FIELDS:
        return value in (True, 1, "true", "1")
    if field in INTEGER_FIELDS:
        return int(value)
    if field in CASEFOLD:
        return str(value).lower()
    return str(value) if isinstance(value, int) else value


def matches(record: dict[str, Any], node: dict[str, Any]) -> bool:
    if node["operator"] in ("AND", "OR"):
        results = [matches(record, child) for child in node["value"]]
        return all(results) if node["operator"] == "AND" else any(results)
    field, op, raw = node["field"], node["operator"], node["value"]
    have = stored(record, field)
    if raw is None:
        return (have is None) if op == "=" else (have is not None)
    if op in ("IN", "NIN"):
        values = [coerce(field, v) for v in raw]
        inside = have is not None and have in values
        return inside if op == "IN" else not inside
    value = coerce(field, raw)
    if op == "=":
        return have is not None and have == value
    if op == "!=":
        return have is None or have != value
    if have is None:
        return op == "!~"
    if op in ("~", "!~", "^", "$"):
        text, part = have.lower(), value.lower()
        return {
            "~": part in text,
            "!~": part not in text,
            "^": text.startswith(part),
            "$": text.endswith(part),
        }[op]
    return {"<": have < value, "<=": have <= value, ">": have > value, ">=": have >= value}[op]


# -- operators, one by one -------------------------------------------------------------------


@pytest.fixture
def people(api: Any, server: Server) -> list[dict[str, Any]]:
    return seed(api, server)


def ids_where(people: list[dict[str, Any]], query: dict[str, Any]) -> set[str]:
    return {p["id"] for p in people if matches(p, query)}


CASES = [
    leaf("name", "=", "Ada Lovelace"),
    leaf("name", "=", "ada lovelace"),  # = is exact
    leaf("name", "!=", "Ada Lovelace"),  # includes the contact without a name
    leaf("name", "~", "LOVE"),  # ~ ignores case
    leaf("name", "!~", "b"),
    leaf("name", "^", "a"),
    leaf("name", "$", "EVE"),
    leaf("name", "~", "%"),  # wildcards match literally
    leaf("name", "~", "_"),
    leaf("name", "^", "a_"),
    leaf("name", "~", "\\"),
    leaf("name", "=", None),
    leaf("name", "!=", None),
    leaf("email", "=", "bob@BETA.io"),  # email ignores case
    leaf("email", "IN", ["ADA@alpha.io", "nobody@x.io"]),
    leaf("email", "NIN", ["ada@alpha.io"]),
    leaf("email", "$", "@ALPHA.IO"),
    leaf("email", "=", None),
    leaf("email_domain", "=", "Alpha.IO"),
    leaf("email_domain", "!=", "alpha.io"),
    leaf("email_domain", "^", "g"),
    leaf("role", "=", "lead"),
    leaf("role", "IN", ["user", "admin"]),
    leaf("phone", "=", "+100"),
    leaf("phone", "NIN", ["+100"]),
    leaf("external_id", "=", 70),  # an integer for a string field
    leaf("external_id", "~", "%"),
    leaf("external_id", "^", "u_"),
    leaf("signed_up_at", "=", BASE),
    leaf("signed_up_at", "!=", BASE),
    leaf("signed_up_at", ">", BASE + 10),  # strict
    leaf("signed_up_at", ">=", BASE + 10),  # inclusive
    leaf("signed_up_at", "<", str(BASE + 10)),  # numeric strings work
    leaf("signed_up_at", "<=", BASE + 10),
    leaf("signed_up_at", "IN", [BASE, BASE + 30]),
    leaf("signed_up_at", "NIN", [BASE]),
    leaf("last_seen_at", "=", None),
    leaf("created_at", ">", BASE + 100),
    leaf("created_at", "<=", BASE + 300),
    leaf("updated_at", "=", BASE + 205),
    leaf("unsubscribed_from_emails", "=", True),
    leaf("unsubscribed_from_emails", "=", 0),
    leaf("unsubscribed_from_emails", "!=", "true"),
    leaf("custom_attributes.plan", "=", "gold"),
    leaf("custom_attributes.plan", "~", "GOLD"),
    leaf("custom_attributes.plan", "=", "5"),  # a number stored there is not a string
    leaf("custom_attributes.plan", "=", None),
    leaf("custom_attributes.plan", "!=", "gold"),
    leaf("custom_attributes.favourite colour", "=", "red"),
    leaf("custom_attributes.missing", "!=", None),
    {
        "operator": "AND",
        "value": [leaf("role", "=", "user"), leaf("email_domain", "=", "alpha.io")],
    },
    {"operator": "OR", "value": [leaf("role", "=", "lead"), leaf("phone", "=", "+100")]},
    {
        "operator": "AND",
        "value": [
            {"operator": "OR", "value": [leaf("role", "=", "lead"), leaf("name", "~", "ada")]},
            {"operator": "OR", "value": [leaf("phone", "!=", None), leaf("email", "~", "bob")]},
        ],
    },
]


@pytest.mark.parametrize("query", CASES, ids=[str(i) for i in range(len(CASES))])
def test_each_operator_means_what_it_says(
    api: Any, people: list[dict[str, Any]], query: Any
) -> None:
    expected = ids_where(people, query)
    assert found(api, query) == expected


def test_hand_checked_answers(api: Any, people: list[dict[str, Any]]) -> None:
    by_name = {p["name"]: p["id"] for p in people}
    assert found(api, leaf("name", "~", "%")) == {by_name["Bob 100%"]}
    assert found(api, leaf("name", "~", "_")) == {by_name["a_b"]}
    assert found(api, leaf("name", "!=", "Ada Lovelace")) == set(by_name.values()) - {
        by_name["Ada Lovelace"]
    }
    assert found(api, leaf("signed_up_at", ">", BASE + 10)) == {people[3]["id"], people[5]["id"]}
    assert found(api, leaf("signed_up_at", ">=", BASE + 10)) == {
        people[1]["id"],
        people[3]["id"],
        people[5]["id"],
    }
    assert found(api, leaf("custom_attributes.plan", "=", "gold")) == {people[0]["id"]}


def test_results_come_in_created_at_then_id_order(api: Any, people: list[dict[str, Any]]) -> None:
    data = search(api, leaf("role", "IN", ["user", "lead"]))["data"]
    keys = [(c["created_at"], c["id"]) for c in data]
    assert keys == sorted(keys) and len(keys) == len(people)


def test_the_specs_example_request(api: Any, people: list[dict[str, Any]]) -> None:
    resp = api.post(
        "/contacts/search",
        json={
            "query": {
                "operator": "AND",
                "value": [{"field": "created_at", "operator": ">", "value": "1306054154"}],
            },
            "pagination": {"per_page": 5},
        },
    )
    body = resp.json()
    assert body["type"] == "list" and body["total_count"] == len(people)
    assert len(body["data"]) == 5
    assert body["pages"]["page"] == 1 and body["pages"]["total_pages"] == 2
    assert body["pages"]["next"]["per_page"] == 5


def test_paging_walks_every_match_once(api: Any, people: list[dict[str, Any]]) -> None:
    query = leaf("created_at", ">=", BASE)
    seen: list[str] = []
    cursor = None
    page_numbers = []
    while True:
        pagination: dict[str, Any] = {"per_page": 2}
        if cursor:
            pagination["starting_after"] = cursor
        body = api.post("/contacts/search", json={"query": query, "pagination": pagination}).json()
        assert body["total_count"] == len(people)
        page_numbers.append(body["pages"]["page"])
        seen.extend(c["id"] for c in body["data"])
        cursor = body["pages"].get("next", {}).get("starting_after")
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == len(people)
    assert page_numbers == [1, 2, 3]
    # a cursor keeps its place even if rows are added before it
    api.post("/contacts", json={"email": "late@example.com"})
    first = api.post("/contacts/search", json={"query": query, "pagination": {"per_page": 2}})
    cursor = first.json()["pages"]["next"]["starting_after"]
    rest = api.post(
        "/contacts/search",
        json={"query": query, "pagination": {"per_page": 150, "starting_after": cursor}},
    ).json()
    assert [c["id"] for c in rest["data"]] == [*seen[2:], rest["data"][-1]["id"]]


def test_default_page_size_is_fifty(api: Any, people: list[dict[str, Any]]) -> None:
    body = api.post("/contacts/search", json={"query": leaf("role", "=", "user")}).json()
    assert body["pages"] == {"type": "pages", "page": 1, "per_page": 50, "total_pages": 1}
    empty = api.post("/contacts/search", json={"query": leaf("role", "=", "nobody")}).json()
    assert empty == {
        "type": "list",
        "data": [],
        "total_count": 0,
        "pages": {"type": "pages", "page": 1, "per_page": 50, "total_pages": 0},
    }


def test_sdk_searches(sdk: Any, people: list[dict[str, Any]]) -> None:
    pager = sdk.contacts.search(
        query=MultipleFilterSearchRequest(
            operator="AND",
            value=[
                SingleFilterSearchRequest(
                    field="unsubscribed_from_emails", operator="=", value=True
                ),
                SingleFilterSearchRequest(field="role", operator="=", value="lead"),
            ],
        ),
        pagination=StartingAfterPaging(per_page=10),
    )
    assert [c.id for c in pager] == [people[1]["id"]]  # python-intercom sent True as 1
    users = sdk.contacts.search(
        query=SingleFilterSearchRequest(field="role", operator="=", value="user")
    )
    assert {c.id for c in users} == {p["id"] for p in people if p["role"] == "user"}


def test_other_workspaces_never_show(
    api: Any, server: Server, people: list[dict[str, Any]]
) -> None:
    other = make_workspace(server, "Other")
    with make_api(server, other.token) as theirs:
        twin = theirs.post(
            "/contacts", json={"email": "ada@alpha.io", "name": "Ada Lovelace"}
        ).json()
        assert found(theirs, leaf("email", "=", "ada@alpha.io")) == {twin["id"]}
    assert found(api, leaf("email", "=", "ada@alpha.io")) == {people[0]["id"]}
    assert found(api, leaf("id", "IN", [twin["id"], people[1]["id"]])) == {people[1]["id"]}
    assert found(api, leaf("name", "!=", "nobody")) == {p["id"] for p in people}


# -- rejections over HTTP --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code", "field", "contains"),
    [
        ({}, "parameter_not_found", "query", "query is a required parameter"),
        ({"query": None}, "parameter_invalid", "query", "must be an object"),
        ({"query": leaf("shoe_size", "=", 9)}, "parameter_invalid", "query.field",
         "'shoe_size' is not a searchable field"),
        ({"query": leaf("name", ">", "a")}, "parameter_invalid", "query.operator",
         "'>' cannot be used on string field 'name'"),
        ({"query": leaf("created_at", "~", "1")}, "parameter_invalid", "query.operator",
         "date field"),
        ({"query": leaf("created_at", "=", "last week")}, "parameter_invalid", "query.value",
         "UNIX timestamp"),
        ({"query": leaf("unsubscribed_from_emails", "=", "maybe")}, "parameter_invalid",
         "query.value", "true or false"),
        ({"query": leaf('custom_attributes.a"b', "=", "x")}, "parameter_invalid", "query.field",
         "not a searchable field"),
        ({"query": {"operator": "OR", "value": [leaf("role", "=", "user")] * 16}},
         "parameter_invalid", "query.value", "at most 15"),
        ({"query": {"operator": "AND", "value": [{"operator": "OR", "value": [
            {"operator": "AND", "value": [leaf("role", "=", "user")]}]}]}},
         "parameter_invalid", "query.value[0].value[0]", "at most 2"),
        ({"query": leaf("role", "=", "user"), "pagination": {"per_page": 151}},
         "parameter_invalid", "pagination.per_page", "between 1 and 150"),
        ({"query": leaf("role", "=", "user"), "pagination": {"starting_after": "bm9wZQ"}},
         "parameter_invalid", "pagination.starting_after", "not a cursor"),
        ({"query": leaf("role", "=", "user"),
          "pagination": {"starting_after": "WzEsMTcwMDAwMDAwMCwiYSJd"}},  # page 1: never issued
         "parameter_invalid", "pagination.starting_after", "not a cursor"),
    ],
)  # fmt: skip
def test_bad_searches_are_400(
    api: Any, body: dict[str, Any], code: str, field: str, contains: str
) -> None:
    assert_error(api.post("/contacts/search", json=body), 400, code, field=field, contains=contains)


def test_not_json_is_a_400(api: Any) -> None:
    assert_error(api.post("/contacts/search", content=b"query=1"), 400, "bad_request")


# -- building blocks the ticket search will use, on the real databases -----------------------


def test_link_builder_for_many_to_many_fields(
    api: Any, server: Server, workspace: Workspace, people: list[dict[str, Any]]
) -> None:
    acme = api.post("/companies", json={"company_id": "acme"}).json()["id"]
    globex = api.post("/companies", json={"company_id": "globex"}).json()["id"]
    links = {people[0]["id"]: [acme], people[1]["id"]: [acme, globex], people[2]["id"]: [globex]}
    for contact_id, company_ids in links.items():
        for company_id in company_ids:
            api.post(f"/contacts/{contact_id}/companies", json={"id": company_id})
    link = select(contact_companies.c.contact_id)
    fields = Fields(
        {
            "company_ids": Field(
                FieldType.ID,
                build=link_builder(contacts.c.id, link, contact_companies.c.company_id),
            ),
            "seats": Field(
                FieldType.INTEGER, column=json_number(contacts.c.custom_attributes, "seats")
            ),
            "vip": Field(
                FieldType.BOOLEAN, column=json_boolean(contacts.c.custom_attributes, "vip")
            ),
        }
    )
    everyone = {p["id"] for p in people}

    def run(query: dict[str, Any]) -> set[str]:
        where = search_compile.where(parse_query(query, fields))
        page, _ = server.tx(
            lambda c: queries.page(c, workspace.id, where, 150, None, "pagination.starting_after")
        )
        return {r["id"] for r in page.rows}

    p0, p1, p2 = people[0]["id"], people[1]["id"], people[2]["id"]
    assert run(leaf("company_ids", "=", acme)) == {p0, p1}
    assert run(leaf("company_ids", "!=", acme)) == everyone - {p0, p1}
    assert run(leaf("company_ids", "IN", [globex, "nope"])) == {p1, p2}
    assert run(leaf("company_ids", "NIN", [acme, globex])) == everyone - {p0, p1, p2}
    assert run(leaf("company_ids", "=", None)) == everyone - {p0, p1, p2}
    assert run(leaf("company_ids", "!=", None)) == {p0, p1, p2}
    assert run(leaf("seats", ">=", 3)) == {p0}
    assert run(leaf("seats", "<", 3)) == set()
    assert run(leaf("vip", "=", True)) == {p1}
    assert run(leaf("vip", "!=", True)) == everyone - {p1}


# -- the property: SQL agrees with Python ----------------------------------------------------

STRING_FIELDS = ["name", "email", "email_domain", "phone", "external_id", "role",
                 "custom_attributes.plan"]  # fmt: skip
INTEGER_FIELDS = ["signed_up_at", "last_seen_at", "created_at", "updated_at"]
BOOLEAN_FIELDS = ["unsubscribed_from_emails"]
WORDS = ["a", "A", "ada", "b", "%", "_", "\\", "alpha.io", "ALPHA", "@", "100%", "u", "u_",
         "lead", "user", "gold", "GOLD", "+100", "70", "eve", "io", "lovelace", ""]  # fmt: skip
NUMBERS = [BASE + d for d in (0, 10, 20, 30, 50, 60, 100, 105, 200, 300, 305, 400, 405)]

texts = st.one_of(st.sampled_from(WORDS), st.text(alphabet="aAbB_%@.1 \\", max_size=3))
numbers = st.one_of(
    st.sampled_from(NUMBERS), st.integers(BASE - 5, BASE + 500), st.sampled_from(NUMBERS).map(str)
)


def _leaves(fields: list[str], ops: list[str], values: Any) -> Any:
    def build(field: str, op: str, value: Any, many: list[Any], null: bool) -> dict[str, Any]:
        if op in ("IN", "NIN"):
            return leaf(field, op, many)
        return leaf(field, op, None if null and op in ("=", "!=") else value)

    return st.builds(
        build,
        st.sampled_from(fields),
        st.sampled_from(ops),
        values,
        st.lists(values, min_size=1, max_size=3),
        st.integers(0, 9).map(lambda n: n == 0),  # a null search one time in ten
    )


LEAF = st.one_of(
    _leaves(STRING_FIELDS, ["=", "!=", "IN", "NIN", "~", "!~", "^", "$"], texts),
    _leaves(INTEGER_FIELDS, ["=", "!=", "IN", "NIN", "<", "<=", ">", ">="], numbers),
    _leaves(BOOLEAN_FIELDS, ["=", "!="], st.sampled_from([True, False, 1, 0, "true", "false"])),
)


def _group(children: Any) -> Any:
    return st.builds(
        lambda op, kids: {"operator": op, "value": kids},
        st.sampled_from(["AND", "OR"]),
        st.lists(children, min_size=1, max_size=4),
    )


QUERY = st.one_of(LEAF, _group(LEAF), _group(st.one_of(LEAF, _group(LEAF))))


def test_search_agrees_with_a_python_filter(api: Any, server: Server) -> None:
    people = seed(api, server)

    @settings(
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(QUERY)
    def check(query: dict[str, Any]) -> None:
        body = search(api, query)
        got = [c["id"] for c in body["data"]]
        assert len(got) == len(set(got)) == body["total_count"]
        assert set(got) == ids_where(people, query), query

    check()
