"""Webhooks through the session server: the Subscriptions API, every covered topic exactly
once with Intercom's envelope and item shapes per version, signatures, ping, the delivery
log and redelivery, 410 deactivation and workspace isolation."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import Api, Server, Workspace, make_api, make_workspace
from tests.helpers import assert_error
from tests.ticket_fixtures import make_contact, make_ticket, make_type
from tests.webhook_receiver import Receiver, verify
from ticketry.workspaces import service as ws_service

ENVELOPE_KEYS = [
    "type",
    "app_id",
    "data",
    "links",
    "id",
    "topic",
    "delivery_status",
    "delivery_attempts",
    "delivered_at",
    "first_sent_at",
    "created_at",
    "self",
]
TICKET_TOPICS = [
    "ticket.created",
    "ticket.state.updated",
    "ticket.note.created",
    "ticket.admin.assigned",
    "ticket.team.assigned",
    "ticket.attribute.updated",
    "ticket.admin.replied",
    "ticket.contact.replied",
    "ticket.closed",
    "ticket.resolved",
]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    try:
        yield r
    finally:
        r.close()


def subscribe(api: Api, url: str, topics: list[str], **extra: Any) -> dict[str, Any]:
    resp = api.post(
        "/subscriptions",
        json={"service_type": "web", "url": url, "topics": topics, **extra},
        contract=False,
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


def delivery_log(api: Api, sub_id: str) -> list[dict[str, Any]]:
    """The delivery log once no entry is mid-send (an outcome is written after its answer)."""
    for _ in range(200):
        entries = api.get(f"/subscriptions/{sub_id}/deliveries", contract=False).json()["data"]
        if all(e["status"] != "pending" or e["attempts"] == 0 for e in entries):
            break
        time.sleep(0.05)
    return list(entries)


def test_subscriptions_api(api: Api, server: Server, workspace: Workspace) -> None:
    sub = subscribe(api, "https://example.com/hook", ["ticket.created"], hub_secret="s3")
    assert sub["type"] == "notification_subscription" and sub["id"].startswith("nsub_")
    assert sub["topics"] == ["ticket.created"] and sub["active"] is True
    assert sub["hub_secret"] == "s3" and sub["service_type"] == "web"
    assert sub["api_version"] == api.default_version
    url = f"/subscriptions/{sub['id']}"
    assert api.get(url, contract=False).json() == sub
    listed = api.get("/subscriptions", contract=False).json()
    assert listed["type"] == "list" and sub["id"] in [s["id"] for s in listed["data"]]
    changed = api.post(
        url, json={"topics": ["ticket.closed"], "active": False}, contract=False
    ).json()
    assert changed["topics"] == ["ticket.closed"] and changed["active"] is False
    pinned = subscribe(api, "http://example.com/x", [], api_version="2.11")
    assert pinned["api_version"] == "2.11"

    for body, field in (
        ({"url": "https://e.com", "topics": ["ticket.exploded"]}, "topics"),
        ({"url": "ftp://e.com/x", "topics": []}, "url"),
        ({"topics": ["ticket.created"]}, "url"),
    ):
        resp = api.post("/subscriptions", json=body, contract=False)
        assert resp.status_code == 400, resp.text
        assert resp.json()["type"] == "error.list"
        assert resp.json()["errors"][0].get("field", field) == field

    other = make_api(server, make_workspace(server).token)
    with other:
        assert_error(other.get(url, contract=False), 404, "not_found")
        assert sub["id"] not in [
            s["id"] for s in other.get("/subscriptions", contract=False).json()["data"]
        ]
    assert api.delete(url, contract=False).json()["deleted"] is True
    assert_error(api.get(url, contract=False), 404, "not_found")


def _drive_a_ticket(api: Api, server: Server, workspace: Workspace) -> str:
    """Create a ticket and change it through each covered ticket topic; its id."""
    team = server.tx(lambda c: ws_service.create_team(c, workspace.id, "Hooks", []))
    bug = make_type(api, "Hook bug")
    contact = make_contact(api, "hooked@example.com")
    ticket = make_ticket(api, bug["id"], contact["id"], ticket_attributes={"_default_title_": "T"})
    tid = ticket["id"]
    admin = str(workspace.admin_id)
    ok = [
        api.post(
            f"/tickets/{tid}/reply",
            json={"type": "admin", "message_type": "note", "admin_id": admin, "body": "<p>n</p>"},
        ),
        api.post(
            f"/tickets/{tid}/reply",
            json={"type": "admin", "message_type": "comment", "admin_id": admin, "body": "hi"},
        ),
        api.post(
            f"/tickets/{tid}/reply",
            json={
                "type": "user",
                "message_type": "comment",
                "intercom_user_id": contact["id"],
                "body": "yo",
            },
        ),
        api.put(f"/tickets/{tid}", json={"admin_id": admin, "assignee_id": admin}),
        api.put(f"/tickets/{tid}", json={"admin_id": admin, "assignee_id": str(team["id"])}),
        api.put(f"/tickets/{tid}", json={"ticket_attributes": {"_default_title_": "T2"}}),
        api.put(f"/tickets/{tid}", json={"state": "resolved"}),
    ]
    for resp in ok:
        assert resp.status_code == 200, resp.text
    return tid


def test_every_ticket_topic_once_signed_with_intercom_shapes(
    api: Api, server: Server, workspace: Workspace, receiver: Receiver
) -> None:
    secret = "hush"
    sub = subscribe(api, receiver.url, TICKET_TOPICS, hub_secret=secret, api_version="2.14")
    tid = _drive_a_ticket(api, server, workspace)
    got = receiver.settled(len(TICKET_TOPICS))
    topics = sorted(r.json["topic"] for r in got)
    assert topics == sorted(TICKET_TOPICS), topics  # each change once, nothing twice
    assert len({r.headers["X-Ticketry-Delivery"] for r in got}) == len(got)
    for r in got:
        body = r.json
        assert list(body) == ENVELOPE_KEYS
        assert body["type"] == "notification_event" and body["app_id"] == workspace.id_code
        assert body["id"] == r.headers["X-Ticketry-Delivery"] and body["id"].startswith("notif_")
        assert body["delivery_attempts"] == 1 and body["delivery_status"] == "pending"
        assert body["links"] == {} and body["self"] is None and body["delivered_at"] == 0
        assert r.headers["Content-Type"] == "application/json" and r.headers["User-Agent"]
        verify(r, secret)
        item = body["data"]["item"]
        assert body["data"]["type"] == "notification_event_data"
        if body["topic"] in (
            "ticket.created",
            "ticket.state.updated",
            "ticket.closed",
            "ticket.resolved",
        ):
            assert item["type"] == "ticket" and item["id"] == tid
        else:
            assert item["type"] == "ticket_ticket_part" and item["ticket"]["id"] == tid
            assert item["ticket_part"]["type"] == "ticket_part" and "id" not in item
    part = {r.json["topic"]: r.json["data"]["item"] for r in got}
    assert part["ticket.note.created"]["ticket_part"]["part_type"] == "note"
    assert part["ticket.contact.replied"]["ticket_part"]["author"]["type"] == "user"
    assert part["ticket.admin.assigned"]["ticket_part"]["assigned_to"]["type"] == "admin"
    assert part["ticket.team.assigned"]["ticket_part"]["assigned_to"]["type"] == "team"
    assert part["ticket.resolved"]["ticket_state"]["category"] == "resolved"
    # Per ticket, in the order it happened (created first, resolved after its state part).
    order = [r.json["topic"] for r in got]
    assert order[0] == "ticket.created"
    assert order.index("ticket.state.updated") < order.index("ticket.resolved")
    log = delivery_log(api, sub["id"])
    assert {d["status"] for d in log} == {"delivered"}
    assert [d["notification_id"] for d in log] == [r.json["id"] for r in reversed(got)]


@pytest.mark.parametrize("version", ["2.11", "2.14", "2.16"])
def test_items_are_the_rest_shape_of_the_subscription_version(
    api: Api, receiver: Receiver, version: str
) -> None:
    subscribe(
        api, receiver.url, ["ticket.created", "conversation.user.created"], api_version=version
    )
    bug = make_type(api, f"Shape {version}")
    contact = make_contact(api, f"shape{version}@example.com")
    ticket = make_ticket(api, bug["id"], contact["id"])
    conv = api.post(
        "/conversations", json={"from": {"type": "user", "id": contact["id"]}, "body": "hey"}
    )
    assert conv.status_code == 200, conv.text
    got = {r.json["topic"]: r.json["data"]["item"] for r in receiver.settled(2)}
    assert got["ticket.created"] == api.get(f"/tickets/{ticket['id']}", version=version).json()
    conv_id = (
        conv.json()["conversation_id"] if "conversation_id" in conv.json() else conv.json()["id"]
    )
    shown = api.get(f"/conversations/{conv_id}", version=version).json()
    assert got["conversation.user.created"] == shown
    if version == "2.11":
        assert isinstance(got["ticket.created"]["ticket_state"], str)
    else:
        assert got["ticket.created"]["ticket_state"]["type"] == "ticket_state"


def test_ping_log_and_redeliver(api: Api, receiver: Receiver) -> None:
    sub = subscribe(api, receiver.url, [])
    resp = api.post(f"/subscriptions/{sub['id']}/ping", contract=False)
    assert resp.status_code == 200, resp.text
    [first] = receiver.wait(1)
    assert first.json["topic"] == "ping" and first.json["data"]["item"]["type"] == "ping"
    assert "X-Hub-Signature" not in first.headers  # no hub_secret: unsigned, as Intercom's
    notif = first.json["id"]
    log_url = f"/subscriptions/{sub['id']}/deliveries"
    [entry] = delivery_log(api, sub["id"])
    assert entry["notification_id"] == notif and entry["attempts"] == 1
    assert entry["status"] == "delivered" and entry["last_response_status"] == 200
    again = api.post(f"{log_url}/{notif}/redeliver", contract=False)
    assert again.status_code == 200, again.text
    second = receiver.wait(2)[1]
    assert second.json["id"] == notif and second.json["delivery_attempts"] == 2
    assert second.json["first_sent_at"] == first.json["first_sent_at"]
    assert_error(api.post(f"{log_url}/notif_nope/redeliver", contract=False), 404, "not_found")


def test_410_deactivates_the_subscription(api: Api, receiver: Receiver) -> None:
    receiver.default = 410
    sub = subscribe(api, receiver.url, ["ticket.created"])
    bug = make_type(api, "Gone")
    contact = make_contact(api, "gone@example.com")
    make_ticket(api, bug["id"], contact["id"])
    receiver.wait(1)
    url = f"/subscriptions/{sub['id']}"
    for _ in range(100):
        if api.get(url, contract=False).json()["active"] is False:
            break
        time.sleep(0.05)
    assert api.get(url, contract=False).json()["active"] is False
    make_ticket(api, bug["id"], contact["id"])
    assert len(receiver.settled(1)) == 1  # nothing more is sent
    [entry] = api.get(f"{url}/deliveries", contract=False).json()["data"]
    assert entry["status"] == "failed" and entry["last_response_status"] == 410
    # Switched back on, it is sent what happens from then, not what it missed.
    receiver.default = 200
    assert api.post(url, json={"active": True}, contract=False).json()["active"] is True
    later = make_ticket(api, bug["id"], contact["id"])
    got = receiver.settled(2)
    assert len(got) == 2 and got[1].json["data"]["item"]["id"] == later["id"]


def test_a_subscription_sees_only_its_workspace(
    api: Api, server: Server, receiver: Receiver
) -> None:
    subscribe(api, receiver.url, ["ticket.created"])
    with make_api(server, make_workspace(server).token) as other:
        bug = make_type(other, "Elsewhere")
        contact = make_contact(other, "else@example.com")
        make_ticket(other, bug["id"], contact["id"])
    bug = make_type(api, "Here")
    contact = make_contact(api, "here@example.com")
    mine = make_ticket(api, bug["id"], contact["id"])
    got = receiver.settled(1)
    assert [r.json["data"]["item"]["id"] for r in got] == [mine["id"]]


def test_conversation_topics_and_ticket_deleted(
    api: Api, workspace: Workspace, receiver: Receiver
) -> None:
    wanted = [
        "conversation.user.created",
        "conversation.user.replied",
        "conversation.admin.replied",
        "conversation.admin.single.created",
        "conversation.admin.assigned",
        "conversation.admin.noted",
        "conversation.admin.closed",
        "conversation.admin.opened",
        "conversation.admin.snoozed",
        "ticket.deleted",
    ]
    subscribe(api, receiver.url, wanted)
    admin = str(workspace.admin_id)
    contact = make_contact(api, "talker@example.com")
    conv = api.post(
        "/conversations", json={"from": {"type": "user", "id": contact["id"]}, "body": "hello"}
    ).json()
    cid = conv["conversation_id"]
    steps = [
        (
            f"/conversations/{cid}/reply",
            {"type": "admin", "message_type": "comment", "admin_id": admin, "body": "hi"},
        ),
        (
            f"/conversations/{cid}/reply",
            {"type": "admin", "message_type": "note", "admin_id": admin, "body": "n"},
        ),
        (
            f"/conversations/{cid}/reply",
            {
                "type": "user",
                "message_type": "comment",
                "intercom_user_id": contact["id"],
                "body": "yo",
            },
        ),
        (
            f"/conversations/{cid}/parts",
            {"message_type": "snoozed", "admin_id": admin, "snoozed_until": 4102444800},
        ),
        (
            f"/conversations/{cid}/parts",
            {
                "message_type": "assignment",
                "type": "admin",
                "admin_id": admin,
                "assignee_id": admin,
            },
        ),
        (
            f"/conversations/{cid}/parts",
            {"message_type": "close", "type": "admin", "admin_id": admin},
        ),
        (f"/conversations/{cid}/parts", {"message_type": "open", "admin_id": admin}),
        (
            "/messages",
            {
                "message_type": "inapp",
                "body": "news",
                "from": {"type": "admin", "id": workspace.admin_id},
                "to": {"type": "user", "id": contact["id"]},
            },
        ),
    ]
    for path, body in steps:
        resp = api.post(path, json=body)
        assert resp.status_code == 200, (path, resp.text)
    bug = make_type(api, "Doomed")
    ticket = make_ticket(api, bug["id"], contact["id"])
    assert api.delete(f"/tickets/{ticket['id']}").status_code == 200
    got = receiver.settled(len(wanted))
    assert sorted(r.json["topic"] for r in got) == sorted(wanted)
    by_topic = {r.json["topic"]: r.json["data"]["item"] for r in got}
    assert by_topic["ticket.deleted"] == {"type": "ticket", "id": ticket["id"], "deleted": True}
    for topic in wanted[:-1]:
        assert by_topic[topic]["type"] == "conversation"
    assert by_topic["conversation.admin.replied"]["id"] == cid
    # One conversation's notifications arrive in the order its changes happened.
    mine = [r.json["topic"] for r in got if r.json["data"]["item"]["id"] == cid]
    assert mine == [
        "conversation.user.created",
        "conversation.admin.replied",
        "conversation.admin.noted",
        "conversation.user.replied",
        "conversation.admin.snoozed",
        "conversation.admin.assigned",
        "conversation.admin.closed",
        "conversation.admin.opened",
    ]


@pytest.mark.parametrize("version", ["2.11", "2.14", "2.16"])
def test_contact_attached_and_detached_in_the_legacy_shape(
    api: Api, receiver: Receiver, version: str
) -> None:
    subscribe(
        api,
        receiver.url,
        ["ticket.contact.attached", "ticket.contact.detached"],
        api_version=version,
    )
    bug = make_type(api, f"Linked {version}")
    contact = make_contact(api, f"linked{version}@example.com")
    ticket = make_ticket(api, bug["id"], contact["id"], ticket_attributes={"_default_title_": "Hi"})
    as_it_was = api.get(f"/contacts/{contact['id']}", version=version).json()
    rest = api.get(f"/tickets/{ticket['id']}", version="2.14").json()
    # A contact whose ticket is closed by then: attached notifies, detached does not (Intercom
    # notifies contact changes on open tickets only).
    other = make_contact(api, f"closed{version}@example.com")
    closed = make_ticket(api, bug["id"], other["id"])
    assert api.put(f"/tickets/{closed['id']}", json={"state": "resolved"}).status_code == 200
    for gone in (contact, other):
        assert api.delete(f"/contacts/{gone['id']}").status_code == 200

    got = receiver.settled(3)
    seen = sorted((r.json["topic"], r.json["data"]["item"]["ticket"]["id"]) for r in got)
    assert seen == [
        ("ticket.contact.attached", int(ticket["id"])),
        ("ticket.contact.attached", int(closed["id"])),
        ("ticket.contact.detached", int(ticket["id"])),
    ]
    mine = {
        r.json["topic"]: r.json["data"]["item"]
        for r in got
        if r.json["data"]["item"]["ticket"]["id"] == int(ticket["id"])
    }
    for item in mine.values():
        assert list(item) == ["ticket", "contact"]  # no `type`: Intercom's legacy shape
        assert item["contact"] == as_it_was  # detached: the contact as it was when deleted
        legacy = item["ticket"]
        assert legacy["type"] == "ticket" and legacy["ticket_type"] == bug["name"]
        assert legacy["custom_attributes"]["_default_title_"] == {"value": "Hi", "type": "string"}
        assert legacy["state"] == "submitted"
        assert legacy["ticket_custom_state_admin_label"] == rest["ticket_state"]["internal_label"]
        assert legacy["ticket_custom_state_user_label"] == rest["ticket_state"]["external_label"]
        assert legacy["ticket_type_emoji"] == bug["icon"]
