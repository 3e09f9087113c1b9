"""The pytest plugin (entry point `pytest11: ticketry`): `ticketry_server` and
`ticketry_workspace` fixtures for tests of code that calls Intercom's API.

Nothing happens unless a test asks for a fixture: no server starts, nothing is imported
beyond this module. Options (command line, or the ini file / environment):

- `--ticketry-version` (ini `ticketry_version`): the Intercom-Version of new workspaces
  and of `headers`; default 2.14.
- `--ticketry-database-url` (env TICKETRY_TEST_DATABASE_URL): the database the started
  server uses, e.g. a PostgreSQL one; default a temporary SQLite file.
- `--ticketry-url` and `--ticketry-token` (env TICKETRY_TEST_URL, TICKETRY_TEST_TOKEN): use a
  server already running with the test kit (`ticketry serve --test-kit --token ...`)
  instead of starting one; the token is that server's bootstrap token.
"""

from __future__ import annotations

import os
import secrets
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ticketry.testing.kit import TicketryServer, TicketryWorkspace

DEFAULT_VERSION = "2.14"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ticketry", "Ticketry test server")
    group.addoption(
        "--ticketry-version",
        default=None,
        help=f"Intercom-Version of ticketry_workspace (default {DEFAULT_VERSION})",
    )
    group.addoption(
        "--ticketry-database-url",
        default=None,
        help="database for the started server (default: a temporary SQLite file); "
        "env TICKETRY_TEST_DATABASE_URL",
    )
    group.addoption(
        "--ticketry-url",
        default=None,
        help="use this running server (started with --test-kit) instead; env TICKETRY_TEST_URL",
    )
    group.addoption(
        "--ticketry-token",
        default=None,
        help="the bootstrap token of --ticketry-url; env TICKETRY_TEST_TOKEN",
    )
    parser.addini("ticketry_version", f"Intercom-Version of ticketry_workspace ({DEFAULT_VERSION})")


def _option(config: pytest.Config, name: str, env: str | None = None) -> str | None:
    value = config.getoption(name)
    if value is None and env is not None:
        value = os.environ.get(env) or None
    return str(value) if value is not None else None


def _version(config: pytest.Config) -> str:
    return (
        _option(config, "ticketry_version")
        or str(config.getini("ticketry_version") or "")
        or DEFAULT_VERSION
    )


@pytest.fixture(scope="session")
def ticketry_server(pytestconfig: pytest.Config) -> Iterator[TicketryServer]:
    """A Ticketry server with the test kit on, for the whole session (one per xdist
    worker): `base_url`, `new_workspace()`."""
    version = _version(pytestconfig)
    url = _option(pytestconfig, "ticketry_url", "TICKETRY_TEST_URL")
    if url is not None:
        token = _option(pytestconfig, "ticketry_token", "TICKETRY_TEST_TOKEN")
        if token is None:
            raise pytest.UsageError("--ticketry-url needs --ticketry-token (its bootstrap token)")
        yield TicketryServer(url.rstrip("/"), token, version)
        return
    database_url = _option(pytestconfig, "ticketry_database_url", "TICKETRY_TEST_DATABASE_URL")
    with tempfile.TemporaryDirectory(prefix="ticketry-") as tmp:
        if database_url is None:
            database_url = f"sqlite:///{Path(tmp) / 'ticketry.db'}"
        with _running(database_url, version) as server:
            yield server


@pytest.fixture
def ticketry_workspace(ticketry_server: TicketryServer) -> TicketryWorkspace:
    """A fresh, empty workspace for this test, with its own admin and token."""
    return ticketry_server.new_workspace()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _running:
    """Migrate, make a bootstrap token, serve in a thread; stop and close on exit."""

    def __init__(self, database_url: str, version: str) -> None:
        self.database_url = database_url
        self.version = version
        self._uv: Any = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> TicketryServer:
        import uvicorn

        from ticketry.app import create_app
        from ticketry.db import migrate
        from ticketry.db.database import Database, dialect_of
        from ticketry.kit.server import uvicorn_options
        from ticketry.settings import Settings
        from ticketry.workspaces import service as ws

        migrate.upgrade(self.database_url)
        token = "tkt_boot_" + secrets.token_urlsafe(24)
        settings = Settings(
            database_url=self.database_url,
            test_kit=True,
            bootstrap_token=token,
            # A throwaway database: a crash may lose the last commits, never corrupt it.
            sqlite_synchronous="NORMAL" if dialect_of(self.database_url) == "sqlite" else "FULL",
            webhook_poll_seconds=0.1,
        )
        db = Database(settings)
        try:
            with db.transaction() as conn:
                if ws.is_empty(conn):
                    ws.bootstrap(conn, name="Ticketry test kit", token=token)
                else:  # a database given with --ticketry-database-url may hold data
                    made = ws.create_workspace(conn, "Ticketry test kit")
                    admin = ws.create_admin(
                        conn, made["id"], "Admin", f"admin-{made['id_code']}@example.com"
                    )
                    ws.create_token(conn, made["id"], admin["id"], "test kit", token)
        finally:
            db.close()
        port = _free_port()
        config = uvicorn.Config(
            create_app(settings),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="on",
            **uvicorn_options(settings),
        )
        self._uv = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._uv.run, name="ticketry-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._uv.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the Ticketry test server did not start")
            time.sleep(0.01)
        return TicketryServer(f"http://127.0.0.1:{port}", token, self.version, self.database_url)

    def __exit__(self, *_exc: object) -> None:
        if self._uv is not None:
            self._uv.should_exit = True
        if self._thread is not None:
            self._thread.join(15)
