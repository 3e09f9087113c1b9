"""The SQLite group-commit writer: units share a COMMIT but fail alone, and a failed COMMIT
fails every unit in it, with nothing written."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from ticketry.db.writer import GroupCommitWriter


def _writer(path: Path) -> GroupCommitWriter:
    def connect() -> sqlite3.Connection:
        raw = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("PRAGMA foreign_keys=ON")
        return raw

    setup = connect()
    setup.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
    setup.execute(
        "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER "
        "REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)"
    )
    setup.execute("INSERT INTO parent VALUES (1)")
    setup.close()
    return GroupCommitWriter(connect, lambda raw: raw)


def _count(path: Path) -> int:
    with sqlite3.connect(path) as raw:
        return raw.execute("SELECT count(*) FROM child").fetchone()[0]


def test_units_fail_alone_and_commit_failures_fail_all(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    writer = _writer(path)
    gate, started = threading.Event(), threading.Event()

    def hold(raw: sqlite3.Connection) -> None:
        started.set()
        gate.wait(5)

    try:
        # Hold the writer busy (in a group of its own) so the next units queue up and
        # share one commit.
        blocker = writer.submit(hold, ())
        started.wait(5)
        ok = writer.submit(lambda raw: raw.execute("INSERT INTO child VALUES (1, 1)"), ())
        bad = writer.submit(lambda raw: raw.execute("INSERT INTO nowhere VALUES (1)"), ())
        ok2 = writer.submit(lambda raw: raw.execute("INSERT INTO child VALUES (2, 1)"), ())
        gate.set()
        blocker.result(5)
        ok.result(5)
        ok2.result(5)
        with pytest.raises(sqlite3.OperationalError):
            bad.result(5)
        assert _count(path) == 2

        # A deferred foreign key only fails at COMMIT: then no unit of the group is saved.
        gate.clear()
        started.clear()
        blocker = writer.submit(hold, ())
        started.wait(5)
        fine = writer.submit(lambda raw: raw.execute("INSERT INTO child VALUES (3, 1)"), ())
        orphan = writer.submit(lambda raw: raw.execute("INSERT INTO child VALUES (4, 99)"), ())
        gate.set()
        blocker.result(5)
        for future in (fine, orphan):
            with pytest.raises(sqlite3.IntegrityError):
                future.result(5)
        assert _count(path) == 2
    finally:
        writer.stop()
