"""The ticket lifecycle around conversations: converting one to a ticket, linking
conversations and customer tickets to back-office and tracker tickets, and the
`linked_objects` both sides show."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import Api, Server, Workspace
from tests.helpers import assert_error
from tests.ticket_fixtures import add_attribute, make_contact, make_ticket, make_type
from ticketry.tables import events


def start(api: Api, contact_id: str, body: str = "My invoice is wrong") -> str:
    resp = api.post(
        "/conversations", json={"from": {"type": "user", "id": contact_id}, "body": body}
    )
    assert resp.status_code == 200, resp.text
    return resp.json()["conversation_id"]


def topics(server: Server, kind: str, object_id: str) -> list[str]:
    return [
        r["topic"]
        for r in server.tx(
            lambda c: c.all(
                select(events.c.topic)
                .where(events.c.object_type == kind, events.c.object_id == object_id)
                .order_by(events.c.seq)
            )
        )
    ]


@pytest.fixture
def contact(api: Api) -> dict:
    return make_contact(api, "dora@example.com", name="Dora")


@pytest.fixture
def customer_type(api: Api) -> dict:
    tt = make_type(api, "Billing issue")
    add_attribute(api, tt["id"], "Invoice", "string")
    return tt


def test_convert_keeps_the_id_and_the_history(
    api: Api, server: Server, workspace: Workspace, contact: dict, customer_type: dict
) -> None:
    cid = start(api, contact["id"])
    admin = str(workspace.admin_id)
    api.post(
        f"/conversations/{cid}/reply",
        json={"type": "admin", "message_type": "comment", "admin_id": admin, "body": "Looking"},
    )
    body = {"ticket_type_id": customer_type["id"], "attributes": {"Invoice": "INV-7"}}
    ticket = api.post(f"/conversations/{cid}/convert", json=body).json()
    assert ticket["type"] == "ticket" and ticket["id"] == cid
    assert (
        ticket["category"] == "Customer" and ticket["is_shared"] is True and ticket["open"] is True
    )
    assert ticket["ticket_attributes"]["Invoice"] == "INV-7"
    assert [c["id"] for c in ticket["contacts"]["contacts"]] == [contact["id"]]
    history = ticket["ticket_parts"]["ticket_parts"]
    assert [p["part_type"] for p in history] == [
        "comment",
        "comment",
        "ticket_state_updated_by_admin",
    ]
    assert history[0]["author"] == {**history[0]["author"], "type": "user", "id": contact["id"]}
    assert history[0]["body"] == "<p>My invoice is wrong</p>"
    assert history[1]["author"]["id"] == admin and history[2]["author"]["type"] == "bot"
    # the conversation is still there, and the ticket is a ticket like any other
    assert api.get(f"/conversations/{cid}").json()["id"] == cid
    assert api.get(f"/tickets/{cid}").json()["ticket_id"] == ticket["ticket_id"]
    found = api.post(
        "/tickets/search", json={"query": {"field": "id", "operator": "=", "value": cid}}
    ).json()
    assert [t["id"] for t in found["tickets"]] == [cid]
    assert topics(server, "ticket", cid) == ["ticket.created", "ticket.contact.attached"]
    assert topics(server, "conversation", cid)[-1] == "conversation.converted"
    # python SDK's convert_to_ticket reads the same body
    assert_error(api.post(f"/conversations/{cid}/convert", json=body), 400, "parameter_invalid")


@pytest.mark.parametrize("version", ["2.10", "2.11", "2.14", "2.16", "Preview"])
def test_convert_in_each_version(
    api: Api, contact: dict, customer_type: dict, version: str
) -> None:
    cid = start(api, contact["id"])
    resp = api.post(
        f"/conversations/{cid}/convert",
        json={"ticket_type_id": customer_type["id"]},
        version=version,
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["id"] == cid


def test_convert_errors(
    api: Api, server: Server, workspace: Workspace, contact: dict, customer_type: dict
) -> None:
    cid = start(api, contact["id"])
    url = f"/conversations/{cid}/convert"
    tracker = make_type(api, "Outage", category="Tracker")
    other = make_type(api, "Other")
    other_state = api.post(
        "/ticketry/ticket_states",
        json={
            "category": "in_progress",
            "internal_label": "Triage",
            "external_label": "On it",
            "ticket_type_ids": [other["id"]],
        },
    )
    before = topics(server, "conversation", cid)
    assert_error(
        api.post(url, json={"ticket_type_id": tracker["id"]}),
        400,
        "parameter_invalid",
        field="ticket_type_id",
    )
    assert_error(api.post(url, json={}), 400, "parameter_not_found", field="ticket_type_id")
    assert_error(
        api.post(url, json={"ticket_type_id": "999999"}),
        400,
        "parameter_invalid",
        field="ticket_type_id",
    )
    assert_error(
        api.post(url, json={"ticket_type_id": customer_type["id"], "attributes": {"Nope": 1}}),
        400,
        "parameter_invalid",
    )
    assert other_state.status_code == 200, other_state.text
    assert_error(
        api.post(
            url,
            json={
                "ticket_type_id": customer_type["id"],
                "ticket_state_id": other_state.json()["id"],
            },
            version="2.16",
        ),
        400,
        "ticket_state_id_invalid",
    )
    assert_error(
        api.post("/conversations/999999/convert", json={"ticket_type_id": customer_type["id"]}),
        404,
        "not_found",
    )
    assert_error(
        api.post(url, json={"ticket_type_id": customer_type["id"]}, version="2.9"),
        404,
        "intercom_version_invalid",
    )
    assert topics(server, "conversation", cid) == before
    assert_error(api.get(f"/tickets/{cid}"), 404, "ticket_not_found")


def linked(obj: dict) -> list[tuple[str, str, str | None]]:
    return [(i["type"], i["id"], i["category"]) for i in obj["linked_objects"]["data"]]


def test_trackers_link_conversations_and_customer_tickets(
    api: Api, server: Server, contact: dict, customer_type: dict
) -> None:
    tracker = make_ticket(api, make_type(api, "Outage", category="Tracker")["id"], contact["id"])
    other_tracker = make_ticket(api, make_type(api, "Bug", category="Tracker")["id"], contact["id"])
    office = make_ticket(api, make_type(api, "Refund", category="Back-office")["id"], contact["id"])
    customer = make_ticket(api, customer_type["id"], contact["id"])
    cid = start(api, contact["id"])
    url = f"/tickets/{tracker['id']}/linked_conversations"

    conv = api.post(url, json={"conversation_id": cid}, version="2.16").json()
    assert conv["type"] == "conversation" and conv["id"] == cid
    assert linked(conv) == [("ticket", tracker["id"], "Tracker")]
    again = api.post(url, json={"conversation_id": int(cid)}, version="2.16")  # idempotent
    assert again.status_code == 200 and linked(again.json()) == linked(conv)
    as_ticket = api.post(url, json={"conversation_id": customer["id"]}, version="2.16").json()
    assert as_ticket["type"] == "ticket"
    assert linked(as_ticket) == [("ticket", tracker["id"], "Tracker")]
    shown = api.get(f"/tickets/{tracker['id']}", version="2.16").json()
    assert sorted(linked(shown)) == [
        ("conversation", cid, None),
        ("ticket", customer["id"], "Customer"),
    ]
    assert shown["linked_objects"]["total_count"] == 2

    def err(resp: Any, status: int, code: str) -> None:
        assert_error(resp, status, code)

    err(
        api.post(
            f"/tickets/{other_tracker['id']}/linked_conversations",
            json={"conversation_id": cid},
            version="2.16",
        ),
        400,
        "already_linked_to_tracker",
    )
    err(
        api.post(
            f"/tickets/{office['id']}/linked_conversations",
            json={"conversation_id": cid},
            version="2.16",
        ),
        400,
        "invalid_ticket_type",
    )
    err(api.post(url, json={}, version="2.16"), 400, "parameter_not_found")
    err(
        api.post(url, json={"conversation_id": "999999"}, version="2.16"),
        404,
        "conversation_not_found",
    )
    err(
        api.post(url, json={"conversation_id": office["id"]}, version="2.16"),
        400,
        "parameter_invalid",
    )
    err(
        api.post(
            "/tickets/999999/linked_conversations", json={"conversation_id": cid}, version="2.16"
        ),
        404,
        "ticket_not_found",
    )
    err(
        api.post(url, json={"conversation_id": cid}, version="2.15"),
        404,
        "intercom_version_invalid",
    )

    unlinked = api.delete(f"{url}/{cid}", version="2.16").json()
    assert unlinked["id"] == cid and linked(unlinked) == []
    err(api.delete(f"{url}/{cid}", version="2.16"), 404, "conversation_not_found")
    err(
        api.delete(f"/tickets/{office['id']}/linked_conversations/{cid}", version="2.16"),
        400,
        "invalid_ticket_type",
    )
    assert topics(server, "ticket", tracker["id"])[-3:] == [
        "ticket.linked",
        "ticket.linked",
        "ticket.unlinked",
    ]

    # deleting either end removes the link
    assert api.delete(f"/tickets/{customer['id']}", version="2.16").status_code == 200
    assert linked(api.get(f"/tickets/{tracker['id']}", version="2.16").json()) == []
    api.post(url, json={"conversation_id": cid}, version="2.16")
    assert api.delete(f"/tickets/{tracker['id']}", version="2.16").status_code == 200
    assert linked(api.get(f"/conversations/{cid}", version="2.16").json()) == []


def test_a_tracker_holds_at_most_2500_and_shows_1000(
    api: Api, server: Server, workspace: Workspace, contact: dict
) -> None:
    from ticketry.db.sql import InsertQ
    from ticketry.tables import ticket_links

    tracker = make_ticket(
        api, make_type(api, "Big outage", category="Tracker")["id"], contact["id"]
    )
    # 2,499 links straight into the table (ids no object has: the limit counts links)
    q = InsertQ(ticket_links)
    rows = [
        q.row(
            ticket_id=int(tracker["id"]),
            object_id=10**12 + i,
            object_type="conversation",
            workspace_id=workspace.id,
            created_at=0,
        )
        for i in range(2499)
    ]
    server.tx(lambda c: c.execute_many(q, rows))
    url = f"/tickets/{tracker['id']}/linked_conversations"
    last = start(api, contact["id"])
    assert api.post(url, json={"conversation_id": last}, version="2.16").status_code == 200
    over = start(api, contact["id"])
    assert_error(
        api.post(url, json={"conversation_id": over}, version="2.16"),
        400,
        "linked_conversation_limit_exceeded",
    )
    shown = api.get(f"/tickets/{tracker['id']}", version="2.16").json()["linked_objects"]
    assert (shown["total_count"], shown["has_more"], len(shown["data"])) == (2500, True, 1000)


def test_conversation_to_link_id_on_create(api: Api, contact: dict, customer_type: dict) -> None:
    office_type = make_type(api, "Chargeback", category="Back-office")
    tracker_type = make_type(api, "Incident", category="Tracker")
    cid = start(api, contact["id"])
    customer = make_ticket(api, customer_type["id"], contact["id"])

    def create(type_id: str, link: str, **extra: Any) -> Any:
        return api.post(
            "/tickets",
            json={
                "ticket_type_id": type_id,
                "contacts": [{"id": contact["id"]}],
                "conversation_to_link_id": link,
                **extra,
            },
            version="2.14",
        )

    office = create(office_type["id"], cid).json()
    assert linked(office) == [("conversation", cid, None)]
    assert ("ticket", office["id"], "Back-office") in linked(
        api.get(f"/conversations/{cid}").json()
    )
    tracker = create(tracker_type["id"], customer["id"]).json()
    assert linked(tracker) == [("ticket", customer["id"], "Customer")]
    assert_error(create(customer_type["id"], cid), 400, "parameter_invalid")
    assert_error(create(office_type["id"], "999999"), 404, "conversation_not_found")
    assert_error(create(tracker_type["id"], customer["id"]), 400, "already_linked_to_tracker")
