"""The pytest plugin shipped in the package, run by pytest's own `pytester`: its fixtures
start a server, give each test a workspace of its own, and clean up; it does nothing for a
session that does not ask for them."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from ticketry.testing import TicketryServer, TicketryWorkspace

pytest_plugins = ["pytester"]

ISOLATION = """
import json, os, time
from pathlib import Path

BARRIER = Path(os.environ["BARRIER_DIR"])


def _meet(name):
    # Both tests wait for each other, so their workspaces are in use at the same time.
    (BARRIER / name).touch()
    deadline = time.monotonic() + 60
    while len(list(BARRIER.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)


def _use(ws, name):
    with ws.http() as c:
        for n in range(5):
            r = c.post("/contacts", json={"email": f"same-{n}@example.com", "name": name})
            assert r.status_code == 200, r.text
        _meet(name)
        listed = c.get("/contacts", params={"per_page": 50}).json()
    assert listed["total_count"] == 5
    assert {x["name"] for x in listed["data"]} == {name}
    return ws


def test_one(ticketry_workspace):
    _use(ticketry_workspace, "one")


def test_two(ticketry_workspace):
    _use(ticketry_workspace, "two")
"""


def test_fixtures_start_isolate_and_clean_up(pytester: pytest.Pytester, tmp_path: Path) -> None:
    record = tmp_path / "seen.json"
    pytester.makepyfile(
        f"""
        import json, httpx

        SEEN = []

        def test_workspace(ticketry_server, ticketry_workspace):
            ws = ticketry_workspace
            assert ws.base_url == ticketry_server.base_url
            assert ws.headers["Authorization"] == f"Bearer {{ws.token}}"
            assert ws.headers["Intercom-Version"] == "2.14"
            me = httpx.get(f"{{ws.base_url}}/me", headers=ws.headers).json()
            assert me["id"] == ws.admin_id
            assert ws.client.admins.identify().id == ws.admin_id  # the official SDK
            SEEN.append(ws.workspace_id)
            with open({str(record)!r}, "w") as f:
                json.dump({{"url": ticketry_server.base_url,
                           "db": ticketry_server.database_url,
                           "workspaces": SEEN}}, f)

        def test_another(ticketry_workspace):
            assert ticketry_workspace.workspace_id not in SEEN  # a new one per test
            ticketry_workspace.fault("/me", 503)
            r = httpx.get(f"{{ticketry_workspace.base_url}}/me", headers=ticketry_workspace.headers)
            assert r.status_code == 503
            assert [q["status"] for q in ticketry_workspace.requests()] == [503]
        """
    )
    result = pytester.runpytest_subprocess("-q")
    result.assert_outcomes(passed=2)
    seen = json.loads(record.read_text())
    # After the session: the server is gone, and so is its temporary database.
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{seen['url']}/me", timeout=2)
    db_file = Path(seen["db"].removeprefix("sqlite:///"))
    assert not db_file.exists() and not db_file.parent.exists()


def test_parallel_workspaces_never_see_each_other(
    pytester: pytest.Pytester,
    ticketry_server: TicketryServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Two xdist workers, both on this session's server (--ticketry-url), at the same time.
    pytester.makepyfile(ISOLATION)
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    monkeypatch.setenv("BARRIER_DIR", str(barrier))
    result = pytester.runpytest_subprocess(
        "-q",
        "-n",
        "2",
        "--ticketry-url",
        ticketry_server.base_url,
        "--ticketry-token",
        ticketry_server.bootstrap_token,
    )
    result.assert_outcomes(passed=2)
    assert len(list(barrier.iterdir())) == 2


def test_options_version_and_a_wrong_token(
    pytester: pytest.Pytester, ticketry_server: TicketryServer
) -> None:
    pytester.makeini("[pytest]\nticketry_version = 2.16\n")
    pytester.makepyfile(
        """
        import httpx

        def test_version(ticketry_workspace):
            assert ticketry_workspace.headers["Intercom-Version"] == "2.16"
            # The workspace answers calls without the header in 2.16 too.
            h = {"Authorization": ticketry_workspace.headers["Authorization"]}
            made = httpx.post(f"{ticketry_workspace.base_url}/ticket_types", headers=h,
                              json={"name": "Bug", "category": "Customer"}).json()
            assert made["type"] == "ticket_type"
        """
    )
    good = ["--ticketry-url", ticketry_server.base_url]
    pytester.runpytest_subprocess(
        "-q", *good, "--ticketry-token", ticketry_server.bootstrap_token
    ).assert_outcomes(passed=1)
    # A token that is not the server's bootstrap token cannot make workspaces.
    wrong = pytester.runpytest_subprocess("-q", *good, "--ticketry-token", "tkt_not_the_one")
    wrong.assert_outcomes(errors=1)
    wrong.stdout.fnmatch_lines(["*401*"])


def test_the_plugin_does_nothing_unless_asked(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import sys, threading

        def test_plain():
            assert "ticketry.app" not in sys.modules and "uvicorn" not in sys.modules
            assert not [t for t in threading.enumerate() if t.name == "ticketry-server"]
        """
    )
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert "ticketry" in pytester.runpytest_subprocess("--help").stdout.str()


def test_a_workspace_handle_is_plain_data(ticketry_workspace: TicketryWorkspace) -> None:
    # This repo's own suite loads the plugin too: its fixtures work here as anywhere.
    with ticketry_workspace.http() as client:
        assert client.get("/me").json()["id"] == ticketry_workspace.admin_id
    snap = ticketry_workspace.snapshot("empty")
    with ticketry_workspace.http() as client:
        assert client.post("/tags", json={"name": "x"}).status_code == 200
    ticketry_workspace.restore(snap)
    with ticketry_workspace.http() as client:
        assert client.get("/tags").json()["data"] == []
    ticketry_workspace.reset()


def test_the_server_on_postgresql(pytester: pytest.Pytester) -> None:
    from tests.conftest import _postgres_database

    urls = _postgres_database()
    database_url = next(urls)
    try:
        pytester.makepyfile(
            """
            def test_on_postgresql(ticketry_server, ticketry_workspace):
                assert ticketry_server.database_url.startswith("postgresql")
                with ticketry_workspace.http() as c:
                    assert c.post("/tags", json={"name": "pg"}).status_code == 200
                    assert [t["name"] for t in c.get("/tags").json()["data"]] == ["pg"]
            """
        )
        # Twice on one database: the second session finds data there and still works.
        for _ in range(2):
            pytester.runpytest_subprocess(
                "-q", "--ticketry-database-url", database_url
            ).assert_outcomes(passed=1)
    finally:
        for _ in urls:  # drops the database
            pass
