"""The job worker inside every server process: claims due jobs and runs each in the
transaction that records how it ended.

One unit of work per job (`run_next`): claim the oldest due job (PostgreSQL: `FOR UPDATE
SKIP LOCKED`, so each job is held by one process at a time; SQLite: the one writer
claims), do its work, mark it `success` or `failed`, commit once. A crash anywhere before
the commit leaves no ticket and a job still `pending` for the next worker; a commit leaves
both. The worker wakes when this process enqueues (`wake`) and otherwise polls the table
every POLL_SECONDS for jobs other processes accepted or a restart left behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator

from ticketry.db.database import Conn, Database, Row
from ticketry.errors import ApiError
from ticketry.jobs import service
from ticketry.kit import ids
from ticketry.kit.worker import PollingWorker

log = logging.getLogger("ticketry.jobs")

POLL_SECONDS = 1.0
# Units submitted at once: on SQLite they share one group commit; on PostgreSQL each holds
# a pool connection, so few.
PARALLEL = 4
MAX_ATTEMPTS = 5  # attempts that end in an unexpected error before the job is failed


@contextlib.contextmanager
def _savepoint(conn: Conn) -> Iterator[None]:
    """Undo the block's writes if it raises, keeping the transaction (and the job's lock)."""
    conn.execute("SAVEPOINT job")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK TO SAVEPOINT job")
        conn.execute("RELEASE SAVEPOINT job")
        raise
    conn.execute("RELEASE SAVEPOINT job")


# The frozen clock of a workspace (the test kit's), or None for real time.
ClockOf = Callable[[int], int | None]


def _real_time(_workspace_id: int) -> int | None:
    return None


def run_next(conn: Conn, clock_of: ClockOf = _real_time) -> bool:
    """Claim, run and finish the oldest due job in this transaction; False if none was due."""
    job = service.claim(conn, ids.now())
    if job is None:
        return False
    frozen = clock_of(job["workspace_id"])
    if frozen is None:
        _run(conn, job)
        return True
    token = ids.FROZEN.set(frozen)  # the job's work is dated by its workspace's clock
    try:
        _run(conn, job)
    finally:
        ids.FROZEN.reset(token)
    return True


def _run(conn: Conn, job: Row) -> None:
    try:
        with _savepoint(conn):
            resource_id = service.run(conn, job)
    except ApiError as exc:
        # Refused at run time (its contact was deleted since, ...): final, like a 4xx.
        service.finish(conn, job, "failed", error=exc.as_error())
    except Exception as exc:
        log.exception("job %s failed unexpectedly (attempt %s)", job["id"], job["attempts"] + 1)
        _retry_later(conn, job, exc)
    else:
        service.finish(conn, job, "success", resource_id=resource_id)


def _retry_later(conn: Conn, job: Row, exc: Exception) -> None:
    """A bug or a database hiccup in one job must not stop the queue: its work is undone,
    it is tried again after a growing pause, and failed after MAX_ATTEMPTS."""
    attempt = job["attempts"] + 1
    error = {"code": "internal_error", "message": "The job could not be run; nothing was saved"}
    if attempt >= MAX_ATTEMPTS:
        service.finish(conn, job, "failed", error=error)
        return
    detail = {**error, "detail": repr(exc)[:500]}  # kept for operators, not shown while pending
    service.finish(conn, job, "pending", error=detail, run_after=ids.real_now() + 2**attempt)


class Worker(PollingWorker):
    """Started and stopped by the app's lifespan; `wake()` after an enqueue commits."""

    name = "ticketry-jobs"

    def __init__(self, db: Database, clock_of: ClockOf = _real_time) -> None:
        super().__init__(POLL_SECONDS, log)
        self._db = db
        self._clock_of = clock_of

    async def run_pass(self) -> None:
        if not await self._db.read(service.any_due, ids.now()):
            return
        while not self.stopping:
            ran = await asyncio.gather(
                *(self._db.write(run_next, self._clock_of) for _ in range(PARALLEL))
            )
            if not all(ran):
                return
