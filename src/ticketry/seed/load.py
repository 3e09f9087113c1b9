"""Bulk loading of seeded rows, one way per database, each seed in one transaction so a
failed seed leaves nothing behind. The choices, measured on this 2-core machine (shared
with other jobs, so paired runs are quoted):

* SQLite: `executemany` of prepared INSERTs on one connection, synchronous=OFF and a
  256 MiB page cache. One transaction was no slower than a commit every 50k rows
  (200k tickets: 53 and 65 s against 67 and 71 s). The FTS5 trigram table `tickets_fts`
  is fed row by row by a trigger; dropping it and indexing the new rows in one statement
  at the end is 4-5x faster (100k tickets: 19 s through the trigger, 4.2 s for a
  'rebuild', 5.2 s for an INSERT ... SELECT of the new rows only).
* PostgreSQL: binary COPY per table and batch (30k tickets' rows: 0.83-1.18 s against
  1.13-1.29 s as text). Foreign keys are checked by a trigger per row during COPY;
  dropping them and adding them back (one validating join each) is what pays most.
* Both: secondary indexes (and PostgreSQL's foreign keys) are dropped and built again
  after the load while the new tickets outnumber the old ones four to one. 100k tickets
  into an empty database: SQLite 21.5 and 29.6 s against 26.3 and 49.2 s keeping them;
  PostgreSQL 20.7 s, against 61.6 s dropping only the indexes and 71.2 s keeping all.
  Primary keys and unique constraints always stay.

Ticket ids are reserved up front (on PostgreSQL the sequence is moved past them at once,
so API inserts during or after the load never collide); part ids come from the database.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from ticketry.db.database import Conn, libpq_url, sqlite_path
from ticketry.seed.generate import COLUMNS, TABLES

Values = tuple[Any, ...]  # one row, in COLUMNS order
SQLITE_CACHE_KIB = 256 * 1024
FTS_TRIGGER = "tickets_fts_insert"


class Loader:
    """One connection and one transaction for a whole seed."""

    dialect: str
    conn: Conn  # for the service calls that make the small things, same transaction
    rebuild: bool | None = None  # drop secondary indexes and rebuild them; None: decide

    def reserve(self, workspace_id: int, tickets: int) -> tuple[int, int]:
        """(first ticket number, first ticket id) for `tickets` new tickets."""
        raise NotImplementedError

    def begin_bulk(self, first_id: int, tickets: int) -> None:
        """Before the big tables are written: set aside what is faster to rebuild."""

    def write(self, table: str, rows: list[Values]) -> None:
        raise NotImplementedError

    def finish(self) -> dict[str, float]:
        """Rebuild what the load skipped, refresh planner statistics, commit; the seconds
        each step took."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class _Clock:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(self.laps.get(name, 0.0) + now - self._last, 2)
        self._last = now


def worth_rebuilding(existing: int, tickets: int) -> bool:
    """Whether building an index anew beats updating it row by row: a build reads every
    row, old ones too, so it pays while the new tickets outnumber the old four to one."""
    return existing * 4 < tickets


def open_loader(url: str, rebuild: bool | None = None) -> Loader:
    loader = SqliteLoader(url) if url.startswith("sqlite:") else PostgresLoader(url)
    loader.rebuild = rebuild
    return loader


# -- SQLite ----------------------------------------------------------------------------


class SqliteLoader(Loader):
    dialect = "sqlite"

    def __init__(self, url: str) -> None:
        raw = sqlite3.connect(sqlite_path(url), isolation_level=None, timeout=30)
        raw.row_factory = sqlite3.Row
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("PRAGMA busy_timeout=30000")
        self._restore = {
            p: raw.execute(f"PRAGMA {p}").fetchone()[0] for p in ("synchronous", "cache_size")
        }
        # A seed is one transaction that can simply be run again, so a power cut during
        # it may lose it: no fsyncs while loading, and a cache that keeps index pages hot.
        raw.execute("PRAGMA synchronous=OFF")
        raw.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        raw.execute("PRAGMA foreign_keys=ON")
        raw.execute("BEGIN IMMEDIATE")
        self.raw = raw
        self.conn = Conn(raw, "sqlite")
        self._sql = {
            table: f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
            for table, cols in COLUMNS.items()
        }
        self._indexes: list[Any] = []
        self._fts_trigger: str | None = None
        self._fts_rebuild = False
        self._new_ids = (0, 0)

    def reserve(self, workspace_id: int, tickets: int) -> tuple[int, int]:
        last = self.conn.scalar(
            "UPDATE workspaces SET ticket_seq = ticket_seq + :n WHERE id = :ws RETURNING ticket_seq",
            {"n": tickets, "ws": workspace_id},
        )
        # In our write transaction nobody else can insert. Ids are AUTOINCREMENT (never
        # reused): start past the highest id ever handed out, not just the highest left;
        # inserting explicit ids moves sqlite_sequence past them for later API inserts.
        top = self.conn.scalar("SELECT coalesce(max(id), 0) FROM tickets")
        if self.conn.scalar(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'"
        ):
            used = self.conn.scalar("SELECT seq FROM sqlite_sequence WHERE name = 'tickets'")
            top = max(top, used or 0)
        return int(last) - tickets + 1, int(top) + 1

    def begin_bulk(self, first_id: int, tickets: int) -> None:
        # The FTS trigger goes for the load (see the module docstring); the new rows are
        # indexed at the end, by a full 'rebuild' only while it is worth it.
        existing = self.conn.scalar("SELECT count(*) FROM tickets")
        rebuild = worth_rebuilding(existing, tickets) if self.rebuild is None else self.rebuild
        if rebuild:
            marks = ", ".join("?" * len(TABLES))
            self._indexes = self.raw.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({marks})",
                TABLES,
            ).fetchall()
            for name, _ in self._indexes:
                self.raw.execute(f'DROP INDEX "{name}"')
        found = self.raw.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (FTS_TRIGGER,)
        ).fetchone()
        if found is None:
            return
        self._fts_trigger = found[0]
        self._fts_rebuild = worth_rebuilding(existing, tickets)
        self._new_ids = (first_id, first_id + tickets - 1)
        self.raw.execute(f"DROP TRIGGER {FTS_TRIGGER}")

    def write(self, table: str, rows: list[Values]) -> None:
        self.raw.executemany(self._sql[table], rows)

    def finish(self) -> dict[str, float]:
        clock = _Clock()
        for _, sql in self._indexes:
            self.raw.execute(sql)
        clock.lap("indexes")
        if self._fts_trigger is not None:
            if self._fts_rebuild:
                self.raw.execute("INSERT INTO tickets_fts(tickets_fts) VALUES ('rebuild')")
            else:
                self.raw.execute(
                    "INSERT INTO tickets_fts(rowid, title, description) "
                    "SELECT id, title, description FROM tickets WHERE id BETWEEN ? AND ?",
                    self._new_ids,
                )
            # DDL is transactional in SQLite: if anything fails, the trigger comes back
            # with the rollback.
            self.raw.execute(self._fts_trigger)
        clock.lap("text_index")
        for table in TABLES:
            self.raw.execute(f"ANALYZE {table}")
        clock.lap("analyze")
        self.raw.execute("COMMIT")
        # Back to the normal durability before the checkpoint, so the copy of the load from
        # the WAL into the database file is synced; TRUNCATE hands the WAL's gigabytes back.
        self._restore_pragmas()
        self.raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        clock.lap("commit")
        return clock.laps

    def _restore_pragmas(self) -> None:
        for pragma, value in self._restore.items():
            self.raw.execute(f"PRAGMA {pragma}={value}")

    def close(self) -> None:
        if self.raw.in_transaction:
            self.raw.execute("ROLLBACK")
        self._restore_pragmas()
        self.raw.close()


# -- PostgreSQL ------------------------------------------------------------------------


class PostgresLoader(Loader):
    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        import psycopg
        from psycopg.rows import dict_row

        raw = psycopg.connect(libpq_url(url), row_factory=dict_row, autocommit=False)
        raw.execute("SET maintenance_work_mem = '256MB'")
        self.raw = raw
        self.conn = Conn(raw, "postgresql")
        self._indexes: list[Any] = []
        self._foreign_keys: list[Any] = []
        # Binary COPY needs each column's exact type: read from the catalog.
        self._copy = {
            table: f"COPY {table} ({', '.join(cols)}) FROM STDIN (FORMAT BINARY)"
            for table, cols in COLUMNS.items()
        }
        self._types = {table: self._column_types(table) for table in TABLES}

    def reserve(self, workspace_id: int, tickets: int) -> tuple[int, int]:
        last = self.conn.scalar(
            "UPDATE workspaces SET ticket_seq = ticket_seq + %(n)s WHERE id = %(ws)s "
            "RETURNING ticket_seq",
            {"n": tickets, "ws": workspace_id},
        )
        # Move the id sequence past the reserved block now: setval is not rolled back, so
        # even a failed seed leaves API inserts clear of ids it might have used.
        seq = self.conn.scalar("SELECT pg_get_serial_sequence('tickets', 'id')")
        first = self.conn.scalar(
            "SELECT greatest((SELECT coalesce(max(id), 0) FROM tickets), "
            f"(SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM {seq}))"
            " + 1"
        )
        self.conn.scalar(
            "SELECT setval(%(seq)s, %(last)s)", {"seq": seq, "last": first + tickets - 1}
        )
        return int(last) - tickets + 1, int(first)

    def begin_bulk(self, first_id: int, tickets: int) -> None:
        existing = self.conn.scalar("SELECT count(*) FROM tickets")
        if not (worth_rebuilding(existing, tickets) if self.rebuild is None else self.rebuild):
            return
        # Secondary indexes and foreign keys of the bulk tables; primary keys and unique
        # constraints stay and keep guarding the load.
        self._indexes = self.raw.execute(
            "SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS ddl FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid "
            "WHERE t.relname = ANY(%(tables)s) AND pg_table_is_visible(t.oid) "
            "AND NOT i.indisprimary "
            "AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)",
            {"tables": list(TABLES)},
        ).fetchall()
        self._foreign_keys = self.raw.execute(
            "SELECT k.conname AS name, t.relname AS table, pg_get_constraintdef(k.oid) AS ddl "
            "FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid "
            "WHERE k.contype = 'f' AND t.relname = ANY(%(tables)s) AND pg_table_is_visible(t.oid)",
            {"tables": list(TABLES)},
        ).fetchall()
        for index in self._indexes:
            self.raw.execute(f'DROP INDEX "{index["name"]}"')
        for fk in self._foreign_keys:
            self.raw.execute(f'ALTER TABLE "{fk["table"]}" DROP CONSTRAINT "{fk["name"]}"')

    def _column_types(self, table: str) -> list[int]:
        types = {
            r["attname"]: r["atttypid"]
            for r in self.raw.execute(
                "SELECT attname, atttypid::int FROM pg_attribute "
                "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                (table,),
            )
        }
        return [types[c] for c in COLUMNS[table]]

    def write(self, table: str, rows: list[Values]) -> None:
        with self.raw.cursor() as cur, cur.copy(self._copy[table]) as copy:
            copy.set_types(self._types[table])
            for row in rows:
                copy.write_row(row)

    def finish(self) -> dict[str, float]:
        clock = _Clock()
        for index in self._indexes:
            self.raw.execute(index["ddl"])
            clock.lap("text_index" if "gin_trgm_ops" in index["ddl"] else "indexes")
        for fk in self._foreign_keys:
            self.raw.execute(
                f'ALTER TABLE "{fk["table"]}" ADD CONSTRAINT "{fk["name"]}" {fk["ddl"]}'
            )
        clock.lap("foreign_keys")
        self.raw.commit()
        clock.lap("commit")
        # VACUUM (outside a transaction) also sets the visibility map, without which
        # counts cannot use index-only scans until autovacuum gets round to the tables.
        self.raw.autocommit = True
        try:
            self.raw.execute(f"VACUUM (ANALYZE) {', '.join(TABLES)}")
        finally:
            self.raw.autocommit = False
        clock.lap("analyze")
        return clock.laps

    def close(self) -> None:
        self.raw.close()
