"""Alembic environment: migrates the connection `ticketry.db.migrate` hands over."""

from alembic import context
from sqlalchemy import create_engine

from ticketry.tables import metadata

config = context.config


def _managed(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    """Leave out what migrations create by hand: the SQLite FTS5 tables and the pg_trgm
    indexes (0002), which Core table definitions cannot describe."""
    return not (name or "").startswith("tickets_fts") and not (name or "").endswith("_trgm")


def run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_object=_managed,
        render_as_batch=connection.dialect.name == "sqlite",  # ALTER via table copies
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        run(conn)
