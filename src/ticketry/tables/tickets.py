"""Ticket types, their attributes and states, tickets, their parts, tags and uploads."""

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from ticketry.tables.base import Id, Timestamp, flag, id_column, metadata, workspace_column

ticket_types = Table(
    "ticket_types",
    metadata,
    id_column(),
    workspace_column(),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("icon", Text, nullable=False),
    Column("category", String(16), nullable=False),  # Customer | Back-office | Tracker
    flag("is_internal"),
    flag("archived"),
    # Bumped by every change to the type or its attributes: lets readers cache the type.
    Column("revision", Integer, nullable=False, server_default="0"),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    Index(None, "workspace_id", "name"),
    sqlite_autoincrement=True,  # ids are never reused, as Intercom's
)

ticket_type_attributes = Table(
    "ticket_type_attributes",
    metadata,
    id_column(),
    workspace_column(),
    Column("ticket_type_id", Id, ForeignKey("ticket_types.id", ondelete="CASCADE"), nullable=False),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("data_type", String(16), nullable=False),
    # JSON: {"multiline": bool} for strings, {"list_options": [{id, label, archived}]} for
    # lists, {"allow_multiple_values": bool} for files.
    Column("input_options", Text),
    Column("position", Integer, nullable=False),  # `order` on the wire
    flag("required_to_create"),
    flag("required_to_create_for_contacts"),
    flag("visible_on_create", True),
    flag("visible_to_contacts", True),
    flag("is_default"),
    flag("archived"),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    UniqueConstraint("ticket_type_id", "name"),
    sqlite_autoincrement=True,  # ids are never reused, as Intercom's
)

ticket_states = Table(
    "ticket_states",
    metadata,
    id_column(),
    workspace_column(),
    Column("category", String(24), nullable=False),
    Column("internal_label", Text, nullable=False),
    Column("external_label", Text, nullable=False),
    # The four default states apply to every ticket type; custom ones to the types
    # linked in ticket_type_states.
    flag("is_default"),
    flag("archived"),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    sqlite_autoincrement=True,  # ids are never reused, as Intercom's
)

ticket_type_states = Table(
    "ticket_type_states",
    metadata,
    Column(
        "ticket_type_id", Id, ForeignKey("ticket_types.id", ondelete="CASCADE"), primary_key=True
    ),
    Column(
        "ticket_state_id", Id, ForeignKey("ticket_states.id", ondelete="CASCADE"), primary_key=True
    ),
    workspace_column(),
    Index(None, "ticket_state_id"),
)

tickets = Table(
    "tickets",
    metadata,
    id_column(),
    workspace_column(),
    Column("ticket_number", Id, nullable=False),  # `ticket_id` on the wire
    Column("ticket_type_id", Id, ForeignKey("ticket_types.id"), nullable=False),
    Column("ticket_state_id", Id, ForeignKey("ticket_states.id"), nullable=False),
    Column("previous_ticket_state_id", Id),
    Column("state", String(24), nullable=False, server_default="submitted"),  # category, for search
    Column("category", String(16), nullable=False),  # copied from the type, for search
    Column("title", Text),  # _default_title_, kept in columns for search
    Column("description", Text),  # _default_description_
    Column("attributes", Text, nullable=False, server_default="{}"),  # {attribute id: value}
    flag("open", True),
    flag("is_shared"),
    Column("snoozed_until", Timestamp),
    Column("admin_assignee_id", Id),
    Column("team_assignee_id", Id),
    Column("company_id", String(24)),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    UniqueConstraint("workspace_id", "ticket_number"),
    # Search: every filterable column leads with the workspace and ends with the page
    # order (id), so "filter, newest first, 20 rows" is one index range read.
    Index(None, "workspace_id", "created_at", "id"),
    Index(None, "workspace_id", "id"),
    Index(None, "workspace_id", "state", "id"),
    Index(None, "workspace_id", "open", "id"),
    Index(None, "workspace_id", "category", "id"),
    Index(None, "workspace_id", "ticket_type_id", "id"),
    Index(None, "workspace_id", "admin_assignee_id", "id"),
    Index(None, "workspace_id", "team_assignee_id", "id"),
    Index(None, "workspace_id", "updated_at", "id"),
    Index(None, "workspace_id", "snoozed_until", "id"),
    sqlite_autoincrement=True,  # ids are never reused, as Intercom's
)

ticket_contacts = Table(
    "ticket_contacts",
    metadata,
    Column("ticket_id", Id, ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "contact_id", String(24), ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    ),
    workspace_column(),
    Index(None, "contact_id", "ticket_id"),
)

ticket_parts = Table(
    "ticket_parts",
    metadata,
    id_column(),
    workspace_column(),
    Column("ticket_id", Id, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False),
    Column("part_type", String(48), nullable=False),
    Column("body", Text),
    Column("author_type", String(8), nullable=False),  # admin | bot | team | user
    Column("author_id", String(24), nullable=False),
    Column("previous_state", String(24)),
    Column("state", String(24)),
    Column("assigned_to_type", String(16)),
    Column("assigned_to_id", String(24)),
    Column("data", Text),  # JSON: attachments, updated_attribute_data, reply_options, ...
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    Index(None, "ticket_id", "id"),
    # teammate_ids search: the admins who wrote on a ticket
    Index(
        "ix_ticket_parts_admin_author",
        "author_id",
        "ticket_id",
        sqlite_where=text("author_type = 'admin'"),
        postgresql_where=text("author_type = 'admin'"),
    ),
    sqlite_autoincrement=True,  # ids are never reused, as Intercom's
)

# How many of a workspace's tickets have each value of the fields search can count without
# reading rows (tickets/counts.py), kept in the transaction of every ticket change.
# `field` is a column name or "all" (value ""); `value` is the column's value as text, ""
# for null, "1"/"0" for `open`.
ticket_counts = Table(
    "ticket_counts",
    metadata,
    workspace_column(),
    Column("field", String(24), nullable=False),
    Column("value", String(64), nullable=False),
    Column("count", BigInteger, nullable=False),
    PrimaryKeyConstraint("workspace_id", "field", "value"),
)

# Custom attribute values, one row per value (a multi-value list has several), so that
# `ticket_attribute.{id}` filters read an index instead of every ticket's JSON. Written
# with the ticket, in the same transaction; the JSON in tickets.attributes stays the
# source of truth for rendering.
ticket_values = Table(
    "ticket_values",
    metadata,
    Column("ticket_id", Id, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False),
    Column("attribute_id", Id, nullable=False),
    workspace_column(),
    Column("text_value", Text),  # strings, list option ids
    Column("number_value", Float),  # integers, decimals, datetimes, booleans (0/1)
    Index(None, "ticket_id"),
    Index(None, "attribute_id", "text_value", "ticket_id"),
    Index(None, "attribute_id", "number_value", "ticket_id"),
)

ticket_tags = Table(
    "ticket_tags",
    metadata,
    Column("ticket_id", Id, ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", Id, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    workspace_column(),
    Column("applied_at", Timestamp, nullable=False),
    Column("applied_by", Id, nullable=False),
    Index(None, "tag_id"),
)

uploads = Table(
    "uploads",
    metadata,
    id_column(),
    workspace_column(),
    # The ticket whose part carries the file; deleting the ticket deletes its uploads.
    Column("ticket_id", Id, ForeignKey("tickets.id", ondelete="CASCADE")),
    Column("token", String(32), nullable=False, unique=True),  # unguessable URL key
    Column("name", Text, nullable=False),
    Column("content_type", Text, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("filesize", Id, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    sqlite_autoincrement=True,  # ids are never reused, as Intercom's
)
