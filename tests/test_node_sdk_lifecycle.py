"""Intercom's official Node SDK (intercom-client 7, Intercom-Version 2.14) through a
conversation's whole life: written in, answered, assigned, closed, reopened, tagged, listed,
converted to a Customer ticket, gathered under a tracker and retyped (2.16, with fetch: the
SDK has no method for either), and a ticket made by a background job.

The node script (`node/lifecycle.js`) prints what it saw; every response it got is also
checked against the OpenAPI file of the version it asked for.
"""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

import pytest

from tests import contract as oracle
from tests.conftest import Server, Workspace, make_workspace
from tests.test_node_sdk import HERE, _sdk_dir

Seen = tuple[Workspace, dict[str, Any]]


@pytest.fixture(scope="module")
def seen(server: Server) -> Seen:
    """One run of the script per database, shared by the tests below."""
    sdk_dir = _sdk_dir()
    workspace = make_workspace(server)
    result = subprocess.run(
        [
            "node",
            str(HERE / "node" / "lifecycle.js"),
            str(sdk_dir),
            server.url,
            workspace.token,
            str(workspace.admin_id),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "NODE_NO_WARNINGS": "1"},
    )
    assert result.returncode == 0, result.stderr
    return workspace, json.loads(result.stdout)


def test_a_conversation_from_first_message_to_reopened(seen: Seen) -> None:
    workspace, out = seen
    admin, cid, contact = workspace.admin_id, out["conversationId"], out["contactId"]
    assert out["message"] == {"type": "user_message", "body": "My invoice is wrong"}
    assert out["afterAdminReply"] == {"parts": ["comment"], "state": "open"}
    # 2.14 conversations carry assignee ids as integers (tickets: strings)
    assert out["assigned"] == {"assignee": admin, "assignedTo": {"type": "admin", "id": str(admin)}}
    assert out["closed"] == {"open": False, "state": "closed"}
    reopened = out["reopened"]
    assert (reopened["open"], reopened["state"]) == (True, "open")
    # a contact's reply to a closed conversation is recorded as the `open` part
    last = reopened["last"]
    assert (last["part_type"], last["body"]) == ("open", "<p>Still wrong</p>")
    assert (last["author"]["type"], last["author"]["id"]) == ("user", contact)
    assert out["untagged"] == "vip"
    assert out["found"] == {
        "id": cid,
        "open": True,
        "state": "open",
        "assignee": admin,
        "parts": ["comment", "assignment", "close", "open"],
        "tags": ["billing"],
        "source": {"type": "conversation", "body": "<p>My invoice is wrong</p>", "author": contact},
    }
    # `for await` walked three one-item pages, newest activity first, and stopped
    other, third = out["others"]
    assert int(cid) < int(other) < int(third)
    assert out["firstPageSize"] == 1
    assert out["listed"] == [third, other, cid]


def test_converted_linked_retyped_and_enqueued_tickets(server: Server, seen: Seen) -> None:
    _, out = seen
    cid, contact, types = out["conversationId"], out["contactId"], out["types"]
    other, third = out["others"]
    history = ["comment", "comment", "assignment", "close", "open"]
    assert out["convertRefused"] == {
        "thrown": True,
        "cls": "BadRequestError",
        "isIntercomNotFound": False,
        "isIntercomBadRequest": True,
        "status": 400,
        "code": "parameter_invalid",
    }
    # the ticket is the conversation: same id, its contact, its history then the bot's state part
    assert out["converted"] == {
        "id": cid,
        "type": "ticket",
        "category": "Customer",
        "typeId": types["billing"],
        "state": "submitted",
        "contacts": [contact],
        "parts": [*history, "ticket_state_updated_by_admin"],
    }
    assert out["conversationAfterConvert"] == cid

    # one id sequence for conversations and tickets
    tracker = out["trackerId"]
    assert int(tracker) > int(third)
    to_tracker = {"total": 1, "data": [{"type": "ticket", "id": tracker, "category": "Tracker"}]}
    assert out["linkAnswers"] == [
        {"type": "conversation", "id": cid, "linked": to_tracker},
        {"type": "conversation", "id": other, "linked": to_tracker},
    ]
    assert out["trackerLinks"]["total"] == 2
    assert sorted(out["trackerLinks"]["data"], key=lambda o: int(o["id"])) == [
        {"type": "ticket", "id": cid, "category": "Customer"},
        {"type": "conversation", "id": other, "category": None},
    ]
    assert out["ticketLinks"] == out["conversationLinks"] == to_tracker

    assert out["changed"] == {
        "id": cid,
        "typeId": types["refund"],
        "stateId": out["refundInProgress"],
        "state": "in_progress",
        "newParts": ["ticket_type_updated_by_admin", "ticket_state_updated_by_admin"],
        "linked": to_tracker,
    }
    assert out["afterChange"] == {
        "typeId": types["refund"],
        "state": "in_progress",
        "parts": [
            *history,
            "ticket_state_updated_by_admin",
            "ticket_type_updated_by_admin",
            "ticket_state_updated_by_admin",
        ],
        "linked": to_tracker,
    }

    assert out["job"] == {"type": "job", "status": "pending", "resourceType": "ticket"}
    done, made = out["jobDone"], out["made"]
    assert (done["status"], done["resourceType"]) == ("success", "ticket")
    assert done["resourceId"] == made["id"]
    assert done["resourceUrl"] == f"{server.url}/tickets/{made['id']}"
    assert int(made["id"]) > int(tracker)
    assert made == {
        "id": made["id"],
        "typeId": types["billing"],
        "title": "Queued from Node",
        "state": "submitted",
        "contacts": [contact],
    }


def test_errors_reach_sdk_code_as_its_error_classes(seen: Seen) -> None:
    _, out = seen
    assert out["findUnknown"] == {
        "thrown": True,
        "cls": "NotFoundError",
        "isIntercomNotFound": True,
        "isIntercomBadRequest": False,
        "status": 404,
        "code": "not_found",
    }
    assert out["jobUnknown"]["cls"] == "NotFoundError"
    assert (out["jobUnknown"]["status"], out["jobUnknown"]["code"]) == (404, "job_not_found")


def test_every_request_sent_once_and_every_answer_in_the_spec(seen: Seen) -> None:
    _, out = seen
    trace = out["trace"]
    other = out["others"][0]
    # the SDK's default retries (2, on 5xx) never fired: no 5xx, and each refusal was
    # answered once, with the status its error class says
    refused = [(t["method"], t["path"], t["status"]) for t in trace if t["status"] >= 300]
    assert refused == [
        ("POST", f"/conversations/{other}/convert", 400),
        ("GET", "/conversations/999999999", 404),
        ("GET", "/jobs/status/999999999", 404),
    ]
    # the SDK sends 2.14 on every call; the 2.16 calls it has no method for went by fetch
    versions = [(t["method"], t["path"], t["version"]) for t in trace if t.get("viaFetch")]
    tracker, cid = out["trackerId"], out["conversationId"]
    assert versions == [
        ("POST", "/tickets", "2.16"),
        ("POST", f"/tickets/{tracker}/linked_conversations", "2.16"),
        ("POST", f"/tickets/{tracker}/linked_conversations", "2.16"),
        ("GET", f"/tickets/{tracker}", "2.16"),
        ("GET", f"/ticket_types/{out['types']['refund']}", "2.16"),
        ("POST", f"/tickets/{cid}/change_type", "2.16"),
    ]
    assert {t["version"] for t in trace if not t.get("viaFetch")} == {"2.14"}
    unchecked = [
        (t["method"], t["path"], t["status"])
        for t in trace
        if not oracle.check(t["method"], t["path"], t["status"], t["body"].encode(), t["version"])
    ]
    # False means "nothing to check": the oracle is off (a skip reason elsewhere; a failure
    # under CI) or the spec has no schema for that answer
    if oracle.spec_dir() is not None:
        assert not unchecked, unchecked
