"""PUT /tickets/{id}: attributes, states, assignment, open/snooze, sharing, company."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from tests.conftest import Api, Server, Workspace
from tests.helpers import assert_error
from tests.ticket_fixtures import add_attribute, make_contact, make_ticket, make_type, part_types
from ticketry.tables import tickets
from ticketry.ticket_states import service as state_service
from ticketry.workspaces import service as ws_service


@pytest.fixture
def ticket(api: Api) -> dict:
    ticket_type = make_type(api, "Question")
    add_attribute(api, ticket_type["id"], "Seats", "integer")
    contact = make_contact(api, "bea@example.com")
    return make_ticket(
        api, ticket_type["id"], contact["id"], ticket_attributes={"_default_title_": "How do I?"}
    )


def states_of(api: Api, ticket: dict) -> dict[str, str]:
    listed = api.get(f"/ticket_types/{ticket['ticket_type']['id']}").json()["ticket_states"]
    return {s["category"]: s["id"] for s in listed["data"]}


def test_attribute_change_appends_part(api: Api, ticket: dict) -> None:
    url = f"/tickets/{ticket['id']}"
    updated = api.put(url, json={"ticket_attributes": {"Seats": 5, "_default_title_": "How?"}})
    assert updated.status_code == 200, updated.text
    body = updated.json()
    assert body["ticket_attributes"]["Seats"] == 5
    assert body["ticket_attributes"]["_default_title_"] == "How?"
    assert part_types(body).count("ticket_attribute_updated_by_admin") == 2
    part = body["ticket_parts"]["ticket_parts"][-1]
    assert part["updated_attribute_data"]["attribute"]["label"] in ("Seats", "_default_title_")
    old = api.get(url, version="2.13").json()["ticket_parts"]["ticket_parts"][-1]
    assert "updated_attribute_data" not in old
    # the same values again change nothing
    again = api.put(url, json={"ticket_attributes": {"Seats": 5}}).json()
    assert part_types(again).count("ticket_attribute_updated_by_admin") == 2


def test_state_by_id_and_by_name(api: Api, ticket: dict) -> None:
    url = f"/tickets/{ticket['id']}"
    ids = states_of(api, ticket)
    moved = api.put(url, json={"ticket_state_id": ids["in_progress"]}).json()
    assert moved["ticket_state"]["category"] == "in_progress"
    part = moved["ticket_parts"]["ticket_parts"][-1]
    assert part["part_type"] == "ticket_state_updated_by_admin"
    assert (part["previous_ticket_state"], part["ticket_state"]) == ("submitted", "in_progress")
    assert (
        api.get(url, version="2.16").json()["previous_ticket_state_id"]
        == ticket["ticket_state"]["id"]
    )
    old = api.put(url, json={"state": "waiting_on_customer"}, version="2.11").json()
    assert old["ticket_state"] == "waiting_on_customer"
    assert old["ticket_state_external_label"] == "Waiting on you"
    resolved = api.put(url, json={"ticket_state_id": int(ids["resolved"])}).json()
    assert resolved["open"] is False  # resolving closes
    reopened = api.put(url, json={"ticket_state_id": ids["in_progress"]}).json()
    assert reopened["open"] is True


def test_invalid_state_changes_nothing(
    api: Api, server: Server, workspace: Workspace, ticket: dict
) -> None:
    other_type = make_type(api, "Other")
    custom = server.tx(
        lambda c: state_service.create_state(
            c, workspace.id, "in_progress", "Triage", "Looking", [int(other_type["id"])]
        )
    )
    url = f"/tickets/{ticket['id']}"
    for bad in ("999999", "abc", str(custom["id"])):
        assert_error(
            api.put(url, json={"ticket_state_id": bad, "open": False}),
            400,
            "ticket_state_id_invalid",
            field="ticket_state_id",
        )
    assert_error(
        api.put(url, json={"state": "submitted"}, version="2.11"),
        400,
        "parameter_invalid",
        field="state",
    )
    after = api.get(url).json()
    assert after["open"] is True and after["ticket_state"]["category"] == "submitted"
    assert after["ticket_parts"] == ticket["ticket_parts"]


def test_custom_state_of_the_type(
    api: Api, server: Server, workspace: Workspace, ticket: dict
) -> None:
    custom = server.tx(
        lambda c: state_service.create_state(
            c,
            workspace.id,
            "in_progress",
            "Triage",
            "We are looking",
            [int(ticket["ticket_type"]["id"])],
        )
    )
    moved = api.put(f"/tickets/{ticket['id']}", json={"ticket_state_id": str(custom["id"])})
    assert moved.json()["ticket_state"] == {
        "type": "ticket_state",
        "id": str(custom["id"]),
        "category": "in_progress",
        "internal_label": "Triage",
        "external_label": "We are looking",
    }


def test_assignment_2_14_and_2_11(
    api: Api, server: Server, workspace: Workspace, ticket: dict
) -> None:
    url = f"/tickets/{ticket['id']}"
    team = server.tx(lambda c: ws_service.create_team(c, workspace.id, "Tier 1", []))
    mate = server.tx(lambda c: ws_service.create_admin(c, workspace.id, "Mo", "mo@example.com"))
    body = api.put(
        url, json={"admin_id": workspace.admin_id, "assignee_id": str(mate["id"])}
    ).json()
    assert body["admin_assignee_id"] == str(mate["id"])
    assert body["ticket_parts"]["ticket_parts"][-1]["assigned_to"] == {
        "type": "admin",
        "id": str(mate["id"]),
    }
    body = api.put(url, json={"assignee_id": team["id"]}).json()
    assert body["team_assignee_id"] == str(team["id"])
    assert api.get(url, version="2.16").json()["team_assignee_id"] == team["id"]
    body = api.put(
        url,
        json={"assignment": {"admin_id": str(workspace.admin_id), "assignee_id": "0"}},
        version="2.11",
    ).json()
    assert body["admin_assignee_id"] == "0" and body["team_assignee_id"] == "0"
    assert_error(api.put(url, json={"assignee_id": "424242"}), 404, "assignee_not_found")
    assert_error(
        api.put(url, json={"admin_id": 424242, "assignee_id": "0"}),
        404,
        "assignee_not_found",
        field="admin_id",
    )


def test_open_snooze_share(api: Api, ticket: dict) -> None:
    url = f"/tickets/{ticket['id']}"
    until = int(time.time()) + 3600
    body = api.put(url, json={"snoozed_until": until, "is_shared": True}).json()
    assert body["snoozed_until"] == until and body["is_shared"] is True
    assert "snoozed" in part_types(body)
    body = api.put(url, json={"open": False}).json()
    assert body["open"] is False and "snoozed_until" not in body  # closing unsnoozes
    assert part_types(body)[-1] == "close"
    assert api.put(url, json={"open": True}).json()["open"] is True
    assert_error(api.put(url, json={"open": "yes"}), 400, "parameter_invalid", field="open")
    assert_error(
        api.put(url, json={"snoozed_until": -5}), 400, "parameter_invalid", field="snoozed_until"
    )


def test_company_by_version(api: Api, server: Server, workspace: Workspace, ticket: dict) -> None:
    company = api.post("/companies", json={"company_id": "acme-1", "name": "Acme"}).json()
    url = f"/tickets/{ticket['id']}"
    assert api.put(url, json={"company_id": company["id"]}).status_code == 200

    def company_of(conn):  # type: ignore[no-untyped-def]
        return conn.scalar(select(tickets.c.company_id).where(tickets.c.id == int(ticket["id"])))

    assert server.tx(company_of) == company["id"]
    assert api.put(url, json={"company_id": None}).status_code == 200
    assert server.tx(company_of) is None
    # up to 2.11, company_id on create meant the customer's own company id
    created = api.post(
        "/tickets",
        version="2.11",
        json={
            "ticket_type_id": ticket["ticket_type"]["id"],
            "contacts": [{"email": "x@y.co"}],
            "company_id": "acme-1",
        },
    )
    assert created.status_code == 200, created.text
    assert_error(api.put(url, json={"company_id": "acme-1"}), 404, "company_not_found")
