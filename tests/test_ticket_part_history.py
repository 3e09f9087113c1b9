"""A ticket's history, part by part: each change appends exactly one part of the right type
with the right fields (reopen, unsnooze, unassign, assignment on create), in every version
that renders parts.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.conftest import Api, Server, Workspace
from tests.ticket_fixtures import make_contact, make_ticket, make_type
from ticketry.workspaces import service as ws_service

VERSIONS = ("2.9", "2.11", "2.12", "2.13", "2.14", "2.16")  # parts render in every one
API_PACKAGE = "ticketry-api"  # app_package_code of parts written through the API (2.13+)


@pytest.fixture
def bug(api: Api) -> dict:
    return make_type(api, "Bug")


@pytest.fixture
def contact(api: Api) -> dict:
    return make_contact(api, "eve@example.com")


@pytest.fixture
def ticket(api: Api, bug: dict, contact: dict) -> dict:
    return make_ticket(api, bug["id"], contact["id"])


def parts_of(api: Api, ticket_id: str, version: str | None = None) -> list[dict[str, Any]]:
    body = api.get(f"/tickets/{ticket_id}", version=version).json()
    listed = body["ticket_parts"]
    assert listed["total_count"] == len(listed["ticket_parts"])
    return listed["ticket_parts"]


def put(api: Api, ticket_id: str, **body: Any) -> dict[str, Any]:
    resp = api.put(f"/tickets/{ticket_id}", json=body)
    assert resp.status_code == 200, resp.text
    return resp.json()


def step(api: Api, ticket_id: str, **body: Any) -> list[dict[str, Any]]:
    """PUT `body`; the parts it appended (the PUT's answer and a fresh GET agree on them)."""
    before = len(parts_of(api, ticket_id))
    answered = put(api, ticket_id, **body)["ticket_parts"]["ticket_parts"]
    added = parts_of(api, ticket_id)[before:]
    assert answered[before:] == added
    return added


def assert_part(part: dict[str, Any], part_type: str, admin_id: int | str, **fields: Any) -> None:
    """An API-written part by an admin, with `fields` (and none of the other kinds' fields)."""
    assert part["type"] == "ticket_part"
    assert part["part_type"] == part_type, part
    assert part["author"]["type"] == "admin" and part["author"]["id"] == str(admin_id), part
    assert isinstance(part["created_at"], int) and part["created_at"] == part["updated_at"]
    assert part["redacted"] is False and part["attachments"] == []
    for key in ("assigned_to", "ticket_state", "previous_ticket_state", "body"):
        if key in fields:
            assert part.get(key) == fields[key], (key, part)
        else:
            assert key not in part, (key, part)


def assert_in_every_version(
    api: Api, ticket_id: str, part_id: str, part_type: str, **fields: Any
) -> None:
    """The part is in the history once in each version, with the same fields; the app
    package code shows from 2.13."""
    for version in VERSIONS:
        found = [p for p in parts_of(api, ticket_id, version) if p["id"] == part_id]
        assert len(found) == 1, version
        part = found[0]
        assert part["part_type"] == part_type, version
        for key, value in fields.items():
            assert part.get(key) == value, (version, key, part)
        if tuple(map(int, version.split("."))) >= (2, 13):
            assert part["app_package_code"] == API_PACKAGE, version
        else:
            assert "app_package_code" not in part, version


# -- open / close ------------------------------------------------------------------------


def test_reopening_appends_one_open_part(api: Api, workspace: Workspace, ticket: dict) -> None:
    tid = ticket["id"]
    (close,) = step(api, tid, open=False)
    assert_part(close, "close", workspace.admin_id)
    assert step(api, tid, open=False) == []  # already closed: nothing to record
    (reopen,) = step(api, tid, open=True)
    assert_part(reopen, "open", workspace.admin_id)
    assert int(reopen["id"]) > int(close["id"])
    assert step(api, tid, open=True) == []  # already open
    assert [p["part_type"] for p in parts_of(api, tid)].count("open") == 1
    assert_in_every_version(api, tid, reopen["id"], "open")


def test_leaving_resolved_reopens_with_an_open_part(
    api: Api, server: Server, workspace: Workspace, ticket: dict
) -> None:
    tid = ticket["id"]
    states = {
        s["category"]: s["id"]
        for s in api.get(f"/ticket_types/{ticket['ticket_type']['id']}").json()["ticket_states"][
            "data"
        ]
    }
    mate = server.tx(lambda c: ws_service.create_admin(c, workspace.id, "Mo", "mo@example.com"))
    resolved = step(api, tid, ticket_state_id=states["resolved"], admin_id=str(mate["id"]))
    assert sorted(p["part_type"] for p in resolved) == ["close", "ticket_state_updated_by_admin"]
    moved = step(api, tid, ticket_state_id=states["in_progress"], admin_id=mate["id"])
    assert sorted(p["part_type"] for p in moved) == ["open", "ticket_state_updated_by_admin"]
    (state_part,) = [p for p in moved if p["part_type"] != "open"]
    (reopen,) = [p for p in moved if p["part_type"] == "open"]
    assert_part(
        state_part,
        "ticket_state_updated_by_admin",
        mate["id"],
        previous_ticket_state="resolved",
        ticket_state="in_progress",
    )
    assert_part(reopen, "open", mate["id"])  # the acting admin, not the token's
    assert api.get(f"/tickets/{tid}").json()["open"] is True
    assert_in_every_version(api, tid, reopen["id"], "open", author=reopen["author"])


# -- snooze / unsnooze ----------------------------------------------------------------------


def test_unsnoozing_appends_one_timer_unsnooze_part(
    api: Api, workspace: Workspace, ticket: dict
) -> None:
    tid = ticket["id"]
    until = int(time.time()) + 3600
    (snoozed,) = step(api, tid, snoozed_until=until)
    assert_part(snoozed, "snoozed", workspace.admin_id)
    assert step(api, tid, snoozed_until=until) == []  # the same time again
    (unsnoozed,) = step(api, tid, snoozed_until=None)
    assert_part(unsnoozed, "timer_unsnooze", workspace.admin_id)
    assert step(api, tid, snoozed_until=None) == []  # not snoozed any more
    after = api.get(f"/tickets/{tid}").json()
    assert "snoozed_until" not in after and after["open"] is True
    history = [p["part_type"] for p in parts_of(api, tid)]
    assert history.count("timer_unsnooze") == 1 and history.count("snoozed") == 1
    assert_in_every_version(api, tid, unsnoozed["id"], "timer_unsnooze")


# -- assignment -----------------------------------------------------------------------------


def test_unassigning_appends_an_assignment_to_nobody(
    api: Api, server: Server, workspace: Workspace, ticket: dict
) -> None:
    tid = ticket["id"]
    team = server.tx(lambda c: ws_service.create_team(c, workspace.id, "Tier 1", []))
    (to_admin,) = step(api, tid, assignee_id=str(workspace.admin_id))
    assert_part(
        to_admin,
        "assignment",
        workspace.admin_id,
        assigned_to={"type": "admin", "id": str(workspace.admin_id)},
    )
    (to_team,) = step(api, tid, assignee_id=team["id"])
    assert_part(
        to_team,
        "assignment",
        workspace.admin_id,
        assigned_to={"type": "team", "id": str(team["id"])},
    )
    (to_nobody,) = step(api, tid, assignee_id="0")
    nobody = {"type": "nobody_admin", "id": "0"}
    assert_part(to_nobody, "assignment", workspace.admin_id, assigned_to=nobody)
    after = api.get(f"/tickets/{tid}").json()
    assert after["admin_assignee_id"] == "0" and after["team_assignee_id"] == "0"
    assigned = [p["assigned_to"] for p in parts_of(api, tid) if p["part_type"] == "assignment"]
    assert assigned.count(nobody) == 1 and len(assigned) == 3
    assert_in_every_version(api, tid, to_nobody["id"], "assignment", assigned_to=nobody)
    # the 2.9-2.13 form unassigns the same way
    resp = api.put(
        f"/tickets/{tid}",
        json={"assignment": {"admin_id": str(workspace.admin_id), "assignee_id": "0"}},
        version="2.11",
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["ticket_parts"]["ticket_parts"][-1]["assigned_to"] == nobody


def test_create_with_assignment_records_each_assignment(
    api: Api, server: Server, workspace: Workspace, bug: dict, contact: dict
) -> None:
    mate = server.tx(lambda c: ws_service.create_admin(c, workspace.id, "Jo", "jo@example.com"))
    team = server.tx(lambda c: ws_service.create_team(c, workspace.id, "Desk", [mate["id"]]))
    opening = {"previous_ticket_state": "submitted", "ticket_state": "submitted"}

    plain = make_ticket(api, bug["id"], contact["id"], version="2.14")
    (state_part,) = plain["ticket_parts"]["ticket_parts"]
    assert_part(state_part, "ticket_state_updated_by_admin", workspace.admin_id, **opening)

    to_admin = make_ticket(
        api,
        bug["id"],
        contact["id"],
        version="2.14",
        assignment={"admin_assignee_id": str(mate["id"])},
    )
    assert to_admin["admin_assignee_id"] == str(mate["id"])
    first, assigned = to_admin["ticket_parts"]["ticket_parts"]
    assert_part(first, "ticket_state_updated_by_admin", workspace.admin_id, **opening)
    # the caller assigned it: the token's admin is the author, the assignee is the target
    assert_part(
        assigned,
        "assignment",
        workspace.admin_id,
        assigned_to={"type": "admin", "id": str(mate["id"])},
    )
    assert assigned["created_at"] == to_admin["created_at"]
    assert parts_of(api, to_admin["id"]) == to_admin["ticket_parts"]["ticket_parts"]
    assert_in_every_version(
        api,
        to_admin["id"],
        assigned["id"],
        "assignment",
        assigned_to={"type": "admin", "id": str(mate["id"])},
    )

    both = make_ticket(
        api,
        bug["id"],
        contact["id"],
        version="2.14",
        assignment={"admin_assignee_id": mate["id"], "team_assignee_id": str(team["id"])},
    )
    assert both["admin_assignee_id"] == str(mate["id"])
    assert both["team_assignee_id"] == str(team["id"])
    kinds = [p["part_type"] for p in both["ticket_parts"]["ticket_parts"]]
    assert kinds == ["ticket_state_updated_by_admin", "assignment", "assignment"]
    targets = [p["assigned_to"] for p in both["ticket_parts"]["ticket_parts"] if "assigned_to" in p]
    assert sorted(targets, key=lambda t: t["type"]) == [
        {"type": "admin", "id": str(mate["id"])},
        {"type": "team", "id": str(team["id"])},
    ]

    # "0" means nobody: no assignment part
    nobody = make_ticket(
        api, bug["id"], contact["id"], version="2.14", assignment={"admin_assignee_id": "0"}
    )
    assert [p["part_type"] for p in nobody["ticket_parts"]["ticket_parts"]] == [
        "ticket_state_updated_by_admin"
    ]
