"""`ticketry control ...` against a running server with the test kit."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Api, Server, Workspace
from tests.kit_fixtures import control, kit_api, kit_server, kit_ws, ok
from ticketry.cli.main import main

__all__ = ["kit_api", "kit_server", "kit_ws"]


def run(capsys: pytest.CaptureFixture[str], server: Server, token: str, *argv: str) -> dict:
    main(["control", *argv, "--url", server.url, "--token", token])
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("kit_server", ["sqlite"], indirect=True)
def test_control_commands(
    capsys: pytest.CaptureFixture[str], kit_api: Api, kit_server: Server, kit_ws: Workspace
) -> None:
    def cli(*argv: str) -> dict:
        return run(capsys, kit_server, kit_ws.token, *argv)

    snap = cli("snapshot", "--name", "empty")
    assert snap["name"] == "empty"
    ok(kit_api.post("/tags", json={"name": "later"}))
    assert [s["id"] for s in cli("snapshots")["data"]] == [snap["id"]]
    cli("restore", snap["id"])
    assert ok(kit_api.get("/tags"))["data"] == []
    made = cli("fault", "--path", "/tags", "--status", "429", "--retry-after", "3")
    assert made["status"] == 429 and made["retry_after"] == 3
    assert kit_api.get("/tags", contract=False).status_code == 429
    assert cli("requests", "--limit", "1")["data"][0]["status"] == 429
    cli("fault", "--path", "/me", "--status", "500", "--times", "3")
    assert len(cli("faults")["data"]) == 1
    cli("faults", "--clear")
    assert control(kit_api, "GET", "faults")["data"] == []
    assert cli("clock", "--now", "1900000000")["now"] == 1900000000
    assert cli("clock", "--advance", "60")["now"] == 1900000060
    assert cli("clock", "--real")["frozen"] is False
    assert cli("reset")["type"] == "reset"
    cli("snapshot-delete", snap["id"])
    assert cli("snapshots")["data"] == []

    with pytest.raises(SystemExit) as exited:
        main(["control", "restore", snap["id"], "--url", kit_server.url, "--token", kit_ws.token])
    assert exited.value.code == 1
    assert "404: Snapshot not found" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["control", "reset", "--url", kit_server.url, "--token", "tkt_wrong"])
    assert "401" in capsys.readouterr().err
