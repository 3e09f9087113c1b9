"""A workspace's frozen clock (the control API): new timestamps use it, and moving it past
a snooze wakes the ticket or conversation with Intercom's `timer_unsnooze` part."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import insert, select

from tests.conftest import Api, Server, Workspace, make_api, make_workspace
from tests.helpers import assert_error
from tests.kit_fixtures import control, kit_api, kit_server, kit_ws, ok
from tests.ticket_fixtures import make_contact, make_ticket, make_type, part_types
from ticketry.tables import webhook_deliveries, webhook_subscriptions

__all__ = ["kit_api", "kit_server", "kit_ws"]

T0 = 1_900_000_000  # 2030-03-17: far from the real clock either way


def test_moving_the_clock_past_a_snooze_wakes_tickets_and_conversations(
    kit_api: Api, kit_server: Server, kit_ws: Workspace
) -> None:
    assert control(kit_api, "PUT", "clock", json={"now": T0}) == {
        "type": "clock",
        "now": T0,
        "frozen": True,
    }
    kind = make_type(kit_api)
    contact = make_contact(kit_api, "sleepy@example.com")
    ticket = make_ticket(kit_api, kind["id"], contact["id"])
    assert ticket["created_at"] == T0
    url = f"/tickets/{ticket['id']}"
    assert ok(kit_api.put(url, json={"snoozed_until": T0 + 3600}))["snoozed_until"] == T0 + 3600
    cid = ok(
        kit_api.post(
            "/conversations", json={"from": {"type": "user", "id": contact["id"]}, "body": "Hi"}
        )
    )["conversation_id"]
    snoozed = ok(
        kit_api.post(
            f"/conversations/{cid}/parts",
            json={
                "message_type": "snoozed",
                "admin_id": str(kit_ws.admin_id),
                "snoozed_until": T0 + 3600,
            },
        )
    )
    assert snoozed["state"] == "snoozed"

    # Not yet: nothing wakes.
    assert control(kit_api, "PUT", "clock", json={"advance": 3599})["now"] == T0 + 3599
    assert ok(kit_api.get(url))["snoozed_until"] == T0 + 3600
    assert ok(kit_api.get(f"/conversations/{cid}"))["state"] == "snoozed"

    assert control(kit_api, "PUT", "clock", json={"advance": 1})["now"] == T0 + 3600
    woke = ok(kit_api.get(url))
    assert "snoozed_until" not in woke and woke["open"] is True
    assert part_types(woke)[-1] == "timer_unsnooze"
    last = woke["ticket_parts"]["ticket_parts"][-1]
    assert last["created_at"] == T0 + 3600 and last["author"]["type"] == "bot"
    conversation = ok(kit_api.get(f"/conversations/{cid}"))
    assert conversation["state"] == "open" and conversation["snoozed_until"] is None
    parts = conversation["conversation_parts"]["conversation_parts"]
    assert parts[-1]["part_type"] == "timer_unsnooze" and parts[-1]["created_at"] == T0 + 3600
    # Moving on wakes nothing twice.
    control(kit_api, "PUT", "clock", json={"advance": 60})
    assert part_types(ok(kit_api.get(url))).count("timer_unsnooze") == 1

    # Other workspaces keep real time; back on real time, so does this one.
    other = make_workspace(kit_server, "Real time")
    with make_api(kit_server, other.token) as theirs:
        theirs_ticket = make_ticket(theirs, make_type(theirs)["id"], make_contact(theirs)["id"])
    assert abs(theirs_ticket["created_at"] - time.time()) < 3600
    assert control(kit_api, "GET", "clock")["now"] == T0 + 3660
    back = control(kit_api, "DELETE", "clock")
    assert back["frozen"] is False and abs(back["now"] - time.time()) < 3600
    later = make_ticket(kit_api, kind["id"], contact["id"])
    assert abs(later["created_at"] - time.time()) < 3600


@pytest.mark.parametrize(
    "body", [{}, {"now": T0, "advance": 5}, {"advance": -5}, {"now": "soon"}, {"advance": 1.5}]
)
def test_bad_clock_moves_are_refused(kit_api: Api, body: dict) -> None:
    resp = kit_api.put("/ticketry/clock", json=body, contract=False)
    err = assert_error(resp, 400, "parameter_invalid")
    assert err["field"] in ("now", "advance")
    assert control(kit_api, "GET", "clock")["frozen"] is False


def test_a_job_runs_on_its_workspaces_clock(kit_api: Api, kit_server: Server) -> None:
    control(kit_api, "PUT", "clock", json={"now": T0})
    kind = make_type(kit_api)
    contact = make_contact(kit_api, "queued@example.com")
    job = ok(
        kit_api.post(
            "/tickets/enqueue",
            json={"ticket_type_id": kind["id"], "contacts": [{"id": contact["id"]}]},
            version="2.14",
        )
    )
    deadline = time.monotonic() + 20
    while (status := ok(kit_api.get(f"/jobs/status/{job['id']}", version="2.14")))[
        "status"
    ] == "pending":
        assert time.monotonic() < deadline, "the job never ran"
        time.sleep(0.05)
    assert status["status"] == "success", status
    ticket_id = status["resource_id"]
    assert ok(kit_api.get(f"/tickets/{ticket_id}"))["created_at"] == T0


def test_a_jump_brings_forward_the_retries_it_reaches(
    kit_api: Api, kit_server: Server, kit_ws: Workspace
) -> None:
    sub = ok(
        kit_api.post(
            "/subscriptions",
            json={"url": "http://127.0.0.1:9/hook", "topics": ["ticket.created"]},
            contract=False,
        )
    )
    soon = int(time.time()) + 300  # a retry due in five minutes of the server's time

    def add(conn: Any) -> None:
        sub_id = conn.scalar(
            select(webhook_subscriptions.c.id).where(webhook_subscriptions.c.public_id == sub["id"])
        )
        conn.execute(
            insert(webhook_deliveries).values(
                workspace_id=kit_ws.id,
                notification_id=f"notif_clock_{kit_ws.id}",
                subscription_id=sub_id,
                topic="ping",
                object_key=f"ping:clock-{kit_ws.id}",
                item="{}",
                status="pending",
                attempts=0,
                next_attempt_at=soon,
                created_at=soon - 300,
            )
        )

    kit_server.tx(add)

    def attempts() -> Any:
        return kit_server.tx(
            lambda c: c.one(
                select(webhook_deliveries.c.attempts, webhook_deliveries.c.next_attempt_at).where(
                    webhook_deliveries.c.notification_id == f"notif_clock_{kit_ws.id}"
                )
            )
        )

    control(kit_api, "PUT", "clock", json={"advance": 60})  # not far enough
    assert attempts()["next_attempt_at"] == soon
    control(kit_api, "PUT", "clock", json={"advance": 600})
    deadline = time.monotonic() + 20
    while attempts()["attempts"] == 0:  # the worker tried it (the receiver is not there)
        assert time.monotonic() < deadline, "the retry was not brought forward"
        time.sleep(0.05)
