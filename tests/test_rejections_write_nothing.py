"""A rejected or failed write leaves no trace: nothing a request wrote before it was refused
(a 4xx found late, or an unexpected 500) survives, on either database.

On SQLite every request runs inside a SAVEPOINT of a shared group commit (`db/writer.py`),
so these tests are what prove a refused unit is rolled back alone. The 500s are genuine
database failures: a trigger, created for the test and dropped after, raises when a row
carries a marker only these tests send.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.conftest import Api, Server, Workspace, make_api
from tests.helpers import assert_error
from tests.ticket_fixtures import add_attribute, make_contact, make_ticket, make_type
from ticketry.tables import metadata, workspaces

MARKER = "zz-boom-marker-5e1f"
MAX_FILE_BYTES = 10 * 1024 * 1024  # README: attachment files up to 10 MB, at most 10


# -- what a workspace holds ----------------------------------------------------------------


def footprint(server: Server, workspace_id: int) -> dict[str, list[Any]]:
    """Every row the workspace owns, in every table: equal before and after = nothing written."""

    def run(conn: Any) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {}
        for table in metadata.sorted_tables:
            if "workspace_id" in table.c:
                where = table.c.workspace_id == workspace_id
            elif table is workspaces:
                where = workspaces.c.id == workspace_id
            else:
                continue
            rows = [tuple(dict(r).items()) for r in conn.all(select(table).where(where))]
            out[table.name] = sorted(rows, key=repr)
        return out

    return server.tx(run)


def found_ids(api: Api, query: dict[str, Any]) -> list[str]:
    resp = api.post("/tickets/search", json={"query": query, "pagination": {"per_page": 50}})
    assert resp.status_code == 200, resp.text
    return [t["id"] for t in resp.json()["tickets"]]


def leaf(field: str, operator: str, value: Any) -> dict[str, Any]:
    return {"field": field, "operator": operator, "value": value}


class Desk:
    """A ticket type with a number and a text attribute, a contact and one ticket."""

    def __init__(self, api: Api) -> None:
        self.type = make_type(api, "Question")
        self.seats = add_attribute(api, self.type["id"], "Seats", "integer")
        self.note = add_attribute(api, self.type["id"], "Note", "string")
        self.contact = make_contact(api, "dee@example.com")
        self.ticket = make_ticket(
            api,
            self.type["id"],
            self.contact["id"],
            ticket_attributes={"_default_title_": "Original title", "Seats": 3, "Note": "old"},
        )
        self.url = f"/tickets/{self.ticket['id']}"

    def seats_field(self) -> str:
        return f"ticket_attribute.{self.seats['id']}"

    def note_field(self) -> str:
        return f"ticket_attribute.{self.note['id']}"

    def assert_unchanged(self, api: Api, before: dict[str, Any]) -> None:
        """The API still shows the old ticket, and search still finds it by its old values."""
        assert api.get(self.url, version="2.16").json() == before
        tid = self.ticket["id"]
        assert found_ids(api, leaf(self.seats_field(), "=", 3)) == [tid]
        assert found_ids(api, leaf(self.note_field(), "=", "old")) == [tid]
        assert found_ids(api, leaf("title", "=", "Original title")) == [tid]
        for query in (
            leaf(self.seats_field(), ">", 3),
            leaf(self.note_field(), "~", "new"),
            leaf(self.note_field(), "~", MARKER),
            leaf("title", "~", "changed"),
            leaf("open", "=", False),
            leaf("state", "!=", "submitted"),
            leaf("admin_assignee_id", "!=", "0"),
        ):
            assert found_ids(api, query) == [], query


@pytest.fixture
def desk(api: Api) -> Desk:
    return Desk(api)


@contextmanager
def failing_insert(server: Server, table: str, condition: str) -> Iterator[None]:
    """A trigger that makes INSERTs into `table` fail where `condition` (on NEW) holds: a real
    database error in the middle of a write. Dropped afterwards: the database is shared."""
    name = f"boom_{uuid.uuid4().hex[:8]}"
    if server.backend == "sqlite":
        create = [
            f"CREATE TRIGGER {name} BEFORE INSERT ON {table} WHEN {condition} "
            "BEGIN SELECT RAISE(ABORT, 'boom: test trigger'); END"
        ]
        drop = [f"DROP TRIGGER IF EXISTS {name}"]
    else:
        create = [
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'boom: test trigger'; END $$",
            f"CREATE TRIGGER {name} BEFORE INSERT ON {table} FOR EACH ROW "
            f"WHEN ({condition}) EXECUTE FUNCTION {name}()",
        ]
        drop = [f"DROP TRIGGER IF EXISTS {name} ON {table}", f"DROP FUNCTION IF EXISTS {name}()"]

    def run(statements: list[str]) -> None:
        def apply(conn: Any) -> None:
            for sql in statements:
                conn.raw.execute(sql)  # raw: '%' in LIKE patterns is no parameter marker

        server.tx(apply)

    run(create)
    try:
        yield
    finally:
        run(drop)


def like(column: str) -> str:
    return f"NEW.{column} LIKE '%{MARKER}%'"


# -- 1. refused after writing: the savepoint of the refused request is rolled back --------


def test_put_refused_after_an_attribute_change_writes_nothing(
    api: Api, server: Server, workspace: Workspace, desk: Desk
) -> None:
    company = api.post("/companies", json={"company_id": "acme-9", "name": "Acme"}).json()
    change = {
        "ticket_attributes": {"Seats": 9, "Note": "new", "_default_title_": "Changed title"},
        "open": False,
        "is_shared": True,
    }
    refusals = [
        ({"ticket_state_id": "999999"}, 400, "ticket_state_id_invalid", "ticket_state_id"),
        ({"ticket_state_id": "abc"}, 400, "ticket_state_id_invalid", "ticket_state_id"),
        ({"assignee_id": "424242"}, 404, "assignee_not_found", "assignee_id"),
        ({"company_id": "no-such-company"}, 404, "company_not_found", "company_id"),
        # a valid assignee and company, then a bad state: all of it is refused
        (
            {
                "assignee_id": str(workspace.admin_id),
                "company_id": company["id"],
                "ticket_state_id": "999999",
            },
            400,
            "ticket_state_id_invalid",
            "ticket_state_id",
        ),
        (
            {"ticket_attributes": {"Seats": "many"}},
            400,
            "parameter_invalid",
            "ticket_attributes.Seats",
        ),
    ]
    before = api.get(desk.url, version="2.16").json()
    rows = footprint(server, workspace.id)
    for extra, status, code, field in refusals:
        body = {**change, **extra}
        if "ticket_attributes" in extra:
            body["ticket_attributes"] = {
                **change["ticket_attributes"],
                **extra["ticket_attributes"],
            }
        assert_error(api.put(desk.url, json=body), status, code, field=field)
        desk.assert_unchanged(api, before)
        assert footprint(server, workspace.id) == rows, extra
    # the same change without the bad part goes through: the refusals were about that part
    ok = api.put(desk.url, json=change)
    assert ok.status_code == 200, ok.text
    assert ok.json()["ticket_attributes"]["Seats"] == 9
    assert found_ids(api, leaf(desk.seats_field(), "=", 9)) == [desk.ticket["id"]]


def test_create_refused_with_a_new_email_makes_no_lead(
    api: Api, server: Server, workspace: Workspace, desk: Desk
) -> None:
    fresh = {"email": "new-lead@example.com"}
    base = {"ticket_type_id": desk.type["id"], "contacts": [fresh]}
    refusals = [
        ({"company_id": "no-such-company"}, 404, "company_not_found", "company_id"),
        (
            {"assignment": {"admin_assignee_id": "424242"}},
            404,
            "assignee_not_found",
            "assignment.admin_assignee_id",
        ),
        (
            {"assignment": {"team_assignee_id": "424242"}},
            404,
            "assignee_not_found",
            "assignment.team_assignee_id",
        ),
        (
            {"ticket_attributes": {"Seats": "many"}},
            400,
            "parameter_invalid",
            "ticket_attributes.Seats",
        ),
        ({"ticket_attributes": {"Nope": 1}}, 400, "parameter_invalid", "ticket_attributes.Nope"),
        ({"conversation_to_link_id": "123"}, 400, "parameter_invalid", "conversation_to_link_id"),
        ({"ticket_type_id": "999999"}, 400, "parameter_invalid", "ticket_type_id"),
    ]
    rows = footprint(server, workspace.id)
    for extra, status, code, field in refusals:
        assert_error(api.post("/tickets", json={**base, **extra}), status, code, field=field)
        assert footprint(server, workspace.id) == rows, extra
    contacts = api.post(
        "/contacts/search", json={"query": leaf("email", "=", fresh["email"])}
    ).json()
    assert contacts["total_count"] == 0
    # the next ticket gets the next number: the refused ones used none
    made = api.post("/tickets", json=base)
    assert made.status_code == 200, made.text
    assert int(made.json()["ticket_id"]) == int(desk.ticket["ticket_id"]) + 1


# -- 5. an unexpected failure inside a write: 500, nothing saved ---------------------------


def failing_call(
    server: Server, workspace: Workspace, method: str, url: str, **kwargs: Any
) -> httpx.Response:
    """The request, and then another on the same keep-alive connection: a 500 is an
    answer like any other and leaves the connection usable."""
    with make_api(server, workspace.token) as client:
        resp = client.call(method, url, **kwargs)
        for _ in range(3):
            assert client.get("/me").status_code == 200
        return resp


def assert_internal_error(resp: httpx.Response) -> None:
    err = assert_error(resp, 500, "internal_error")
    assert "boom" not in resp.text and "Traceback" not in resp.text  # no internals leak
    assert "nothing was saved" in err["message"]


def test_500_in_an_update_saves_nothing(
    api: Api, server: Server, workspace: Workspace, desk: Desk
) -> None:
    in_progress = next(
        s["id"]
        for s in api.get(f"/ticket_types/{desk.type['id']}").json()["ticket_states"]["data"]
        if s["category"] == "in_progress"
    )
    before = api.get(desk.url, version="2.16").json()
    rows = footprint(server, workspace.id)
    change = {
        # the marker travels into the attribute-change part, whose insert fails
        "ticket_attributes": {"Seats": 9, "Note": f"new {MARKER}", "_default_title_": "Changed"},
        "ticket_state_id": in_progress,
        "assignee_id": str(workspace.admin_id),
        "open": False,
    }
    with failing_insert(server, "ticket_parts", f"{like('data')} OR {like('body')}"):
        assert_internal_error(failing_call(server, workspace, "PUT", desk.url, json=change))
    desk.assert_unchanged(api, before)
    assert footprint(server, workspace.id) == rows
    # the server is fine afterwards and the same change, minus the marker, is saved
    change["ticket_attributes"]["Note"] = "new"
    assert api.put(desk.url, json=change).status_code == 200


def test_500_in_a_reply_saves_nothing(
    api: Api, server: Server, workspace: Workspace, desk: Desk
) -> None:
    before = api.get(desk.url, version="2.16").json()
    rows = footprint(server, workspace.id)
    note = {
        "type": "admin",
        "message_type": "note",
        "admin_id": workspace.admin_id,
        "body": f"see the log {MARKER}",
        "attachment_files": [
            {
                "content_type": "text/plain",
                "name": "log.txt",
                "data": base64.b64encode(b"x").decode(),
            }
        ],
    }
    with failing_insert(server, "ticket_parts", like("body")):
        assert_internal_error(
            failing_call(server, workspace, "POST", f"{desk.url}/reply", json=note, version="2.16")
        )
    desk.assert_unchanged(api, before)
    assert footprint(server, workspace.id) == rows  # no part, no stored upload


def test_500_in_a_create_saves_nothing_not_even_the_lead(
    api: Api, server: Server, workspace: Workspace, desk: Desk
) -> None:
    rows = footprint(server, workspace.id)
    body = {
        "ticket_type_id": desk.type["id"],
        "contacts": [{"email": "fresh-lead@example.com"}],
        "ticket_attributes": {"_default_title_": f"Broken {MARKER}"},
        "assignment": {"admin_assignee_id": str(workspace.admin_id)},
    }
    with failing_insert(server, "tickets", like("title")):
        assert_internal_error(failing_call(server, workspace, "POST", "/tickets", json=body))
    assert footprint(server, workspace.id) == rows
    leads = api.post("/contacts/search", json={"query": leaf("role", "=", "lead")}).json()
    assert leads["total_count"] == 0
    # no ticket number was used up either
    body["ticket_attributes"] = {"_default_title_": "Broken"}
    made = api.post("/tickets", json=body)
    assert made.status_code == 200, made.text
    assert int(made.json()["ticket_id"]) == int(desk.ticket["ticket_id"]) + 1


# -- 6. attachment files (2.16): the limits, each a 400 naming the field, nothing stored --


def _file(data: bytes, name: str = "a.txt") -> dict[str, str]:
    return {"content_type": "text/plain", "name": name, "data": base64.b64encode(data).decode()}


def test_attachment_file_limits(api: Api, server: Server, workspace: Workspace, desk: Desk) -> None:
    note = {"type": "admin", "message_type": "note", "admin_id": workspace.admin_id, "body": "f"}
    ok = _file(b"fine")
    cases = [
        ([_file(b"\0" * (MAX_FILE_BYTES + 1))], "attachment_files[0].data", "10 MB"),
        ([ok, _file(b"\0" * (MAX_FILE_BYTES + 1))], "attachment_files[1].data", "10 MB"),
        ([ok] * 11, "attachment_files", "10"),
        ([_file(b"x", name="")], "attachment_files[0].name", "blank"),
        ([ok, _file(b"x", name="   ")], "attachment_files[1].name", "blank"),
        ([{**ok, "data": "not base64!"}], "attachment_files[0].data", "base64"),
        ([ok, {**ok, "data": "QUJ"}], "attachment_files[1].data", "base64"),  # bad padding
    ]
    before = api.get(desk.url, version="2.16").json()
    rows = footprint(server, workspace.id)
    for files, field, says in cases:
        resp = api.post(
            f"{desk.url}/reply", json={**note, "attachment_files": files}, version="2.16"
        )
        assert_error(resp, 400, "parameter_invalid", field=field, contains=says)
    assert api.get(desk.url, version="2.16").json() == before
    assert footprint(server, workspace.id) == rows
    # exactly at the limits is fine: ten files, one of them 10 MB
    big = b"\1" * MAX_FILE_BYTES
    resp = api.post(
        f"{desk.url}/reply",
        json={**note, "attachment_files": [_file(big, "big.bin")] + [ok] * 9},
        version="2.16",
    )
    assert resp.status_code == 200, resp.text[:500]
    attachments = resp.json()["attachments"]
    assert len(attachments) == 10 and attachments[0]["filesize"] == MAX_FILE_BYTES
