"""The webhook worker inside every server process: fans new events out to subscriptions
and sends due notifications, following the job worker's pattern (jobs/worker.py).

Each pass, batch by batch: render new events' notifications in a read, then one write
records the last batch's outcomes, stores the new notifications and leases the next due
batch, which is sent concurrently with httpx outside any transaction. It wakes after any
committed write of this process (`after_write`, while any subscription is
active), on `wake()` (a ping or redeliver accepted here), and otherwise polls every
`webhook_poll_seconds` (what other processes wrote is seen then); with no active
subscription a pass is one cheap read. Passes start at most every COALESCE_SECONDS, so a
burst of writes makes one pass, not one each. Once an hour it drops finished
notifications older than `webhook_retention_days` from the log.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time

import httpx

from ticketry.db.database import Conn, Database, Row
from ticketry.kit import ids
from ticketry.kit.worker import PollingWorker
from ticketry.settings import Settings
from ticketry.webhooks import delivery, fanout, render, signing

log = logging.getLogger("ticketry.webhooks")

SEND_TIMEOUT = 5.0  # Intercom's: a 2xx must arrive within 5 s
PRUNE_SECONDS = 3600.0  # how often a process trims the delivery log
COALESCE_SECONDS = 0.02  # the shortest time between two passes woken by writes


class Worker(PollingWorker):
    """Started and stopped by the app's lifespan."""

    name = "ticketry-webhooks"

    def __init__(self, db: Database, settings: Settings) -> None:
        super().__init__(settings.webhook_poll_seconds, log)
        self._db = db
        self._delays = settings.webhook_retry_delays
        self._lease = math.ceil(settings.webhook_lease_seconds)
        self._retention = int(settings.webhook_retention_days * 86400)
        self._pruned_at = 0.0
        self._client: httpx.AsyncClient | None = None
        self._subscribed = True  # until the first pass has looked

    def after_write(self) -> None:
        """After a committed write: wake if someone may want what it recorded. Every write
        wakes (passes are coalesced, COALESCE_SECONDS apart): a count of recorded events
        moves when a unit of work records them, before its commit, so another write's wake
        could take the count and start a pass that cannot see them yet, and this write's
        own wake would then find nothing new (seen with units of work interleaved on the
        event loop: a notification waited for the next poll)."""
        if self._subscribed:
            self.wake()

    def wake(self) -> None:
        self._subscribed = True  # woken for a subscription of this process
        super().wake()

    def start(self) -> None:
        self._client = httpx.AsyncClient(timeout=SEND_TIMEOUT, follow_redirects=False)
        super().start()

    async def stop(self) -> None:
        await super().stop()
        if self._client is not None:
            await self._client.aclose()

    async def run_pass(self) -> None:
        started = time.monotonic()
        await self._run_pass()
        # Let writes gather before the next pass they wake (a stop still ends it at once).
        pause = COALESCE_SECONDS - (time.monotonic() - started)
        if pause > 0 and not self.stopping:
            await asyncio.sleep(pause)

    async def _run_pass(self) -> None:
        self._subscribed = await self._db.read(delivery.any_active)
        if time.monotonic() - self._pruned_at > PRUNE_SECONDS:
            self._pruned_at = time.monotonic()
            await self._db.write(delivery.prune, ids.now() - self._retention)
        if not self._subscribed:
            return
        # Each step is one write: the outcomes of the last batch, the notifications new
        # events make, and the next batch claimed. So a pass costs a read and a write per
        # batch, and an object's next notification is claimable as soon as its last is in.
        outcomes: list[delivery.Outcome] = []
        while not self.stopping:
            plans = await self._db.read(fanout.plan)
            claimed = await self._db.write(self._step, plans, outcomes, ids.now())
            outcomes = []
            if not claimed:
                if not plans:
                    return
                continue  # new notifications, none due yet: look for more events
            outcomes = list(await asyncio.gather(*(self._send(d) for d in claimed)))
        if outcomes:  # stopping: record what was sent
            await self._db.write(delivery.finish, outcomes, self._delays, ids.now())

    def _step(
        self, conn: Conn, plans: list[fanout.Plan], outcomes: list[delivery.Outcome], now: int
    ) -> list[Row]:
        delivery.finish(conn, outcomes, self._delays, now)
        fanout.apply(conn, plans)
        return delivery.claim(conn, now, self._lease)

    async def _send(self, d: Row) -> delivery.Outcome:
        assert self._client is not None
        body = render.body(d, d["app_id"])
        headers = signing.headers(d["notification_id"], d["hub_secret"], body, ids.now())
        try:
            resp = await self._client.post(d["url"], content=body, headers=headers)
        except httpx.HTTPError as exc:
            log.info("webhook %s to %s: %r", d["notification_id"], d["url"], exc)
            return delivery.Outcome(d, None)
        wait = delivery.retry_after(resp.headers.get("retry-after"), time.time())
        return delivery.Outcome(d, resp.status_code, wait)
