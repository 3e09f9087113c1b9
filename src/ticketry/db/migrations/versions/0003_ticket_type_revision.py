"""A revision counter on ticket types, so servers can cache a type and its attributes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 00:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("ticket_types", sa.Column("revision", sa.Integer(), nullable=False,
                                            server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("ticket_types") as batch:
        batch.drop_column("revision")
