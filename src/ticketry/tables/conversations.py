"""Conversations, their contacts, parts and tags, and the links between tickets and the
conversations or customer tickets gathered under them.

Conversations take their ids from the tickets' own sequence (`db/object_ids.py`), as
Intercom's do: one id names one object, and a conversation converted to a ticket keeps it.
"""

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, text

from ticketry.tables.base import Id, Timestamp, flag, id_column, metadata, workspace_column

conversations = Table(
    "conversations",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=False),  # from the shared sequence
    workspace_column(),
    Column("title", Text),
    Column("state", String(8), nullable=False),  # open | closed | snoozed
    flag("open", True),
    flag("read"),
    flag("priority"),
    Column("waiting_since", Timestamp),
    Column("snoozed_until", Timestamp),
    Column("admin_assignee_id", Id),
    Column("team_assignee_id", Id),
    # The first message (`source` on the wire); not a part, as in Intercom.
    Column("source_id", String(24), nullable=False),
    Column("source_type", String(16), nullable=False),  # conversation | email
    Column("delivered_as", String(24), nullable=False),  # customer_initiated | admin_initiated
    Column("subject", Text, nullable=False, server_default=""),
    Column("body", Text, nullable=False),
    Column("author_type", String(8), nullable=False),  # user | lead | admin
    Column("author_id", String(24), nullable=False),
    Column("attachments", Text),  # JSON list of attachment objects
    Column("custom_attributes", Text, nullable=False, server_default="{}"),
    Column("ticket_id", Id),  # the ticket it became (the same id), once converted
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    Index(None, "workspace_id", "updated_at", "id"),
    Index(None, "workspace_id", "created_at", "id"),
    Index(None, "workspace_id", "state", "id"),
    Index(None, "workspace_id", "admin_assignee_id", "id"),
    Index(None, "workspace_id", "team_assignee_id", "id"),
)

conversation_contacts = Table(
    "conversation_contacts",
    metadata,
    Column(
        "conversation_id", Id, ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    ),
    Column(
        "contact_id", String(24), ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    ),
    workspace_column(),
    Index(None, "contact_id", "conversation_id"),
)

conversation_parts = Table(
    "conversation_parts",
    metadata,
    id_column(),
    workspace_column(),
    Column(
        "conversation_id",
        Id,
        ForeignKey("conversations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("part_type", String(48), nullable=False),
    Column("body", Text),
    Column("author_type", String(8), nullable=False),  # admin | user | lead | bot
    Column("author_id", String(24), nullable=False),
    Column("assigned_to_type", String(16)),
    Column("assigned_to_id", String(24)),
    Column("state", String(8), nullable=False),  # the conversation's state after the part
    Column("data", Text),  # JSON: attachments, reply_options, ...
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    Index(None, "conversation_id", "id"),
    # teammate_ids search: the admins who wrote on a conversation
    Index(
        "ix_conversation_parts_admin_author",
        "author_id",
        "conversation_id",
        sqlite_where=text("author_type = 'admin'"),
        postgresql_where=text("author_type = 'admin'"),
    ),
    sqlite_autoincrement=True,
)

conversation_tags = Table(
    "conversation_tags",
    metadata,
    Column(
        "conversation_id", Id, ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("tag_id", Id, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    workspace_column(),
    Column("applied_at", Timestamp, nullable=False),
    Column("applied_by", Id, nullable=False),
    Index(None, "tag_id"),
)

# A Back-office or Tracker ticket and what is linked to it: a conversation or a Customer
# ticket (`object_id`, from the shared id sequence). Links are read from both ends.
ticket_links = Table(
    "ticket_links",
    metadata,
    Column("ticket_id", Id, ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True),
    Column("object_id", Id, primary_key=True),
    Column("object_type", String(16), nullable=False),  # conversation | ticket
    workspace_column(),
    Column("created_at", Timestamp, nullable=False),
    Index(None, "object_id"),
)

__all__ = [
    "conversation_contacts",
    "conversation_parts",
    "conversation_tags",
    "conversations",
    "ticket_links",
]
