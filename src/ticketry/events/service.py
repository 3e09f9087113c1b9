"""Recording domain events: every change appends its events in its own transaction.

`record` numbers a workspace's events with the counter on the workspace row. Taking that
row lock is the last thing a write transaction does (services lock their own rows first),
so a workspace's `seq` order is its commit order and a reader that follows `seq` never
skips an event that commits late; the lock is held only from then until the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import bindparam, select, update

from ticketry.db.database import Conn, Row
from ticketry.db.sql import InsertQ, Q
from ticketry.tables import events, workspaces


@dataclass(frozen=True, slots=True)
class Event:
    topic: str
    object_type: str  # ticket | contact
    object_id: str
    part_id: int | None = None
    actor_type: str | None = None
    actor_id: str | None = None
    data: dict[str, Any] | None = None


_BUMP = Q(
    update(workspaces)
    .where(workspaces.c.id == bindparam("ws"))
    .values(event_seq=workspaces.c.event_seq + bindparam("n"))
    .returning(workspaces.c.event_seq)
)
_INSERT = InsertQ(events)
_SINCE = Q(
    select(events)
    .where(events.c.workspace_id == bindparam("ws"), events.c.seq > bindparam("after"))
    .order_by(events.c.seq)
    .limit(bindparam("limit"))
)


def record(conn: Conn, workspace_id: int, pending: list[Event], at: int) -> None:
    """Append `pending` to the workspace's log, numbered in order."""
    if not pending:
        return
    last = conn.scalar(_BUMP, {"ws": workspace_id, "n": len(pending)})
    first = last - len(pending) + 1
    conn.execute_many(
        _INSERT,
        [
            _INSERT.row(
                workspace_id=workspace_id,
                seq=first + i,
                topic=e.topic,
                object_type=e.object_type,
                object_id=e.object_id,
                part_id=e.part_id,
                actor_type=e.actor_type,
                actor_id=e.actor_id,
                data=orjson.dumps(e.data).decode() if e.data else None,
                created_at=at,
            )
            for i, e in enumerate(pending)
        ],
    )


def since(conn: Conn, workspace_id: int, after: int = 0, limit: int = 1000) -> list[Row]:
    """The workspace's events after `seq` `after`, oldest first."""
    return conn.all(_SINCE, {"ws": workspace_id, "after": after, "limit": limit})
