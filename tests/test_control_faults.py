"""Injected faults and the request log (the control API): a fault answers instead of the
API and nothing behind it runs; the log shows what a workspace's clients sent."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import orjson
import pytest

from tests.conftest import Api, Server, Workspace, make_api, make_workspace
from tests.helpers import assert_error
from tests.kit_fixtures import BOOTSTRAP_TOKEN, control, kit_api, kit_server, kit_ws, ok
from tests.processes import TICKETRY, ServerProcess
from ticketry.control.state import Kit, Logged

__all__ = ["kit_api", "kit_server", "kit_ws"]


def contacts(api: Api) -> int:
    return ok(api.get("/contacts"))["total_count"]


def test_a_fault_answers_its_next_matching_requests_then_goes(kit_api: Api) -> None:
    fault = control(
        kit_api,
        "POST",
        "faults",
        json={"method": "post", "path": "/contacts*", "status": 503, "times": 2},
    )
    assert fault["type"] == "fault" and fault["method"] == "POST" and fault["times"] == 2
    assert control(kit_api, "GET", "faults")["data"] == [fault]
    assert contacts(kit_api) == 0  # GET does not match
    for _ in range(2):
        err = assert_error(
            kit_api.post("/contacts", json={"email": "x@example.com"}, contract=False),
            503,
            "service_unavailable",
        )
        assert fault["id"] in err["message"]
    assert contacts(kit_api) == 0  # nothing behind the fault ran
    assert (
        ok(kit_api.post("/contacts", json={"email": "x@example.com"}))["email"] == "x@example.com"
    )
    assert control(kit_api, "GET", "faults")["data"] == []


def test_a_429_carries_the_rate_limit_headers(kit_api: Api) -> None:
    control(kit_api, "POST", "faults", json={"path": "/me", "status": 429, "retry_after": 7})
    resp = kit_api.get("/me", contract=False)
    assert_error(resp, 429, "rate_limit_exceeded")
    assert resp.headers["retry-after"] == "7"
    assert resp.headers["x-ratelimit-limit"] == "10000"
    assert resp.headers["x-ratelimit-remaining"] == "0"
    assert int(resp.headers["x-ratelimit-reset"]) > 0
    assert ok(kit_api.get("/me"))["type"] == "admin"


def test_a_latency_only_fault_lets_the_request_run(kit_api: Api) -> None:
    control(kit_api, "POST", "faults", json={"path": "/contacts", "latency_ms": 50})
    assert ok(kit_api.post("/contacts", json={"email": "slow@example.com"}))["email"]
    assert contacts(kit_api) == 1


def test_faults_are_deleted_one_or_all_and_stay_in_their_workspace(
    kit_api: Api, kit_server: Server
) -> None:
    one = control(kit_api, "POST", "faults", json={"path": "/me", "status": 500, "times": 5})
    control(kit_api, "POST", "faults", json={"path": "/tickets/*", "status": 502})
    other = make_workspace(kit_server, "Other")
    with make_api(kit_server, other.token) as theirs:
        assert ok(theirs.get("/me"))["type"] == "admin"  # our faults are not theirs
        assert control(theirs, "GET", "faults")["data"] == []
        assert_error(
            theirs.delete(f"/ticketry/faults/{one['id']}", contract=False), 404, "not_found"
        )
    assert control(kit_api, "DELETE", f"faults/{one['id']}")["deleted"] is True
    assert [f["path"] for f in control(kit_api, "GET", "faults")["data"]] == ["/tickets/*"]
    assert_error(kit_api.delete(f"/ticketry/faults/{one['id']}", contract=False), 404, "not_found")
    control(kit_api, "DELETE", "faults")
    assert control(kit_api, "GET", "faults")["data"] == []
    assert ok(kit_api.get("/me"))["type"] == "admin"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": 503}, "path"),
        ({"path": "tickets", "status": 503}, "path"),
        ({"path": "/ticketry/reset", "status": 503}, "path"),
        ({"path": "/me", "status": 200}, "status"),
        ({"path": "/me", "status": "503"}, "status"),
        ({"path": "/me", "status": 503, "times": 0}, "times"),
        ({"path": "/me", "status": 503, "method": "BREW"}, "method"),
        ({"path": "/me", "latency_ms": -1}, "latency_ms"),
        ({"path": "/me", "latency_ms": 600_000}, "latency_ms"),
    ],
)
def test_bad_faults_are_refused_by_field(kit_api: Api, body: dict, field: str) -> None:
    resp = kit_api.post("/ticketry/faults", json=body, contract=False)
    assert_error(
        resp, 400, "parameter_not_found" if field not in body else "parameter_invalid", field=field
    )
    assert control(kit_api, "GET", "faults")["data"] == []


def test_the_request_log_shows_what_was_sent_newest_first(
    kit_api: Api, kit_ws: Workspace, kit_server: Server
) -> None:
    control(kit_api, "POST", "faults", json={"path": "/contacts", "method": "POST", "status": 500})
    kit_api.post("/contacts", json={"email": "a@example.com"}, contract=False)
    kit_api.post("/contacts", json={"email": "b@example.com"}, version="2.16")
    kit_api.get("/contacts", params={"per_page": 5})
    kit_api.post("/tickets", content=b"not json", contract=False)
    httpx.get(f"{kit_server.url}/me")  # no token: no workspace to log it under
    logged = control(kit_api, "GET", "requests", params={"limit": 10})
    assert [(r["method"], r["path"], r["status"]) for r in logged["data"]] == [
        ("POST", "/tickets", 400),
        ("GET", "/contacts", 200),
        ("POST", "/contacts", 200),
        ("POST", "/contacts", 500),
    ]
    latest, listed, made, faulted = logged["data"]
    assert latest["body"] == "not json"
    assert listed["query"] == "per_page=5" and listed["body"] is None
    assert made["body"] == {"email": "b@example.com"} and made["intercom_version"] == "2.16"
    assert faulted["body"] == {"email": "a@example.com"} and faulted["intercom_version"] is None
    assert all(isinstance(r["created_at"], int) for r in logged["data"])
    assert kit_ws.token not in orjson.dumps(logged).decode()  # never the Authorization header
    assert len(control(kit_api, "GET", "requests", params={"limit": 2})["data"]) == 2
    assert_error(
        kit_api.get("/ticketry/requests", params={"limit": 0}, contract=False),
        400,
        "parameter_invalid",
        field="limit",
    )
    other = make_workspace(kit_server, "Other")
    with make_api(kit_server, other.token) as theirs:
        assert control(theirs, "GET", "requests")["data"] == []
    control(kit_api, "DELETE", "requests")
    assert control(kit_api, "GET", "requests")["data"] == []


def test_the_log_keeps_the_newest_requests_per_workspace() -> None:
    kit = Kit(log_size=3)
    for n in range(5):
        kit.record(1, Logged("GET", f"/r/{n}", "", 200, None, b"", 0))
    kit.record(2, Logged("GET", "/theirs", "", 200, None, b"", 0))
    assert [e.path for e in kit.requests(1, 10)] == ["/r/4", "/r/3", "/r/2"]
    assert [e.path for e in kit.requests(2, 10)] == ["/theirs"]


def test_only_the_bootstrap_token_creates_workspaces(kit_server: Server, kit_api: Api) -> None:
    assert_error(kit_api.post("/ticketry/workspaces", contract=False), 403, "forbidden")
    with make_api(kit_server, BOOTSTRAP_TOKEN) as boot:
        made = control(boot, "POST", "workspaces", json={"name": "Made", "default_version": "2.16"})
    assert made["type"] == "workspace" and made["default_version"] == "2.16"
    with make_api(kit_server, made["token"]) as api:
        assert ok(api.get("/me"))["id"] == made["admin_id"]


def test_serve_with_a_bootstrap_token(tmp_path: Path) -> None:
    token = "ci-token-0123456789abcdef"
    # From the environment, on an empty database: the first admin's token is the one given.
    proc = ServerProcess(f"sqlite:///{tmp_path / 'a.db'}", {"TICKETRY_BOOTSTRAP_TOKEN": token})
    try:
        proc.start()
        me = httpx.get(f"{proc.url}/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200 and me.json()["email"] == "admin@example.com"
        assert httpx.post(f"{proc.url}/ticketry/reset").status_code == 404  # no test kit
    finally:
        proc.stop()
    # `serve --token` refuses a short one before touching anything, and never echoes it.
    short = subprocess.run(
        [
            TICKETRY,
            "--database-url",
            f"sqlite:///{tmp_path / 'b.db'}",
            "serve",
            "--token",
            "short-secret",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert short.returncode == 2 and "16 to 512 characters" in short.stderr
    assert "short-secret" not in short.stdout + short.stderr
    assert not (tmp_path / "b.db").exists()
