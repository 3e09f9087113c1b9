"""Webhook delivery by real `ticketry serve` processes on a database of their own: retries
keep the notification id, an object's notifications wait for its earlier ones, pending
notifications survive kill -9, and two processes deliver each notification once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from tests.conftest import Api, Server, Workspace, make_workspace
from tests.processes import ServerProcess, own_database
from tests.ticket_fixtures import make_contact, make_type
from tests.webhook_receiver import Receiver
from ticketry.db.database import Conn
from ticketry.tables.webhooks import webhook_deliveries
from ticketry.webhooks import delivery, service
from ticketry.webhooks.schemas import CreateSubscription

FAST = {"TICKETRY_WEBHOOK_RETRY_DELAYS": "1,1,1,1", "TICKETRY_WEBHOOK_POLL_SECONDS": "0.1"}


@pytest.fixture
def lone(server: Server, tmp_path: Path) -> Iterator[Server]:
    """A database of the test's kind that the session server does not deliver from."""
    with own_database(server.backend, tmp_path) as own:
        yield own


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    try:
        yield r
    finally:
        r.close()


def _client(process: ServerProcess, workspace: Workspace) -> Api:
    return Api(
        base_url=process.url, headers={"Authorization": f"Bearer {workspace.token}"}, timeout=30
    )


def _setup(api: Api, url: str, topics: list[str]) -> dict[str, Any]:
    resp = api.post("/subscriptions", json={"url": url, "topics": topics}, contract=False)
    assert resp.status_code == 200, resp.text
    bug = make_type(api, "Bug")
    contact = make_contact(api, "far@example.com")
    return {"ticket_type_id": bug["id"], "contacts": [{"id": contact["id"]}]}


def _ticket(api: Api, body: dict[str, Any]) -> str:
    resp = api.post("/tickets", json=body)
    assert resp.status_code == 200, resp.text
    return str(resp.json()["id"])


def test_retries_keep_the_id_and_later_events_wait(lone: Server, receiver: Receiver) -> None:
    process = ServerProcess(lone.database_url, env=FAST).start()
    try:
        workspace = make_workspace(lone)
        with _client(process, workspace) as api:
            body = _setup(api, receiver.url, ["ticket.created", "ticket.note.created"])
            receiver.statuses.extend([500, 503])
            tid = _ticket(api, body)
            receiver.wait(1)
            note = {
                "type": "admin",
                "message_type": "note",
                "admin_id": str(workspace.admin_id),
                "body": "n",
            }
            assert api.post(f"/tickets/{tid}/reply", json=note).status_code == 200
            got = receiver.settled(4)
        assert [r.json["topic"] for r in got] == ["ticket.created"] * 3 + ["ticket.note.created"]
        assert [r.answered for r in got] == [500, 503, 200, 200]
        assert len({r.json["id"] for r in got[:3]}) == 1
        assert [r.json["delivery_attempts"] for r in got] == [1, 2, 3, 1]
        assert len({r.json["first_sent_at"] for r in got[:3]}) == 1
    finally:
        process.stop()


def test_a_429_waits_as_long_as_the_receiver_asks(lone: Server, receiver: Receiver) -> None:
    receiver.statuses.extend([429])
    receiver.headers_for[429] = {"Retry-After": "3"}
    process = ServerProcess(lone.database_url, env=FAST).start()  # schedule: 1 s
    try:
        workspace = make_workspace(lone)
        with _client(process, workspace) as api:
            _ticket(api, _setup(api, receiver.url, ["ticket.created"]))
            got = receiver.wait(2, timeout=30)
        assert [r.answered for r in got] == [429, 200]
        assert got[0].json["id"] == got[1].json["id"]
        # asked for 3 s: the retry came no sooner than that (whole seconds, so >= 2 s apart)
        assert got[1].at - got[0].at >= 2.0
    finally:
        process.stop()


def test_retries_end_in_failed(lone: Server, receiver: Receiver) -> None:
    receiver.default = 500
    process = ServerProcess(
        lone.database_url, env={**FAST, "TICKETRY_WEBHOOK_RETRY_DELAYS": "1"}
    ).start()
    try:
        workspace = make_workspace(lone)
        with _client(process, workspace) as api:
            _ticket(api, _setup(api, receiver.url, ["ticket.created"]))
            got = receiver.settled(2)
            [sub] = api.get("/subscriptions", contract=False).json()["data"]
            [entry] = api.get(f"/subscriptions/{sub['id']}/deliveries", contract=False).json()[
                "data"
            ]
        assert len(got) == 2 and entry["status"] == "failed" and entry["attempts"] == 2
        assert entry["last_response_status"] == 500 and sub["active"] is True
    finally:
        process.stop()


def test_pending_notifications_survive_kill_9(lone: Server, receiver: Receiver) -> None:
    receiver.default = 503
    first = ServerProcess(
        lone.database_url, env={**FAST, "TICKETRY_WEBHOOK_RETRY_DELAYS": "2"}
    ).start()
    second = ServerProcess(lone.database_url, env=FAST)
    try:
        workspace = make_workspace(lone)
        with _client(first, workspace) as api:
            tid = _ticket(api, _setup(api, receiver.url, ["ticket.created"]))
        [failed] = receiver.wait(1)
        first.kill()
        receiver.default = 200
        second.start()
        got = receiver.wait(2, timeout=30)
        assert got[-1].json["id"] == failed.json["id"] and got[-1].answered == 200
        assert got[-1].json["data"]["item"]["id"] == tid
    finally:
        first.kill()
        second.stop()


def test_a_send_cut_short_by_kill_9_is_sent_again_after_its_lease(
    lone: Server, receiver: Receiver
) -> None:
    receiver.hold_next = 1  # the first attempt gets no answer: its sender dies mid-send
    env = {**FAST, "TICKETRY_WEBHOOK_LEASE_SECONDS": "6"}
    first = ServerProcess(lone.database_url, env=env).start()
    second = ServerProcess(lone.database_url, env=env)
    try:
        workspace = make_workspace(lone)
        with _client(first, workspace) as api:
            tid = _ticket(api, _setup(api, receiver.url, ["ticket.created"]))
        [held] = receiver.wait(1)
        first.kill()
        second.start()
        got = receiver.wait(2, timeout=40)
        again = got[1].json
        assert again["id"] == held.json["id"] and again["delivery_attempts"] == 2
        assert again["data"]["item"]["id"] == tid and got[1].answered == 200
        with _client(second, workspace) as api:
            [sub] = api.get("/subscriptions", contract=False).json()["data"]
            log = f"/subscriptions/{sub['id']}/deliveries"
            for _ in range(200):  # the outcome is written once the answer is in
                [entry] = api.get(log, contract=False).json()["data"]
                if entry["status"] != "pending":
                    break
                time.sleep(0.05)
        assert entry["status"] == "delivered" and entry["attempts"] == 2
    finally:
        receiver.release.set()
        first.kill()
        second.stop()


def test_a_write_wakes_the_worker_without_waiting_for_its_poll(
    lone: Server, receiver: Receiver
) -> None:
    # Polling once a minute: only the wake after the ticket's commit can send it in time.
    process = ServerProcess(lone.database_url, env={"TICKETRY_WEBHOOK_POLL_SECONDS": "60"})
    process.start()
    try:
        workspace = make_workspace(lone)
        with _client(process, workspace) as api:
            body = _setup(api, receiver.url, ["ticket.created"])
            receiver.settled(0, quiet=0.5)  # the subscription's own pass is over
            tids = [_ticket(api, body) for _ in range(3)]
        got = receiver.wait(3, timeout=15)
        assert sorted(r.json["data"]["item"]["id"] for r in got) == sorted(tids)
    finally:
        process.stop()


def test_two_servers_deliver_each_notification_once(lone: Server, receiver: Receiver) -> None:
    servers = [ServerProcess(lone.database_url, env=FAST).start() for _ in range(2)]
    try:
        workspace = make_workspace(lone)
        clients = [_client(s, workspace) for s in servers]
        body = _setup(clients[0], receiver.url, ["ticket.created"])
        made = {_ticket(clients[i % 2], body) for i in range(30)}
        got = receiver.settled(30)
        for client in clients:
            client.close()
        assert len(got) == 30
        assert {r.json["data"]["item"]["id"] for r in got} == made
        assert len({r.json["id"] for r in got}) == 30
    finally:
        for s in servers:
            s.stop()


def test_prune_drops_only_old_finished_notifications(lone: Server) -> None:
    workspace = make_workspace(lone)
    payload = CreateSubscription.model_validate({"url": "http://127.0.0.1:9/x"})

    def setup(c: Conn) -> list[str]:
        sub = service.create(c, workspace.id, payload)
        made = [service.ping(c, workspace.id, sub["public_id"]) for _ in range(3)]
        ids = [m["notification_id"] for m in made]
        for notif, status, at in ((ids[0], "delivered", 100), (ids[1], "pending", 100)):
            c.execute(
                update(webhook_deliveries)
                .where(webhook_deliveries.c.notification_id == notif)
                .values(status=status, created_at=at)
            )
        return ids

    ids = lone.tx(setup)
    assert lone.tx(lambda c: delivery.prune(c, 1000)) == 1
    left = lone.tx(lambda c: [r["notification_id"] for r in c.all(select(webhook_deliveries))])
    assert sorted(left) == sorted(ids[1:])  # the old pending one and the new one stay
