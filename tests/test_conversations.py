"""Conversations over HTTP: a contact writes in, an admin writes out, replies both ways,
managing (close, open, snooze, assign), tags, updates, paging, deletion, and the events
each change records. Every response is checked against the OpenAPI file of its version."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import Api, Server, Workspace
from tests.helpers import assert_error
from tests.ticket_fixtures import make_contact
from ticketry.tables import events

VERSIONS = ["2.9", "2.11", "2.13", "2.14", "2.15", "2.16", "Preview"]


def start(api: Api, contact_id: str, body: str = "Hello there", **extra: Any) -> dict:
    resp = api.post(
        "/conversations", json={"from": {"type": "user", "id": contact_id}, "body": body, **extra}
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


def topics(server: Server, conversation_id: str) -> list[str]:
    return [
        r["topic"]
        for r in server.tx(
            lambda c: c.all(
                select(events.c.topic)
                .where(
                    events.c.object_type == "conversation", events.c.object_id == conversation_id
                )
                .order_by(events.c.seq)
            )
        )
    ]


@pytest.fixture
def contact(api: Api) -> dict:
    return make_contact(api, "carol@example.com", name="Carol")


def test_a_contact_writes_in_and_an_admin_answers(
    api: Api, server: Server, workspace: Workspace, contact: dict
) -> None:
    message = start(api, contact["id"])
    assert message["type"] == "user_message" and message["body"] == "Hello there"
    cid = message["conversation_id"]
    got = api.get(f"/conversations/{cid}").json()
    assert got["id"] == cid and got["state"] == "open" and got["open"] is True
    assert got["source"]["body"] == "<p>Hello there</p>"
    assert got["source"]["delivered_as"] == "customer_initiated"
    assert got["source"]["author"]["id"] == contact["id"]
    assert got["contacts"]["contacts"][0]["id"] == contact["id"]
    assert got["waiting_since"] == got["created_at"]
    assert got["conversation_parts"]["conversation_parts"] == []

    admin = str(workspace.admin_id)
    after = api.post(
        f"/conversations/{cid}/reply",
        json={"type": "admin", "message_type": "comment", "admin_id": admin, "body": "Hi Carol"},
    ).json()
    parts = after["conversation_parts"]["conversation_parts"]
    assert [p["part_type"] for p in parts] == ["comment"]
    assert parts[0]["author"]["id"] == admin and parts[0]["body"] == "<p>Hi Carol</p>"
    assert after["waiting_since"] is None
    assert after["teammates"]["teammates"] == [{"type": "admin", "id": admin}]

    note = api.post(
        f"/conversations/{cid}/reply",
        json={"type": "admin", "message_type": "note", "admin_id": admin, "body": "VIP"},
    ).json()
    assert note["conversation_parts"]["conversation_parts"][-1]["part_type"] == "note"

    closed = api.post(
        f"/conversations/{cid}/parts",
        json={"message_type": "close", "type": "admin", "admin_id": admin, "body": "Bye"},
    ).json()
    assert closed["state"] == "closed" and closed["open"] is False

    # the contact's reply reopens it, recorded as an `open` part carrying the reply
    reopened = api.post(
        f"/conversations/{cid}/reply",
        json={
            "type": "user",
            "message_type": "comment",
            "intercom_user_id": contact["id"],
            "body": "One more thing",
        },
    ).json()
    last = reopened["conversation_parts"]["conversation_parts"][-1]
    assert (last["part_type"], last["author"]["type"]) == ("open", "user")
    assert last["body"] == "<p>One more thing</p>"
    assert reopened["state"] == "open" and reopened["waiting_since"] is not None

    assert topics(server, cid) == [
        "conversation.user.created",
        "conversation.admin.replied",
        "conversation.admin.noted",
        "conversation.admin.closed",
        "conversation.user.replied",
    ]


def test_manage_snooze_open_assign(
    api: Api, server: Server, workspace: Workspace, contact: dict
) -> None:
    cid = start(api, contact["id"])["conversation_id"]
    admin = str(workspace.admin_id)
    url = f"/conversations/{cid}/parts"
    snoozed = api.post(
        url, json={"message_type": "snoozed", "admin_id": admin, "snoozed_until": 4102444800}
    ).json()
    assert (snoozed["state"], snoozed["open"], snoozed["snoozed_until"]) == (
        "snoozed",
        True,
        4102444800,
    )
    # assigning a snoozed conversation reopens it
    assigned = api.post(
        url,
        json={
            "message_type": "assignment",
            "type": "admin",
            "admin_id": admin,
            "assignee_id": admin,
        },
    ).json()
    part = assigned["conversation_parts"]["conversation_parts"][-1]
    assert part["part_type"] == "assign_and_reopen"
    assert part["assigned_to"] == {"type": "admin", "id": admin}
    assert assigned["admin_assignee_id"] == int(admin) and assigned["state"] == "open"
    unassigned = api.post(
        url,
        json={"message_type": "assignment", "type": "admin", "admin_id": admin, "assignee_id": "0"},
        version="2.16",
    ).json()
    assert unassigned["admin_assignee_id"] == 0
    assert (
        unassigned["conversation_parts"]["conversation_parts"][-1]["assigned_to"]["type"]
        == "nobody_admin"
    )
    assert api.get(f"/conversations/{cid}", version="2.15").json()["admin_assignee_id"] is None
    opened = api.post(url, json={"message_type": "open", "admin_id": admin}).json()
    assert opened["conversation_parts"]["conversation_parts"][-1]["part_type"] == "open"
    assert Counter(topics(server, cid))["conversation.admin.assigned"] == 2

    assert_error(
        api.post(url, json={"message_type": "close", "admin_id": "999999"}), 404, "admin_not_found"
    )
    assert_error(
        api.post(url, json={"message_type": "snoozed", "admin_id": admin}),
        400,
        "parameter_not_found",
        field="snoozed_until",
    )
    assert_error(
        api.post(
            url, json={"message_type": "assignment", "admin_id": admin, "assignee_id": "999999"}
        ),
        404,
        "admin_not_found",
    )
    assert_error(
        api.post(url, json={"admin_id": admin}), 400, "parameter_not_found", field="message_type"
    )
    assert_error(
        api.post("/conversations/999999/parts", json={"message_type": "open", "admin_id": admin}),
        404,
        "not_found",
    )


def test_admin_initiated_message(
    api: Api, server: Server, workspace: Workspace, contact: dict
) -> None:
    body = {
        "message_type": "inapp",
        "body": "We shipped your fix",
        "from": {"type": "admin", "id": workspace.admin_id},
        "to": {"type": "user", "id": contact["id"]},
    }
    message = api.post("/messages", json=body).json()
    assert message["type"] == "admin_message" and message["message_type"] == "inapp"
    got = api.get(f"/conversations/{message['conversation_id']}").json()
    assert got["source"]["delivered_as"] == "admin_initiated"
    assert got["source"]["author"]["type"] == "admin" and got["state"] == "closed"
    email = {**body, "message_type": "email"}
    assert_error(api.post("/messages", json=email), 422, "parameter_not_found", field="subject")
    assert_error(
        api.post("/messages", json={**body, "body": ""}), 400, "parameter_invalid", field="body"
    )
    assert_error(
        api.post("/messages", json={**body, "to": {"type": "user", "id": "nobody"}}),
        404,
        "not_found",
    )
    assert topics(server, message["conversation_id"]) == ["conversation.admin.single.created"]


def test_contact_reply_rules(api: Api, workspace: Workspace, contact: dict) -> None:
    cid = start(api, contact["id"])["conversation_id"]
    stranger = make_contact(api, "stranger@example.com")
    url = f"/conversations/{cid}/reply"
    assert_error(
        api.post(
            url,
            json={
                "type": "user",
                "message_type": "comment",
                "intercom_user_id": stranger["id"],
                "body": "x",
            },
        ),
        400,
        "parameter_mismatch",
    )
    assert_error(
        api.post(url, json={"type": "user", "message_type": "comment", "body": "x"}),
        400,
        "parameter_not_found",
    )
    by_email = api.post(
        url,
        json={
            "type": "user",
            "message_type": "comment",
            "email": "carol@example.com",
            "body": "by email",
        },
    )
    assert by_email.status_code == 200
    last = api.post(
        "/conversations/last/reply",
        json={
            "type": "user",
            "message_type": "comment",
            "intercom_user_id": contact["id"],
            "body": "latest",
        },
    )
    assert last.status_code == 200 and last.json()["id"] == cid
    assert_error(api.post("/conversations/abc/reply", json={"type": "admin"}), 404, "not_found")
    assert_error(
        api.post(
            url,
            json={"type": "admin", "message_type": "comment", "admin_id": str(workspace.admin_id)},
        ),
        400,
        "parameter_not_found",
        field="body",
    )


def test_create_errors(api: Api, contact: dict) -> None:
    assert_error(
        api.post("/conversations", json={"from": {"type": "user", "id": "nope"}, "body": "x"}),
        404,
        "not_found",
    )
    assert_error(
        api.post("/conversations", json={"from": {"type": "user", "id": contact["id"]}}),
        400,
        "parameter_not_found",
        field="body",
    )
    assert_error(
        api.post("/conversations", json={"body": "x"}), 400, "parameter_not_found", field="from"
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_every_version_shape(api: Api, workspace: Workspace, contact: dict, version: str) -> None:
    cid = start(api, contact["id"])["conversation_id"]
    admin = str(workspace.admin_id)
    tag = api.post("/tags", json={"name": "billing"}).json()
    api.post(
        f"/conversations/{cid}/tags", json={"id": tag["id"], "admin_id": admin}, version=version
    )
    api.post(
        f"/conversations/{cid}/reply",
        json={"type": "admin", "message_type": "comment", "admin_id": admin, "body": "hi"},
        version=version,
    )
    got = api.get(f"/conversations/{cid}", version=version).json()  # contract-checked
    assert got["tags"]["tags"][0]["name"] == "billing"
    listed = api.get("/conversations", version=version).json()
    assert cid in [c["id"] for c in listed["conversations"]]


def test_tags_update_delete_and_paging(
    api: Api, server: Server, workspace: Workspace, contact: dict
) -> None:
    admin = str(workspace.admin_id)
    made = [start(api, contact["id"], body=f"n{i}")["conversation_id"] for i in range(5)]
    tag = api.post("/tags", json={"name": "refund"}).json()
    url = f"/conversations/{made[0]}/tags"
    for _ in range(2):  # idempotent
        assert api.post(url, json={"id": tag["id"], "admin_id": admin}).json()["id"] == tag["id"]
    assert_error(
        api.post("/conversations/999999/tags", json={"id": tag["id"], "admin_id": admin}),
        404,
        "not_found",
    )
    assert_error(api.post(url, json={"id": "999999", "admin_id": admin}), 404, "tag_not_found")
    untagged = api.delete(f"{url}/{tag['id']}", json={"admin_id": admin})
    assert untagged.status_code == 200
    assert_error(api.delete(f"{url}/{tag['id']}", json={"admin_id": admin}), 404, "tag_not_found")

    updated = api.put(
        f"/conversations/{made[0]}",
        json={"read": True, "title": "Refund", "custom_attributes": {"plan": "pro"}},
    ).json()
    assert (updated["read"], updated["title"], updated["custom_attributes"]) == (
        True,
        "Refund",
        {"plan": "pro"},
    )

    seen: list[str] = []
    page = api.get("/conversations", params={"per_page": 2}).json()
    while True:
        seen += [c["id"] for c in page["conversations"]]
        assert "conversation_parts" not in page["conversations"][0]
        nxt = page["pages"].get("next")
        if not nxt:
            break
        page = api.get(
            "/conversations", params={"per_page": 2, "starting_after": nxt["starting_after"]}
        ).json()
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))

    gone = api.delete(f"/conversations/{made[1]}", version="2.13").json()
    assert gone == {"id": made[1], "object": "conversation", "deleted": True}
    assert_error(api.get(f"/conversations/{made[1]}"), 404, "not_found")
    assert topics(server, made[0]) == [
        "conversation.user.created",
        "conversation.tag.created",
        "conversation.tag.deleted",
        "conversation.updated",
    ]
    assert topics(server, made[1])[-1] == "conversation.deleted"


def test_conversations_and_tickets_share_ids(api: Api, contact: dict) -> None:
    from tests.ticket_fixtures import make_ticket, make_type

    tt = make_type(api, "Shared ids")
    ids = []
    for _ in range(3):
        ids.append(int(start(api, contact["id"])["conversation_id"]))
        ids.append(int(make_ticket(api, tt["id"], contact["id"])["id"]))
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    # an id names one object: a conversation id is no ticket, and the reverse
    assert_error(api.get(f"/tickets/{ids[0]}"), 404, "ticket_not_found")
    assert_error(api.get(f"/conversations/{ids[1]}"), 404, "not_found")


def test_a_lead_writes_as_a_lead(api: Api, server: Server, workspace: Workspace) -> None:
    lead = api.post("/contacts", json={"role": "lead", "email": "lee@example.com"}).json()
    cid = start(api, lead["id"], body="Pricing?")["conversation_id"]
    got = api.get(f"/conversations/{cid}").json()
    assert got["source"]["author"]["type"] == "lead"
    assert got["source"]["author"]["email"] == "lee@example.com"
    replied = api.post(
        f"/conversations/{cid}/reply",
        json={
            "type": "user",
            "message_type": "comment",
            "intercom_user_id": lead["id"],
            "body": "Hello?",
        },
    ).json()
    part = replied["conversation_parts"]["conversation_parts"][-1]
    assert part["author"]["type"] == "lead" and part["author"]["email"] == "lee@example.com"
    found = api.post(
        "/conversations/search",
        json={"query": {"field": "source.author.type", "operator": "=", "value": "lead"}},
    ).json()
    assert [c["id"] for c in found["conversations"]] == [cid]
    assert topics(server, cid) == ["conversation.user.created", "conversation.user.replied"]
