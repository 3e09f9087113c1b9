"""Search: the ticket's state category as a column, filter indexes, custom attribute
values, and substring indexes on title and description.

Substring search (`~`) uses a trigram index on each database: pg_trgm GIN indexes on
lower(title) / lower(description) on PostgreSQL (skipped, with a warning, where the
extension cannot be created), and an FTS5 trigram table kept in step by triggers on SQLite.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 00:32:22
"""

import logging

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
log = logging.getLogger("alembic.runtime.migration")

TICKET_INDEXES = [
    ("ix_tickets_workspace_id_id", ["workspace_id", "id"]),
    ("ix_tickets_workspace_id_state_id", ["workspace_id", "state", "id"]),
    ("ix_tickets_workspace_id_open_id", ["workspace_id", "open", "id"]),
    ("ix_tickets_workspace_id_category_id", ["workspace_id", "category", "id"]),
    ("ix_tickets_workspace_id_ticket_type_id_id", ["workspace_id", "ticket_type_id", "id"]),
    ("ix_tickets_workspace_id_admin_assignee_id_id", ["workspace_id", "admin_assignee_id", "id"]),
    ("ix_tickets_workspace_id_team_assignee_id_id", ["workspace_id", "team_assignee_id", "id"]),
    ("ix_tickets_workspace_id_updated_at_id", ["workspace_id", "updated_at", "id"]),
    ("ix_tickets_workspace_id_snoozed_until_id", ["workspace_id", "snoozed_until", "id"]),
]

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE tickets_fts USING fts5(title, description, content='tickets', "
    "content_rowid='id', tokenize='trigram')",
    "INSERT INTO tickets_fts(rowid, title, description) SELECT id, title, description FROM tickets",
    "CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN "
    "INSERT INTO tickets_fts(rowid, title, description) VALUES (new.id, new.title, new.description); END",
    "CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN "
    "INSERT INTO tickets_fts(tickets_fts, rowid, title, description) "
    "VALUES ('delete', old.id, old.title, old.description); END",
    "CREATE TRIGGER tickets_fts_update AFTER UPDATE OF title, description ON tickets BEGIN "
    "INSERT INTO tickets_fts(tickets_fts, rowid, title, description) "
    "VALUES ('delete', old.id, old.title, old.description); "
    "INSERT INTO tickets_fts(rowid, title, description) VALUES (new.id, new.title, new.description); END",
]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "ticket_values",
        sa.Column("ticket_id", Id, nullable=False),
        sa.Column("attribute_id", Id, nullable=False),
        sa.Column("workspace_id", Id, nullable=False),
        sa.Column("text_value", sa.Text(), nullable=True),
        sa.Column("number_value", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"],
                                name=op.f("fk_ticket_values_ticket_id_tickets"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"],
                                name=op.f("fk_ticket_values_workspace_id_workspaces"),
                                ondelete="CASCADE"),
    )
    op.create_index("ix_ticket_values_ticket_id", "ticket_values", ["ticket_id"])
    op.create_index("ix_ticket_values_attribute_id_text_value_ticket_id", "ticket_values",
                    ["attribute_id", "text_value", "ticket_id"])
    op.create_index("ix_ticket_values_attribute_id_number_value_ticket_id", "ticket_values",
                    ["attribute_id", "number_value", "ticket_id"])

    op.drop_index("ix_ticket_contacts_contact_id", "ticket_contacts")
    op.create_index("ix_ticket_contacts_contact_id_ticket_id", "ticket_contacts",
                    ["contact_id", "ticket_id"])
    op.create_index("ix_ticket_parts_admin_author", "ticket_parts", ["author_id", "ticket_id"],
                    sqlite_where=sa.text("author_type = 'admin'"),
                    postgresql_where=sa.text("author_type = 'admin'"))

    op.add_column("tickets", sa.Column("state", sa.String(length=24), nullable=False,
                                       server_default="submitted"))
    op.execute("UPDATE tickets SET state = (SELECT category FROM ticket_states "
               "WHERE ticket_states.id = tickets.ticket_state_id)")
    for name, columns in TICKET_INDEXES:
        op.create_index(name, "tickets", columns)

    if dialect == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)
    elif dialect == "postgresql":
        bind = op.get_bind()
        try:
            with bind.begin_nested():
                op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except sa.exc.DBAPIError as exc:
            log.warning("pg_trgm is not available (%s); text search on title and "
                        "description will scan instead of using a trigram index", exc)
            return
        for column in ("title", "description"):
            op.execute(f"CREATE INDEX ix_tickets_{column}_trgm ON tickets "
                       f"USING gin (lower({column}) gin_trgm_ops)")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS tickets_fts_{trigger}")
        op.execute("DROP TABLE IF EXISTS tickets_fts")
    elif dialect == "postgresql":
        for column in ("title", "description"):
            op.execute(f"DROP INDEX IF EXISTS ix_tickets_{column}_trgm")
    for name, _ in TICKET_INDEXES:
        op.drop_index(name, "tickets")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("state")
    op.drop_index("ix_ticket_parts_admin_author", "ticket_parts")
    op.drop_index("ix_ticket_contacts_contact_id_ticket_id", "ticket_contacts")
    op.create_index("ix_ticket_contacts_contact_id", "ticket_contacts", ["contact_id"])
    op.drop_table("ticket_values")
