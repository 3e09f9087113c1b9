"""Ticket types and ticket type attributes over real HTTP, per Intercom-Version, and through
the official SDK. Every response is also checked against the spec by the contract oracle."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from tests.conftest import Server, Workspace, make_api, make_workspace
from tests.helpers import assert_error
from ticketry.kit import ids
from ticketry.tables import ticket_states, ticket_type_attributes, ticket_types, tickets

DEFAULTS = ["_default_title_", "_default_description_"]


def create_type(api, version: str | None = None, **body: Any) -> dict[str, Any]:
    body.setdefault("name", f"Bug {uuid.uuid4().hex[:6]}")
    resp = api.post("/ticket_types", json=body, version=version)
    assert resp.status_code == 200, resp.text
    return resp.json()


def create_attr(api, type_id: str, version: str | None = None, **body: Any) -> dict[str, Any]:
    body.setdefault("description", "")
    resp = api.post(f"/ticket_types/{type_id}/attributes", json=body, version=version)
    assert resp.status_code == 200, resp.text
    return resp.json()


def count(server: Server, table: Any, workspace_id: int) -> int:
    return server.tx(
        lambda c: c.scalar(select(func.count()).where(table.c.workspace_id == workspace_id))
    )


# -- ticket types ----------------------------------------------------------------------------


def test_create_matches_intercoms_example(api, server: Server, workspace: Workspace) -> None:
    body = {
        "name": "Customer Issue",
        "description": "Customer Report Template",
        "icon": "🎟️",
        "category": "Customer",
    }
    got = api.post("/ticket_types", json=body, version="2.14").json()
    assert list(got) == [
        "type", "id", "name", "description", "icon", "workspace_id", "archived", "created_at",
        "updated_at", "is_internal", "ticket_type_attributes", "category", "ticket_states",
    ]  # fmt: skip
    assert got["type"] == "ticket_type"
    assert got["workspace_id"] == workspace.id_code
    assert (got["name"], got["description"], got["icon"]) == (
        body["name"],
        body["description"],
        "🎟️",
    )
    assert got["archived"] is False and got["is_internal"] is False
    assert got["created_at"] == got["updated_at"] >= ids.now() - 5
    attrs = got["ticket_type_attributes"]
    assert attrs["type"] == "list"
    title, description = attrs["data"]
    assert title == {
        "type": "ticket_type_attribute",
        "id": title["id"],
        "workspace_id": workspace.id_code,
        "name": "_default_title_",
        "description": "",
        "data_type": "string",
        "input_options": {"multiline": False},
        "order": 0,
        "required_to_create": False,
        "required_to_create_for_contacts": False,
        "visible_on_create": True,
        "visible_to_contacts": True,
        "default": True,
        "ticket_type_id": int(got["id"]),
        "archived": False,
        "created_at": got["created_at"],
        "updated_at": got["created_at"],
    }
    assert description["name"] == "_default_description_"
    assert description["input_options"] == {"multiline": True}
    assert description["order"] == 1 and description["default"] is True
    states = got["ticket_states"]
    assert states["type"] == "list"
    assert [(s["category"], s["internal_label"], s["external_label"]) for s in states["data"]] == [
        ("submitted", "Submitted", "Submitted"),
        ("in_progress", "In progress", "In progress"),
        ("waiting_on_customer", "Waiting on customer", "Waiting on you"),
        ("resolved", "Resolved", "Resolved"),
    ]
    assert all(set(s) == {"type", "id", "category", "internal_label", "external_label"}
               for s in states["data"])  # fmt: skip
    row = server.tx(
        lambda c: c.one(select(ticket_types).where(ticket_types.c.id == int(got["id"])))
    )
    assert row["workspace_id"] == workspace.id and row["category"] == "Customer"


def test_create_defaults(api) -> None:
    got = create_type(api, name="Plain")
    assert got["icon"] == "🎟️"
    assert got["description"] == ""
    assert got["category"] == "Customer"
    assert got["is_internal"] is False
    internal = create_type(api, category="Tracker", is_internal=True, icon="🐞")
    assert (internal["category"], internal["is_internal"], internal["icon"]) == (
        "Tracker",
        True,
        "🐞",
    )


@pytest.mark.parametrize(
    ("version", "has_category", "has_states"),
    [
        ("2.9", False, False),
        ("2.10", True, False),
        ("2.11", True, False),
        ("2.12", True, True),
        ("2.14", True, True),
        ("2.16", True, True),
        ("Preview", True, True),
        ("Unstable", True, True),
    ],
)
def test_version_shapes(api, version: str, has_category: bool, has_states: bool) -> None:
    created = create_type(api, version=version, category="Back-office")
    listed = api.get("/ticket_types", version=version).json()
    got = api.get(f"/ticket_types/{created['id']}", version=version).json()
    updated = api.put(f"/ticket_types/{created['id']}", json={"name": "x"}, version=version).json()
    for body in (created, got, updated, listed["data"][-1]):
        assert ("category" in body) is has_category
        assert ("ticket_states" in body) is has_states
        assert body["is_internal"] is False
        assert body["ticket_type_attributes"]["type"] == "list"
    assert set(listed) == {"type", "data"} and listed["type"] == "list"
    # 2.9 has no category on the wire, so a 2.9 body cannot set it
    assert created.get("category", "Customer") == ("Back-office" if has_category else "Customer")


def test_header_less_requests_use_the_workspace_default(server: Server) -> None:
    ws = make_workspace(server, "Old", default_version="2.9")
    with make_api(server, ws.token) as client:
        got = create_type(client)
        assert "category" not in got and "ticket_states" not in got


def test_before_2_9_there_are_no_ticket_types(api) -> None:
    assert_error(api.get("/ticket_types", version="2.8"), 404, "intercom_version_invalid")
    assert_error(
        api.post("/ticket_types", json={"name": "x"}, version="2.8"),
        404,
        "intercom_version_invalid",
    )


def test_list_all_types_in_creation_order(api, server: Server, workspace: Workspace) -> None:
    assert api.get("/ticket_types").json() == {"type": "list", "data": []}
    first = create_type(api, name="First")
    second = create_type(api, name="Second")
    api.put(f"/ticket_types/{second['id']}", json={"archived": True})
    attr = create_attr(api, first["id"], name="Priority", data_type="integer")
    listed = api.get("/ticket_types").json()["data"]
    assert [t["name"] for t in listed] == ["First", "Second"]
    assert listed[1]["archived"] is True
    assert [a["name"] for a in listed[0]["ticket_type_attributes"]["data"]] == [
        *DEFAULTS,
        "Priority",
    ]
    assert listed[0]["ticket_type_attributes"]["data"][2] == attr
    assert listed[0] == api.get(f"/ticket_types/{first['id']}").json()


def test_workspaces_never_see_each_others_types(api, server: Server) -> None:
    other = make_workspace(server, "Other")
    with make_api(server, other.token) as theirs:
        their_type = create_type(theirs, name="Theirs")
        assert_error(theirs.get("/ticket_types/999999999"), 404, "not_found")
    mine = create_type(api, name="Mine")
    assert [t["name"] for t in api.get("/ticket_types").json()["data"]] == ["Mine"]
    for resp in (
        api.get(f"/ticket_types/{their_type['id']}"),
        api.put(f"/ticket_types/{their_type['id']}", json={"name": "stolen"}),
        api.post(
            f"/ticket_types/{their_type['id']}/attributes",
            json={"name": "a", "description": "", "data_type": "string"},
        ),
        api.put(
            f"/ticket_types/{their_type['id']}/attributes/"
            f"{their_type['ticket_type_attributes']['data'][0]['id']}",
            json={"description": "x"},
        ),
        api.put(
            f"/ticket_types/{mine['id']}/attributes/"
            f"{their_type['ticket_type_attributes']['data'][0]['id']}",
            json={"description": "x"},
        ),
    ):
        assert_error(resp, 404, "not_found")
    with make_api(server, other.token) as theirs:
        assert theirs.get(f"/ticket_types/{their_type['id']}").json()["name"] == "Theirs"


def test_update_changes_only_what_was_sent(api, server: Server) -> None:
    created = create_type(api, name="Bug", description="d", icon="🐞", category="Customer")
    got = api.put(
        f"/ticket_types/{created['id']}",
        json={"description": "new", "is_internal": True, "archived": True},
    ).json()
    assert (got["name"], got["description"], got["icon"], got["category"]) == (
        "Bug",
        "new",
        "🐞",
        "Customer",
    )
    assert got["is_internal"] is True and got["archived"] is True
    assert got["updated_at"] >= created["updated_at"]
    assert got["ticket_type_attributes"] == created["ticket_type_attributes"]
    again = api.put(f"/ticket_types/{created['id']}", json={"archived": False}).json()
    assert again["archived"] is False and again["is_internal"] is True


def _insert_ticket(server: Server, workspace: Workspace, type_id: int, category: str) -> int:
    def run(c: Any) -> int:
        state = c.scalar(
            select(ticket_states.c.id).where(
                ticket_states.c.workspace_id == workspace.id,
                ticket_states.c.category == "submitted",
            )
        )
        now = ids.now()
        return c.scalar(
            insert(tickets)
            .values(
                workspace_id=workspace.id,
                ticket_number=type_id * 1000 + now % 1000,
                ticket_type_id=type_id,
                ticket_state_id=state,
                category=category,
                attributes="{}",
                open=True,
                is_shared=False,
                created_at=now,
                updated_at=now,
            )
            .returning(tickets.c.id)
        )

    return server.tx(run)


def test_category_change_moves_the_types_tickets(api, server: Server, workspace: Workspace) -> None:
    moved = create_type(api, category="Customer")
    kept = create_type(api, category="Customer")
    t1 = _insert_ticket(server, workspace, int(moved["id"]), "Customer")
    t2 = _insert_ticket(server, workspace, int(kept["id"]), "Customer")
    got = api.put(f"/ticket_types/{moved['id']}", json={"category": "Tracker"}).json()
    assert got["category"] == "Tracker"
    cats = server.tx(
        lambda c: {r["id"]: r["category"] for r in c.all(select(tickets.c.id, tickets.c.category))}
    )
    assert cats[t1] == "Tracker" and cats[t2] == "Customer"
    # a 2.9 client cannot send category: the key is ignored, nothing moves
    api.put(f"/ticket_types/{moved['id']}", json={"category": "Back-office"}, version="2.9")
    assert api.get(f"/ticket_types/{moved['id']}").json()["category"] == "Tracker"


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({}, 400, "parameter_not_found", "name"),
        ({"name": None}, 400, "parameter_not_found", "name"),
        ({"description": "no name"}, 400, "parameter_not_found", "name"),
        ({"name": "  "}, 400, "parameter_invalid", "name"),
        ({"name": "x" * 256}, 400, "parameter_invalid", "name"),
        ({"name": 12}, 400, "parameter_invalid", "name"),
        ({"name": "x", "category": "Internal"}, 400, "parameter_invalid", "category"),
        ({"name": "x", "category": "customer"}, 400, "parameter_invalid", "category"),
        ({"name": "x", "is_internal": "maybe"}, 400, "parameter_invalid", "is_internal"),
        ({"name": "x", "icon": ""}, 400, "parameter_invalid", "icon"),
        ({"name": "x", "description": ["d"]}, 400, "parameter_invalid", "description"),
    ],
)
def test_create_rejections_write_nothing(
    api, server: Server, workspace: Workspace, body: dict, status: int, code: str, field: str
) -> None:
    err = assert_error(api.post("/ticket_types", json=body), status, code, field=field)
    assert field in err["message"]
    assert count(server, ticket_types, workspace.id) == 0
    assert count(server, ticket_type_attributes, workspace.id) == 0


def test_create_rejects_bodies_that_are_not_objects(api, server, workspace) -> None:
    assert_error(api.post("/ticket_types", content=b"[1]"), 400, "bad_request")
    assert_error(api.post("/ticket_types", content=b"{nope"), 400, "bad_request")
    assert count(server, ticket_types, workspace.id) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": None}, "name"),
        ({"name": ""}, "name"),
        ({"category": "Nope"}, "category"),
        ({"category": None}, "category"),
        ({"archived": None}, "archived"),
        ({"archived": "sometimes"}, "archived"),
        ({"icon": None}, "icon"),
    ],
)
def test_update_rejections_write_nothing(api, server: Server, body: dict, field: str) -> None:
    created = create_type(api, name="Keep")
    before = server.tx(
        lambda c: dict(c.one(select(ticket_types).where(ticket_types.c.id == int(created["id"]))))
    )
    err = assert_error(
        api.put(f"/ticket_types/{created['id']}", json=body), 400, "parameter_invalid", field=field
    )
    assert field in err["message"]
    after = server.tx(
        lambda c: dict(c.one(select(ticket_types).where(ticket_types.c.id == int(created["id"]))))
    )
    assert after == before


@pytest.mark.parametrize("type_id", ["424242", "abc", "0", "-1", "9" * 30])
def test_unknown_type_is_404(api, type_id: str) -> None:
    for resp in (
        api.get(f"/ticket_types/{type_id}"),
        api.put(f"/ticket_types/{type_id}", json={"name": "x"}),
        api.post(
            f"/ticket_types/{type_id}/attributes",
            json={"name": "x", "description": "", "data_type": "string"},
        ),
        api.put(f"/ticket_types/{type_id}/attributes/1", json={"name": "x"}),
    ):
        err = assert_error(resp, 404, "not_found")
        assert "not found" in err["message"]


def test_wrong_method_is_405_listing_the_allowed_ones(api) -> None:
    created = create_type(api)
    resp = api.delete(f"/ticket_types/{created['id']}", contract=False)
    assert_error(resp, 405, "method_not_allowed")
    assert set(resp.headers["allow"].replace(" ", "").split(",")) >= {"GET", "PUT"}


def test_unauthenticated_is_401(server: Server) -> None:
    with make_api(server, None) as anon:
        assert_error(anon.get("/ticket_types"), 401, "unauthorized")
        assert_error(anon.post("/ticket_types", json={"name": "x"}), 401, "unauthorized")
