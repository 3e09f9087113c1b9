"""The `ticketry` command, run as the real executable in a subprocess: what each subcommand
prints, what it leaves in the database, and that a mistake exits non-zero with a message
saying what is wrong. (`serve` and `seed` are exercised by their own tests.)

Each run of the command costs a Python start-up (most of a second), so independent runs
are started together. Commands are written as shell lines (`shlex` splits them).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import select

from tests.conftest import Server, _postgres_database, make_api, make_workspace
from tests.helpers import assert_error
from tests.ticket_fixtures import make_type
from ticketry.db import migrate
from ticketry.db.database import Database
from ticketry.kit import auth
from ticketry.settings import Settings
from ticketry.tables import access_tokens, admins, team_members, teams, workspaces
from ticketry.ticket_states import queries as state_queries
from ticketry.workspaces import service as ws_service


def executable() -> str:
    beside = Path(sys.executable).parent / "ticketry"
    found = str(beside) if beside.is_file() else shutil.which("ticketry")
    assert found, "the ticketry command is not installed (pip install -e .)"
    return found


TICKETRY = executable()


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TICKETRY_")}
    # the code under test, wherever this checkout is (the command imports `ticketry`)
    src = str(Path(__file__).resolve().parent.parent / "src")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
    return env


def start(url: str | None, command: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """`ticketry [--database-url URL] <command>`, started."""
    cmd = [TICKETRY, *(("--database-url", url) if url else ()), *shlex.split(command)]
    return subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**_env(), **(env or {})},
    )


def finish(proc: subprocess.Popen) -> subprocess.CompletedProcess:
    out, err = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def run(
    url: str | None, command: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    return finish(start(url, command, env))


def run_all(url: str, *commands: str) -> list[subprocess.CompletedProcess]:
    """Independent commands, run at the same time."""
    return [finish(p) for p in [start(url, c) for c in commands]]


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, (result.args, result.stdout, result.stderr)
    return result.stdout


def ok_json(result: subprocess.CompletedProcess) -> Any:
    return orjson.loads(ok(result))


def failed(result: subprocess.CompletedProcess, says: str) -> None:
    """A non-zero exit with one clear line on stderr: no traceback, nothing on stdout."""
    assert result.returncode != 0, (result.args, result.stdout)
    assert says in result.stderr, (result.args, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stdout == "", result.stdout


# -- a database of its own: migrations and workspaces ----------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cli.db'}"
    else:
        yield from _postgres_database()


def table_rows(url: str, table: Any) -> list[dict[str, Any]]:
    db = Database(Settings(database_url=url))
    try:
        with db.transaction(write=False) as conn:
            return [dict(r) for r in conn.all(select(table).order_by(table.c.id))]
    finally:
        db.close()


def test_db_and_workspace_commands(empty_url: str) -> None:
    head = migrate.current(empty_url)[1]
    assert head
    assert ok(run(empty_url, "db current")).strip() == f"empty (behind (newest is {head}))"
    assert ok(run(empty_url, "db upgrade")).strip() == f"database at revision {head}"
    assert migrate.current(empty_url) == (head, head)
    assert table_rows(empty_url, workspaces) == []  # upgrade creates no workspace
    again, current = run_all(empty_url, "db upgrade", "db current")
    assert ok(again).strip() == f"database at revision {head}"  # idempotent
    assert ok(current).strip() == f"{head} (up to date)"

    acme = ok_json(run(empty_url, "workspace create --name Acme --json"))
    assert acme["name"] == "Acme" and acme["default_version"] == "2.14"
    assert acme["id"].isdigit() and acme["id_code"]
    # with one workspace, --workspace may be left out
    ann = ok_json(run(empty_url, "admin create --name Ann --email ann@example.com --json"))
    assert ann == {"id": ann["id"], "workspace_id": acme["id"], "name": "Ann",
                   "email": "ann@example.com"}  # fmt: skip
    text = ok(run(empty_url, "workspace create --name 'Beta Co' --default-version 2.11"))
    beta_id = text.split()[1]

    listed, lines, bo = run_all(
        empty_url,
        "workspace list --json",
        "workspace list",
        f"admin create --workspace {beta_id} --name Bo --email bo@example.com --job-title Support",
    )
    beta_code = ok_json(listed)[1]["id_code"]
    assert text.strip() == f"workspace {beta_id} ({beta_code}) created"
    assert ok_json(listed) == [
        acme,
        {"id": beta_id, "id_code": beta_code, "name": "Beta Co", "default_version": "2.11"},
    ]
    assert ok(lines).splitlines() == [
        f"{acme['id']}\t{acme['id_code']}\t2.14\tAcme",
        f"{beta_id}\t{beta_code}\t2.11\tBeta Co",
    ]
    bo_id = ok(bo).split()[1]
    assert ok(bo).strip() == f"admin {bo_id} (bo@example.com) created"

    preview, changed = run_all(
        empty_url,
        f"workspace set-version Unstable --workspace {acme['id_code']} --json",
        f"workspace set-version 2.16 --workspace {beta_id}",
    )
    assert ok_json(preview) == {**acme, "default_version": "Preview"}  # Unstable = Preview
    assert ok(changed).strip() == f"workspace {beta_id} now defaults to 2.16"
    if empty_url.startswith("sqlite"):  # TICKETRY_DATABASE_URL, when --database-url is not given
        from_env = run(None, "workspace list --json", {"TICKETRY_DATABASE_URL": empty_url})
        assert [w["default_version"] for w in ok_json(from_env)] == ["Preview", "2.16"]

    stored_ws = {str(w["id"]): w["default_version"] for w in table_rows(empty_url, workspaces)}
    assert stored_ws == {acme["id"]: "Preview", beta_id: "2.16"}
    stored_admins = {
        (str(a["id"]), str(a["workspace_id"]), a["email"], a["job_title"])
        for a in table_rows(empty_url, admins)
    }
    assert stored_admins == {
        (ann["id"], acme["id"], "ann@example.com", None),
        (bo_id, beta_id, "bo@example.com", "Support"),
    }


# -- on the test server's database: teams, tokens and states, checked over HTTP ---------------


def test_team_token_and_state_commands(server: Server) -> None:
    cli_ws = make_workspace(server, "CLI")
    url, ws = server.database_url, str(cli_ws.id)
    admin = str(cli_ws.admin_id)
    mate = server.tx(lambda c: ws_service.create_admin(c, cli_ws.id, "Flo", f"flo-{ws}@x.co"))
    with make_api(server, cli_ws.token) as api:
        bug = make_type(api, "Bug")
        chore = make_type(api, "Chore", category="Back-office")

        team_run, token_json, token_text, state_run = run_all(
            url,
            f"team create --workspace {ws} --name 'Tier 2' --admin {admin} --admin {mate['id']} --json",
            f"token create --workspace {ws} --admin {admin} --name ci --json",
            f"token create --workspace {cli_ws.id_code} --admin {admin}",
            f"state create --workspace {ws} --category in_progress --internal-label Triage"
            f' --external-label "We\'re on it" --ticket-type {bug["id"]} --json',
        )

        # team create: the team and its members, as the API shows them
        team = ok_json(team_run)
        members = [cli_ws.admin_id, mate["id"]]
        assert team == {"id": team["id"], "name": "Tier 2", "admin_ids": members}
        in_team = select(team_members.c.admin_id).where(team_members.c.team_id == int(team["id"]))
        assert sorted(r["admin_id"] for r in server.tx(lambda c: c.all(in_team))) == sorted(members)
        shown = api.get(f"/teams/{team['id']}").json()
        assert shown["name"] == "Tier 2" and sorted(shown["admin_ids"]) == sorted(members)
        assert int(team["id"]) not in members  # one id space for admins and teams

        # token create: printed once, stored as a hash, and it works over HTTP
        issued = ok_json(token_json)
        assert set(issued) == {"id", "token"} and issued["token"].startswith("tkt_")
        plain = ok(token_text).strip()
        assert plain.startswith("tkt_") and "\n" not in plain
        assert "shown once" in token_text.stderr
        row = server.tx(
            lambda c: c.one(select(access_tokens).where(access_tokens.c.id == int(issued["id"])))
        )
        assert row["name"] == "ci" and row["workspace_id"] == cli_ws.id
        assert row["admin_id"] == cli_ws.admin_id and row["revoked_at"] is None
        assert row["token_hash"] == auth.token_hash(issued["token"]) != issued["token"]
        principal = server.tx(lambda c: auth.lookup(c, auth.token_hash(plain)))
        assert (principal.workspace_id, principal.admin_id) == (cli_ws.id, cli_ws.admin_id)

        # state create: offered to the type it names only
        created = ok_json(state_run)
        labels = {k: created[k] for k in ("category", "internal_label", "external_label")}
        assert labels == {"category": "in_progress", "internal_label": "Triage",
                          "external_label": "We're on it"}  # fmt: skip
        assert created["archived"] is False
        assert [t["id"] for t in created["ticket_types"]["data"]] == [bug["id"]]

        def offered(type_id: str) -> dict[str, str]:
            states = api.get(f"/ticket_types/{type_id}").json()["ticket_states"]["data"]
            return {s["id"]: s["internal_label"] for s in states}

        assert offered(bug["id"])[created["id"]] == "Triage"
        assert created["id"] not in offered(chore["id"])

        revoke_run, listed = run_all(
            url,
            f"token revoke --workspace {ws} {issued['id']}",
            f"state list --workspace {ws} --json",
        )

        # token revoke: the token (never used, so cached by no server) is refused at once
        assert ok(revoke_run).strip() == f"token {issued['id']} revoked"
        with make_api(server, issued["token"]) as client:
            assert_error(client.get("/me"), 401, "unauthorized")
        with make_api(server, plain) as client:
            me = client.get("/me").json()  # the other token still works
            assert me["id"] == admin and me["email"] == cli_ws.admin_email

        # state list: the new state beside the workspace's four defaults
        states = ok_json(listed)
        assert created in states
        assert sorted(s["category"] for s in states if s["id"] != created["id"]) == [
            "in_progress", "resolved", "submitted", "waiting_on_customer",
        ]  # fmt: skip

        # state update: relabel and move to another type, then archive
        updated = ok_json(
            run(url, f"state update --workspace {ws} {created['id']} --internal-label Looking"
                     f" --ticket-type {chore['id']} --json")
        )  # fmt: skip
        assert updated["internal_label"] == "Looking" and updated["external_label"] == "We're on it"
        assert [t["id"] for t in updated["ticket_types"]["data"]] == [chore["id"]]
        assert created["id"] not in offered(bug["id"])
        assert offered(chore["id"])[created["id"]] == "Looking"

        archived = ok(run(url, f"state update --workspace {ws} {created['id']} --archive"))
        assert archived.strip() == (
            f"ticket state {created['id']} updated: {created['id']}\tin_progress\tLooking\t"
            f"We're on it\ttypes {chore['id']} (archived)"
        )
        assert created["id"] not in offered(chore["id"])


# -- mistakes: a non-zero exit and a message saying what is wrong -----------------------------


def test_errors_exit_non_zero_and_write_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'errors.db'}"
    migrate.upgrade(url)
    db = Database(Settings(database_url=url))
    try:
        with db.transaction() as conn:
            one = ws_service.create_workspace(conn, "One")
            two = ws_service.create_workspace(conn, "Two")
            ann = ws_service.create_admin(conn, one["id"], "Ann", "ann@example.com")
            bob = ws_service.create_admin(conn, two["id"], "Bob", "bob@example.com")
            ws_service.create_team(conn, one["id"], "Desk", [ann["id"]])
            used = ws_service.create_token(conn, one["id"], ann["id"])
            gone = ws_service.create_token(conn, one["id"], ann["id"])
            ws_service.revoke_token(conn, one["id"], gone.id)
            submitted = state_queries.default_state(conn, one["id"], "submitted")
    finally:
        db.close()
    before = {t: table_rows(url, t) for t in (workspaces, admins, teams, access_tokens)}
    w1, w2 = one["id"], two["id"]
    cases = [
        ("workspace create --name X --default-version 9.9", "'9.9' is not valid"),
        ("workspace set-version 2.16 --workspace nope", "Workspace nope not found"),
        ("admin create --name Cy --email cy@example.com",
         "Name a workspace with --workspace (there are several)"),
        (f"admin create --workspace {w1} --name A2 --email ann@example.com", "already exists"),
        # another workspace's admin, another workspace's token
        (f"team create --workspace {w1} --name Mixed --admin {bob['id']}",
         f"Admin {bob['id']} not found"),
        (f"token revoke --workspace {w2} {used.id}", f"no active token {used.id}"),
        (f"token revoke --workspace {w1} {gone.id}", f"no active token {gone.id}"),
        (f"state create --workspace {w1} --category in_progress --internal-label X"
         " --external-label Y --ticket-type 424242", "Ticket type 424242 not found"),
        (f"state update --workspace {w1} {submitted['id']} --archive",
         "A default ticket state cannot be archived"),
        (f"state update --workspace {w1} 424242 --internal-label Z", "Ticket state not found"),
    ]  # fmt: skip
    procs = [start(url, command) for command, _ in cases]
    procs.append(start("mysql://x/y", "db current"))
    results = [finish(p) for p in procs]
    for (_, message), result in zip(cases, results, strict=False):
        failed(result, message)
    failed(results[-1], "unsupported database URL scheme: mysql")
    assert {t: table_rows(url, t) for t in before} == before  # nothing written


def test_database_problems_are_one_line_not_a_traceback(tmp_path: Path) -> None:
    unmigrated, missing_dir = run_all(
        f"sqlite:///{tmp_path / 'new.db'}",
        "workspace list",
        f"--database-url sqlite:///{tmp_path / 'no' / 'such' / 'dir.db'} workspace list",
    )
    failed(unmigrated, "ticketry db upgrade")
    failed(missing_dir, "unable to open database file")
