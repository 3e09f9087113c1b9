"""The domain event log (`events`) and the workspace's event counter.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 04:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column(
        "workspaces", sa.Column("event_seq", Id, nullable=False, server_default="0")
    )
    op.create_table(
        "events",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column(
            "workspace_id",
            Id,
            sa.ForeignKey("workspaces.id", ondelete="CASCADE",
                          name="fk_events_workspace_id_workspaces"),
            nullable=False,
        ),
        sa.Column("seq", Id, nullable=False),
        sa.Column("topic", sa.String(64), nullable=False),
        sa.Column("object_type", sa.String(16), nullable=False),
        sa.Column("object_id", sa.String(24), nullable=False),
        sa.Column("part_id", Id),
        sa.Column("actor_type", sa.String(8)),
        sa.Column("actor_id", sa.String(24)),
        sa.Column("data", sa.Text()),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
        sa.UniqueConstraint("workspace_id", "seq", name="uq_events_workspace_id_seq"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_events_object_type_object_id_id", "events", ["object_type", "object_id", "id"]
    )


def downgrade() -> None:
    op.drop_table("events")
    with op.batch_alter_table("workspaces") as batch:
        batch.drop_column("event_seq")
