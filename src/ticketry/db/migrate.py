"""Alembic, driven from code: one migration tree for SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event

from ticketry.db.database import sqlalchemy_url

MIGRATIONS = Path(__file__).parent / "migrations"


def _config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", sqlalchemy_url(url).replace("%", "%%"))
    return config


def _engine(url: str):  # type: ignore[no-untyped-def]
    engine = create_engine(sqlalchemy_url(url))
    if url.startswith("sqlite"):

        @event.listens_for(engine, "connect")
        def _pragmas(raw, _record):  # type: ignore[no-untyped-def]
            raw.execute("PRAGMA journal_mode=WAL")
            raw.execute("PRAGMA foreign_keys=ON")
            raw.execute("PRAGMA busy_timeout=30000")

    return engine


def upgrade(url: str, revision: str = "head") -> None:
    config = _config(url)
    engine = _engine(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    engine.dispose()


def current(url: str) -> tuple[str | None, str]:
    """The database's revision and the newest one this code knows."""
    engine = _engine(url)
    with engine.connect() as connection:
        rev = MigrationContext.configure(connection).get_current_revision()
    engine.dispose()
    head = ScriptDirectory.from_config(_config(url)).get_current_head()
    return rev, head or ""
