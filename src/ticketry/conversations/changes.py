"""The one path for every change to a conversation, as tickets/changes.py is for tickets:
lock the row (`SELECT ... FOR UPDATE` on PostgreSQL; the single writer on SQLite), apply,
append the part that records the change, record its event, in the caller's transaction.

Topics are Intercom's conversation webhook topics where one fits; `conversation.updated`,
`conversation.tag.created`, `conversation.tag.deleted` and `conversation.deleted` are
Ticketry's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy import insert as sql_insert

from ticketry.db.database import Conn
from ticketry.db.sql import InsertQ, Q
from ticketry.errors import ApiError, NotFound
from ticketry.events.change import Change
from ticketry.kit import ids
from ticketry.tables import conversation_parts, conversations, ticket_links
from ticketry.tickets.parts import Author

_LOCK = Q(
    select(conversations)
    .where(conversations.c.workspace_id == bindparam("ws"), conversations.c.id == bindparam("id"))
    .with_for_update()
)
_INSERT_PART = InsertQ(conversation_parts, returning=conversation_parts.c.id)


def not_found() -> NotFound:
    return NotFound("Resource Not Found")


def part_topic(part_type: str, author: Author) -> str:
    if author.type in ("user", "lead"):
        return "conversation.user.replied"  # a comment, or the `open` a reply reopens with
    return {
        "comment": "conversation.admin.replied",
        "quick_reply": "conversation.admin.replied",
        "note": "conversation.admin.noted",
        "close": "conversation.admin.closed",
        "open": "conversation.admin.opened",
        "snoozed": "conversation.admin.snoozed",
        "timer_unsnooze": "conversation.admin.unsnoozed",
        "assignment": "conversation.admin.assigned",
        "assign_and_reopen": "conversation.admin.assigned",
    }[part_type]


class ConversationChange(Change):
    """One conversation, locked for the rest of the transaction, and what changes on it."""

    object_type = "conversation"
    __slots__ = ()

    def current(self, column: str) -> Any:
        return self.columns[column] if column in self.columns else self.row[column]

    def part(
        self,
        part_type: str,
        *,
        author: Author | None = None,
        at: int | None = None,
        body: str | None = None,
        assigned_to: tuple[str, str | None] | None = None,
        data: dict[str, Any] | None = None,
    ) -> int:
        author = author or self.actor
        at = at if at is not None else self.at
        part_id: int = self.conn.scalar(
            _INSERT_PART,
            _INSERT_PART.row(
                workspace_id=self.workspace_id,
                conversation_id=self.id,
                part_type=part_type,
                body=body,
                author_type=author.type,
                author_id=author.id,
                assigned_to_type=assigned_to[0] if assigned_to else None,
                assigned_to_id=assigned_to[1] if assigned_to else None,
                state=self.current("state"),
                data=orjson.dumps(data).decode() if data else None,
                created_at=at,
                updated_at=at,
            ),
        )
        self.event(part_topic(part_type, author), part_id, author=author)
        return part_id

    def _finish(self) -> None:
        where = (conversations.c.workspace_id == self.workspace_id, conversations.c.id == self.id)
        if self._deleted:
            self.conn.execute(
                delete(ticket_links).where(
                    ticket_links.c.workspace_id == self.workspace_id,
                    ticket_links.c.object_id == self.id,
                )
            )
            self.conn.execute(delete(conversations).where(*where))
        elif self.columns or self._events:
            self.columns.setdefault("updated_at", ids.now())
            self.conn.execute(update(conversations).where(*where).values(**self.columns))
        self.record_events()


@contextmanager
def changing(
    conn: Conn,
    workspace_id: int,
    conversation_id: int,
    actor: Author,
    *,
    missing: ApiError | None = None,
) -> Iterator[ConversationChange]:
    row = conn.one(_LOCK, {"ws": workspace_id, "id": conversation_id})
    if row is None:
        raise missing or not_found()
    change = ConversationChange(conn, workspace_id, row, actor, ids.now())
    yield change
    change._finish()


def insert(conn: Conn, workspace_id: int, values: dict[str, Any], topic: str, actor: Author) -> int:
    """A new conversation (`values` as the table names them, `id` included) and its event."""
    conn.execute(sql_insert(conversations).values(workspace_id=workspace_id, **values))
    row = {**values, "workspace_id": workspace_id}
    change = ConversationChange(conn, workspace_id, row, actor, values["created_at"])
    change.event(topic)
    change.record_events()
    return int(values["id"])
