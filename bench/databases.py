"""A fresh database per benchmark pass: a temp SQLite file under bench/results/tmp/ or a new
PostgreSQL database (created and dropped), migrated and seeded with `ticketry seed --json`.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent
TMP = ROOT / "bench" / "results" / "tmp"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


def ticketry_bin() -> str:
    """The `ticketry` command next to this Python (the project's .venv)."""
    found = Path(sys.executable).with_name("ticketry")
    return str(found) if found.exists() else "ticketry"


def _with_database(url: str, name: str) -> str:
    base, _, query = url.partition("?")
    head = base.rsplit("/", 1)[0] if base.count("/") > 2 else base
    return f"{head}/{name}" + (f"?{query}" if query else "")


def _admin(url: str, statement: str) -> None:
    import psycopg

    from ticketry.db.database import libpq_url

    with psycopg.connect(libpq_url(url), autocommit=True, connect_timeout=10) as conn:
        conn.execute(statement)


@contextmanager
def fresh(kind: str) -> Iterator[str]:
    """The URL of a new, empty database of `kind`; removed afterwards, even on failure."""
    name = f"ticketry_bench_{os.getpid()}_{secrets.token_hex(3)}"
    if kind == "sqlite":
        TMP.mkdir(parents=True, exist_ok=True)
        path = TMP / f"{name}.db"
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    admin_url = os.environ.get("TICKETRY_BENCH_POSTGRES_URL", DEFAULT_POSTGRES)
    _admin(admin_url, f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(admin_url, name)
    finally:
        _admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _ticketry(url: str, args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [ticketry_bin(), "--database-url", url, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=ROOT,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"ticketry {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}"
        )
    return proc


def migrate(url: str) -> float:
    start = time.perf_counter()
    _ticketry(url, ["db", "upgrade"], timeout=600)
    return time.perf_counter() - start


def seed_timeout(tickets: int) -> float:
    """Generous: 10 minutes plus 5 ms a ticket (about 1.5 hours for a million)."""
    return 600 + tickets * 0.005


def seed(url: str, tickets: int) -> tuple[dict[str, Any], float]:
    """Seed `tickets` tickets; the seed's JSON and the wall-clock seconds it took."""
    start = time.perf_counter()
    proc = _ticketry(url, ["seed", "--tickets", str(tickets), "--json"], seed_timeout(tickets))
    elapsed = time.perf_counter() - start
    lines = [line for line in proc.stdout.splitlines() if line.strip().startswith("{")]
    if not lines:
        raise RuntimeError(f"ticketry seed printed no JSON:\n{proc.stdout[-2000:]}")
    return orjson.loads(lines[-1]), elapsed


def find_token(data: Any) -> str:
    """The access token in the seed's JSON, wherever it sits (a `tkt_` string)."""
    if isinstance(data, str) and data.startswith("tkt_"):
        return data
    items = data.values() if isinstance(data, dict) else data if isinstance(data, list) else []
    for item in items:
        try:
            return find_token(item)
        except LookupError:
            continue
    raise LookupError("no access token (tkt_...) in the seed's JSON")


def new_token(url: str, workspace_id: int, admin_id: int) -> str:
    """A fresh access token for an already seeded database (`--database-url`)."""
    proc = _ticketry(
        url,
        ["token", "create", "--workspace", str(workspace_id), "--admin", str(admin_id), "--json"],
        timeout=120,
    )
    return find_token(orjson.loads(proc.stdout))


def versions(url: str) -> str:
    """The database engine's version string."""
    if url.startswith("sqlite"):
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    import psycopg

    from ticketry.db.database import libpq_url

    with psycopg.connect(libpq_url(url), connect_timeout=10) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return f"PostgreSQL {row[0] if row else '?'}"
