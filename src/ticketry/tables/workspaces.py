"""Workspaces (Intercom's "app"), their admins and teams, and API access tokens."""

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint

from ticketry.tables.base import Id, Timestamp, flag, id_column, metadata, workspace_column

workspaces = Table(
    "workspaces",
    metadata,
    id_column(),
    Column("id_code", String(32), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("default_version", String(16), nullable=False),
    Column("timezone", Text, nullable=False, server_default="UTC"),
    Column("region", String(8), nullable=False, server_default="US"),
    # The last human ticket number handed out (`ticket.ticket_id`); bumped with
    # UPDATE ... RETURNING so concurrent creators, in any process, each get their own.
    Column("ticket_seq", Id, nullable=False, server_default="0"),
    # The last `events.seq` of the workspace (see tables/events.py).
    Column("event_seq", Id, nullable=False, server_default="0"),
    # Identity verification: a host app signs its users' `user_id` or email with it
    # (HMAC-SHA256) to send them into the portal; also keys the web session cookies.
    Column("identity_secret", String(64)),
    Column("created_at", Timestamp, nullable=False),
    sqlite_autoincrement=True,  # ids are never reused, as Intercom's
)

admins = Table(
    "admins",
    metadata,
    id_column(),
    workspace_column(),
    Column("name", Text, nullable=False),
    Column("email", Text, nullable=False),
    Column("job_title", Text),
    Column("avatar_url", Text),
    flag("away_mode_enabled"),
    flag("away_mode_reassign"),
    flag("has_inbox_seat", True),
    Column("created_at", Timestamp, nullable=False),
    # Browser sign-in: a scrypt hash (None: this admin cannot sign in), and the lockout.
    Column("password_hash", Text),
    Column("failed_sign_ins", Integer, nullable=False, server_default="0"),
    Column("locked_until", Timestamp),
    UniqueConstraint("workspace_id", "email"),
    sqlite_autoincrement=True,  # ids are never reused, as Intercom's
)

teams = Table(
    "teams",
    metadata,
    id_column(),
    workspace_column(),
    Column("name", Text, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    UniqueConstraint("workspace_id", "name"),
    sqlite_autoincrement=True,  # ids are never reused, as Intercom's
)

team_members = Table(
    "team_members",
    metadata,
    Column("team_id", Id, ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    Column("admin_id", Id, ForeignKey("admins.id", ondelete="CASCADE"), primary_key=True),
    workspace_column(),
    Index(None, "admin_id"),
)

access_tokens = Table(
    "access_tokens",
    metadata,
    id_column(),
    workspace_column(),
    Column("admin_id", Id, ForeignKey("admins.id", ondelete="CASCADE"), nullable=False),
    Column("name", Text, nullable=False),
    # sha256 of the token; the token itself is shown once and never stored.
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", Timestamp, nullable=False),
    Column("revoked_at", Timestamp),
    sqlite_autoincrement=True,  # ids are never reused, as Intercom's
)
