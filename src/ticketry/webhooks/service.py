"""Subscriptions and the delivery log: create, change, list, ping, redeliver.

Plain functions over a transaction; the CLI and the HTTP routes both call them. A new
subscription starts at the workspace's newest event: it is sent what happens from then on.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from sqlalchemy import bindparam, delete, select, update

from ticketry.db.database import Conn, Row
from ticketry.db.sql import InsertQ, Q
from ticketry.errors import NotFound, ParameterInvalid
from ticketry.kit import ids, versions
from ticketry.tables import workspaces
from ticketry.tables.webhooks import webhook_deliveries as deliveries
from ticketry.tables.webhooks import webhook_subscriptions as subs
from ticketry.webhooks import render, topics
from ticketry.webhooks.schemas import CreateSubscription, UpdateSubscription

MAX_PER_WORKSPACE = 250  # Intercom's limit on subscriptions made through its API

_INSERT = InsertQ(subs, returning=subs.c.id)
_INSERT_DELIVERY = InsertQ(deliveries)
_GET = Q(
    select(subs).where(subs.c.workspace_id == bindparam("ws"), subs.c.public_id == bindparam("id"))
)
_LIST = Q(select(subs).where(subs.c.workspace_id == bindparam("ws")).order_by(subs.c.id))
_WORKSPACE = Q(
    select(workspaces.c.default_version, workspaces.c.event_seq).where(
        workspaces.c.id == bindparam("ws")
    )
)


def not_found() -> NotFound:
    return NotFound("Subscription Not Found", code="not_found")


def new_notification_id() -> str:
    return f"notif_{uuid.uuid4()}"


def create(conn: Conn, workspace_id: int, p: CreateSubscription) -> Row:
    if p.service_type != "web":
        raise ParameterInvalid("service_type must be web", field="service_type")
    ws = conn.one(_WORKSPACE, {"ws": workspace_id})
    assert ws is not None  # the caller's token names it
    version = ws["default_version"]
    if p.api_version is not None:
        found = versions.get(p.api_version)
        if found is None:
            raise ParameterInvalid(
                f"api_version {p.api_version!r} is not valid", field="api_version"
            )
        version = str(found)
    if len(conn.all(_LIST, {"ws": workspace_id})) >= MAX_PER_WORKSPACE:
        raise ParameterInvalid(f"A workspace has at most {MAX_PER_WORKSPACE} subscriptions")
    now = ids.now()
    row = _INSERT.row(
        workspace_id=workspace_id,
        public_id=f"nsub_{uuid.uuid4()}",
        url=p.url,
        topics=orjson.dumps(p.topics).decode(),
        hub_secret=p.hub_secret,
        api_version=version,
        active=True,
        event_cursor=ws["event_seq"],
        created_at=now,
        updated_at=now,
    )
    row["id"] = conn.scalar(_INSERT, row)
    return row


def get(conn: Conn, workspace_id: int, public_id: str) -> Row:
    row = conn.one(_GET, {"ws": workspace_id, "id": public_id})
    if row is None:
        raise not_found()
    return row


def listed(conn: Conn, workspace_id: int) -> list[Row]:
    return conn.all(_LIST, {"ws": workspace_id})


def change(conn: Conn, workspace_id: int, public_id: str, p: UpdateSubscription) -> Row:
    row = get(conn, workspace_id, public_id)
    values: dict[str, Any] = {}
    if p.url is not None:
        values["url"] = p.url
    if p.topics is not None:
        values["topics"] = orjson.dumps(p.topics).decode()
    if "hub_secret" in p.model_fields_set:
        values["hub_secret"] = p.hub_secret or None
    if p.active is not None:
        values["active"] = p.active
        if p.active and not row["active"]:
            # Back on: sent what happens from now, not what it missed while off (as Intercom).
            ws = conn.one(_WORKSPACE, {"ws": workspace_id})
            assert ws is not None
            values["event_cursor"] = ws["event_seq"]
    if values:
        values["updated_at"] = ids.now()
        conn.execute(update(subs).where(subs.c.id == row["id"]).values(**values))
    return get(conn, workspace_id, public_id)


def remove(conn: Conn, workspace_id: int, public_id: str) -> Row:
    row = get(conn, workspace_id, public_id)
    conn.execute(delete(deliveries).where(deliveries.c.subscription_id == row["id"]))
    conn.execute(delete(subs).where(subs.c.id == row["id"]))
    return row


def ping(conn: Conn, workspace_id: int, public_id: str) -> Row:
    """Queue a `ping` notification (sent even when the subscription names no topic)."""
    sub = get(conn, workspace_id, public_id)
    notification_id = new_notification_id()
    now = ids.now()
    row = _INSERT_DELIVERY.row(
        workspace_id=workspace_id,
        notification_id=notification_id,
        subscription_id=sub["id"],
        event_id=None,
        topic=topics.PING,
        object_key=f"ping:{notification_id}",
        item=orjson.dumps(render.ping_item()).decode(),
        status="pending",
        attempts=0,
        next_attempt_at=ids.real_now(),
        created_at=now,
    )
    conn.execute(_INSERT_DELIVERY, row)
    return row


def log(conn: Conn, workspace_id: int, public_id: str, limit: int, before: int | None) -> list[Row]:
    """A page of the subscription's notifications, newest first."""
    sub = get(conn, workspace_id, public_id)
    q = select(deliveries).where(deliveries.c.subscription_id == sub["id"])
    if before is not None:
        q = q.where(deliveries.c.id < before)
    return conn.all(q.order_by(deliveries.c.id.desc()).limit(limit))


def redeliver(conn: Conn, workspace_id: int, public_id: str, notification_id: str) -> Row:
    """Send a notification again, now: same id, its attempt count goes on."""
    sub = get(conn, workspace_id, public_id)
    where = (
        deliveries.c.subscription_id == sub["id"],
        deliveries.c.notification_id == notification_id,
    )
    found = conn.execute(
        update(deliveries).where(*where).values(status="pending", next_attempt_at=ids.real_now())
    )
    if not found:
        raise NotFound("Notification Not Found", code="not_found")
    row = conn.one(select(deliveries).where(*where))
    assert row is not None
    return row
