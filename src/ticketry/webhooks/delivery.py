"""Claiming due notifications and recording how an attempt ended.

A claim is its own short transaction: it counts the attempt and leases the row (pushes
`next_attempt_at` past the send timeout), commits, and only then is the request sent, so
no HTTP call runs inside a transaction. A process killed mid-send leaves the row pending;
it is sent again when the lease ends (at least once, with the same notification id).
PostgreSQL: `FOR UPDATE SKIP LOCKED` lets processes claim side by side without taking the
same row; SQLite: the one writer claims.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from sqlalchemy import and_, bindparam, delete, exists, func, literal_column, select, update
from sqlalchemy.orm import aliased

from ticketry.db.database import Conn, Row
from ticketry.db.sql import Q
from ticketry.tables import workspaces
from ticketry.tables.webhooks import webhook_deliveries as deliveries
from ticketry.tables.webhooks import webhook_subscriptions as subs

CLAIM_BATCH = 20

_earlier = aliased(deliveries)
_DUE = (
    deliveries.c.status == "pending",
    deliveries.c.next_attempt_at <= bindparam("now"),
    subs.c.active,
    # An object's notifications go out in order: none while an earlier one is pending.
    ~exists().where(
        and_(
            _earlier.c.subscription_id == deliveries.c.subscription_id,
            _earlier.c.object_key == deliveries.c.object_key,
            # A literal, not a parameter: so both databases use the partial index of
            # pending rows (tables/webhooks.py), whatever an object's history.
            _earlier.c.status == literal_column("'pending'"),
            _earlier.c.id < deliveries.c.id,
        )
    ),
)
_ANY_ACTIVE = Q(select(subs.c.id).where(subs.c.active).limit(1))
_CLAIM = Q(
    select(deliveries.c.id)
    .join(subs, subs.c.id == deliveries.c.subscription_id)
    .where(*_DUE)
    .order_by(deliveries.c.id)
    .limit(bindparam("limit"))
    .with_for_update(skip_locked=True, of=deliveries)
)
_LEASE = Q(
    update(deliveries)
    .where(deliveries.c.id == bindparam("id"))
    .values(
        attempts=deliveries.c.attempts + 1,
        last_attempt_at=bindparam("now"),
        first_sent_at=func.coalesce(deliveries.c.first_sent_at, bindparam("now")),
        next_attempt_at=bindparam("lease"),
    )
)
_CLAIMED = (
    select(
        deliveries,
        subs.c.url,
        subs.c.hub_secret,
        workspaces.c.id_code.label("app_id"),
    )
    .join(subs, subs.c.id == deliveries.c.subscription_id)
    .join(workspaces, workspaces.c.id == deliveries.c.workspace_id)
)
_FINISH = Q(
    update(deliveries)
    .where(deliveries.c.id == bindparam("id"))
    .values(
        status=bindparam("status"),
        last_response_status=bindparam("response"),
        next_attempt_at=bindparam("next"),
    )
)
_PRUNE = Q(
    delete(deliveries).where(
        deliveries.c.status != "pending", deliveries.c.created_at < bindparam("before")
    )
)
_DEACTIVATE = Q(
    update(subs)
    .where(subs.c.id == bindparam("id"))
    .values(active=False, updated_at=bindparam("now"))
)


MAX_RETRY_AFTER = 86_400  # a receiver may ask for a pause of up to a day, not more


@dataclass(frozen=True, slots=True)
class Outcome:
    delivery: Row
    response: int | None  # HTTP status, None when no answer came (timeout, refused)
    retry_after: float | None = None  # seconds a 429 or 503 asked us to wait


def retry_after(value: str | None, now: float) -> float | None:
    """A `Retry-After` header (seconds, or an HTTP date) as seconds from `now`, bounded."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        seconds = float(value[:9])
    else:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - now
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def any_active(conn: Conn) -> bool:
    return conn.one(_ANY_ACTIVE) is not None


def claim(conn: Conn, now: int, lease_seconds: int) -> list[Row]:
    """Lease up to CLAIM_BATCH due notifications for `lease_seconds` (if its sender dies,
    another process sends it again after that); each with its url, secret and app_id."""
    found = [r["id"] for r in conn.all(_CLAIM, {"now": now, "limit": CLAIM_BATCH})]
    if not found:
        return []
    lease = now + lease_seconds
    conn.execute_many(_LEASE, [{"id": i, "now": now, "lease": lease} for i in found])
    return conn.all(_CLAIMED.where(deliveries.c.id.in_(found)).order_by(deliveries.c.id))


def finish(conn: Conn, outcomes: list[Outcome], retry_delays: tuple[float, ...], now: int) -> None:
    """2xx: delivered. 410: failed, and the subscription is deactivated. Anything else is
    retried after the next delay of the schedule, or failed when it is used up."""
    finished = []
    for o in outcomes:
        d = o.delivery
        nxt = d["next_attempt_at"]
        if o.response is not None and 200 <= o.response < 300:
            status = "delivered"
        elif o.response == 410:
            status = "failed"
            conn.execute(_DEACTIVATE, {"id": d["subscription_id"], "now": now})
        elif d["attempts"] <= len(retry_delays):
            status = "pending"
            delay = retry_delays[d["attempts"] - 1]
            if o.retry_after is not None and o.response in (429, 503):
                delay = max(delay, o.retry_after)  # the receiver said how long to back off
            nxt = now + math.ceil(delay)
        else:
            status = "failed"
        finished.append({"id": d["id"], "status": status, "response": o.response, "next": nxt})
    if finished:
        conn.execute_many(_FINISH, finished)


def prune(conn: Conn, before: int) -> int:
    """Drop finished notifications made before `before` from the log; how many."""
    return conn.execute(_PRUNE, {"before": before})
