"""Ticket counts (`ticket_counts`): per workspace, how many tickets have each state, open
flag, category, type and assignee, so `total_count` of a search matching more than 10,000
tickets on one of these fields is read, not counted. Filled here from existing tickets.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 07:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# The text each counted column is keyed by (tickets/counts.py `key`): "" for null, 1/0 for
# the open flag.
_KEYS = {
    "all": "''",
    "state": "state",
    "open": "CASE WHEN open THEN '1' ELSE '0' END",
    "category": "category",
    "ticket_type_id": "CAST(ticket_type_id AS TEXT)",
    "admin_assignee_id": "COALESCE(CAST(admin_assignee_id AS TEXT), '')",
    "team_assignee_id": "COALESCE(CAST(team_assignee_id AS TEXT), '')",
}


def upgrade() -> None:
    op.create_table(
        "ticket_counts",
        sa.Column(
            "workspace_id",
            Id,
            sa.ForeignKey(
                "workspaces.id", ondelete="CASCADE", name="fk_ticket_counts_workspace_id_workspaces"
            ),
            nullable=False,
        ),
        sa.Column("field", sa.String(24), nullable=False),
        sa.Column("value", sa.String(64), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "field", "value", name="pk_ticket_counts"),
    )
    for field, key in _KEYS.items():
        op.execute(
            "INSERT INTO ticket_counts (workspace_id, field, value, count) "
            f"SELECT workspace_id, '{field}', {key}, count(*) FROM tickets "
            f"GROUP BY workspace_id{'' if field == 'all' else ', ' + key}"
        )


def downgrade() -> None:
    op.drop_table("ticket_counts")
