"""The domain event log: one row per change, written in the change's own transaction.

It is the outbox that webhook delivery reads and the activity feed a UI shows. Rows are
only ever appended; `seq` numbers a workspace's events 1, 2, 3... in commit order (the
counter lives on the workspace row, taken last in every write transaction).
"""

from sqlalchemy import Column, Index, String, Table, Text, UniqueConstraint

from ticketry.tables.base import Id, Timestamp, id_column, metadata, workspace_column

events = Table(
    "events",
    metadata,
    id_column(),
    workspace_column(),
    Column("seq", Id, nullable=False),
    Column("topic", String(64), nullable=False),  # Intercom's webhook topic names where one fits
    Column("object_type", String(16), nullable=False),  # ticket | contact
    Column("object_id", String(24), nullable=False),
    Column("part_id", Id),  # the ticket part that records the change, if any
    Column("actor_type", String(8)),  # admin | user | bot
    Column("actor_id", String(24)),
    Column("data", Text),  # JSON: what a consumer needs beyond the object (changed fields, ...)
    Column("created_at", Timestamp, nullable=False),
    UniqueConstraint("workspace_id", "seq"),
    Index(None, "object_type", "object_id", "id"),
    sqlite_autoincrement=True,  # ids are never reused
)
