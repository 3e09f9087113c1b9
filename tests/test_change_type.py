"""POST /tickets/{id}/change_type (2.16+): carried and supplied attributes, the state, the
part and event that record the change, search afterwards, and every refusal writing nothing."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from sqlalchemy import select

from tests.conftest import Api, Server, Workspace, make_api, make_workspace
from tests.helpers import assert_error
from tests.test_events import event_count, ticket_events
from tests.test_rejections_write_nothing import footprint, found_ids, leaf
from tests.ticket_fixtures import add_attribute, make_contact, make_ticket, make_type, part_types
from ticketry.tables import ticket_values, tickets
from ticketry.ticket_states import service as state_service

PART = "ticket_type_updated_by_admin"
READERS = ("2.9", "2.10", "2.11", "2.12", "2.13", "2.14", "2.15", "2.16", "Preview")


def option_id(attr: dict[str, Any], label: str) -> str:
    return next(o["id"] for o in attr["input_options"]["list_options"] if o["label"] == label)


def states_of(api: Api, type_id: str) -> dict[str, str]:
    listed = api.get(f"/ticket_types/{type_id}").json()["ticket_states"]["data"]
    return {s["category"]: s["id"] for s in listed}


class Move:
    """A Customer ticket of type Bug, and Incident, the Customer type it can move to.

    Bug: Severity (list), Seats (integer), Note (string), Shots (files).
    Incident: Severity (list, other option ids), Seats (string), Note, Shots, Impact (string).
    """

    def __init__(self, api: Api) -> None:
        self.bug = make_type(api, "Bug")
        self.incident = make_type(api, "Incident")
        self.old: dict[str, dict[str, Any]] = {}
        self.new: dict[str, dict[str, Any]] = {}
        for name, data_type, extra in (
            ("Severity", "list", {"list_items": "Low,High"}),
            ("Seats", "integer", {}),
            ("Note", "string", {}),
            ("Shots", "files", {}),
        ):
            self.old[name] = add_attribute(api, self.bug["id"], name, data_type, **extra)
        for name, data_type, extra in (
            ("Severity", "list", {"list_items": "Critical,High,Low"}),
            ("Seats", "string", {}),
            ("Note", "string", {}),
            ("Shots", "files", {}),
            ("Impact", "string", {}),
        ):
            self.new[name] = add_attribute(api, self.incident["id"], name, data_type, **extra)
        self.contact = make_contact(api, "cy@example.com")
        self.ticket = make_ticket(
            api,
            self.bug["id"],
            self.contact["id"],
            ticket_attributes={
                "_default_title_": "Checkout broken",
                "_default_description_": "The pay button spins",
                "Severity": option_id(self.old["Severity"], "High"),
                "Seats": 3,
                "Note": "old",
                "Shots": "https://example.com/a.png",
            },
        )
        self.url = f"/tickets/{self.ticket['id']}"
        self.states = states_of(api, self.incident["id"])

    def body(self, **extra: Any) -> dict[str, Any]:
        return {
            "ticket_type_id": self.incident["id"],
            "ticket_state_id": self.states["submitted"],
            **extra,
        }


@pytest.fixture
def move(api: Api) -> Move:
    return Move(api)


def change(api: Api, move: Move, version: str = "2.16", **extra: Any) -> Any:
    return api.post(f"{move.url}/change_type", json=move.body(**extra), version=version)


def test_attributes_carry_by_name_and_type_and_supplied_win(api: Api, move: Move) -> None:
    resp = change(api, move, ticket_attributes={"Note": "new", "Impact": "all users"})
    assert resp.status_code == 200, resp.text
    got = resp.json()
    assert got["ticket_type"]["id"] == move.incident["id"]
    assert got["category"] == "Customer"
    assert got["ticket_attributes"] == {
        "_default_title_": "Checkout broken",
        "_default_description_": "The pay button spins",
        "Severity": "High",  # carried by label: each attribute has its own option ids
        "Seats": None,  # integer before, string now: dropped
        "Note": "new",  # supplied wins over carried
        "Shots": [
            {
                "type": "upload",
                "name": "a.png",
                "url": "https://example.com/a.png",
                "content_type": "image/png",
                "filesize": None,
                "width": None,
                "height": None,
            }
        ],
        "Impact": "all users",
    }
    # 2.16 renders the 2.16 ticket (state object), not the 2.11-style shape of its example
    assert got["ticket_state"]["type"] == "ticket_state"
    assert "ticket_state_internal_label" not in got
    assert got["updated_at"] >= move.ticket["updated_at"]
    assert api.get(move.url, version="2.16").json() == got


def test_ids_may_be_integers_and_preview_serves_it(api: Api, move: Move) -> None:
    body = {
        "ticket_type_id": int(move.incident["id"]),
        "ticket_state_id": int(move.states["submitted"]),
    }
    resp = api.post(f"{move.url}/change_type", json=body, version="Preview")
    assert resp.status_code == 200, resp.text
    assert resp.json()["ticket_type"]["id"] == move.incident["id"]


def test_values_the_new_attribute_cannot_hold_are_dropped(api: Api) -> None:
    many = make_type(api, "Many")
    add_attribute(
        api, many["id"], "Areas", "list", list_items="Web,App", allow_multiple_values=True
    )
    add_attribute(api, many["id"], "Kind", "list", list_items="Crash,Slow")
    add_attribute(api, many["id"], "Shots", "files", allow_multiple_values=True)
    one = make_type(api, "One")
    add_attribute(api, one["id"], "Areas", "list", list_items="Web,App")
    add_attribute(api, one["id"], "Kind", "list", list_items="Crash")
    add_attribute(api, one["id"], "Shots", "files")
    contact = make_contact(api, "lu@example.com")
    state = states_of(api, one["id"])["submitted"]
    shots = ["https://example.com/1.png", "https://example.com/2.png"]

    def moved(attributes: dict[str, Any]) -> dict[str, Any]:
        ticket = make_ticket(api, many["id"], contact["id"], ticket_attributes=attributes)
        resp = api.post(
            f"/tickets/{ticket['id']}/change_type",
            json={"ticket_type_id": one["id"], "ticket_state_id": state},
            version="2.16",
        )
        assert resp.status_code == 200, resp.text
        return resp.json()["ticket_attributes"]

    # several options or files where the new attribute takes one; an option it lacks
    got = moved({"Areas": ["Web", "App"], "Kind": "Slow", "Shots": shots})
    assert (got["Areas"], got["Kind"], got["Shots"]) == (None, None, None)
    # one option or file fits
    got = moved({"Areas": ["App"], "Kind": "Crash", "Shots": shots[:1]})
    assert (got["Areas"], got["Kind"]) == ("App", "Crash")
    assert [f["url"] for f in got["Shots"]] == shots[:1]


def test_the_part_renders_in_every_version(api: Api, move: Move, workspace: Workspace) -> None:
    assert change(api, move).status_code == 200
    for version in READERS:
        got = api.get(move.url, version=version)  # validated against that version's spec
        assert got.status_code == 200, (version, got.text)
        parts = got.json()["ticket_parts"]["ticket_parts"]
        assert [p["part_type"] for p in parts] == ["ticket_state_updated_by_admin", PART]
        part = parts[-1]
        assert part["author"]["type"] == "admin"
        assert part["author"]["id"] == str(workspace.admin_id)
        assert "body" not in part and "ticket_state" not in part
        assert ("app_package_code" in part) == (version not in ("2.9", "2.10", "2.11", "2.12"))


def test_the_change_records_one_event(
    api: Api, server: Server, workspace: Workspace, move: Move
) -> None:
    before = len(ticket_events(server, move.ticket["id"]))
    got = change(api, move).json()
    recorded = ticket_events(server, move.ticket["id"])
    assert len(recorded) == before + 1
    event = recorded[-1]
    assert event["topic"] == "ticket.type.changed"
    assert orjson.loads(event["data"]) == {
        "previous_ticket_type_id": move.bug["id"],
        "ticket_type_id": move.incident["id"],
    }
    assert event["part_id"] == int(got["ticket_parts"]["ticket_parts"][-1]["id"])
    assert (event["actor_type"], event["actor_id"]) == ("admin", str(workspace.admin_id))


def test_a_new_state_is_recorded_and_resolving_closes(api: Api, server: Server, move: Move) -> None:
    got = change(api, move, ticket_state_id=move.states["resolved"]).json()
    assert got["ticket_state"]["id"] == move.states["resolved"]
    assert got["previous_ticket_state_id"] == move.ticket["ticket_state"]["id"]
    assert got["open"] is False
    assert part_types(got)[1:] == [PART, "ticket_state_updated_by_admin", "close"]
    state_part = got["ticket_parts"]["ticket_parts"][2]
    assert (state_part["previous_ticket_state"], state_part["ticket_state"]) == (
        "submitted",
        "resolved",
    )
    topics = [e["topic"] for e in ticket_events(server, move.ticket["id"])]
    assert topics[-3:] == ["ticket.type.changed", "ticket.state.updated", "ticket.closed"]


def test_a_custom_state_of_the_new_type(
    api: Api, server: Server, workspace: Workspace, move: Move
) -> None:
    custom = server.tx(
        lambda c: state_service.create_state(
            c, workspace.id, "in_progress", "Triage", "Looking", [int(move.incident["id"])]
        )
    )
    got = change(api, move, ticket_state_id=str(custom["id"])).json()
    assert got["ticket_state"]["id"] == str(custom["id"])
    assert got["open"] is True
    assert part_types(got)[1:] == [PART, "ticket_state_updated_by_admin"]


def test_search_sees_the_new_type_only(api: Api, server: Server, move: Move) -> None:
    supplied = {"Note": "new", "_default_title_": "Checkout down"}
    assert change(api, move, ticket_attributes=supplied).status_code == 200
    tid = move.ticket["id"]
    old, new = move.old, move.new

    def attr(a: dict[str, Any]) -> str:
        return f"ticket_attribute.{a['id']}"

    assert found_ids(api, leaf("ticket_type_id", "=", move.incident["id"])) == [tid]
    assert found_ids(api, leaf("ticket_type_id", "=", move.bug["id"])) == []
    assert found_ids(api, leaf("title", "~", "down")) == [tid]
    assert found_ids(api, leaf("title", "=", "Checkout broken")) == []
    assert found_ids(api, leaf("description", "~", "pay button")) == [tid]
    assert found_ids(api, leaf("category", "=", "request")) == [tid]
    assert found_ids(api, leaf(attr(new["Note"]), "=", "new")) == [tid]
    high = option_id(new["Severity"], "High")
    assert found_ids(api, leaf(attr(new["Severity"]), "=", high)) == [tid]
    for a, value in (
        (old["Note"], "old"),
        (old["Seats"], 3),
        (old["Severity"], option_id(old["Severity"], "High")),
    ):
        assert found_ids(api, leaf(attr(a), "=", value)) == [], a["name"]

    def columns(c: Any) -> tuple[Any, list[Any]]:
        row = c.one(select(tickets).where(tickets.c.id == int(tid)))
        values = c.all(
            select(ticket_values.c.attribute_id).where(ticket_values.c.ticket_id == int(tid))
        )
        return row, sorted(v["attribute_id"] for v in values)

    row, indexed = server.tx(columns)
    assert row["ticket_type_id"] == int(move.incident["id"])
    assert (row["category"], row["title"], row["description"]) == (
        "Customer",
        "Checkout down",
        "The pay button spins",
    )
    assert indexed == sorted(int(new[n]["id"]) for n in ("Severity", "Note"))


# -- refusals: status, code, field, and nothing written -------------------------------------


def _refusals(move: Move, other_category: dict, archived: dict, foreign_state: str) -> list:
    base = move.body()
    return [
        (
            {"ticket_state_id": base["ticket_state_id"]},
            400,
            "parameter_not_found",
            "ticket_type_id",
            "ticket_type_id is a required parameter",
        ),
        (
            {"ticket_type_id": base["ticket_type_id"]},
            400,
            "parameter_not_found",
            "ticket_state_id",
            "ticket_state_id is a required parameter",
        ),
        (
            {**base, "ticket_state_id": ""},
            400,
            "parameter_not_found",
            "ticket_state_id",
            "ticket_state_id is a required parameter",
        ),
        (
            {**base, "ticket_type_id": move.bug["id"]},
            400,
            "parameter_invalid",
            "ticket_type_id",
            "Cannot change to the same ticket type",
        ),
        (
            {**base, "ticket_type_id": other_category["id"]},
            400,
            "parameter_invalid",
            "ticket_type_id",
            None,
        ),
        (
            {**base, "ticket_type_id": archived["id"]},
            400,
            "parameter_invalid",
            "ticket_type_id",
            None,
        ),
        (
            {**base, "ticket_state_id": foreign_state},
            400,
            "parameter_invalid",
            "ticket_state_id",
            "Ticket custom state doesn't belong to the new ticket type",
        ),
        (
            {**base, "ticket_state_id": "999999"},
            400,
            "parameter_invalid",
            "ticket_state_id",
            "Ticket custom state doesn't belong to the new ticket type",
        ),
        (
            {**base, "ticket_attributes": {"Note": "x", "Priority": "high"}},
            400,
            "parameter_invalid",
            "ticket_attributes.Priority",
            "Extra attributes provided that are not found on ticket type: Priority",
        ),
        (
            # Seats is an integer on the old type, a string on the new one: checked against the new
            {**base, "ticket_attributes": {"Seats": 5}},
            400,
            "parameter_invalid",
            "ticket_attributes.Seats",
            None,
        ),
        ({**base, "ticket_type_id": "999999"}, 404, "not_found", "ticket_type_id", None),
        ({**base, "ticket_type_id": "abc"}, 404, "not_found", "ticket_type_id", None),
    ]


def test_each_refusal_writes_nothing(
    api: Api, server: Server, workspace: Workspace, move: Move
) -> None:
    other_category = make_type(api, "Chore", category="Back-office")
    archived = make_type(api, "Old")
    assert api.put(f"/ticket_types/{archived['id']}", json={"archived": True}).status_code == 200
    foreign = server.tx(
        lambda c: state_service.create_state(
            c, workspace.id, "in_progress", "Bug triage", "Looking", [int(move.bug["id"])]
        )
    )
    shown = api.get(move.url, version="2.16").json()
    rows = footprint(server, workspace.id)
    events = event_count(server, workspace)
    for body, status, code, field, message in _refusals(
        move, other_category, archived, str(foreign["id"])
    ):
        resp = api.post(f"{move.url}/change_type", json=body, version="2.16")
        err = assert_error(resp, status, code, field=field)
        if message is not None:
            assert err["message"] == message, body
        assert footprint(server, workspace.id) == rows, body
    assert event_count(server, workspace) == events
    assert api.get(move.url, version="2.16").json() == shown


def test_unknown_tickets_are_404(
    api: Api, server: Server, workspace: Workspace, move: Move
) -> None:
    rows = footprint(server, workspace.id)
    for ticket_id in ("999999", "abc"):
        resp = api.post(f"/tickets/{ticket_id}/change_type", json=move.body(), version="2.16")
        err = assert_error(resp, 404, "not_found")
        assert err["message"] == "Resource Not Found"
    assert footprint(server, workspace.id) == rows


def test_another_workspaces_ticket_and_type_are_404(
    api: Api, server: Server, workspace: Workspace, move: Move
) -> None:
    other = make_workspace(server, "Other")
    with make_api(server, other.token) as them:
        their_type = make_type(them, "Bug")
        theirs = make_ticket(them, their_type["id"], make_contact(them, "zo@example.com")["id"])
        mine, their_rows = footprint(server, workspace.id), footprint(server, other.id)
        resp = api.post(f"/tickets/{theirs['id']}/change_type", json=move.body(), version="2.16")
        assert_error(resp, 404, "not_found")
        body = move.body(ticket_type_id=their_type["id"])
        resp = api.post(f"{move.url}/change_type", json=body, version="2.16")
        assert_error(resp, 404, "not_found", field="ticket_type_id")
        assert footprint(server, workspace.id) == mine
        assert footprint(server, other.id) == their_rows


@pytest.mark.parametrize("version", ["2.15", "2.9", None])
def test_versions_before_2_16_do_not_have_it(
    api: Api, server: Server, workspace: Workspace, move: Move, version: str | None
) -> None:
    rows = footprint(server, workspace.id)
    resp = api.post(f"{move.url}/change_type", json=move.body(), version=version)
    assert_error(resp, 404, "intercom_version_invalid")  # header-less = the workspace's 2.14
    assert footprint(server, workspace.id) == rows
