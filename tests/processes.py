"""Real `ticketry serve` processes for tests that need more than the in-process server:
two processes on one database, or a process to kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.conftest import Server, _free_port, _postgres_database
from ticketry.db import migrate
from ticketry.db.database import Database
from ticketry.settings import Settings

TICKETRY = str(Path(sys.executable).parent / "ticketry")


class ServerProcess:
    def __init__(self, database_url: str, env: dict[str, str] | None = None) -> None:
        self.database_url = database_url
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._env = {
            **os.environ,
            "TICKETRY_DATABASE_URL": database_url,
            "TICKETRY_AUTH_CACHE_SECONDS": "1",
            **(env or {}),
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> ServerProcess:
        self.proc = subprocess.Popen(
            [TICKETRY, "serve", "--port", str(self.port), "--log-level", "warning"],
            env=self._env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"ticketry serve exited: {err}")
            try:
                httpx.get(f"{self.url}/me", timeout=1)
                return self
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("ticketry serve did not start in 30 s")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no chance to flush anything."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def serving(database_url: str, count: int = 1) -> Iterator[list[ServerProcess]]:
    servers = [ServerProcess(database_url) for _ in range(count)]
    try:
        for s in servers:
            s.start()
        yield servers
    finally:
        for s in servers:
            s.stop()


@contextmanager
def own_database(backend: str, directory: Path) -> Iterator[Server]:
    """A migrated database of its own (SQLite in `directory`, or a fresh PostgreSQL one,
    dropped afterwards) that no server runs yet, with a connection for setup and checks."""
    if backend == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{directory / 'own.db'}"])
    else:
        urls = _postgres_database()
    url = next(urls)
    migrate.upgrade(url)
    db = Database(Settings(database_url=url))
    try:
        yield Server(backend, "", url, db)
    finally:
        db.close()
        for _ in urls:  # drops the PostgreSQL database
            pass
