"""What the test kit keeps in the server process: faults to inject, the request log and
snapshots, per workspace.

It lives in memory, not in the database: a fault is consumed by the next matching
request in microseconds, the log is written on every request, and both would cost a
write transaction each if stored. So the test kit wants one server process (the pytest
plugin and `ticketry serve --test-kit` with the default one worker); restarting the server
forgets faults, the log and snapshots, never the workspace's data.
"""

from __future__ import annotations

import fnmatch
import itertools
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from ticketry.control.data import Tables


@dataclass
class Fault:
    id: int
    method: str | None  # upper case; None matches any
    path: str  # a glob: "/tickets/*"
    status: int | None  # None: only the latency, then the request runs
    times: int  # matching requests left
    latency_ms: int
    retry_after: int | None
    created_at: int

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and fnmatch.fnmatchcase(
            path, self.path
        )


@dataclass
class Logged:
    method: str
    path: str
    query: str
    status: int
    intercom_version: str | None
    body: bytes
    created_at: int


@dataclass
class Snapshot:
    id: int
    name: str | None
    created_at: int
    data: Tables = field(repr=False)


class Kit:
    def __init__(self, log_size: int) -> None:
        self.log_size = log_size
        self._faults: dict[int, list[Fault]] = {}
        self._logs: dict[int, deque[Logged]] = {}
        self.snapshots: dict[int, dict[int, Snapshot]] = {}
        # Frozen clocks: workspace -> its "now" (UNIX seconds); absent is real time.
        self.clocks: dict[int, int] = {}
        # One counter each for the process: an id is never handed out twice.
        self._fault_ids = itertools.count(1)
        self._snapshot_ids = itertools.count(1)

    # -- faults ---------------------------------------------------------------------------

    def add_fault(self, workspace_id: int, **spec: Any) -> Fault:
        fault = Fault(id=next(self._fault_ids), created_at=int(time.time()), **spec)
        self._faults.setdefault(workspace_id, []).append(fault)
        return fault

    def faults(self, workspace_id: int) -> list[Fault]:
        return list(self._faults.get(workspace_id, ()))

    def remove_fault(self, workspace_id: int, fault_id: int) -> bool:
        faults = self._faults.get(workspace_id, [])
        kept = [f for f in faults if f.id != fault_id]
        self._set_faults(workspace_id, kept)
        return len(kept) != len(faults)

    def clear_faults(self, workspace_id: int) -> None:
        self._faults.pop(workspace_id, None)

    def take_fault(self, workspace_id: int, method: str, path: str) -> Fault | None:
        """The first fault matching the request, with one use consumed."""
        faults = self._faults.get(workspace_id)
        if not faults:
            return None
        for fault in faults:
            if fault.matches(method, path):
                fault.times -= 1
                if fault.times <= 0:
                    self._set_faults(workspace_id, [f for f in faults if f is not fault])
                return fault
        return None

    def _set_faults(self, workspace_id: int, faults: list[Fault]) -> None:
        if faults:
            self._faults[workspace_id] = faults
        else:
            self._faults.pop(workspace_id, None)

    # -- the request log -------------------------------------------------------------------

    def record(self, workspace_id: int, entry: Logged) -> None:
        log = self._logs.get(workspace_id)
        if log is None:
            log = self._logs[workspace_id] = deque(maxlen=self.log_size)
        log.append(entry)

    def requests(self, workspace_id: int, limit: int) -> list[Logged]:
        log = self._logs.get(workspace_id)
        if not log:
            return []
        return list(itertools.islice(reversed(log), limit))

    def clear_requests(self, workspace_id: int) -> None:
        self._logs.pop(workspace_id, None)

    # -- snapshots --------------------------------------------------------------------------

    def add_snapshot(self, workspace_id: int, name: str | None, data: Tables) -> Snapshot:
        snap = Snapshot(next(self._snapshot_ids), name, int(time.time()), data)
        self.snapshots.setdefault(workspace_id, {})[snap.id] = snap
        return snap
