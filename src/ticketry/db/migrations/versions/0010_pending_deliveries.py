"""Webhook deliveries: the per-object ordering check reads only pending rows (a partial
index), so it costs the same however many notifications an object has had; the delivery
log reads a subscription's rows newest first by (subscription_id, id).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    op.drop_index(
        "ix_webhook_deliveries_subscription_id_object_key_id", table_name="webhook_deliveries"
    )
    op.create_index(
        "ix_webhook_deliveries_pending_object",
        "webhook_deliveries",
        ["subscription_id", "object_key", "id"],
        sqlite_where=PENDING,
        postgresql_where=PENDING,
    )
    op.create_index(
        "ix_webhook_deliveries_subscription_id_id",
        "webhook_deliveries",
        ["subscription_id", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_webhook_deliveries_subscription_id_id", table_name="webhook_deliveries")
    op.drop_index("ix_webhook_deliveries_pending_object", table_name="webhook_deliveries")
    op.create_index(
        "ix_webhook_deliveries_subscription_id_object_key_id",
        "webhook_deliveries",
        ["subscription_id", "object_key", "id"],
    )
