"""The migration tree builds exactly the schema the table definitions describe, on both
databases (the search-only structures that Core does not model are named and excepted)."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from tests.conftest import Server
from ticketry.db import migrate
from ticketry.db.database import sqlalchemy_url
from ticketry.tables import metadata

# Built by raw SQL in migration 0002: SQLite's FTS5 trigram table and PostgreSQL's pg_trgm
# expression indexes.
SEARCH_ONLY = ("tickets_fts",)
SEARCH_ONLY_INDEXES = ("ix_tickets_title_trgm", "ix_tickets_description_trgm")


def _include(obj: Any, name: str | None, kind: str, reflected: bool, _other: Any) -> bool:
    if kind == "table" and name and name.startswith(SEARCH_ONLY):
        return False
    return not (kind == "index" and name in SEARCH_ONLY_INDEXES)


def test_migrations_match_the_table_definitions(server: Server) -> None:
    engine = create_engine(sqlalchemy_url(server.database_url))
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": _include}
            )
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


def test_the_database_is_at_the_newest_revision(server: Server) -> None:
    current, head = migrate.current(server.database_url)
    assert current == head
