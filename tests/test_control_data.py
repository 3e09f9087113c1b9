"""Reset, snapshots and restore (the control API, on both databases): every table a
workspace owns is covered, restore brings back exactly what was, and nothing crosses from
one workspace to another."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import Api, Server, Workspace, make_api, make_workspace
from tests.helpers import assert_error
from tests.kit_fixtures import control, kit_api, kit_server, kit_ws, ok, populate
from tests.test_rejections_write_nothing import footprint
from ticketry.control.data import KEPT, workspace_tables
from ticketry.tables import metadata

__all__ = ["kit_api", "kit_server", "kit_ws"]  # fixtures used here


def owned(server: Server, workspace_id: int) -> dict[str, list[Any]]:
    """The workspace's objects: every table but the workspace row itself (whose ticket and
    event counters only move forward)."""
    rows = footprint(server, workspace_id)
    del rows["workspaces"]
    return rows


def test_every_table_of_a_workspace_is_reset_or_kept() -> None:
    names = {t.name for t in workspace_tables()}
    assert not names & KEPT
    for table in metadata.sorted_tables:
        if table.name == "workspaces":
            continue
        # A new table must carry workspace_id, so reset and snapshots see it.
        assert "workspace_id" in table.c, table.name
        assert table.name in names | KEPT, table.name


def test_restore_brings_back_every_object_and_touches_no_other_workspace(
    kit_api: Api, kit_server: Server, kit_ws: Workspace
) -> None:
    made = populate(kit_api, kit_server, kit_ws)
    before = owned(kit_server, kit_ws.id)
    empty = [name for name, rows in before.items() if not rows and name not in KEPT]
    assert not empty, f"populate() leaves these tables empty: {empty}"
    ticket_url = f"/tickets/{made['ticket']['id']}"
    shown = ok(kit_api.get(ticket_url, version="2.16"))
    neighbour = make_workspace(kit_server, "Neighbour")
    with make_api(kit_server, neighbour.token) as theirs:
        populate(theirs, kit_server, neighbour, tag="b")
        theirs_before = owned(kit_server, neighbour.id)

        snap = control(kit_api, "POST", "snapshots", json={"name": "seeded"})
        assert snap["type"] == "snapshot" and snap["name"] == "seeded"
        assert isinstance(snap["created_at"], int)

        # Change everything a test might: new objects, edits, deletions.
        later = populate(kit_api, kit_server, kit_ws, tag="later")
        ok(kit_api.put(ticket_url, json={"open": False}, version="2.16"))
        ok(kit_api.delete(f"/tickets/{made['tracker']['id']}"))
        assert owned(kit_server, kit_ws.id) != before

        restored = control(kit_api, "POST", f"snapshots/{snap['id']}/restore")
        assert restored["id"] == snap["id"]
        assert owned(kit_server, kit_ws.id) == before
        assert ok(kit_api.get(ticket_url, version="2.16")) == shown
        assert_error(kit_api.get(f"/tickets/{later['ticket']['id']}"), 404, "ticket_not_found")
        assert owned(kit_server, neighbour.id) == theirs_before

        # Ids handed out after the snapshot are never handed out again.
        again = populate(kit_api, kit_server, kit_ws, tag="again")
        assert int(again["ticket"]["id"]) > int(later["tracker"]["id"])

        # A restore can be repeated, and a snapshot of another workspace is not ours.
        control(kit_api, "POST", f"snapshots/{snap['id']}/restore")
        assert owned(kit_server, kit_ws.id) == before
        assert_error(
            theirs.post(f"/ticketry/snapshots/{snap['id']}/restore", contract=False),
            404,
            "not_found",
        )


def test_snapshots_are_listed_and_deleted(kit_api: Api) -> None:
    assert control(kit_api, "GET", "snapshots") == {"type": "list", "data": []}
    one = control(kit_api, "POST", "snapshots")
    two = control(kit_api, "POST", "snapshots", json={"name": "two"})
    assert one["name"] is None and int(two["id"]) > int(one["id"])
    assert [s["id"] for s in control(kit_api, "GET", "snapshots")["data"]] == [
        one["id"],
        two["id"],
    ]
    gone = control(kit_api, "DELETE", f"snapshots/{one['id']}")
    assert gone["deleted"] is True
    assert [s["id"] for s in control(kit_api, "GET", "snapshots")["data"]] == [two["id"]]
    for path in (f"snapshots/{one['id']}/restore", "snapshots/nope/restore"):
        assert_error(kit_api.post(f"/ticketry/{path}", contract=False), 404, "not_found")
    assert_error(
        kit_api.post("/ticketry/snapshots", json={"name": 5}, contract=False),
        400,
        "parameter_invalid",
        field="name",
    )


def test_reset_leaves_the_workspace_as_new(
    kit_api: Api, kit_server: Server, kit_ws: Workspace
) -> None:
    fresh = owned(kit_server, make_workspace(kit_server, "Fresh").id)
    made = populate(kit_api, kit_server, kit_ws)
    neighbour = make_workspace(kit_server, "Neighbour")
    with make_api(kit_server, neighbour.token) as theirs:
        populate(theirs, kit_server, neighbour, tag="b")
    theirs_before = owned(kit_server, neighbour.id)
    kept = {name: owned(kit_server, kit_ws.id)[name] for name in KEPT - {"workspaces"}}

    assert control(kit_api, "POST", "reset")["type"] == "reset"

    after = owned(kit_server, kit_ws.id)
    for name in KEPT - {"workspaces"}:
        assert after[name] == kept[name], name  # admins, teams, tokens stay
    # Everything else is as in a workspace just made: only the default ticket states.
    assert {n: len(r) for n, r in after.items() if n not in KEPT} == {
        n: len(r) for n, r in fresh.items() if n not in KEPT
    }
    assert owned(kit_server, neighbour.id) == theirs_before
    assert_error(kit_api.get(f"/tickets/{made['ticket']['id']}"), 404, "ticket_not_found")
    assert ok(kit_api.get("/ticket_types"))["data"] == []
    assert ok(kit_api.get("/me"))["id"] == str(kit_ws.admin_id)  # the token still works
    again = populate(kit_api, kit_server, kit_ws)
    assert int(again["ticket"]["id"]) > int(made["tracker"]["id"])  # ids are not reused
    assert int(again["ticket"]["ticket_id"]) > int(made["ticket"]["ticket_id"])


def test_the_control_api_needs_a_token_and_the_test_kit(
    kit_server: Server, server: Server, workspace: Workspace
) -> None:
    for method, path in (("POST", "reset"), ("GET", "snapshots"), ("GET", "requests")):
        resp = httpx.request(method, f"{kit_server.url}/ticketry/{path}")
        assert_error(resp, 401, "unauthorized")
    # A server without the test kit has no control API at all.
    with make_api(server, workspace.token) as api:
        assert_error(api.post("/ticketry/reset", contract=False), 404, "not_found")
