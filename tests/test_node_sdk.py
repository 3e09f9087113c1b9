"""Intercom's official Node SDK (intercom-client, which sends Intercom-Version: 2.14 and
retries 5xx) against a running server: the same workflow as the Python SDK test.

The SDK is installed from the npm registry into `.venv/node-sdk` on first use. Without
node and npm this test is skipped (with the reason), except under CI, where it must run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import IN_CI, Server, Workspace

HERE = Path(__file__).parent
SDK_DIR = HERE.parent / ".venv" / "node-sdk"
SDK_VERSION = "7"


def _sdk_dir() -> Path:
    if not (shutil.which("node") and shutil.which("npm")):
        if IN_CI:
            pytest.fail("node and npm are needed for the Node SDK test in CI", pytrace=False)
        pytest.skip("Node SDK test SKIPPED: node and npm are not installed")
    if not (SDK_DIR / "node_modules" / "intercom-client").is_dir():
        SDK_DIR.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [
                "npm",
                "install",
                "--silent",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(SDK_DIR),
                f"intercom-client@{SDK_VERSION}",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if result.returncode != 0:
            message = f"could not install intercom-client from npm: {result.stderr[-500:]}"
            if IN_CI:
                pytest.fail(message, pytrace=False)
            pytest.skip(message)
    return SDK_DIR


def test_node_sdk_workflow(server: Server, workspace: Workspace) -> None:
    sdk_dir = _sdk_dir()
    result = subprocess.run(
        [
            "node",
            str(HERE / "node" / "workflow.js"),
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
    out = json.loads(result.stdout)
    assert out["me"] == str(workspace.admin_id)
    assert out["created"] == ["1", "2", "3", "4", "5"]
    assert out["stateType"] == "object"  # 2.14 shapes: the SDK sends Intercom-Version 2.14
    assert out["replyBody"] == "<p>Hello from Node</p>"
    assert out["updatedState"] == "in_progress"
    assert out["assignee"] == str(workspace.admin_id)
    assert out["tagged"] == "node"
    assert len(out["searched"]) == 5 == len(set(out["searched"]))
    assert out["deleted"] is True
    assert (out["afterDelete"], out["afterDeleteCode"]) == (404, "ticket_not_found")
