"""The browser inbox and portal: admin passwords and lockout, the workspace's identity
secret, and web sessions.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("admins") as batch:
        batch.add_column(sa.Column("password_hash", sa.Text()))
        batch.add_column(
            sa.Column("failed_sign_ins", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("locked_until", sa.BigInteger()))
    with op.batch_alter_table("workspaces") as batch:
        batch.add_column(sa.Column("identity_secret", sa.String(64)))
    op.create_table(
        "web_sessions",
        sa.Column("id_hash", sa.String(64), nullable=False),
        sa.Column(
            "workspace_id",
            Id,
            sa.ForeignKey(
                "workspaces.id", ondelete="CASCADE", name="fk_web_sessions_workspace_id_workspaces"
            ),
            nullable=False,
        ),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("subject_id", sa.String(24), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id_hash", name="pk_web_sessions"),
    )
    op.create_index("ix_web_sessions_expires_at", "web_sessions", ["expires_at"])


def downgrade() -> None:
    op.drop_table("web_sessions")
    with op.batch_alter_table("workspaces") as batch:
        batch.drop_column("identity_secret")
    with op.batch_alter_table("admins") as batch:
        batch.drop_column("locked_until")
        batch.drop_column("failed_sign_ins")
        batch.drop_column("password_hash")
