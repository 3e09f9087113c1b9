"""Contacts (users and leads), companies and tags."""

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint

from ticketry.tables.base import Id, Timestamp, flag, id_column, metadata, workspace_column

contacts = Table(
    "contacts",
    metadata,
    Column("id", String(24), primary_key=True),  # 24 hex digits, like Intercom's
    workspace_column(),
    Column("role", String(8), nullable=False),
    Column("external_id", Text),
    Column("email", Text),
    Column("email_key", Text),  # lower(email): uniqueness and search ignore case
    Column("phone", Text),
    Column("name", Text),
    Column("avatar", Text),
    Column("owner_id", Id),
    flag("unsubscribed_from_emails"),
    Column("custom_attributes", Text, nullable=False, server_default="{}"),
    Column("signed_up_at", Timestamp),
    Column("last_seen_at", Timestamp),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    UniqueConstraint("workspace_id", "external_id"),
    UniqueConstraint("workspace_id", "email_key"),
    Index(None, "workspace_id", "created_at", "id"),
    Index(None, "workspace_id", "role", "created_at"),
)

companies = Table(
    "companies",
    metadata,
    Column("id", String(24), primary_key=True),
    workspace_column(),
    Column("company_id", Text, nullable=False),  # the customer's own id for the company
    Column("name", Text),
    Column("plan", Text),
    Column("size", Id),
    Column("website", Text),
    Column("industry", Text),
    Column("monthly_spend", Id),
    Column("remote_created_at", Timestamp),
    Column("custom_attributes", Text, nullable=False, server_default="{}"),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    UniqueConstraint("workspace_id", "company_id"),
)

contact_companies = Table(
    "contact_companies",
    metadata,
    Column(
        "contact_id", String(24), ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    ),
    Column(
        "company_id", String(24), ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True
    ),
    workspace_column(),
    Column("created_at", Timestamp, nullable=False),
    Index(None, "company_id"),
)

tags = Table(
    "tags",
    metadata,
    id_column(),
    workspace_column(),
    Column("name", Text, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    UniqueConstraint("workspace_id", "name"),
    sqlite_autoincrement=True,  # ids are never reused, as Intercom's
)
