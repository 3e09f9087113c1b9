"""Turning the event log into notifications, one row per event and subscription.

In two steps so rendering (CPU) stays out of the SQLite writer's unit: `plan` reads a
subscription's events after its cursor and renders their items in a read transaction;
`apply` then moves the cursor from where `plan` saw it and inserts the rows, in one write.
If another process moved the cursor meanwhile, that subscription's plan is dropped (the
other process made those rows), so each event is fanned out once per subscription.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import bindparam, select, update

from ticketry.db.database import Conn
from ticketry.db.sql import InsertQ, Q
from ticketry.events import service as events
from ticketry.kit import ids, versions
from ticketry.tables import workspaces
from ticketry.tables.webhooks import webhook_deliveries as deliveries
from ticketry.tables.webhooks import webhook_subscriptions as subs
from ticketry.webhooks import render, topics
from ticketry.webhooks.service import new_notification_id

BATCH = 200  # events per subscription per pass

_BEHIND = Q(
    select(
        subs.c.id,
        subs.c.workspace_id,
        subs.c.topics,
        subs.c.api_version,
        subs.c.event_cursor,
        workspaces.c.event_seq,
    )
    .join(workspaces, workspaces.c.id == subs.c.workspace_id)
    .where(subs.c.active, subs.c.event_cursor < workspaces.c.event_seq)
    .order_by(subs.c.id)
    .limit(50)
)
_MOVE = Q(
    update(subs)
    .where(subs.c.id == bindparam("id"), subs.c.event_cursor == bindparam("old"))
    .values(event_cursor=bindparam("new"))
)
_INSERT = InsertQ(deliveries)


@dataclass
class Plan:
    subscription_id: int
    old: int
    new: int
    rows: list[dict[str, Any]] = field(default_factory=list)


def plan(conn: Conn) -> list[Plan]:
    """For each active subscription with unseen events: the notifications they make."""
    out = []
    seen: dict[Any, Any] = {}  # shared by the pass's items (render.item)
    for sub in conn.all(_BEHIND):
        wanted = set(orjson.loads(sub["topics"]))
        version = versions.get(sub["api_version"]) or versions.DEFAULT
        rows = events.since(conn, sub["workspace_id"], sub["event_cursor"], BATCH)
        # No rows behind the counter (a bulk load numbers none): skip to the counter.
        p = Plan(sub["id"], sub["event_cursor"], rows[-1]["seq"] if rows else sub["event_seq"])
        now = ids.now()
        for event in rows:
            for topic in topics.of_event(event):
                if topic not in wanted:
                    continue
                item = render.item(conn, event, topic, version, seen)
                if item is None:
                    continue
                p.rows.append(
                    _INSERT.row(
                        workspace_id=sub["workspace_id"],
                        notification_id=new_notification_id(),
                        subscription_id=sub["id"],
                        event_id=event["id"],
                        topic=topic,
                        object_key=f"{event['object_type']}:{event['object_id']}",
                        item=orjson.dumps(item).decode(),
                        status="pending",
                        attempts=0,
                        next_attempt_at=now,
                        created_at=event["created_at"],
                    )
                )
        out.append(p)
    return out


def apply(conn: Conn, plans: list[Plan]) -> int:
    """Store the plans whose cursor nobody moved; how many notifications were made."""
    made = 0
    for p in plans:
        if conn.execute(_MOVE, {"id": p.subscription_id, "old": p.old, "new": p.new}) != 1:
            continue
        if p.rows:
            conn.execute_many(_INSERT, p.rows)
            made += len(p.rows)
    return made
