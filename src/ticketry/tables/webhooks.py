"""Webhook subscriptions and the notifications made for them (one row per event and
subscription), which the delivery worker sends, retries and logs."""

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text, text

from ticketry.tables.base import Id, Timestamp, flag, id_column, metadata, workspace_column

webhook_subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    id_column(),
    workspace_column(),
    Column("public_id", String(48), nullable=False, unique=True),  # nsub_<uuid>
    Column("url", Text, nullable=False),
    Column("topics", Text, nullable=False),  # JSON list of topic names
    Column("hub_secret", String(255)),  # signs X-Hub-Signature; unsigned without one
    Column("api_version", String(16), nullable=False),  # the shape items are rendered in
    flag("active", default=True),
    # The last event `seq` of the workspace already fanned out to this subscription.
    Column("event_cursor", Id, nullable=False, server_default="0"),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    sqlite_autoincrement=True,
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    id_column(),
    workspace_column(),
    Column("notification_id", String(48), nullable=False, unique=True),  # notif_<uuid>
    Column(
        "subscription_id",
        Id,
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("event_id", Id),  # none for ping
    Column("topic", String(64), nullable=False),
    # ticket:<id>, conversation:<id>, ping:<n>: later notifications of one object wait for
    # earlier pending ones, so a receiver sees an object's changes in order.
    Column("object_key", String(48), nullable=False),
    Column("item", Text, nullable=False),  # the rendered data.item JSON, fixed at fan-out
    Column("status", String(16), nullable=False),  # pending | delivered | failed
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_response_status", Integer),
    Column("last_attempt_at", Timestamp),
    Column("first_sent_at", Timestamp),
    Column("next_attempt_at", Timestamp, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Index(None, "status", "next_attempt_at"),
    # The ordering check (webhooks/delivery.py) looks only at pending rows of an object.
    Index(
        "ix_webhook_deliveries_pending_object",
        "subscription_id",
        "object_key",
        "id",
        sqlite_where=text("status = 'pending'"),
        postgresql_where=text("status = 'pending'"),
    ),
    Index(None, "subscription_id", "id"),  # the delivery log, newest first
    sqlite_autoincrement=True,
)
