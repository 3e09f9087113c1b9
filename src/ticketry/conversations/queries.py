"""Reading conversations with what their wire shape embeds: contacts, parts, tags, teammates
and linked objects."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select

from ticketry.db.database import Conn, Row
from ticketry.db.sql import Q
from ticketry.links import queries as links
from ticketry.links.queries import Linked
from ticketry.tables import (
    contacts,
    conversation_contacts,
    conversation_parts,
    conversation_tags,
    conversations,
    tags,
)

MAX_PARTS = 500  # the newest 500 parts, as Intercom renders them

_GET = Q(
    select(conversations).where(
        conversations.c.workspace_id == bindparam("ws"), conversations.c.id == bindparam("id")
    )
)
_CONTACT_COLUMNS = (
    contacts.c.id,
    contacts.c.external_id,
    contacts.c.role,
    contacts.c.name,
    contacts.c.email,
)
_CONTACTS = Q(
    select(*_CONTACT_COLUMNS)
    .join(conversation_contacts, conversation_contacts.c.contact_id == contacts.c.id)
    .where(conversation_contacts.c.conversation_id == bindparam("id"))
    .order_by(contacts.c.id)
)
_PARTS = Q(
    select(conversation_parts)
    .where(conversation_parts.c.conversation_id == bindparam("id"))
    .order_by(conversation_parts.c.id.desc())
    .limit(MAX_PARTS)
)
_PART_COUNT = Q(
    select(func.count())
    .select_from(conversation_parts)
    .where(conversation_parts.c.conversation_id == bindparam("id"))
)
_TAG_COLUMNS = (
    tags.c.id,
    tags.c.name,
    conversation_tags.c.applied_at,
    conversation_tags.c.applied_by,
)
_TAGS = Q(
    select(*_TAG_COLUMNS)
    .join(conversation_tags, conversation_tags.c.tag_id == tags.c.id)
    .where(conversation_tags.c.conversation_id == bindparam("id"))
    .order_by(conversation_tags.c.applied_at, tags.c.id)
)
_TEAMMATES = Q(
    select(conversation_parts.c.author_id)
    .where(
        conversation_parts.c.conversation_id == bindparam("id"),
        conversation_parts.c.author_type == "admin",
    )
    .distinct()
)


@dataclass(slots=True)
class ConversationView:
    row: Row
    contacts: list[Row]
    parts: list[Row] | None  # None in list items, which carry no parts
    parts_total: int
    tags: list[Row]
    teammates: list[str]
    linked: Linked


def get_row(conn: Conn, workspace_id: int, conversation_id: int) -> Row | None:
    return conn.one(_GET, {"ws": workspace_id, "id": conversation_id})


def view_of(conn: Conn, workspace_id: int, row: Row) -> ConversationView:
    cid = row["id"]
    parts = list(reversed(conn.all(_PARTS, {"id": cid})))
    total = len(parts)
    if total == MAX_PARTS:
        total = conn.scalar(_PART_COUNT, {"id": cid})
    return ConversationView(
        row,
        conn.all(_CONTACTS, {"id": cid}),
        parts,
        total,
        conn.all(_TAGS, {"id": cid}),
        sorted(r["author_id"] for r in conn.all(_TEAMMATES, {"id": cid})),
        links.linked(conn, workspace_id, [cid]).get(cid, links.NONE),
    )


def list_items(conn: Conn, workspace_id: int, rows: list[Row]) -> list[ConversationView]:
    """Views without parts (list and search items) for several conversations in a fixed
    number of queries, in the order of `rows`."""
    ids = [r["id"] for r in rows]
    if not ids:
        return []
    on: dict[int, list[Row]] = defaultdict(list)
    for r in conn.all(
        select(conversation_contacts.c.conversation_id, *_CONTACT_COLUMNS)
        .join(contacts, contacts.c.id == conversation_contacts.c.contact_id)
        .where(conversation_contacts.c.conversation_id.in_(ids))
        .order_by(contacts.c.id)
    ):
        on[r["conversation_id"]].append(r)
    tagged: dict[int, list[Row]] = defaultdict(list)
    for r in conn.all(
        select(conversation_tags.c.conversation_id, *_TAG_COLUMNS)
        .join(conversation_tags, conversation_tags.c.tag_id == tags.c.id)
        .where(conversation_tags.c.conversation_id.in_(ids))
        .order_by(conversation_tags.c.applied_at, tags.c.id)
    ):
        tagged[r["conversation_id"]].append(r)
    mates: dict[int, list[str]] = defaultdict(list)
    for r in conn.all(
        select(conversation_parts.c.conversation_id, conversation_parts.c.author_id)
        .where(
            conversation_parts.c.conversation_id.in_(ids),
            conversation_parts.c.author_type == "admin",
        )
        .distinct()
        .order_by(conversation_parts.c.author_id)
    ):
        mates[r["conversation_id"]].append(r["author_id"])
    linked = links.linked(conn, workspace_id, ids)
    return [
        ConversationView(
            r,
            on[r["id"]],
            None,
            0,
            tagged[r["id"]],
            mates[r["id"]],
            linked.get(r["id"], links.NONE),
        )
        for r in rows
    ]


def view(conn: Conn, workspace_id: int, conversation_id: int) -> ConversationView | None:
    row = get_row(conn, workspace_id, conversation_id)
    return None if row is None else view_of(conn, workspace_id, row)


def page(
    conn: Conn, workspace_id: int, per_page: int, after: tuple[int, int] | None
) -> tuple[list[ConversationView], int, tuple[int, int] | None]:
    """Newest-updated first (id breaks ties); the views, the total, the next cursor."""
    where = [conversations.c.workspace_id == workspace_id]
    total = conn.scalar(select(func.count()).select_from(conversations).where(*where))
    if after is not None:
        updated, ident = after
        where.append(
            (conversations.c.updated_at < updated)
            | ((conversations.c.updated_at == updated) & (conversations.c.id < ident))
        )
    rows = conn.all(
        select(conversations)
        .where(*where)
        .order_by(conversations.c.updated_at.desc(), conversations.c.id.desc())
        .limit(per_page + 1)
    )
    more = len(rows) > per_page
    rows = rows[:per_page]
    cursor = (rows[-1]["updated_at"], rows[-1]["id"]) if more and rows else None
    return list_items(conn, workspace_id, rows), total, cursor
