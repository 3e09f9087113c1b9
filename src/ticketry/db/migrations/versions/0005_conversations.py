"""Conversations: their contacts, parts and tags, and links between tickets and the
conversations or customer tickets gathered under them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 05:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Ts = sa.BigInteger()


def _workspace() -> "sa.Column[int]":
    return sa.Column("workspace_id", Id, nullable=False)


def _ws_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workspace_id"], ["workspaces.id"], ondelete="CASCADE",
        name=f"fk_{table}_workspace_id_workspaces",
    )


def _flag(name: str, default: bool) -> "sa.Column[bool]":
    return sa.Column(name, sa.Boolean(create_constraint=False), nullable=False,
                     server_default="1" if default else "0")


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", Id, autoincrement=False, nullable=False),
        _workspace(),
        sa.Column("title", sa.Text()),
        sa.Column("state", sa.String(8), nullable=False),
        _flag("open", True),
        _flag("read", False),
        _flag("priority", False),
        sa.Column("waiting_since", Ts),
        sa.Column("snoozed_until", Ts),
        sa.Column("admin_assignee_id", Id),
        sa.Column("team_assignee_id", Id),
        sa.Column("source_id", sa.String(24), nullable=False),
        sa.Column("source_type", sa.String(16), nullable=False),
        sa.Column("delivered_as", sa.String(24), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False, server_default=""),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_type", sa.String(8), nullable=False),
        sa.Column("author_id", sa.String(24), nullable=False),
        sa.Column("attachments", sa.Text()),
        sa.Column("custom_attributes", sa.Text(), nullable=False, server_default="{}"),
        sa.Column("ticket_id", Id),
        sa.Column("created_at", Ts, nullable=False),
        sa.Column("updated_at", Ts, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_conversations"),
        _ws_fk("conversations"),
    )
    for cols in (["updated_at", "id"], ["created_at", "id"], ["state", "id"],
                 ["admin_assignee_id", "id"], ["team_assignee_id", "id"]):
        op.create_index(f"ix_conversations_workspace_id_{'_'.join(cols)}", "conversations",
                        ["workspace_id", *cols])

    op.create_table(
        "conversation_contacts",
        sa.Column("conversation_id", Id, nullable=False),
        sa.Column("contact_id", sa.String(24), nullable=False),
        _workspace(),
        sa.PrimaryKeyConstraint("conversation_id", "contact_id", name="pk_conversation_contacts"),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], ondelete="CASCADE",
                                name="fk_conversation_contacts_conversation_id_conversations"),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], ondelete="CASCADE",
                                name="fk_conversation_contacts_contact_id_contacts"),
        _ws_fk("conversation_contacts"),
    )
    op.create_index("ix_conversation_contacts_contact_id_conversation_id",
                    "conversation_contacts", ["contact_id", "conversation_id"])

    op.create_table(
        "conversation_parts",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        _workspace(),
        sa.Column("conversation_id", Id, nullable=False),
        sa.Column("part_type", sa.String(48), nullable=False),
        sa.Column("body", sa.Text()),
        sa.Column("author_type", sa.String(8), nullable=False),
        sa.Column("author_id", sa.String(24), nullable=False),
        sa.Column("assigned_to_type", sa.String(16)),
        sa.Column("assigned_to_id", sa.String(24)),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("data", sa.Text()),
        sa.Column("created_at", Ts, nullable=False),
        sa.Column("updated_at", Ts, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_conversation_parts"),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], ondelete="CASCADE",
                                name="fk_conversation_parts_conversation_id_conversations"),
        _ws_fk("conversation_parts"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_conversation_parts_conversation_id_id", "conversation_parts",
                    ["conversation_id", "id"])
    op.create_index("ix_conversation_parts_admin_author", "conversation_parts",
                    ["author_id", "conversation_id"],
                    sqlite_where=sa.text("author_type = 'admin'"),
                    postgresql_where=sa.text("author_type = 'admin'"))

    op.create_table(
        "conversation_tags",
        sa.Column("conversation_id", Id, nullable=False),
        sa.Column("tag_id", Id, nullable=False),
        _workspace(),
        sa.Column("applied_at", Ts, nullable=False),
        sa.Column("applied_by", Id, nullable=False),
        sa.PrimaryKeyConstraint("conversation_id", "tag_id", name="pk_conversation_tags"),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], ondelete="CASCADE",
                                name="fk_conversation_tags_conversation_id_conversations"),
        sa.ForeignKeyConstraint(["tag_id"], ["tags.id"], ondelete="CASCADE",
                                name="fk_conversation_tags_tag_id_tags"),
        _ws_fk("conversation_tags"),
    )
    op.create_index("ix_conversation_tags_tag_id", "conversation_tags", ["tag_id"])

    op.create_table(
        "ticket_links",
        sa.Column("ticket_id", Id, nullable=False),
        sa.Column("object_id", Id, nullable=False),
        sa.Column("object_type", sa.String(16), nullable=False),
        _workspace(),
        sa.Column("created_at", Ts, nullable=False),
        sa.PrimaryKeyConstraint("ticket_id", "object_id", name="pk_ticket_links"),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], ondelete="CASCADE",
                                name="fk_ticket_links_ticket_id_tickets"),
        _ws_fk("ticket_links"),
    )
    op.create_index("ix_ticket_links_object_id", "ticket_links", ["object_id"])


def downgrade() -> None:
    for table in ("ticket_links", "conversation_tags", "conversation_parts",
                  "conversation_contacts", "conversations"):
        op.drop_table(table)
