"""Group commit for SQLite: one thread owns the write connection and commits waiting
units of work together.

With `synchronous=FULL` every COMMIT waits for the disk (an fsync, milliseconds), which
would cap a server at a few hundred writes per second. The writer takes every unit of work
that is queued, runs each inside its own SAVEPOINT (a failing one is rolled back alone and
its caller gets its error), COMMITs once for all of them, and only then answers their
callers: every acknowledged write is on disk, and a commit that fails fails every unit in
it, so no caller is told "saved" for data that is not. Reads never wait for this thread:
they run on the event loop on their own connection and see every committed write (WAL).
"""

from __future__ import annotations

import contextlib
import queue
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

MAX_BATCH = 256
_STOP = object()


class GroupCommitWriter:
    def __init__(
        self,
        connect: Callable[[], sqlite3.Connection],
        make_conn: Callable[[sqlite3.Connection], Any],
    ) -> None:
        self._connect = connect
        self._make_conn = make_conn
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(
            target=self._run, name="ticketry-sqlite-writer", daemon=True
        )
        self._thread.start()

    def submit(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> Future[Any]:
        future: Future[Any] = Future()
        self._queue.put((fn, args, future))
        return future

    def stop(self) -> None:
        self._queue.put(_STOP)
        self._thread.join(30)

    def _run(self) -> None:
        raw = self._connect()
        try:
            while True:
                batch = [self._queue.get()]
                while len(batch) < MAX_BATCH:
                    try:
                        batch.append(self._queue.get_nowait())
                    except queue.Empty:
                        break
                stop = any(item is _STOP for item in batch)
                units = [item for item in batch if item is not _STOP]
                if units:
                    try:
                        self._commit_group(raw, units)
                    except BaseException as exc:  # never let the writer die: fail the group
                        self._abandon(raw, units, exc)
                if stop:
                    return
        finally:
            raw.close()

    @staticmethod
    def _abandon(raw: sqlite3.Connection, units: list[Any], exc: BaseException) -> None:
        if raw.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                raw.execute("ROLLBACK")
        for _fn, _args, future in units:
            if not future.done():
                future.set_exception(exc)

    def _commit_group(self, raw: sqlite3.Connection, units: list[Any]) -> None:
        done: list[tuple[Future[Any], Any, BaseException | None]] = []
        try:
            raw.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            for _fn, _args, future in units:
                future.set_exception(exc)
            return
        conn = self._make_conn(raw)
        for fn, args, future in units:
            if not future.set_running_or_notify_cancel():
                continue
            raw.execute("SAVEPOINT unit")
            try:
                result = fn(conn, *args)
            except Exception as exc:
                raw.execute("ROLLBACK TO unit")
                raw.execute("RELEASE unit")
                done.append((future, None, exc))
            else:
                raw.execute("RELEASE unit")
                done.append((future, result, None))
        try:
            raw.execute("COMMIT")
        except sqlite3.Error as exc:
            raw.execute("ROLLBACK")
            for future, _result, _error in done:
                future.set_exception(exc)
            return
        for future, result, error in done:
            if error is None:
                future.set_result(result)
            else:
                future.set_exception(error)
