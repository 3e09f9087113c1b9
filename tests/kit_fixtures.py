"""A server with the test kit on (both databases), and a workspace holding a row in every
table a workspace owns, built through the API."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import insert

from tests.conftest import Api, Server, Workspace, make_api, make_workspace, serving
from tests.ticket_fixtures import add_attribute, make_contact, make_ticket, make_type
from ticketry.tables import jobs, webhook_deliveries
from ticketry.ticket_states.service import create_state
from ticketry.workspaces import service as ws_service

BOOTSTRAP_TOKEN = "tkt_bootstrap_for_the_test_kit_0001"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def kit_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    with serving(
        request.param, tmp_path_factory, test_kit=True, bootstrap_token=BOOTSTRAP_TOKEN
    ) as running:
        running.tx(lambda c: ws_service.bootstrap(c, token=BOOTSTRAP_TOKEN))
        yield running


@pytest.fixture
def kit_ws(kit_server: Server) -> Workspace:
    return make_workspace(kit_server)


@pytest.fixture
def kit_api(kit_server: Server, kit_ws: Workspace) -> Iterator[Api]:
    with make_api(kit_server, kit_ws.token) as client:
        yield client


def ok(resp: Any) -> Any:
    assert resp.status_code == 200, resp.text
    return resp.json()


def control(api: Api, method: str, path: str, **kwargs: Any) -> Any:
    """A control API call that must succeed (no Intercom contract applies)."""
    return ok(api.call(method, f"/ticketry/{path}", contract=False, **kwargs))


def populate(api: Api, server: Server, ws: Workspace, tag: str = "a") -> dict[str, Any]:
    """Objects of every kind in the workspace: types with attributes, contacts, companies,
    tags, tickets with replies, values, files and links, conversations, a job, a webhook
    subscription with a delivery, and the events all of it wrote."""
    admin = str(ws.admin_id)
    kind = make_type(api, f"Bug {tag}")
    add_attribute(api, kind["id"], "Seats", "integer")
    tracker_type = make_type(api, f"Outage {tag}", category="Tracker")
    contact = make_contact(api, f"{tag}-dee@example.com")
    company = ok(api.post("/companies", json={"company_id": f"acme-{tag}", "name": "Acme"}))
    ok(api.post(f"/contacts/{contact['id']}/companies", json={"id": company["id"]}))
    label = ok(api.post("/tags", json={"name": f"vip-{tag}"}))
    ticket = make_ticket(
        api,
        kind["id"],
        contact["id"],
        ticket_attributes={"_default_title_": f"Broken {tag}", "Seats": 3},
    )
    ok(api.post(f"/tickets/{ticket['id']}/tags", json={"id": label["id"], "admin_id": admin}))
    file = {
        "content_type": "text/plain",
        "name": "log.txt",
        "data": base64.b64encode(b"hi").decode(),
    }
    ok(
        api.post(
            f"/tickets/{ticket['id']}/reply",
            json={
                "type": "admin",
                "message_type": "note",
                "admin_id": admin,
                "body": "with a file",
                "attachment_files": [file],
            },
            version="2.16",
        )
    )
    conversation = ok(
        api.post(
            "/conversations", json={"from": {"type": "user", "id": contact["id"]}, "body": "Hi"}
        )
    )["conversation_id"]
    ok(api.post(f"/conversations/{conversation}/tags", json={"id": label["id"], "admin_id": admin}))
    ok(
        api.post(
            f"/conversations/{conversation}/reply",
            json={"message_type": "comment", "type": "admin", "admin_id": admin, "body": "Hello"},
        )
    )
    # A custom state for the type (the CLI's service: Intercom's API cannot make one).
    server.tx(
        lambda c: create_state(
            c, ws.id, "in_progress", f"Waiting {tag}", f"Waiting {tag}", [int(kind["id"])]
        )
    )
    tracker = make_ticket(api, tracker_type["id"], contact["id"])
    ok(
        api.post(
            f"/tickets/{tracker['id']}/linked_conversations",
            json={"conversation_id": conversation},
            version="2.16",
        )
    )
    job = ok(
        api.post(
            "/tickets/enqueue",
            json={"ticket_type_id": kind["id"], "contacts": [{"id": contact["id"]}]},
            version="2.14",
        )
    )
    # The job's ticket is made before the subscription exists, so nothing is fanned out to
    # it (it is switched off at once; its one delivery row is written below).
    _wait_for_job(server, ws.id)
    subscription = ok(
        api.post(
            "/subscriptions",
            json={"url": "http://127.0.0.1:9/hook", "topics": ["ticket.created"]},
            contract=False,
        )
    )
    ok(api.post(f"/subscriptions/{subscription['id']}", json={"active": False}, contract=False))

    now = int(time.time())
    server.tx(
        lambda c: c.execute(
            insert(webhook_deliveries).from_select(
                [
                    "workspace_id",
                    "notification_id",
                    "subscription_id",
                    "topic",
                    "object_key",
                    "item",
                    "status",
                    "next_attempt_at",
                    "created_at",
                ],
                _delivery_source(ws.id, subscription["id"], now, tag),
            )
        )
    )
    return {"ticket": ticket, "tracker": tracker, "conversation": conversation, "job": job}


def _delivery_source(workspace_id: int, public_id: str, now: int, tag: str) -> Any:
    from sqlalchemy import literal, select

    from ticketry.tables import webhook_subscriptions as subs

    return select(
        literal(workspace_id),
        literal(f"notif_{tag}_{now}_{workspace_id}"),
        subs.c.id,
        literal("ping"),
        literal(f"ping:{workspace_id}"),
        literal("{}"),
        literal("delivered"),
        literal(now),
        literal(now),
    ).where(subs.c.public_id == public_id)


def _wait_for_job(server: Server, workspace_id: int) -> None:
    from sqlalchemy import func, select

    pending = (
        select(func.count())
        .select_from(jobs)
        .where(jobs.c.workspace_id == workspace_id, jobs.c.status == "pending")
    )
    deadline = time.monotonic() + 20
    while server.tx(lambda c: c.scalar(pending)):
        assert time.monotonic() < deadline, "the enqueued job never ran"
        time.sleep(0.05)
