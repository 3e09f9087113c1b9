"""The loop every in-process background worker shares (jobs, webhooks): an asyncio task
started and stopped by the app's lifespan that runs `run_pass` when woken or every
`poll_seconds`, and survives a failing pass."""

from __future__ import annotations

import asyncio
import contextlib
import logging

STOP_SECONDS = 10.0


class PollingWorker:
    name = "ticketry-worker"

    def __init__(self, poll_seconds: float, log: logging.Logger) -> None:
        self.poll_seconds = poll_seconds
        self.stopping = False
        self._log = log
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name=self.name)

    def wake(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        """Let the current pass finish (a cancelled await would not stop its thread)."""
        self.stopping = True
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(self._task, STOP_SECONDS)

    async def run_pass(self) -> None:
        raise NotImplementedError

    async def _loop(self) -> None:
        while not self.stopping:
            self._wake.clear()  # before the pass: a wake during it runs another
            try:
                await self.run_pass()
            except Exception:
                self._log.exception(
                    "%s pass failed; trying again in %s s", self.name, self.poll_seconds
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
