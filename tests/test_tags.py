"""Tags over real HTTP and through the official SDK: create-or-find, rename, list, find,
delete (which takes the tag off tickets), rejections and workspace isolation."""

from __future__ import annotations

from typing import Any

import pytest
from intercom import CreateOrUpdateTagRequest
from sqlalchemy import insert, select

from tests.conftest import Server, Workspace, make_api, make_workspace
from tests.helpers import assert_error
from ticketry.kit import ids
from ticketry.tables import tags, ticket_states, ticket_tags, ticket_types, tickets
from ticketry.tags import queries, render


def tag_names(server: Server, workspace_id: int) -> list[str]:
    rows = server.tx(
        lambda c: c.all(select(tags.c.name).where(tags.c.workspace_id == workspace_id))
    )
    return sorted(r["name"] for r in rows)


def make(api: Any, name: str) -> dict[str, Any]:
    resp = api.post("/tags", json={"name": name})
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_create_then_find_by_name(api: Any, server: Server, workspace: Workspace) -> None:
    made = make(api, "test")
    assert made == {"type": "tag", "id": made["id"], "name": "test"}
    assert made["id"].isdigit()
    assert make(api, "test") == made
    assert make(api, "  TEST ") == made  # names are case-insensitive; spaces trimmed
    assert tag_names(server, workspace.id) == ["test"]


def test_rename(api: Any, server: Server, workspace: Workspace) -> None:
    made = make(api, "old")
    renamed = api.post("/tags", json={"name": "new", "id": int(made["id"])}).json()
    assert renamed == {"type": "tag", "id": made["id"], "name": "new"}
    assert api.get(f"/tags/{made['id']}").json()["name"] == "new"
    assert api.post("/tags", json={"name": "NEW", "id": made["id"]}).json()["name"] == "NEW"
    other = make(api, "other")
    assert_error(
        api.post("/tags", json={"name": "new", "id": other["id"]}), 409, "conflict", field="name"
    )
    assert_error(
        api.post("/tags", json={"name": "x", "id": "424242"}), 404, "tag_not_found", field="id"
    )
    assert_error(api.post("/tags", json={"name": "x", "id": "abc"}), 404, "tag_not_found")
    assert tag_names(server, workspace.id) == ["NEW", "other"]


@pytest.mark.parametrize(
    ("body", "field", "contains"),
    [
        ({}, "name", "invalid tag parameters: name is required"),
        ({"test": "invalid"}, "name", "invalid tag parameters"),
        ({"name": None}, "name", "name is required"),
        ({"name": ""}, "name", "must not be blank"),
        ({"name": "   "}, "name", "must not be blank"),
        ({"name": 5}, "name", "must be a string"),
        ({"name": ["a"]}, "name", "must be a string"),
        ({"name": "a\x00b"}, "name", "NUL"),
        ({"name": "x" * 256}, "name", "at most 255 characters"),
        ({"name": "test", "companies": [{"company_id": "123"}]}, "companies", "not supported"),
        ({"name": "test", "users": [{"id": "123"}]}, "users", "not supported"),
    ],
)
def test_bad_bodies_are_rejected_and_write_nothing(
    api: Any, server: Server, workspace: Workspace, body: dict[str, Any], field: str, contains: str
) -> None:
    assert_error(api.post("/tags", json=body), 400, "parameter_invalid", field=field,
                 contains=contains)  # fmt: skip
    assert tag_names(server, workspace.id) == []


def test_list_and_get(api: Any) -> None:
    assert api.get("/tags").json() == {"type": "list", "data": []}
    a, b = make(api, "alpha"), make(api, "beta")
    assert api.get("/tags").json() == {"type": "list", "data": [a, b]}
    assert api.get(f"/tags/{b['id']}").json() == b
    for bad in ("999999", "abc", "1" * 30, "%00"):
        err = assert_error(api.get(f"/tags/{bad}"), 404, "tag_not_found", field="id")
        assert err["message"] == "Tag not found"


def test_sdk_creates_lists_finds_and_deletes(
    sdk: Any, server: Server, workspace: Workspace
) -> None:
    made = sdk.tags.create(request=CreateOrUpdateTagRequest(name="From SDK"))
    assert made.id and made.name == "From SDK"
    listed = sdk.tags.list()
    assert listed.type == "list" and [t.id for t in listed.data] == [made.id]
    assert sdk.tags.find(made.id).name == "From SDK"
    assert sdk.tags.delete(made.id) is None
    assert tag_names(server, workspace.id) == []


def test_delete_answers_an_empty_body_and_untags_tickets(
    api: Any, server: Server, workspace: Workspace
) -> None:
    doomed, kept = make(api, "doomed"), make(api, "kept")
    ticket_id = server.tx(
        lambda c: _ticket_tagged(c, workspace, [int(doomed["id"]), int(kept["id"])])
    )
    resp = api.delete(f"/tags/{doomed['id']}")
    assert resp.status_code == 200 and resp.content == b""
    assert_error(api.get(f"/tags/{doomed['id']}"), 404, "tag_not_found")
    assert_error(api.delete(f"/tags/{doomed['id']}"), 404, "tag_not_found")
    left = server.tx(
        lambda c: c.all(select(ticket_tags.c.tag_id).where(ticket_tags.c.ticket_id == ticket_id))
    )
    assert [r["tag_id"] for r in left] == [int(kept["id"])]


def _ticket_tagged(c: Any, workspace: Workspace, tag_ids: list[int]) -> int:
    """A bare ticket row carrying the tags (ticket code is not under test here)."""
    now = ids.now()
    type_id = c.scalar(
        insert(ticket_types)
        .values(workspace_id=workspace.id, name="Bug", icon="🐞", category="Customer",
                is_internal=False, archived=False, created_at=now, updated_at=now)
        .returning(ticket_types.c.id)
    )  # fmt: skip
    state_id = c.scalar(
        select(ticket_states.c.id).where(ticket_states.c.workspace_id == workspace.id).limit(1)
    )
    ticket_id = c.scalar(
        insert(tickets)
        .values(workspace_id=workspace.id, ticket_number=1, ticket_type_id=type_id,
                ticket_state_id=state_id, category="Customer", open=True, is_shared=False,
                created_at=now, updated_at=now)
        .returning(tickets.c.id)
    )  # fmt: skip
    for tag_id in tag_ids:
        c.execute(
            insert(ticket_tags).values(
                ticket_id=ticket_id,
                tag_id=tag_id,
                workspace_id=workspace.id,
                applied_at=now,
                applied_by=workspace.admin_id,
            )
        )
    return ticket_id


def test_lookups_for_ticket_tagging(api: Any, server: Server, workspace: Workspace) -> None:
    made = make(api, "lookup")

    def check(c: Any) -> None:
        row = queries.get_tag(c, workspace.id, int(made["id"]))
        assert row is not None and queries.get_tag(c, workspace.id, made["id"])["name"] == "lookup"
        assert queries.get_tag(c, workspace.id, "nope") is None
        assert queries.get_tag(c, workspace.id + 1000, made["id"]) is None
        assert render.tag(row) == made
        assert render.tag(row, applied_at=1663597223, applied_by=456) == {
            **made,
            "applied_at": 1663597223,
            "applied_by": {"type": "admin", "id": "456"},
        }

    server.tx(check)


def test_another_workspaces_tags_are_invisible(api: Any, server: Server) -> None:
    other = make_workspace(server, "Other")
    with make_api(server, other.token) as theirs:
        hidden = theirs.post("/tags", json={"name": "secret"}).json()
    assert_error(api.get(f"/tags/{hidden['id']}"), 404, "tag_not_found")
    assert_error(api.delete(f"/tags/{hidden['id']}"), 404, "tag_not_found")
    assert_error(api.post("/tags", json={"name": "x", "id": hidden["id"]}), 404, "tag_not_found")
    assert api.get("/tags").json()["data"] == []
    mine = make(api, "secret")  # the same name is a different tag here
    assert mine["id"] != hidden["id"]
    with make_api(server, other.token) as theirs:
        assert theirs.get(f"/tags/{hidden['id']}").json()["name"] == "secret"
