"""Connections, transactions and how database work meets the event loop.

One unit of work per request: a handler hands a plain function `fn(conn, ...)` to
`Database.read` or `Database.write`, which runs it inside one transaction and commits once
before the response is built, so a failed commit is an error, never a 200.

How database work meets the event loop (the concurrency model):
- No query, however slow, stalls other requests: on SQLite it runs on another thread
  (but the bounded point reads below), on PostgreSQL the loop awaits it and serves other
  requests meanwhile; the loop's own work is parsing, routing, rendering and bounded
  Python in units of work.
- SQLite reads whose cost grows with the data (searches, lists, files) run on a small pool
  of reader threads (`sqlite_readers`), each with its own connection; WAL lets them read
  while the writer writes, and sqlite3 releases the GIL while a statement runs. Point reads
  bounded by design (one object by key: a token, a ticket with at most 500 parts, a
  contact) run inline on the loop (`read_point`): they take well under a millisecond, and
  the hop to a thread and back for the GIL cost more than the read (measured: GET of a
  ticket at 2,700-2,900 req/s with p99 50 ms through a thread, 3,500-4,700 with p99 5-13
  ms inline).
- SQLite writes go to one writer thread that commits the waiting units of work together
  (`db/writer.py`): one writer serialises every change, so a read-modify-write is never
  interleaved with another, and durable commits cost one fsync per group.
- PostgreSQL work in the server runs on the event loop itself, over psycopg's async
  connections from an async pool: the unit of work stays plain synchronous code, run in a
  greenlet that parks at each statement while the loop awaits the driver (`db/loop.py`).
  Outside a running server (the CLI, tests' own connections) the same functions run on a
  synchronous pool. Writers lock what they read-modify-write (`SELECT ... FOR UPDATE`, see
  tickets/changes.py) and take the workspace's event counter last.
Rule for a new write: a plain function `fn(conn, ...)` handed to `Database.write`, which
locks before it reads what it will change, and does no network I/O.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool

from ticketry.db import loop as on_loop
from ticketry.db.sql import Q, compile_sql
from ticketry.db.writer import GroupCommitWriter
from ticketry.kit import ids
from ticketry.settings import Settings

T = TypeVar("T")
Row = Any  # sqlite3.Row or a psycopg dict row: both index by column name


class Conn:
    """One transaction's connection, with a small query API over the raw driver."""

    __slots__ = ("cache", "dialect", "raw", "writable")

    def __init__(
        self, raw: Any, dialect: str, writable: bool = True, cache: dict[str, Any] | None = None
    ) -> None:
        self.raw = raw
        self.dialect = dialect
        # False in read transactions: only what they read (committed data) may be cached.
        self.writable = writable
        # The database's process-wide cache, by name (see ticket_types.queries.load_type).
        self.cache = cache if cache is not None else {}

    def _cursor(self, q: Any, params: dict[str, Any] | None) -> Any:
        if isinstance(q, Q):
            return self.raw.execute(*q.bind(self.dialect, params))
        if isinstance(q, str):
            return self.raw.execute(q, params or {})
        text, bound = compile_sql(q, self.dialect)
        if params:
            bound.update(params)
        return self.raw.execute(text, bound)

    def all(self, q: Any, params: dict[str, Any] | None = None) -> list[Row]:
        return self._cursor(q, params).fetchall()

    def one(self, q: Any, params: dict[str, Any] | None = None) -> Row | None:
        return self._cursor(q, params).fetchone()

    def scalar(self, q: Any, params: dict[str, Any] | None = None) -> Any:
        row = self._cursor(q, params).fetchone()
        if row is None:
            return None
        return row[0] if self.dialect == "sqlite" else next(iter(row.values()))

    def execute(self, q: Any, params: dict[str, Any] | None = None) -> int:
        """Run a statement; the number of rows it touched."""
        return self._cursor(q, params).rowcount

    def execute_many(self, q: Q, rows: list[dict[str, Any]]) -> None:
        """Run a precompiled statement once per parameter set."""
        text, literals = q.compiled(self.dialect)
        if literals:
            rows = [{**literals, **r} for r in rows]
        if self.dialect == "sqlite":
            self.raw.executemany(text, rows)
        else:
            with self.raw.cursor() as cur:
                cur.executemany(text, rows)


def dialect_of(url: str) -> str:
    if url.startswith("sqlite:"):
        return "sqlite"
    if url.startswith(("postgresql:", "postgres:", "postgresql+")):
        return "postgresql"
    raise ValueError(
        f"unsupported database URL scheme: {url.split(':', 1)[0]}"
        " (use sqlite:///path or postgresql://...)"
    )


def sqlite_path(url: str) -> str:
    path = url.split("://", 1)[1]
    if path.startswith("/"):
        path = path[1:]
    if not path or path == ":memory:":
        raise ValueError("an in-memory SQLite database cannot be shared; name a file")
    return path.split("?", 1)[0]


def libpq_url(url: str) -> str:
    """The URL psycopg understands (no SQLAlchemy driver suffix)."""
    scheme, rest = url.split("://", 1)
    return "postgresql://" + rest if scheme.startswith("postgres") else url


def sqlalchemy_url(url: str) -> str:
    """The URL SQLAlchemy (Alembic) understands, with the psycopg 3 driver."""
    if dialect_of(url) == "postgresql":
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


class Database:
    def __init__(self, settings: Settings) -> None:
        self.url = settings.database_url
        self.dialect = dialect_of(self.url)
        self._settings = settings
        self._local = threading.local()
        self.cache: dict[str, Any] = {}  # per database, never shared between two of them
        # Called on the event loop after each committed `write` (the app wakes its webhook
        # worker there).
        self.after_write: Callable[[], None] | None = None
        self._pool: Any = None  # synchronous, opened on first use outside the loop
        self._loop_pool: Any = None  # async, opened by the first unit of work on a loop
        self._loop_pool_opened: asyncio.Future[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._writer: GroupCommitWriter | None = None
        self._writer_lock = threading.Lock()
        self._readers: ThreadPoolExecutor | None = None
        self._connections: list[sqlite3.Connection] = []  # every thread's, to close

    # -- connections -------------------------------------------------------------------

    def _connect_sqlite(self) -> sqlite3.Connection:
        raw = sqlite3.connect(
            sqlite_path(self.url), isolation_level=None, check_same_thread=False, timeout=30
        )
        raw.row_factory = sqlite3.Row
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("PRAGMA foreign_keys=ON")
        raw.execute("PRAGMA busy_timeout=30000")
        raw.execute(f"PRAGMA synchronous={self._settings.sqlite_synchronous}")
        return raw

    def _sqlite(self) -> sqlite3.Connection:
        raw = getattr(self._local, "conn", None)
        if raw is None:
            raw = self._local.conn = self._connect_sqlite()
            with self._writer_lock:
                self._connections.append(raw)
        return raw

    def _reader_pool(self) -> ThreadPoolExecutor:
        if self._readers is None:
            with self._writer_lock:
                if self._readers is None:
                    self._readers = ThreadPoolExecutor(
                        self._settings.sqlite_readers, thread_name_prefix="ticketry-sqlite-reader"
                    )
        return self._readers

    def _group_writer(self) -> GroupCommitWriter:
        if self._writer is None:
            with self._writer_lock:
                if self._writer is None:
                    self._writer = GroupCommitWriter(
                        self._connect_sqlite, lambda raw: Conn(raw, "sqlite", True, self.cache)
                    )
        return self._writer

    def _pool_options(self) -> dict[str, Any]:
        from psycopg.rows import dict_row

        return {
            "conninfo": libpq_url(self.url),
            "min_size": 1,
            "max_size": self._settings.pool_size,
            "kwargs": {"row_factory": dict_row, "autocommit": False},
        }

    def _sync_pool(self) -> Any:
        if self._pool is None:
            from psycopg_pool import ConnectionPool

            with self._writer_lock:
                if self._pool is None:
                    self._pool = ConnectionPool(**self._pool_options(), open=True)
        return self._pool

    async def _pool_on_loop(self) -> Any:
        """The async pool, or None when this loop is not the one it was opened on (a
        second loop in the same process uses the synchronous path instead)."""
        loop = asyncio.get_running_loop()
        if self._loop_pool is None:
            from psycopg_pool import AsyncConnectionPool

            self._loop = loop
            self._loop_pool = AsyncConnectionPool(**self._pool_options(), open=False)
            self._loop_pool_opened = asyncio.ensure_future(self._loop_pool.open())
        elif self._loop is not loop:
            return None
        assert self._loop_pool_opened is not None
        await self._loop_pool_opened
        return self._loop_pool

    async def _run_on_loop(self, pool: Any, write: bool, fn: Callable[..., T], *args: Any) -> T:
        """`fn(conn, *args)` in one transaction on the loop (see db/loop.py); the pool's
        connection context commits on success and rolls back on any error."""
        async with pool.connection() as raw:
            if write:
                return await on_loop.run(fn, self._loop_conn(raw, True), *args)
            # Reads run without BEGIN and COMMIT, as on the synchronous path below.
            await raw.set_autocommit(True)
            try:
                return await on_loop.run(fn, self._loop_conn(raw, False), *args)
            finally:
                if not raw.closed:
                    await raw.set_autocommit(False)

    def _loop_conn(self, raw: Any, write: bool) -> Conn:
        return Conn(on_loop.LoopConnection(raw), "postgresql", write, self.cache)

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[Conn]:
        """A transaction that commits when the block ends and rolls back on any error."""
        if self.dialect == "sqlite":
            raw = self._sqlite()
            raw.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield Conn(raw, "sqlite", write, self.cache)
            except BaseException:
                raw.execute("ROLLBACK")
                raise
            raw.execute("COMMIT")
        elif write:
            with self._sync_pool().connection() as raw:  # commits on success, rolls back on error
                yield Conn(raw, "postgresql", True, self.cache)
        else:
            # Reads run without BEGIN and COMMIT, two round trips fewer per request. Under
            # READ COMMITTED every statement takes its own snapshot inside a transaction
            # too, so a read sees nothing different.
            with self._sync_pool().connection() as raw:
                raw.autocommit = True
                try:
                    yield Conn(raw, "postgresql", False, self.cache)
                finally:
                    if not raw.closed:
                        raw.autocommit = False

    # -- running units of work ----------------------------------------------------------

    def run_sync(self, write: bool, fn: Callable[..., T], *args: Any) -> T:
        with self.transaction(write) as conn:
            return fn(conn, *args)

    async def _postgresql(self, write: bool, fn: Callable[..., T], *args: Any) -> T:
        pool = await self._pool_on_loop()
        if pool is not None:
            return await self._run_on_loop(pool, write, fn, *args)
        return await run_in_threadpool(self.run_sync, write, ids.on_this_clock(fn), *args)

    async def read(self, fn: Callable[..., T], *args: Any) -> T:
        if self.dialect == "sqlite":
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(
                self._reader_pool(), self.run_sync, False, ids.on_this_clock(fn), *args
            )
        return await self._postgresql(False, fn, *args)

    async def read_point(self, fn: Callable[..., T], *args: Any) -> T:
        """`read` for a bounded point read: inline on SQLite (see the module docstring)."""
        if self.dialect == "sqlite":
            return self.run_sync(False, fn, *args)
        return await self._postgresql(False, fn, *args)

    async def write(self, fn: Callable[..., T], *args: Any) -> T:
        if self.dialect == "sqlite":
            result = await asyncio.wrap_future(
                self._group_writer().submit(ids.on_this_clock(fn), args)
            )
        else:
            result = await self._postgresql(True, fn, *args)
        if self.after_write is not None:
            self.after_write()  # committed: on the event loop, e.g. to wake a worker
        return result

    async def write_then_read(
        self, fn: Callable[..., Any], then: Callable[..., T], *args: Any
    ) -> T:
        """Run the write `fn(conn, *args)`, then the bounded point read
        `then(conn, result, *args)` that renders its response.

        On PostgreSQL both run in one transaction (one pool checkout). On SQLite the read
        runs after the group commit, inline on the event loop like `read_point`: the one
        writer thread, which every write waits for, does only the write (a create's
        response read was a fifth of its time there). The read sees the committed write
        and any write committed after it, as a GET sent right after would."""
        if self.dialect == "sqlite":
            result = await self.write(fn, *args)
            return self.run_sync(False, then, result, *args)

        def both(conn: Conn, *a: Any) -> T:
            return then(conn, fn(conn, *a), *a)

        return await self.write(both, *args)

    async def aclose(self) -> None:
        """Close the async pool, on the loop it was opened on; then `close`."""
        if self._loop_pool is not None and self._loop is asyncio.get_running_loop():
            await self._loop_pool.close()
            self._loop_pool = None
        self.close()

    def close(self) -> None:
        if self._writer is not None:
            self._writer.stop()
            self._writer = None
        if self._readers is not None:
            self._readers.shutdown(wait=True)
            self._readers = None
        if self._pool is not None:
            self._pool.close()
        with self._writer_lock:
            connections, self._connections = self._connections, []
        for raw in connections:
            raw.close()
        self._local = threading.local()
