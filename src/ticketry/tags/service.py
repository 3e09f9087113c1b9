"""Writing tags: create (or find by name), rename, delete."""

from __future__ import annotations

from sqlalchemy import delete, update

from ticketry.db.database import Conn, Row
from ticketry.db.sql import insert_ignoring_conflicts
from ticketry.errors import Conflict, ParameterInvalid
from ticketry.kit import ids
from ticketry.tables import tags
from ticketry.tags import queries
from ticketry.tags.schemas import TagWrite
from ticketry.tickets import changes as ticket_changes
from ticketry.tickets.parts import Author

MAX_NAME = 255


def _name(payload: TagWrite) -> str:
    # Intercom answers every malformed tag body with "invalid tag parameters"
    name = payload.name
    if name is None:
        raise ParameterInvalid("invalid tag parameters: name is required", field="name")
    if not isinstance(name, str):
        raise ParameterInvalid("invalid tag parameters: name must be a string", field="name")
    name = name.strip()
    if not name:
        raise ParameterInvalid("invalid tag parameters: name must not be blank", field="name")
    if "\x00" in name or len(name) > MAX_NAME:
        raise ParameterInvalid(
            f"invalid tag parameters: name must be at most {MAX_NAME} characters of text",
            field="name",
        )
    return name


def save_tag(conn: Conn, workspace_id: int, payload: TagWrite) -> Row:
    """`{name}`: the tag of that name (any case), created if new. `{name, id}`: rename."""
    for key in ("companies", "users"):
        if key in payload.model_fields_set:
            raise ParameterInvalid(
                f"invalid tag parameters: tagging {key} is not supported; "
                "send {name} to create a tag or {name, id} to rename one",
                field=key,
            )
    name = _name(payload)
    if payload.id is not None:
        return _rename(conn, workspace_id, payload.id, name)
    found = queries.find_by_name(conn, workspace_id, name)
    if found is not None:
        return found
    # ON CONFLICT DO NOTHING: two requests creating the same tag both get it.
    conn.execute(
        insert_ignoring_conflicts(
            conn.dialect, tags, workspace_id=workspace_id, name=name, created_at=ids.now()
        )
    )
    return queries.find_by_name(conn, workspace_id, name)


def _rename(conn: Conn, workspace_id: int, tag_id: str, name: str) -> Row:
    tag = queries.get_tag(conn, workspace_id, tag_id)
    if tag is None:
        raise queries.tag_not_found("id")
    other = queries.find_by_name(conn, workspace_id, name)
    if other is not None and other["id"] != tag["id"]:
        raise Conflict(f"A tag named '{other['name']}' already exists", field="name")
    conn.execute(
        update(tags)
        .where(tags.c.workspace_id == workspace_id, tags.c.id == tag["id"])
        .values(name=name)
    )
    return queries.get_tag(conn, workspace_id, tag["id"])


def delete_tag(conn: Conn, workspace_id: int, caller_admin: int, tag_id: str) -> None:
    """Delete a tag; it comes off every ticket with it (each records the untagging)."""
    tag = queries.get_tag(conn, workspace_id, tag_id)
    if tag is None:
        raise queries.tag_not_found("id")
    ticket_changes.untag_everywhere(
        conn, workspace_id, tag["id"], Author("admin", str(caller_admin))
    )
    conn.execute(delete(tags).where(tags.c.workspace_id == workspace_id, tags.c.id == tag["id"]))
