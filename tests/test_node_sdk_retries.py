"""The official Node SDK's default retries (two on a 5xx) against injected faults: two
503s, then success, and the request log shows the three attempts."""

from __future__ import annotations

import json
import os
import subprocess

from tests.conftest import Api, Server, Workspace
from tests.kit_fixtures import control, kit_api, kit_server, kit_ws, ok
from tests.test_node_sdk import HERE, _sdk_dir

__all__ = ["kit_api", "kit_server", "kit_ws"]


def test_node_sdk_retries_through_two_503s(
    kit_api: Api, kit_server: Server, kit_ws: Workspace
) -> None:
    sdk_dir = _sdk_dir()
    control(kit_api, "POST", "faults", json={"path": "/contacts", "status": 503, "times": 2})
    result = subprocess.run(
        ["node", str(HERE / "node" / "retry.js"), str(sdk_dir), kit_server.url, kit_ws.token],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "NODE_NO_WARNINGS": "1"},
    )
    assert result.returncode == 0, result.stderr
    made = json.loads(result.stdout)
    assert made["email"] == "retry@example.com"
    attempts = control(kit_api, "GET", "requests", params={"limit": 10})["data"]
    assert [(r["method"], r["path"], r["status"]) for r in attempts] == [
        ("POST", "/contacts", 200),
        ("POST", "/contacts", 503),
        ("POST", "/contacts", 503),
    ]
    assert all(r["body"] == {"email": "retry@example.com"} for r in attempts)
    assert {r["intercom_version"] for r in attempts} == {"2.14"}  # the SDK's version
    assert ok(kit_api.get("/contacts"))["total_count"] == 1  # the faulted attempts made nothing
    assert control(kit_api, "GET", "faults")["data"] == []
