"""Statements compiled once and bound many times (db/sql.py): IN lists of precompiled
statements expand at bind time, and statements cached by shape get their own values."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, Select, String, Table, bindparam, select

from ticketry.db.sql import Q, compile_sql

_meta = MetaData()
_items = Table("items", _meta, Column("id", Integer, primary_key=True), Column("name", String))


@pytest.fixture
def db() -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)")
    conn.executemany("INSERT INTO items VALUES (?, ?)", [(i, f"n{i}") for i in range(1, 6)])
    yield conn
    conn.close()


def _ids(conn: sqlite3.Connection, text: str, params: dict[str, object]) -> list[int]:
    return [r[0] for r in conn.execute(text, params).fetchall()]


def test_precompiled_in_lists_expand_per_call(db: sqlite3.Connection) -> None:
    q = Q(
        select(_items.c.id)
        .where(
            _items.c.id.in_(bindparam("ids", expanding=True))
            | _items.c.name.in_(bindparam("names", expanding=True))
        )
        .order_by(_items.c.id)
    )
    assert _ids(db, *q.bind("sqlite", {"ids": [1, 3], "names": ["n5"]})) == [1, 3, 5]
    assert _ids(db, *q.bind("sqlite", {"ids": [2], "names": []})) == [2]
    assert _ids(db, *q.bind("sqlite", {"ids": [], "names": []})) == []


def test_one_name_used_twice_takes_one_list(db: sqlite3.Connection) -> None:
    ids = bindparam("ids", expanding=True)
    q = Q(select(_items.c.id).where(_items.c.id.in_(ids), _items.c.id.in_(ids)))
    assert sorted(_ids(db, *q.bind("sqlite", {"ids": [4, 2]}))) == [2, 4]


def test_statements_of_one_shape_keep_their_own_values(db: sqlite3.Connection) -> None:
    def stmt(low: int, names: list[str]) -> Select[Any]:
        return (
            select(_items.c.id)
            .where(_items.c.id >= low, _items.c.name.in_(names))
            .order_by(_items.c.id)
            .limit(2)
        )

    assert _ids(db, *compile_sql(stmt(2, ["n1", "n2", "n3"]), "sqlite")) == [2, 3]
    assert _ids(db, *compile_sql(stmt(4, ["n4", "n5"]), "sqlite")) == [4, 5]
    assert _ids(db, *compile_sql(stmt(1, ["n1"]), "sqlite")) == [1]
