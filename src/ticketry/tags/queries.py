"""Reading tags."""

from __future__ import annotations

from sqlalchemy import bindparam, func, select

from ticketry.db.database import Conn, Row
from ticketry.db.sql import Q
from ticketry.errors import NotFound
from ticketry.kit import ids
from ticketry.tables import tags

_GET = Q(select(tags).where(tags.c.workspace_id == bindparam("ws"), tags.c.id == bindparam("id")))
_LIST = Q(select(tags).where(tags.c.workspace_id == bindparam("ws")).order_by(tags.c.id))
# Intercom: "Names are case insensitive" (ASCII case on SQLite, whose lower() is ASCII-only)
_BY_NAME = Q(
    select(tags)
    .where(
        tags.c.workspace_id == bindparam("ws"),
        func.lower(tags.c.name) == func.lower(bindparam("name")),
    )
    .order_by(tags.c.id)
)


def tag_not_found(field: str = "id") -> NotFound:
    return NotFound("Tag not found", code="tag_not_found", field=field)


def parse_tag_id(value: object) -> int | None:
    """A tag id from a path or body (str or int); None when it cannot be one."""
    return ids.parse_id(value if isinstance(value, (bool, int)) else str(value))


def get_tag(conn: Conn, workspace_id: int, tag_id: int | str) -> Row | None:
    """A tag of the workspace by id (a numeric string works too)."""
    key = parse_tag_id(tag_id)
    if key is None:
        return None
    return conn.one(_GET, {"ws": workspace_id, "id": key})


def find_by_name(conn: Conn, workspace_id: int, name: str) -> Row | None:
    return conn.one(_BY_NAME, {"ws": workspace_id, "name": name})


def list_tags(conn: Conn, workspace_id: int) -> list[Row]:
    return conn.all(_LIST, {"ws": workspace_id})
