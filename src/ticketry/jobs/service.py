"""Jobs: accepting work now (`POST /tickets/enqueue`, Intercom 2.14+), finding it, and
recording how it ended. The worker (jobs/worker.py) runs what this module stores.

A job's payload is version-independent: enqueue exists from 2.14, and 2.14 to Preview read
a create request alike (`company_id` is Intercom's company id from 2.12), so a stored
request runs in 2.14's terms whatever version enqueued it.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import bindparam, select, update

from ticketry.db.database import Conn, Row
from ticketry.db.sql import InsertQ, Q
from ticketry.errors import NotFound
from ticketry.kit import ids
from ticketry.kit.versions import V2_14, Version
from ticketry.tables import jobs
from ticketry.tickets import service as tickets
from ticketry.tickets.schemas import CreateTicket

TICKET_CREATE = "ticket.create"
REQUEST_VERSION = V2_14  # the terms a stored request is run in (see the module docstring)

_INSERT = InsertQ(jobs, returning=jobs.c.id)
_GET = Q(select(jobs).where(jobs.c.workspace_id == bindparam("ws"), jobs.c.id == bindparam("id")))
_DUE = (jobs.c.status == "pending", jobs.c.run_after <= bindparam("now"))
_ANY_DUE = Q(select(jobs.c.id).where(*_DUE).limit(1))
# SKIP LOCKED: on PostgreSQL, workers of other processes pass over a job one of them holds
# instead of queueing behind it; on SQLite (no FOR UPDATE) the one writer claims alone.
_CLAIM = Q(select(jobs).where(*_DUE).order_by(jobs.c.id).limit(1).with_for_update(skip_locked=True))
_FINISH = Q(
    update(jobs)
    .where(jobs.c.id == bindparam("id"))
    .values(
        status=bindparam("status"),
        attempts=jobs.c.attempts + 1,
        resource_id=bindparam("resource_id"),
        error=bindparam("error"),
        updated_at=bindparam("at"),
        run_after=bindparam("run_after"),
    )
)


def job_not_found() -> NotFound:
    return NotFound("Job Not Found", code="job_not_found")


def enqueue_ticket(
    conn: Conn, workspace_id: int, caller_admin: int, p: CreateTicket, version: Version
) -> Row:
    """Check a create request as `POST /tickets` would (same errors, nothing written) and
    store it as a pending job; the job row."""
    tickets.check_ticket(conn, workspace_id, p, version)
    payload = {"admin_id": caller_admin, "request": p.model_dump(mode="json", exclude_none=True)}
    return insert(conn, workspace_id, TICKET_CREATE, payload)


def insert(conn: Conn, workspace_id: int, kind: str, payload: dict[str, Any]) -> Row:
    """A pending job, due now; the row as stored."""
    now = ids.now()
    row = _INSERT.row(
        workspace_id=workspace_id,
        kind=kind,
        payload=orjson.dumps(payload).decode(),
        status="pending",
        attempts=0,
        created_at=now,
        updated_at=now,
        run_after=ids.real_now(),
    )
    row["id"] = conn.scalar(_INSERT, row)
    return row


def get_job(conn: Conn, workspace_id: int, job_id: int) -> Row:
    row = conn.one(_GET, {"ws": workspace_id, "id": job_id})
    if row is None:
        raise job_not_found()
    return row


def any_due(conn: Conn, now: int) -> bool:
    """Whether some job waits to run (cheap: lets an idle worker skip a write transaction)."""
    return conn.one(_ANY_DUE, {"now": now}) is not None


def claim(conn: Conn, now: int) -> Row | None:
    """The oldest due job, locked for the rest of the caller's transaction."""
    return conn.one(_CLAIM, {"now": now})


def run(conn: Conn, job: Row) -> int:
    """Do a claimed job's work in the caller's transaction; the id of what it made.
    Raises ApiError when the work is refused (the job has failed)."""
    payload = orjson.loads(job["payload"])
    if job["kind"] != TICKET_CREATE:
        raise ValueError(f"unknown job kind {job['kind']!r}")
    request = CreateTicket.model_validate(payload["request"])
    return tickets.create_ticket(
        conn, job["workspace_id"], payload["admin_id"], request, REQUEST_VERSION
    )


def finish(
    conn: Conn,
    job: Row,
    status: str,
    *,
    resource_id: int | None = None,
    error: dict[str, str] | None = None,
    run_after: int | None = None,
) -> None:
    """Record an attempt: `success` with what it made, `failed` with why, or `pending`
    again (with the error) to be retried after `run_after`."""
    now = ids.now()
    conn.execute(
        _FINISH,
        {
            "id": job["id"],
            "status": status,
            "resource_id": resource_id,
            "error": orjson.dumps(error).decode() if error is not None else None,
            "at": now,
            "run_after": run_after if run_after is not None else job["run_after"],
        },
    )
