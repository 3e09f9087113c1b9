"""The shared MetaData (with a naming convention Alembic can rely on) and portable types."""

from typing import Any

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Integer, MetaData

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# BIGINT on PostgreSQL; on SQLite only "INTEGER PRIMARY KEY" is the auto-numbered rowid.
Id = BigInteger().with_variant(Integer(), "sqlite")
Timestamp = BigInteger  # UNIX seconds


def id_column() -> Column[Any]:
    return Column("id", Id, primary_key=True, autoincrement=True)


def workspace_column() -> Column[Any]:
    return Column(
        "workspace_id", Id, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False
    )


def flag(name: str, default: bool = False) -> Column[Any]:
    return Column(
        name,
        Boolean(create_constraint=False),
        nullable=False,
        default=default,
        server_default="1" if default else "0",
    )
