"""Browser sessions of the inbox (admins) and the portal (contacts)."""

from sqlalchemy import Column, Index, String, Table

from ticketry.tables.base import Timestamp, metadata, workspace_column

web_sessions = Table(
    "web_sessions",
    metadata,
    # sha256 of the session id; the id itself lives only in the browser's cookie.
    Column("id_hash", String(64), primary_key=True),
    workspace_column(),
    Column("kind", String(8), nullable=False),  # admin | contact
    Column("subject_id", String(24), nullable=False),  # the admin's or the contact's id
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("expires_at", Timestamp, nullable=False),
    Index(None, "expires_at"),
)
