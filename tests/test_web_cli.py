"""The commands behind the browser pages: `admin set-password`, `admin create` with a
password, `workspace show-secret`, and the sign-in instructions `serve` prints on first run.
Each password set on the command line then signs in over HTTP."""

from __future__ import annotations

import re
import socket
import subprocess
import time
from pathlib import Path

import httpx

from tests.conftest import Server, Workspace, make_api
from tests.test_cli import TICKETRY, _env, failed, ok, ok_json, run
from tests.ticket_fixtures import make_contact
from tests.web_fixtures import portal_link, sign_in


def _with_stdin(url: str, args: list[str], text: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [TICKETRY, "--database-url", url, *args],
        input=text,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
        check=False,
    )


def test_set_password_then_sign_in(server: Server, workspace: Workspace) -> None:
    args = ["admin", "set-password", "--admin", str(workspace.admin_id)]
    args += ["--workspace", workspace.id_code]
    failed(_with_stdin(server.database_url, args, "short\n"), "at least 8 characters")
    assert sign_in(server, workspace.admin_email, "a long passphrase").status_code == 401
    ok(_with_stdin(server.database_url, args, "a long passphrase\n"))
    page = sign_in(server, workspace.admin_email, "a long passphrase")
    assert page.status_code == 200 and "Tickets" in page.text
    failed(
        _with_stdin(
            server.database_url,
            ["admin", "set-password", "--admin", "999999", "--workspace", workspace.id_code],
            "a long passphrase\n",
        ),
        "not found",
    )


def test_admin_create_with_a_generated_password(server: Server, workspace: Workspace) -> None:
    made = ok_json(
        run(
            server.database_url,
            f"admin create --workspace {workspace.id_code} --name Bea --email bea@example.com "
            "--generate-password --json",
        )
    )
    assert len(made["password"]) >= 12
    assert sign_in(server, "bea@example.com", made["password"]).status_code == 200


def test_show_secret_signs_portal_links(server: Server, workspace: Workspace) -> None:
    shown = ok_json(
        run(server.database_url, f"workspace show-secret --workspace {workspace.id_code} --json")
    )
    assert re.fullmatch(r"[0-9a-f]{64}", shown["identity_secret"])
    again = ok_json(
        run(server.database_url, f"workspace show-secret --workspace {workspace.id_code} --json")
    )
    assert again == shown  # made once, then kept
    with make_api(server, workspace.token) as api:
        make_contact(api, "ann@example.com", external_id="ann-7")
    link = portal_link(server, workspace, user_id="ann-7")
    assert httpx.get(link, follow_redirects=True).status_code == 200


def test_first_run_of_serve_says_how_to_sign_in(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"sqlite:///{tmp_path / 'first.db'}"
    proc = subprocess.Popen(
        [TICKETRY, "--database-url", url, "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=_env(),
    )
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("Inbox:"):
                break
        found = re.search(r"sign in as (\S+) with password (\S+) ", lines[-1])
        assert found, lines
        email, password = found.groups()
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/signin")
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.1)
        client = httpx.Client(base_url=base, follow_redirects=True)
        form = client.get("/signin").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token
        page = client.post(
            "/signin", data={"csrf_token": token.group(1), "email": email, "password": password}
        )
        assert page.status_code == 200 and "Tickets" in page.text
    finally:
        proc.terminate()
        proc.wait(timeout=30)
