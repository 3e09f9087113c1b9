"""What every change path shares (tickets/changes.py, conversations/changes.py): one locked
object of the transaction, the columns a change sets on it, and the events it records,
written when the change ends."""

from __future__ import annotations

from typing import Any, ClassVar

from ticketry.db.database import Conn, Row
from ticketry.events import service as events
from ticketry.tickets.parts import Author


class Change:
    object_type: ClassVar[str]  # ticket | conversation: names the object in its events
    __slots__ = ("_deleted", "_events", "actor", "at", "columns", "conn", "row", "workspace_id")

    def __init__(self, conn: Conn, workspace_id: int, row: Row, actor: Author, at: int) -> None:
        self.conn = conn
        self.workspace_id = workspace_id
        self.row = row
        self.actor = actor
        self.at = at
        self.columns: dict[str, Any] = {}
        self._events: list[events.Event] = []
        self._deleted = False

    @property
    def id(self) -> int:
        return int(self.row["id"])

    def set(self, **columns: Any) -> None:
        self.columns.update(columns)

    def event(
        self,
        topic: str,
        part_id: int | None = None,
        data: dict[str, Any] | None = None,
        author: Author | None = None,
    ) -> None:
        author = author or self.actor
        self._events.append(
            events.Event(
                topic, self.object_type, str(self.id), part_id, author.type, author.id, data
            )
        )

    def delete(self) -> None:
        self._deleted = True
        self.event(f"{self.object_type}.deleted")

    def record_events(self) -> None:
        events.record(self.conn, self.workspace_id, self._events, self.at)
