"""A workspace's data as a whole: what reset removes and what a snapshot holds.

The tables are derived from the metadata, so a new table with a `workspace_id` is covered
the day it is added: every table but those that make the workspace itself (its row, its
admins, teams and tokens). Rows are deleted children first and inserted parents first.
Ids are never handed out again: sequences (PostgreSQL) and AUTOINCREMENT counters (SQLite)
only move forward, and the workspace's ticket number and event counters are kept.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, bindparam, delete, select

from ticketry.db.database import Conn
from ticketry.db.sql import Q
from ticketry.tables import metadata

# What a reset keeps: the workspace and who can use it.
KEPT = frozenset({"workspaces", "admins", "teams", "team_members", "access_tokens"})

Tables = dict[str, list[tuple[Any, ...]]]  # table name -> rows, in column order


def workspace_tables() -> list[Table]:
    """The tables holding the workspace's objects, parents before children."""
    return [t for t in metadata.sorted_tables if "workspace_id" in t.c and t.name not in KEPT]


_TABLES = workspace_tables()
_DELETES = [Q(delete(t).where(t.c.workspace_id == bindparam("ws"))) for t in reversed(_TABLES)]
_SELECTS = {
    t.name: Q(select(t).where(t.c.workspace_id == bindparam("ws")).order_by(*t.primary_key.columns))
    for t in _TABLES
}


def _insert_sql(table: Table, dialect: str) -> str:
    names = [c.name for c in table.c]
    marks = ", ".join("?" if dialect == "sqlite" else "%s" for _ in names)
    cols = ", ".join(f'"{n}"' for n in names)
    return f'INSERT INTO "{table.name}" ({cols}) VALUES ({marks})'


def clear(conn: Conn, workspace_id: int) -> None:
    """Delete every object of the workspace (children first)."""
    for q in _DELETES:
        conn.execute(q, {"ws": workspace_id})


def dump(conn: Conn, workspace_id: int) -> Tables:
    """Every row of the workspace's objects, in a read transaction (one consistent view)."""
    out: Tables = {}
    for table in _TABLES:
        rows = conn.all(_SELECTS[table.name], {"ws": workspace_id})
        out[table.name] = [
            tuple(r) if conn.dialect == "sqlite" else tuple(r.values()) for r in rows
        ]
    return out


def load(conn: Conn, workspace_id: int, data: Tables) -> None:
    """Replace the workspace's objects with `data` (a `dump` of the same workspace)."""
    clear(conn, workspace_id)
    for table in _TABLES:
        rows = data.get(table.name)
        if not rows:
            continue
        sql = _insert_sql(table, conn.dialect)
        if conn.dialect == "sqlite":
            conn.raw.executemany(sql, rows)
        else:
            with conn.raw.cursor() as cur:
                cur.executemany(sql, rows)


def reset(conn: Conn, workspace_id: int) -> None:
    """The workspace as new: its objects gone, the default ticket states made again."""
    from ticketry.ticket_states.service import create_default_states

    clear(conn, workspace_id)
    create_default_states(conn, workspace_id)
