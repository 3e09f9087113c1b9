"""Jobs: work accepted by one request and done later by a server process's worker.

A row is written `pending` in the accepting request's transaction and changed once more,
to `success` (with `resource_id`) or `failed` (with `error`), in the same transaction as
the work itself (jobs/worker.py), so no work is done twice or lost.
"""

from sqlalchemy import Column, Index, Integer, String, Table, Text

from ticketry.tables.base import Id, Timestamp, id_column, metadata, workspace_column

jobs = Table(
    "jobs",
    metadata,
    id_column(),
    workspace_column(),
    Column("kind", String(32), nullable=False),  # ticket.create
    Column("payload", Text, nullable=False),  # JSON: the checked request and who asked
    # pending | success | failed. There is no committed `running`: a worker claims, runs
    # and finishes a job in one transaction.
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0, server_default="0"),
    Column("resource_id", Id),  # what a successful job made (a ticket id)
    Column("error", Text),  # JSON {code, message, field?}: why it failed (or last retried)
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    Column("run_after", Timestamp, nullable=False),  # not claimed before (retry back-off)
    Index(None, "status", "run_after"),
    sqlite_autoincrement=True,  # ids are never reused: a client may poll an old one
)
