"""A workspace's frozen clock (the control API): new timestamps use it, and moving it past
a snooze wakes the ticket or conversation with Intercom's `timer_unsnooze` part."""

from __future__ import annotations

import time

import pytest

from tests.conftest import Api, Server, Workspace, make_api, make_workspace
from tests.helpers import assert_error
from tests.kit_fixtures import control, kit_api, kit_server, kit_ws, ok
from tests.ticket_fixtures import make_contact, make_ticket, make_type, part_types

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
