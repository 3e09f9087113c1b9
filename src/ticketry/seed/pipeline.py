"""Rows on their way to the loader: as value tuples in COLUMNS order, made in this process
for small seeds and in a second process for large ones, so that making rows and writing
them use both cores.

Tuples, not dicts, cross the process boundary: unpickling a batch of dicts cost more than
making it (measured: 2.7 s against 0.4 s for the same 50k tickets as tuples).
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Iterator
from operator import itemgetter
from pathlib import Path
from typing import Any

from ticketry.seed.generate import COLUMNS, Batch, Plan, contact_batches, ticket_batches

Chunk = list[tuple[str, list[tuple[Any, ...]]]]  # (table, rows) in insert order
PARALLEL_FROM = 20_000  # tickets; below this, starting a process costs more than it saves
_HEADER = 8  # bytes of chunk length before each pickled chunk; 0 ends the stream
_SOURCE_ROOT = str(Path(__file__).resolve().parents[2])  # where `ticketry` imports from
_GETTERS = {table: itemgetter(*cols) for table, cols in COLUMNS.items()}


def chunks(plan: Plan) -> Iterator[Chunk]:
    """Contacts first, then the tickets with their rows, one batch per chunk."""
    for rows in contact_batches(plan):
        yield [("contacts", list(map(_GETTERS["contacts"], rows)))]
    for batch in ticket_batches(plan):
        yield [
            (table, list(map(_GETTERS[table], getattr(batch, table))))
            for table in Batch.TABLES
            if getattr(batch, table)
        ]


def produced(plan: Plan, parallel: bool | None = None) -> Iterator[Chunk]:
    """`chunks(plan)`, from a second process when `parallel` (default: large plans)."""
    if parallel is None:
        parallel = plan.tickets >= PARALLEL_FROM
    if not parallel:
        yield from chunks(plan)
        return
    # A fresh interpreter running this module, not multiprocessing: spawn would re-import
    # the caller's main script (a benchmark script without a main guard would seed again
    # and wait on our locks forever) and fork would copy the open database connection.
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [_SOURCE_ROOT, env.get("PYTHONPATH")]))
    worker = subprocess.Popen(
        [sys.executable, "-m", __name__],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    finished = False
    try:
        assert worker.stdin is not None and worker.stdout is not None
        pickle.dump(plan, worker.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        worker.stdin.close()
        read = worker.stdout.read
        while True:
            header = read(_HEADER)
            if len(header) < _HEADER:
                break
            size = int.from_bytes(header, "big")
            if size == 0:
                finished = True
                break
            yield pickle.loads(read(size))
    finally:
        if worker.poll() is None and not finished:
            worker.kill()
        errors = worker.stderr.read() if worker.stderr is not None else b""
        worker.wait()
        for stream in (worker.stdout, worker.stderr):
            if stream is not None:
                stream.close()
    if not finished or worker.returncode != 0:
        raise RuntimeError(
            f"the row generator process failed (exit code {worker.returncode}):\n"
            + errors.decode(errors="replace")
        )


def _serve() -> None:
    """The worker's side: a plan on stdin, length-prefixed pickled chunks on stdout (a pipe
    holds only a few, so the worker waits for the loader and memory stays bounded)."""
    plan = pickle.load(sys.stdin.buffer)
    out = sys.stdout.buffer
    for chunk in chunks(plan):
        data = pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(len(data).to_bytes(_HEADER, "big"))
        out.write(data)
    out.write(bytes(_HEADER))
    out.flush()


if __name__ == "__main__":
    _serve()
