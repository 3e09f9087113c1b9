"""Conversations: started by a contact (`POST /conversations`) or an admin (`POST /messages`),
replied to, managed (close, open, snooze, assign), updated, tagged, deleted. Every change
goes through conversations/changes.py.

Decisions where Intercom says nothing: a contact may reply only to a conversation it is on
(400 `parameter_mismatch`, as on tickets); an admin comment clears `waiting_since` and
leaves the state alone; an admin-initiated conversation starts closed until the contact
replies (as every Intercom example shows); `message_type` "inapp", "in_app" and
"conversation" all mean in-app.
"""

from __future__ import annotations

import secrets
from typing import Any

import orjson
from sqlalchemy import delete, insert, select

from ticketry.contacts import queries as contact_queries
from ticketry.conversations import changes
from ticketry.conversations.changes import ConversationChange
from ticketry.conversations.schemas import (
    CreateConversation,
    CreateMessage,
    Manage,
    Party,
    UpdateConversation,
)
from ticketry.db.database import Conn, Row
from ticketry.db.object_ids import next_object_id
from ticketry.errors import ApiError, NotFound, ParameterInvalid, ParameterNotFound
from ticketry.kit import ids
from ticketry.tables import conversation_contacts, conversation_tags, conversations
from ticketry.tickets import lookups
from ticketry.tickets.parts import Author
from ticketry.tickets.replies import mismatch, part_data, to_html, url_attachments
from ticketry.tickets.schemas import Reply
from ticketry.tickets.tagging import find_tag

IN_APP = ("inapp", "in_app", "conversation")


def _message_id() -> str:
    # The id of the first message (`source.id`): Intercom's are numeric strings.
    return str(100_000_000 + secrets.randbelow(900_000_000))


def _contact(conn: Conn, workspace_id: int, party: Party | None, field: str) -> Row:
    if party is None or (party.id is None and party.user_id is None and party.email is None):
        raise ParameterNotFound(field)
    found = contact_queries.find_by(
        conn,
        workspace_id,
        id=party.id,
        external_id=party.user_id if party.id is None else None,
        email=party.email if party.id is None and party.user_id is None else None,
    )
    if found is None:
        raise NotFound("User Not Found", field=field)
    return found


def _as_author(contact: Row) -> Author:
    # Intercom names a lead's messages `lead`, a user's `user` (source.author.type).
    return Author("lead" if contact["role"] == "lead" else "user", contact["id"])


def _admin(conn: Conn, workspace_id: int, admin_id: str | None, field: str = "admin_id") -> Author:
    if admin_id is None:
        raise ParameterNotFound(field)
    found = lookups.admin(
        conn,
        workspace_id,
        admin_id,
        NotFound("Admin not found", code="admin_not_found", field=field),
    )
    return Author("admin", str(found))


def _new(
    conn: Conn,
    workspace_id: int,
    contact: Row,
    author: Author,
    at: int,
    body: str,
    topic: str,
    **values: Any,
) -> tuple[int, str]:
    conversation_id = next_object_id(conn)
    message_id = _message_id()
    changes.insert(
        conn,
        workspace_id,
        {
            "id": conversation_id,
            "source_id": message_id,
            "body": body,
            "author_type": author.type,
            "author_id": author.id,
            "created_at": at,
            "updated_at": at,
            **values,
        },
        topic,
        author,
    )
    conn.execute(
        insert(conversation_contacts).values(
            conversation_id=conversation_id, contact_id=contact["id"], workspace_id=workspace_id
        )
    )
    return conversation_id, message_id


def create_from_contact(conn: Conn, workspace_id: int, p: CreateConversation) -> dict[str, Any]:
    """A contact writes in; what the `message` answer needs."""
    if p.from_ is None:
        raise ParameterNotFound("from")
    if p.from_.type not in ("user", "lead", "contact"):
        raise ParameterInvalid("from.type must be user, lead or contact", field="from.type")
    if not (p.body or "").strip():
        raise ParameterNotFound("body")
    contact = _contact(conn, workspace_id, p.from_, "from")
    at = p.created_at if p.created_at is not None else ids.now()
    attachments = url_attachments(p.attachment_urls or [])
    conversation_id, message_id = _new(
        conn,
        workspace_id,
        contact,
        _as_author(contact),
        at,
        to_html(p.body or ""),
        "conversation.user.created",
        state="open",
        open=True,
        read=False,
        priority=False,
        waiting_since=at,
        source_type="conversation",
        delivered_as="customer_initiated",
        subject=p.subject or "",
        attachments=orjson.dumps(attachments).decode() if attachments else None,
    )
    return {
        "type": "user_message",
        "id": message_id,
        "created_at": at,
        "body": p.body,
        "message_type": "inapp",
        "conversation_id": str(conversation_id),
    }


def create_from_admin(conn: Conn, workspace_id: int, p: CreateMessage) -> dict[str, Any]:
    """An admin writes to a contact; what the `message` answer needs."""
    kind = (p.message_type or "").lower()
    if kind not in (*IN_APP, "email"):
        raise ParameterInvalid("message_type must be in_app or email", field="message_type")
    if not (p.body or "").strip():
        raise ParameterInvalid("Body is required", field="body")
    if kind == "email" and not p.subject:
        raise ApiError(
            "No subject supplied for email message",
            code="parameter_not_found",
            status=422,
            field="subject",
        )
    if p.from_ is None or p.from_.type not in (None, "admin"):
        raise ParameterInvalid("from must be {type: admin, id}", field="from")
    author = _admin(conn, workspace_id, p.from_.id, "from.id")
    to = p.to[0] if isinstance(p.to, list) and p.to else p.to
    contact = _contact(conn, workspace_id, to if isinstance(to, Party) else None, "to")
    at = p.created_at if p.created_at is not None else ids.now()
    conversation_id, message_id = _new(
        conn,
        workspace_id,
        contact,
        author,
        at,
        to_html(p.body or ""),
        "conversation.admin.single.created",
        state="closed",
        open=False,
        read=False,
        priority=False,
        source_type="email" if kind == "email" else "conversation",
        delivered_as="admin_initiated",
        subject=p.subject or "",
    )
    return {
        "type": "admin_message",
        "id": message_id,
        "created_at": at,
        "subject": p.subject or "",
        "body": p.body,
        "message_type": "email" if kind == "email" else "inapp",
        "conversation_id": str(conversation_id),
    }


def _contact_author(conn: Conn, workspace_id: int, conversation_id: int, p: Reply) -> Author:
    party = Party(id=p.intercom_user_id, user_id=p.user_id, email=p.email)
    if party.id is None and party.user_id is None and party.email is None:
        raise ParameterNotFound(
            "intercom_user_id",
            "one of intercom_user_id, user_id or email is required for a contact reply",
        )
    contact = _contact(conn, workspace_id, party, "intercom_user_id")
    on = conn.one(
        select(conversation_contacts.c.contact_id).where(
            conversation_contacts.c.conversation_id == conversation_id,
            conversation_contacts.c.contact_id == contact["id"],
        )
    )
    if on is None:
        raise mismatch("The contact is not on this conversation")
    return _as_author(contact)


def last_of_contact(conn: Conn, workspace_id: int, p: Reply) -> int:
    """`/conversations/last/reply`: the replying contact's most recent conversation."""
    party = Party(id=p.intercom_user_id, user_id=p.user_id, email=p.email)
    contact = _contact(conn, workspace_id, party, "intercom_user_id")
    found = conn.scalar(
        select(conversations.c.id)
        .join(conversation_contacts, conversation_contacts.c.conversation_id == conversations.c.id)
        .where(
            conversations.c.workspace_id == workspace_id,
            conversation_contacts.c.contact_id == contact["id"],
        )
        .order_by(conversations.c.created_at.desc(), conversations.c.id.desc())
        .limit(1)
    )
    if found is None:
        raise changes.not_found()
    return int(found)


def reply(
    conn: Conn, workspace_id: int, caller_admin: int, conversation_id: int, p: Reply, base_url: str
) -> None:
    with changes.changing(
        conn, workspace_id, conversation_id, Author("admin", str(caller_admin))
    ) as c:
        _reply(c, p, base_url)


def _reply(c: ConversationChange, p: Reply, base_url: str) -> None:
    conn, workspace_id = c.conn, c.workspace_id
    kind = "admin" if p.type == "admin" else "user" if p.type in ("user", "contact") else None
    if kind is None:
        raise ParameterNotFound("type")
    message_type = p.message_type or "comment"
    if kind == "admin":
        author = _admin(conn, workspace_id, p.admin_id)
        if message_type == "quick_reply" and not p.reply_options:
            raise ParameterNotFound("reply_options")
    else:
        if message_type not in ("comment", "quick_reply"):
            raise ParameterInvalid(
                "Contacts can only reply with message_type comment", field="message_type"
            )
        author = _contact_author(conn, workspace_id, c.id, p)
    if message_type in ("comment", "note") and not (p.body or "").strip():
        raise ParameterNotFound("body")
    at = p.created_at if p.created_at is not None else ids.now()
    data = part_data(conn, workspace_id, None, p, base_url, at)
    body = to_html(p.body) if p.body is not None and message_type != "quick_reply" else None

    part_type: str = message_type
    if kind == "user":
        c.set(waiting_since=c.row["waiting_since"] or at, read=False)
        if c.row["state"] != "open":
            # A contact's reply reopens the conversation; Intercom records it as `open`.
            c.set(state="open", open=True, snoozed_until=None, waiting_since=at)
            part_type = "open"
    elif message_type in ("comment", "quick_reply"):
        c.set(waiting_since=None)
    c.part(part_type, author=author, at=at, body=body, data=data)


def manage(conn: Conn, workspace_id: int, conversation_id: int, p: Manage) -> None:
    if p.message_type is None:
        raise ParameterNotFound("message_type")
    with changes.changing(conn, workspace_id, conversation_id, Author("bot", "0")) as c:
        author = _admin(conn, workspace_id, p.admin_id)
        body = to_html(p.body) if p.body and p.body.strip() else None
        if p.message_type == "close":
            c.set(state="closed", open=False, snoozed_until=None)
            c.part("close", author=author, body=body)
        elif p.message_type == "open":
            c.set(state="open", open=True, snoozed_until=None)
            c.part("open", author=author)
        elif p.message_type == "snoozed":
            if p.snoozed_until is None:
                raise ParameterNotFound("snoozed_until")
            c.set(state="snoozed", open=True, snoozed_until=p.snoozed_until)
            c.part("snoozed", author=author)
        else:
            _assign(c, p, author, body)


def _assign(c: ConversationChange, p: Manage, author: Author, body: str | None) -> None:
    if p.assignee_id is None:
        raise ParameterNotFound("assignee_id")
    kind = p.type or "admin"
    reopen = c.row["state"] != "open"
    part_type = "assign_and_reopen" if reopen else "assignment"
    if reopen:
        c.set(state="open", open=True, snoozed_until=None)
    if p.assignee_id == "0":
        c.set(**{f"{kind}_assignee_id": None})
        c.part(part_type, author=author, body=body, assigned_to=("nobody_admin", None))
        return
    error = NotFound(
        f"{kind.capitalize()} not found", code=f"{kind}_not_found", field="assignee_id"
    )
    resolve = lookups.admin if kind == "admin" else lookups.team
    target = resolve(c.conn, c.workspace_id, p.assignee_id, error)
    c.set(**{f"{kind}_assignee_id": target})
    c.part(part_type, author=author, body=body, assigned_to=(kind, str(target)))


def update(
    conn: Conn, workspace_id: int, caller_admin: int, conversation_id: int, p: UpdateConversation
) -> None:
    sent = p.model_fields_set
    with changes.changing(
        conn, workspace_id, conversation_id, Author("admin", str(caller_admin))
    ) as c:
        fields: list[str] = []
        if "read" in sent and p.read is not None:
            c.set(read=p.read)
            fields.append("read")
        if "title" in sent:
            c.set(title=p.title)
            fields.append("title")
        if "custom_attributes" in sent:
            merged = orjson.loads(c.row["custom_attributes"] or "{}")
            merged.update(p.custom_attributes or {})
            c.set(custom_attributes=orjson.dumps(merged).decode())
            fields.append("custom_attributes")
        if fields:
            c.event("conversation.updated", data={"fields": fields})


def delete_conversation(
    conn: Conn, workspace_id: int, caller_admin: int, conversation_id: int
) -> None:
    """Permanent: its parts, contacts links, tags and links to tickets go with it."""
    with changes.changing(
        conn, workspace_id, conversation_id, Author("admin", str(caller_admin))
    ) as c:
        c.delete()


def _conversation_missing() -> NotFound:
    # Intercom's tag endpoints say this, not `conversation_not_found` (reference §I).
    return NotFound("Conversation not found")


def tag(
    conn: Conn, workspace_id: int, conversation_id: int, tag_id: str, admin_id: str
) -> tuple[Row, int, int]:
    """Attach (idempotently); the tag, when and by whom."""
    with changes.changing(
        conn, workspace_id, conversation_id, Author("bot", "0"), missing=_conversation_missing()
    ) as c:
        found = find_tag(conn, workspace_id, tag_id)
        admin = _admin(conn, workspace_id, admin_id)
        existing = conn.one(
            select(conversation_tags).where(
                conversation_tags.c.conversation_id == c.id,
                conversation_tags.c.tag_id == found["id"],
            )
        )
        if existing is not None:
            return found, existing["applied_at"], existing["applied_by"]
        conn.execute(
            insert(conversation_tags).values(
                conversation_id=c.id,
                tag_id=found["id"],
                workspace_id=workspace_id,
                applied_at=c.at,
                applied_by=int(admin.id),
            )
        )
        c.event("conversation.tag.created", data={"tag_id": str(found["id"])}, author=admin)
        return found, c.at, int(admin.id)


def untag(
    conn: Conn, workspace_id: int, conversation_id: int, tag_id: str, admin_id: str
) -> tuple[Row, int, int]:
    with changes.changing(
        conn, workspace_id, conversation_id, Author("bot", "0"), missing=_conversation_missing()
    ) as c:
        found = find_tag(conn, workspace_id, tag_id)
        admin = _admin(conn, workspace_id, admin_id)
        removed = conn.execute(
            delete(conversation_tags).where(
                conversation_tags.c.conversation_id == c.id,
                conversation_tags.c.tag_id == found["id"],
            )
        )
        if not removed:
            raise NotFound("Tag not found", code="tag_not_found", field="tag_id")
        c.event("conversation.tag.deleted", data={"tag_id": str(found["id"])}, author=admin)
        return found, ids.now(), int(admin.id)
