"""The events table (the outbox): one event per change, in order, in the change's own
transaction; a rejected request leaves none; a killed server loses none it acknowledged."""

from __future__ import annotations

import httpx
import orjson
import pytest
from sqlalchemy import func, select

from tests.conftest import Api, Server, Workspace, make_workspace
from tests.helpers import assert_error
from tests.processes import ServerProcess
from tests.ticket_fixtures import add_attribute, make_contact, make_ticket, make_type
from ticketry.events import service as events_service
from ticketry.tables import events, ticket_parts


def ticket_events(server: Server, ticket_id: str) -> list[dict]:
    return [
        dict(row)
        for row in server.tx(
            lambda c: c.all(
                select(events)
                .where(events.c.object_type == "ticket", events.c.object_id == ticket_id)
                .order_by(events.c.seq)
            )
        )
    ]


def event_count(server: Server, workspace: Workspace) -> int:
    return server.tx(
        lambda c: c.scalar(
            select(func.count()).select_from(events).where(events.c.workspace_id == workspace.id)
        )
    )


@pytest.fixture
def ticket(api: Api) -> dict:
    tt = make_type(api, "Incident")
    add_attribute(api, tt["id"], "Severity", "string")
    contact = make_contact(api, "eve@example.com")
    return make_ticket(api, tt["id"], contact["id"])


def test_every_change_records_one_event_in_order(
    api: Api, server: Server, workspace: Workspace, ticket: dict
) -> None:
    url = f"/tickets/{ticket['id']}"
    admin = str(workspace.admin_id)
    tag = api.post("/tags", json={"name": "vip"}).json()
    states = {
        s["category"]: s["id"]
        for s in api.get(f"/ticket_types/{ticket['ticket_type']['id']}").json()["ticket_states"][
            "data"
        ]
    }
    steps = [
        ("PUT", url, {"ticket_attributes": {"Severity": "high"}}),
        ("PUT", url, {"ticket_state_id": states["in_progress"]}),
        ("PUT", url, {"admin_id": admin, "assignee_id": admin}),
        (
            "POST",
            f"{url}/reply",
            {"type": "admin", "message_type": "note", "admin_id": admin, "body": "n"},
        ),
        (
            "POST",
            f"{url}/reply",
            {"type": "admin", "message_type": "comment", "admin_id": admin, "body": "c"},
        ),
        (
            "POST",
            f"{url}/reply",
            {
                "type": "user",
                "message_type": "comment",
                "intercom_user_id": ticket["contacts"]["contacts"][0]["id"],
                "body": "u",
            },
        ),
        ("POST", f"{url}/tags", {"id": tag["id"], "admin_id": admin}),
        ("DELETE", f"{url}/tags/{tag['id']}", {"admin_id": admin}),
        ("PUT", url, {"is_shared": True}),
        ("PUT", url, {"snoozed_until": 4102444800}),
        ("PUT", url, {"snoozed_until": None}),
        ("PUT", url, {"ticket_state_id": states["resolved"]}),
        ("PUT", url, {"open": True}),
        ("PUT", url, {"assignee_id": "0"}),
    ]
    for method, path, body in steps:
        resp = api.call(method, path, json=body)
        assert resp.status_code == 200, (path, body, resp.text)

    found = ticket_events(server, ticket["id"])
    assert [e["topic"] for e in found] == [
        "ticket.created",
        "ticket.contact.attached",
        "ticket.attribute.updated",
        "ticket.state.updated",
        "ticket.admin.assigned",
        "ticket.note.created",
        "ticket.admin.replied",
        "ticket.contact.replied",
        "ticket.tag.created",
        "ticket.tag.deleted",
        "ticket.updated",
        "ticket.snoozed",
        "ticket.unsnoozed",
        "ticket.state.updated",
        "ticket.closed",
        "ticket.opened",
        "ticket.unassigned",
    ]
    seqs = [e["seq"] for e in found]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    # each part has its event, and each event that names a part names one of this ticket
    parts = server.tx(
        lambda c: c.all(
            select(ticket_parts.c.id, ticket_parts.c.part_type)
            .where(ticket_parts.c.ticket_id == int(ticket["id"]))
            .order_by(ticket_parts.c.id)
        )
    )
    assert [e["part_id"] for e in found if e["part_id"] is not None] == [p["id"] for p in parts]
    by_topic = {e["topic"]: e for e in found}  # the last of each topic
    contact_reply = by_topic["ticket.contact.replied"]
    assert (contact_reply["actor_type"], contact_reply["actor_id"]) == (
        "user",
        ticket["contacts"]["contacts"][0]["id"],
    )
    assert found[0]["actor_type"] == "admin" and found[0]["actor_id"] == admin
    assert '"state":"resolved"' in by_topic["ticket.state.updated"]["data"]
    assert by_topic["ticket.updated"]["data"] == '{"fields":["is_shared"]}'
    attached = orjson.loads(by_topic["ticket.contact.attached"]["data"])
    assert attached["contact_id"] == ticket["contacts"]["contacts"][0]["id"]

    assert api.delete(url, version="2.13").status_code == 200
    assert ticket_events(server, ticket["id"])[-1]["topic"] == "ticket.deleted"
    # the log outlives the ticket, and reads back through the service in seq order
    listed = server.tx(lambda c: events_service.since(c, workspace.id))
    assert [e["seq"] for e in listed] == list(range(1, len(listed) + 1))


def test_rejected_requests_record_no_event(
    api: Api, server: Server, workspace: Workspace, ticket: dict
) -> None:
    url = f"/tickets/{ticket['id']}"
    before = event_count(server, workspace)
    # valid attribute change first, then an invalid state: the whole request is refused
    assert_error(
        api.put(url, json={"ticket_attributes": {"Severity": "low"}, "ticket_state_id": "999999"}),
        400,
        "ticket_state_id_invalid",
    )
    assert_error(
        api.post(
            f"{url}/reply",
            json={"type": "admin", "message_type": "note", "admin_id": "999999", "body": "x"},
        ),
        404,
        "admin_not_found",
    )
    assert_error(
        api.post(f"{url}/tags", json={"id": "999999", "admin_id": "1"}), 404, "tag_not_found"
    )
    assert_error(api.put("/tickets/999999", json={"open": False}), 404, "ticket_not_found")
    assert event_count(server, workspace) == before
    assert api.get(url).json()["ticket_attributes"].get("Severity") is None


@pytest.mark.parametrize("kill_after", [1, 7])
def test_a_killed_server_loses_no_acknowledged_event(server: Server, kill_after: int) -> None:
    """kill -9 a real server process right after its answers: every change it
    acknowledged is there, with its event, when a new process starts."""
    workspace = make_workspace(server)
    proc = ServerProcess(server.database_url).start()
    headers = {"Authorization": f"Bearer {workspace.token}"}
    acknowledged = 0
    try:
        with httpx.Client(base_url=proc.url, headers=headers, timeout=30) as c:
            tt = c.post("/ticket_types", json={"name": "Crash", "category": "Customer"}).json()
            contact = c.post("/contacts", json={"email": "crash@example.com"}).json()
            created = c.post(
                "/tickets",
                json={"ticket_type_id": tt["id"], "contacts": [{"id": contact["id"]}]},
            ).json()
            for i in range(kill_after):
                resp = c.post(
                    f"/tickets/{created['id']}/reply",
                    json={
                        "type": "admin",
                        "message_type": "note",
                        "admin_id": str(workspace.admin_id),
                        "body": f"n{i}",
                    },
                )
                assert resp.status_code == 200
                acknowledged += 1
    finally:
        proc.kill()
    restarted = ServerProcess(server.database_url).start()
    try:
        with httpx.Client(base_url=restarted.url, headers=headers, timeout=30) as c:
            got = c.get(f"/tickets/{created['id']}").json()
        notes = [p for p in got["ticket_parts"]["ticket_parts"] if p["part_type"] == "note"]
        assert len(notes) == acknowledged
    finally:
        restarted.stop()
    topics = [e["topic"] for e in ticket_events(server, created["id"])]
    assert (
        topics
        == ["ticket.created", "ticket.contact.attached"] + ["ticket.note.created"] * acknowledged
    )


def test_deleting_a_contact_detaches_it_from_its_tickets(
    api: Api, server: Server, workspace: Workspace
) -> None:
    tt = make_type(api, "Detach")
    contact = make_contact(api, "gone@example.com")
    first = make_ticket(api, tt["id"], contact["id"])
    second = make_ticket(api, tt["id"], contact["id"])
    assert api.delete(f"/contacts/{contact['id']}").status_code == 200
    for ticket in (first, second):
        last = ticket_events(server, ticket["id"])[-1]
        assert last["topic"] == "ticket.contact.detached"
        data = orjson.loads(last["data"])
        assert data["contact_id"] == contact["id"] and data["open"] is True
        assert data["contact"]["email"] == "gone@example.com" and data["company_ids"] == []
        assert (last["actor_type"], last["actor_id"]) == ("admin", str(workspace.admin_id))
    topics = [
        row["topic"]
        for row in server.tx(
            lambda c: c.all(
                select(events.c.topic)
                .where(events.c.object_type == "contact", events.c.object_id == contact["id"])
                .order_by(events.c.seq)
            )
        )
    ]
    assert topics == ["contact.user.created", "contact.deleted"]


def test_deleting_a_tag_untags_its_tickets(api: Api, server: Server, workspace: Workspace) -> None:
    tt = make_type(api, "Untag")
    contact = make_contact(api, "tagged@example.com")
    tag = api.post("/tags", json={"name": "doomed"}).json()
    tagged = [make_ticket(api, tt["id"], contact["id"]) for _ in range(2)]
    untouched = make_ticket(api, tt["id"], contact["id"])
    for ticket in tagged:
        body = {"id": tag["id"], "admin_id": str(workspace.admin_id)}
        assert api.post(f"/tickets/{ticket['id']}/tags", json=body).status_code == 200
    assert api.delete(f"/tags/{tag['id']}").status_code == 200
    for ticket in tagged:
        last = ticket_events(server, ticket["id"])[-1]
        assert (last["topic"], last["data"]) == (
            "ticket.tag.deleted",
            f'{{"tag_id":"{tag["id"]}"}}',
        )
    assert [e["topic"] for e in ticket_events(server, untouched["id"])] == [
        "ticket.created",
        "ticket.contact.attached",
    ]
