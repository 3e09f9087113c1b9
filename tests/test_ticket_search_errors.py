"""POST /tickets/search rejections: each is a 400 naming the offending part of the body by
its path (`query.value[1].operator`), never a 500, on both databases and through the SDK."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from intercom import Intercom, SingleFilterSearchRequest, StartingAfterPaging
from intercom.core.api_error import ApiError as SdkError

from tests.conftest import Api, Server, make_api, make_workspace
from tests.helpers import assert_error
from tests.ticket_fixtures import add_attribute, make_contact, make_ticket, make_type


@pytest.fixture(scope="module")
def refs(server: Server) -> Iterator[dict[str, Any]]:
    """One workspace with a ticket type carrying every attribute kind, and a stranger's
    attribute; ids by name."""
    ws = make_workspace(server, "Search errors")
    with make_api(server, ws.token) as api:
        bug = make_type(api, "Bug")
        out: dict[str, Any] = {"token": ws.token}
        for name, kind, extra in [
            ("Note", "string", {}),
            ("Priority", "list", {"list_items": "Low,High"}),
            ("Seats", "integer", {}),
            ("Cost", "decimal", {}),
            ("Urgent", "boolean", {}),
            ("Due", "datetime", {}),
            ("Shot", "files", {}),
        ]:
            out[name] = add_attribute(api, bug["id"], name, kind, **extra)["id"]
        listed = api.get(f"/ticket_types/{bug['id']}").json()["ticket_type_attributes"]["data"]
        out["title_attr"] = next(a["id"] for a in listed if a["name"] == "_default_title_")
        contact = make_contact(api, "ann@example.com")
        out["ticket"] = make_ticket(api, bug["id"], contact["id"])["id"]
    other = make_workspace(server, "Stranger")
    with make_api(server, other.token) as theirs:
        their_type = make_type(theirs, "Bug")
        out["stranger"] = add_attribute(theirs, their_type["id"], "Note", "string")["id"]
    yield out


@pytest.fixture
def client(server: Server, refs: dict[str, Any]) -> Iterator[Api]:
    with make_api(server, refs["token"]) as api:
        yield api


def leaf(name: Any, operator: Any, value: Any) -> dict[str, Any]:
    return {"field": name, "operator": operator, "value": value}


def attr(name: str) -> str:
    """A `ticket_attribute.{id}` field, filled in from `refs` when the test runs."""
    return f"ticket_attribute.<{name}>"


def resolve(node: Any, refs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        return {k: resolve(v, refs) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve(v, refs) for v in node]
    if isinstance(node, str) and node.startswith("ticket_attribute.<"):
        return "ticket_attribute." + str(refs[node.split("<", 1)[1].rstrip(">")])
    return node


def cursor(*position: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(position)).encode()).decode().rstrip("=")


OK = leaf("open", "=", True)
DEEP = {"operator": "AND", "value": [{"operator": "OR", "value": [
    {"operator": "AND", "value": [OK]}]}]}  # fmt: skip

# (body, code, field, words the message must hold)
QUERY_CASES: list[tuple[Any, str, str, str]] = [
    ({}, "parameter_not_found", "query", "query is a required parameter"),
    ({"pagination": {"per_page": 5}}, "parameter_not_found", "query", "query"),
    ({"query": None}, "parameter_invalid", "query", "must be an object"),
    ({"query": "open = true"}, "parameter_invalid", "query", "must be an object"),
    ({"query": [OK]}, "parameter_invalid", "query", "must be an object"),
    # unknown fields
    ({"query": leaf("priority", "=", "x")}, "parameter_invalid", "query.field",
     "'priority' is not a searchable field"),
    ({"query": leaf("source.body", "~", "x")}, "parameter_invalid", "query.field",
     "'source.body' is not a searchable field"),
    ({"query": leaf("ticket_attribute.999999", "=", "x")}, "parameter_invalid", "query.field",
     "'ticket_attribute.999999'"),
    ({"query": leaf("ticket_attribute.", "=", "x")}, "parameter_invalid", "query.field",
     "not a searchable field"),
    ({"query": leaf("ticket_attribute.Note", "=", "x")}, "parameter_invalid", "query.field",
     "not a searchable field"),  # attributes are keyed by id, not name
    ({"query": leaf(attr("Shot"), "=", "x")}, "parameter_invalid", "query.field",
     "not a searchable field"),  # files are not searchable
    ({"query": leaf(attr("title_attr"), "=", "x")}, "parameter_invalid", "query.field",
     "not a searchable field"),  # the default title is searched as `title`
    ({"query": leaf(attr("stranger"), "=", "x")}, "parameter_invalid", "query.field",
     "not a searchable field"),  # another workspace's attribute
    ({"query": leaf(5, "=", "x")}, "parameter_invalid", "query.field", "must be a string"),
    ({"query": {"operator": "=", "value": "x"}}, "parameter_invalid", "query.field",
     "query.field is required"),
    ({"query": leaf(None, "=", "x")}, "parameter_invalid", "query.field", "is required"),
    # operators
    ({"query": {"field": "title", "value": "x"}}, "parameter_invalid", "query.operator",
     "query.operator is required"),
    ({"query": leaf("title", None, "x")}, "parameter_invalid", "query.operator",
     "must be a string"),
    ({"query": leaf("title", "LIKE", "x")}, "parameter_invalid", "query.operator",
     "'LIKE' is not a search operator"),
    ({"query": leaf("title", ">", "a")}, "parameter_invalid", "query.operator",
     "'>' cannot be used on string field 'title'"),
    ({"query": leaf("description", "<=", "a")}, "parameter_invalid", "query.operator",
     "'<=' cannot be used on string field 'description'"),
    ({"query": leaf("open", "~", "t")}, "parameter_invalid", "query.operator",
     "'~' cannot be used on boolean field 'open'"),
    ({"query": leaf("open", "IN", [True])}, "parameter_invalid", "query.operator",
     "boolean field 'open'"),
    ({"query": leaf("created_at", "~", "1")}, "parameter_invalid", "query.operator",
     "'~' cannot be used on date field 'created_at'"),
    ({"query": leaf("snoozed_until", "^", "1")}, "parameter_invalid", "query.operator",
     "date field 'snoozed_until'"),
    ({"query": leaf("id", ">", "1")}, "parameter_invalid", "query.operator", "id field 'id'"),
    ({"query": leaf("contact_ids", "~", "a")}, "parameter_invalid", "query.operator",
     "id field 'contact_ids'"),
    ({"query": leaf("category", "~", "req")}, "parameter_invalid", "query.operator",
     "'category'; use one of = != IN NIN"),
    ({"query": leaf("state", "^", "sub")}, "parameter_invalid", "query.operator",
     "'state'; use one of = != IN NIN"),
    ({"query": leaf(attr("Priority"), "~", "x")}, "parameter_invalid", "query.operator",
     "cannot be used on id field"),
    ({"query": leaf(attr("Urgent"), ">", 0)}, "parameter_invalid", "query.operator",
     "cannot be used on boolean field"),
    ({"query": leaf(attr("Seats"), "~", "1")}, "parameter_invalid", "query.operator",
     "cannot be used on integer field"),
    ({"query": leaf(attr("Due"), "$", "1")}, "parameter_invalid", "query.operator",
     "cannot be used on date field"),
    # values
    ({"query": {"field": "title", "operator": "="}}, "parameter_invalid", "query.value",
     "query.value is required"),
    ({"query": leaf("open", "=", "yes")}, "parameter_invalid", "query.value",
     "true or false"),
    ({"query": leaf("open", "=", 2)}, "parameter_invalid", "query.value", "true or false"),
    ({"query": leaf(attr("Urgent"), "!=", "no")}, "parameter_invalid", "query.value",
     "true or false"),
    ({"query": leaf("created_at", ">", "abc")}, "parameter_invalid", "query.value",
     "UNIX timestamp"),
    ({"query": leaf("created_at", ">", "2024-01-01")}, "parameter_invalid", "query.value",
     "UNIX timestamp"),
    ({"query": leaf("created_at", ">", 1.5)}, "parameter_invalid", "query.value",
     "UNIX timestamp"),
    ({"query": leaf("created_at", ">", True)}, "parameter_invalid", "query.value",
     "UNIX timestamp"),
    ({"query": leaf("updated_at", "<", 2**64)}, "parameter_invalid", "query.value",
     "UNIX timestamp"),
    ({"query": leaf(attr("Due"), ">", "2024-01-01T00:00:00Z")}, "parameter_invalid",
     "query.value", "UNIX timestamp"),
    ({"query": leaf(attr("Seats"), "=", "3.5")}, "parameter_invalid", "query.value",
     "an integer"),
    ({"query": leaf(attr("Cost"), "<", "cheap")}, "parameter_invalid", "query.value",
     "a number"),
    ({"query": leaf(attr("Cost"), "<", "nan")}, "parameter_invalid", "query.value", "a number"),
    ({"query": leaf("title", "=", True)}, "parameter_invalid", "query.value", "a string"),
    ({"query": leaf("title", "=", ["a"])}, "parameter_invalid", "query.value",
     "must be a single value for =; use IN for a list"),
    ({"query": leaf("title", "~", {"a": 1})}, "parameter_invalid", "query.value",
     "single value"),
    ({"query": leaf("title", "IN", "a")}, "parameter_invalid", "query.value",
     "non-empty array for IN"),
    ({"query": leaf("title", "NIN", [])}, "parameter_invalid", "query.value",
     "non-empty array for NIN"),
    ({"query": leaf("title", "IN", ["a"] * 101)}, "parameter_invalid", "query.value",
     "101 values; at most 100"),
    ({"query": leaf("title", "IN", ["a", None])}, "parameter_invalid", "query.value[1]",
     "a string"),
    ({"query": leaf("created_at", "IN", [1, "x"])}, "parameter_invalid", "query.value[1]",
     "UNIX timestamp"),
    ({"query": leaf("title", "~", None)}, "parameter_invalid", "query.value",
     "null can only be used with = or !="),
    ({"query": leaf("created_at", ">", None)}, "parameter_invalid", "query.value",
     "null can only be used"),
    ({"query": leaf("id", "=", "abc")}, "parameter_invalid", "query.value",
     "not a valid value for 'id'"),
    ({"query": leaf("id", "=", "1" * 30)}, "parameter_invalid", "query.value",
     "not a valid value for 'id'"),
    ({"query": leaf("ticket_type_id", "IN", ["1", "x1"])}, "parameter_invalid",
     "query.value[1]", "not a valid value for 'ticket_type_id'"),
    ({"query": leaf("admin_assignee_id", "=", "bob")}, "parameter_invalid", "query.value",
     "not a valid value for 'admin_assignee_id'"),
    ({"query": leaf("team_assignee_id", "=", -3)}, "parameter_invalid", "query.value",
     "'team_assignee_id'"),
    ({"query": leaf("category", "=", "incident")}, "parameter_invalid", "query.value",
     "use request, task or tracker"),
    ({"query": leaf("category", "IN", ["task", "bug"])}, "parameter_invalid",
     "query.value[1]", "use request, task or tracker"),
    ({"query": leaf("state", "=", "closed")}, "parameter_invalid", "query.value",
     "use one of submitted, in_progress, waiting_on_customer, resolved"),
    ({"query": leaf("title", "=", "a\x00b")}, "parameter_invalid", "query.value", "NUL"),
    # groups
    ({"query": DEEP}, "parameter_invalid", "query.value[0].value[0]",
     "3 levels deep; at most 2"),
    ({"query": {"operator": "OR", "value": [OK] * 16}}, "parameter_invalid", "query.value",
     "16 filters; at most 15"),
    ({"query": {"operator": "AND", "value": [OK, {"operator": "OR", "value": [OK] * 16}]}},
     "parameter_invalid", "query.value[1].value", "at most 15"),
    ({"query": {"operator": "AND", "value": []}}, "parameter_invalid", "query.value",
     "at least one filter"),
    ({"query": {"operator": "OR"}}, "parameter_invalid", "query.value", "is required"),
    ({"query": {"operator": "OR", "value": None}}, "parameter_invalid", "query.value",
     "is required"),
    ({"query": {"operator": "OR", "value": OK}}, "parameter_invalid", "query.value",
     "must be an array of filters"),
    ({"query": {"operator": "OR", "value": ["open"]}}, "parameter_invalid", "query.value[0]",
     "must be an object"),
    ({"query": {"operator": "AND", "value": [OK, leaf("nope", "=", 1)]}}, "parameter_invalid",
     "query.value[1].field", "'nope' is not a searchable field"),
    ({"query": {"operator": "AND", "value": [OK, {"operator": "OR", "value": [
        OK, leaf("title", ">", "a")]}]}}, "parameter_invalid",
     "query.value[1].value[1].operator", "'>' cannot be used"),
    # pagination
    ({"query": OK, "pagination": {"per_page": 0}}, "parameter_invalid",
     "pagination.per_page", "between 1 and 150"),
    ({"query": OK, "pagination": {"per_page": 151}}, "parameter_invalid",
     "pagination.per_page", "between 1 and 150"),
    ({"query": OK, "pagination": {"per_page": -1}}, "parameter_invalid",
     "pagination.per_page", "between 1 and 150"),
    ({"query": OK, "pagination": {"per_page": "x"}}, "parameter_invalid",
     "pagination.per_page", "must be an integer"),
    ({"query": OK, "pagination": {"per_page": 1.5}}, "parameter_invalid",
     "pagination.per_page", "must be an integer"),
    ({"query": OK, "pagination": {"per_page": True}}, "parameter_invalid",
     "pagination.per_page", "must be an integer"),
    ({"query": OK, "pagination": "next"}, "parameter_invalid", "pagination",
     "must be an object"),
    ({"query": OK, "pagination": {"starting_after": 5}}, "parameter_invalid",
     "pagination.starting_after", "must be a cursor string"),
    ({"query": OK, "pagination": {"starting_after": "bm9wZQ"}}, "parameter_invalid",
     "pagination.starting_after", "not a cursor this server handed out"),
    ({"query": OK, "pagination": {"starting_after": "%%%"}}, "parameter_invalid",
     "pagination.starting_after", "not a cursor"),
    ({"query": OK, "pagination": {"starting_after": cursor(1, 5)}}, "parameter_invalid",
     "pagination.starting_after", "not a cursor"),  # page 1 is never "after" anything
    ({"query": OK, "pagination": {"starting_after": cursor(2, "5")}}, "parameter_invalid",
     "pagination.starting_after", "not a cursor"),
    ({"query": OK, "pagination": {"starting_after": cursor(2, 1.5)}}, "parameter_invalid",
     "pagination.starting_after", "not a cursor"),
    ({"query": OK, "pagination": {"starting_after": cursor(2, True)}}, "parameter_invalid",
     "pagination.starting_after", "not a cursor"),
    ({"query": OK, "pagination": {"starting_after": cursor(2, 2**70)}}, "parameter_invalid",
     "pagination.starting_after", "not a cursor"),
    ({"query": OK, "pagination": {"starting_after": cursor(2, 5, 6)}}, "parameter_invalid",
     "pagination.starting_after", "not a cursor"),
    ({"query": OK, "pagination": {"starting_after": cursor("2", 5)}}, "parameter_invalid",
     "pagination.starting_after", "not a cursor"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "code", "field", "contains"),
    QUERY_CASES,
    ids=[f"{i}-{c[2]}" for i, c in enumerate(QUERY_CASES)],
)
def test_rejections_name_the_problem(
    client: Api, refs: dict[str, Any], body: Any, code: str, field: str, contains: str
) -> None:
    resp = client.post("/tickets/search", json=resolve(body, refs))
    err = assert_error(resp, 400, code, field=field, contains=contains)
    assert len(resp.json()["errors"]) == 1, err


def test_a_value_of_the_right_type_is_accepted_by_each_rejected_field(client: Api) -> None:
    """The rejections above are about the values, not the fields: good values pass."""
    for query in (
        leaf("open", "=", 1),
        leaf("created_at", ">", "1306054154"),
        leaf("category", "IN", ["task", "Tracker"]),
        leaf("state", "=", "resolved"),
        leaf("id", "=", 1),
        leaf("admin_assignee_id", "=", 0),
    ):
        assert client.post("/tickets/search", json={"query": query}).status_code == 200, query


def test_not_a_json_object(client: Api) -> None:
    assert_error(client.post("/tickets/search", content=b"query=open"), 400, "bad_request")
    assert_error(client.post("/tickets/search", content=b"[1]"), 400, "bad_request")


def test_before_2_10_there_is_no_search(client: Api) -> None:
    resp = client.post("/tickets/search", json={"query": OK}, version="2.9")
    assert_error(resp, 404, "intercom_version_invalid")
    # the version is refused before the body is looked at
    assert_error(client.post("/tickets/search", json={}, version="2.9"), 404,
                 "intercom_version_invalid")  # fmt: skip
    assert client.post("/tickets/search", json={"query": OK}, version="2.10").status_code == 200


def test_without_a_token(server: Server) -> None:
    with make_api(server, None) as anonymous:
        assert_error(anonymous.post("/tickets/search", json={"query": OK}), 401, "unauthorized")


def test_python_sdk_values(server: Server, refs: dict[str, Any]) -> None:
    """python-intercom 5.0.1 sends `value=True` as 1 (its value type is str | int | list):
    that is read as true; a 2 is still refused, and the SDK raises the 400."""
    with httpx.Client(timeout=30) as http:
        sdk = Intercom(token=refs["token"], base_url=server.url, httpx_client=http)
        found = sdk.tickets.search(
            query=SingleFilterSearchRequest(field="open", operator="=", value=True),
            pagination=StartingAfterPaging(per_page=5),
        )
        assert [t.id for t in found.items] == [refs["ticket"]]
        urgent = sdk.tickets.search(
            query=SingleFilterSearchRequest(
                field=f"ticket_attribute.{refs['Urgent']}", operator="!=", value=False
            ),
            pagination=StartingAfterPaging(per_page=5),
        )
        assert [t.id for t in urgent.items] == [refs["ticket"]]  # not set: "not false"
        with pytest.raises(SdkError) as caught:
            sdk.tickets.search(
                query=SingleFilterSearchRequest(field="open", operator="=", value=2),
                pagination=StartingAfterPaging(per_page=5),
            )
        assert caught.value.status_code == 400
        body = caught.value.body
        assert body["errors"][0]["code"] == "parameter_invalid"
        assert body["errors"][0]["field"] == "query.value"
