"""Test fixtures: a real server over HTTP on each database, a fresh workspace per test.

Every API test runs once per backend: SQLite (a temporary file) and PostgreSQL (a fresh
database created on the server `TICKETRY_TEST_POSTGRES_URL` names, dropped afterwards).
Without that variable the PostgreSQL runs are skipped with a message saying so; under CI
(`CI=true`) a missing or unreachable PostgreSQL fails the run instead.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from tests import contract as oracle
from ticketry.app import create_app
from ticketry.db import migrate
from ticketry.db.database import Conn, Database, libpq_url
from ticketry.kit import auth
from ticketry.kit.server import uvicorn_options
from ticketry.settings import Settings
from ticketry.workspaces import service as ws_service

PG_ENV = "TICKETRY_TEST_POSTGRES_URL"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
AUTH_CACHE_SECONDS = 1.0  # short, so revocation tests wait little


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    backend: str
    url: str
    database_url: str
    db: Database  # the test's own connection to the same database, for setup and checks

    def tx(self, fn: Callable[[Conn], Any]) -> Any:
        with self.db.transaction() as conn:
            return fn(conn)


def _postgres_database() -> Iterator[str]:
    base = os.environ.get(PG_ENV)
    if not base:
        message = (
            f"PostgreSQL tests SKIPPED: set {PG_ENV}="
            "postgresql://user@host:5432/postgres to run them"
        )
        if IN_CI:
            pytest.fail(f"{message} (CI requires PostgreSQL)", pytrace=False)
        pytest.skip(message)
    import psycopg

    name = f"ticketry_test_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(libpq_url(base), autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        message = f"PostgreSQL at {PG_ENV} is unreachable: {exc}"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    prefix, _, _ = libpq_url(base).rpartition("/")
    try:
        yield f"{prefix}/{name}"
    finally:
        with psycopg.connect(libpq_url(base), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def serving(
    backend: str, tmp_path_factory: pytest.TempPathFactory, **options: Any
) -> Iterator[Server]:
    """A migrated database of the backend's and an in-thread server over it (`options`
    are Settings fields)."""
    if backend == "sqlite":
        path: Path = tmp_path_factory.mktemp("db") / "ticketry.db"
        urls: Iterator[str] = iter([f"sqlite:///{path}"])
    else:
        urls = _postgres_database()
    database_url = next(urls)
    migrate.upgrade(database_url)
    settings = Settings(database_url=database_url, auth_cache_seconds=AUTH_CACHE_SECONDS, **options)
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
        **uvicorn_options(settings),
    )
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    db = Database(settings)
    try:
        yield Server(backend, f"http://127.0.0.1:{port}", database_url, db)
    finally:
        uv.should_exit = True
        thread.join(10)
        db.close()
        for _ in urls:  # runs the PostgreSQL generator's cleanup
            pass


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    with serving(request.param, tmp_path_factory) as running:
        yield running


@dataclass
class Workspace:
    id: int
    id_code: str
    admin_id: int
    admin_email: str
    token: str


def make_workspace(
    server: Server, name: str = "Test workspace", default_version: str = "2.14"
) -> Workspace:
    def run(conn: Conn) -> Workspace:
        ws = ws_service.create_workspace(conn, name, default_version)
        email = f"admin-{uuid.uuid4().hex[:8]}@example.com"
        admin = ws_service.create_admin(conn, ws["id"], "Ada Admin", email, "Support lead")
        token = ws_service.create_token(conn, ws["id"], admin["id"], "tests")
        return Workspace(ws["id"], ws["id_code"], admin["id"], email, token.token)

    return server.tx(run)


@pytest.fixture
def workspace(server: Server) -> Workspace:
    return make_workspace(server)


class Api(httpx.Client):
    """An HTTP client for one workspace; `version=` on any call sets Intercom-Version, and
    `delete` takes a JSON body (Intercom's untag call sends one). Every response is checked
    against the OpenAPI contract (`contract=False` opts one call out)."""

    default_version = oracle.DEFAULT_VERSION  # the version header-less calls are answered in

    def call(
        self,
        method: str,
        url: str,
        *,
        version: str | None = None,
        headers: dict[str, str] | None = None,
        contract: bool = True,
        **kwargs: Any,
    ) -> httpx.Response:
        headers = dict(headers or {})
        if version is not None:
            headers["Intercom-Version"] = version
        response = self.request(method, url, headers=headers, **kwargs)
        if contract:
            oracle.check_response(response, self.default_version)
        return response

    def get(self, url: str, **kwargs: Any) -> httpx.Response:  # type: ignore[override]
        return self.call("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:  # type: ignore[override]
        return self.call("POST", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> httpx.Response:  # type: ignore[override]
        return self.call("PUT", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx.Response:  # type: ignore[override]
        return self.call("DELETE", url, **kwargs)


def make_api(server: Server, token: str | None) -> Api:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    client = Api(base_url=server.url, headers=headers, timeout=30)
    principal = server.tx(lambda c: auth.lookup(c, auth.token_hash(token))) if token else None
    if principal is not None:
        client.default_version = principal.default_version
    return client


@pytest.fixture
def api(server: Server, workspace: Workspace) -> Iterator[Api]:
    with make_api(server, workspace.token) as client:
        yield client


@pytest.fixture
def sdk(server: Server, workspace: Workspace) -> Any:
    from intercom import Intercom

    hooks = {"response": [oracle.httpx_hook(oracle.DEFAULT_VERSION)]}
    client = httpx.Client(timeout=30, event_hooks=hooks)
    return Intercom(token=workspace.token, base_url=server.url, httpx_client=client)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    terminalreporter.write_line(oracle.summary())
    skipped = terminalreporter.stats.get("skipped", [])
    pg_skipped = sum(1 for r in skipped if "PostgreSQL tests SKIPPED" in str(r.longrepr))
    if pg_skipped:
        terminalreporter.write_line(
            f"PostgreSQL was SKIPPED ({pg_skipped} tests): set {PG_ENV} to run them", yellow=True
        )
    else:
        ran = sum(1 for r in terminalreporter.stats.get("passed", []) if "[postgresql" in r.nodeid)
        terminalreporter.write_line(f"PostgreSQL: {ran} tests passed on PostgreSQL")
