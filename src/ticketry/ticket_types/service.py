"""Creating and changing ticket types and their attributes, in the caller's transaction.

Every type is born with Intercom's two default attributes, `_default_title_` and
`_default_description_`, which cannot be renamed, archived or retyped. List options get
stable uuid ids: relisting keeps a label's id, dropping a label archives its option, so
values stored on old tickets stay readable.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from sqlalchemy import func, insert, select, update

from ticketry.db.database import Conn
from ticketry.errors import NotFound, ParameterInvalid, ParameterNotFound
from ticketry.kit import ids
from ticketry.tables import ticket_type_attributes, ticket_types
from ticketry.ticket_types import queries
from ticketry.tickets import changes as ticket_changes

CATEGORIES = ("Customer", "Back-office", "Tracker")
DATA_TYPES = ("string", "list", "integer", "decimal", "boolean", "datetime", "files")
DEFAULT_ICON = "🎟️"
DEFAULT_ATTRIBUTES = (  # (name, position, multiline), as every Intercom example shows them
    ("_default_title_", 0, False),
    ("_default_description_", 1, True),
)
NAME_MAX = 255
DESCRIPTION_MAX = 65_535
ICON_MAX = 64
LIST_OPTIONS_MAX = 1000

_TYPE_FIELDS = ("name", "description", "category", "icon", "archived", "is_internal")
_ATTR_FLAGS = (
    "required_to_create",
    "required_to_create_for_contacts",
    "visible_on_create",
    "visible_to_contacts",
)


def type_not_found() -> NotFound:
    return NotFound("Ticket type not found", field="ticket_type_id")


def attribute_not_found() -> NotFound:
    return NotFound("Ticket type attribute not found", field="attribute_id")


# -- field checks --------------------------------------------------------------------------


def _text(value: Any, field: str, limit: int, *, blank_ok: bool) -> str:
    if value is None:
        raise ParameterInvalid(f"{field} cannot be null", field=field)
    if not blank_ok and not value.strip():
        raise ParameterInvalid(f"{field} cannot be blank", field=field)
    if len(value) > limit:
        raise ParameterInvalid(f"{field} is longer than {limit:,} characters", field=field)
    return value.strip() if not blank_ok else value


def _enum(value: Any, field: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ParameterInvalid(
            f"{field} must be one of {', '.join(allowed)} (got {value!r})", field=field
        )
    return value


def _flag(value: Any, field: str) -> bool:
    if value is None:
        raise ParameterInvalid(f"{field} cannot be null", field=field)
    return bool(value)


def _labels(list_items: Any) -> list[str]:
    if list_items is None:
        raise ParameterNotFound("list_items", "list_items is a required parameter for lists")
    labels = [label.strip() for label in list_items.split(",") if label.strip()]
    if not labels:
        raise ParameterInvalid("list_items must name at least one option", field="list_items")
    if len(labels) > LIST_OPTIONS_MAX:
        raise ParameterInvalid(
            f"list_items has more than {LIST_OPTIONS_MAX} options", field="list_items"
        )
    seen: set[str] = set()
    for label in labels:
        if len(label) > NAME_MAX:
            raise ParameterInvalid(
                f"list_items option {label[:20]!r}... is longer than {NAME_MAX} characters",
                field="list_items",
            )
        if label.casefold() in seen:
            raise ParameterInvalid(f"list_items repeats the option {label!r}", field="list_items")
        seen.add(label.casefold())
    return labels


# -- ticket types --------------------------------------------------------------------------


def create_type(
    conn: Conn,
    workspace_id: int,
    *,
    name: str | None = None,
    description: str | None = None,
    category: str | None = None,
    icon: str | None = None,
    is_internal: bool | None = None,
) -> int:
    if name is None:
        raise ParameterNotFound("name")
    values = {
        "workspace_id": workspace_id,
        "name": _text(name, "name", NAME_MAX, blank_ok=False),
        "description": _text(
            "" if description is None else description,
            "description",
            DESCRIPTION_MAX,
            blank_ok=True,
        ),
        "category": _enum("Customer" if category is None else category, "category", CATEGORIES),
        "icon": _text(DEFAULT_ICON if icon is None else icon, "icon", ICON_MAX, blank_ok=False),
        "is_internal": bool(is_internal),
        "archived": False,
    }
    now = ids.now()
    type_id = conn.scalar(
        insert(ticket_types)
        .values(**values, created_at=now, updated_at=now)
        .returning(ticket_types.c.id)
    )
    for attr_name, position, multiline in DEFAULT_ATTRIBUTES:
        conn.execute(
            insert(ticket_type_attributes).values(
                workspace_id=workspace_id,
                ticket_type_id=type_id,
                name=attr_name,
                description="",
                data_type="string",
                input_options=orjson.dumps({"multiline": multiline}).decode(),
                position=position,
                required_to_create=False,
                required_to_create_for_contacts=False,
                visible_on_create=True,
                visible_to_contacts=True,
                is_default=True,
                archived=False,
                created_at=now,
                updated_at=now,
            )
        )
    return type_id


def update_type(conn: Conn, workspace_id: int, type_id: int, changes: dict[str, Any]) -> None:
    """Apply the sent fields of an update. A new category is copied onto the type's
    tickets in the same transaction (tickets keep it in a column for search)."""
    row = queries.get_type(conn, workspace_id, type_id)
    if row is None:
        raise type_not_found()
    values: dict[str, Any] = {}
    for field in _TYPE_FIELDS:
        if field not in changes:
            continue
        value = changes[field]
        if field == "name":
            values[field] = _text(value, field, NAME_MAX, blank_ok=False)
        elif field == "description":
            values[field] = _text(value, field, DESCRIPTION_MAX, blank_ok=True)
        elif field == "icon":
            values[field] = _text(value, field, ICON_MAX, blank_ok=False)
        elif field == "category":
            values[field] = _enum(value, field, CATEGORIES)
        else:
            values[field] = _flag(value, field)
    now = ids.now()
    conn.execute(
        update(ticket_types)
        .where(ticket_types.c.workspace_id == workspace_id, ticket_types.c.id == type_id)
        .values(**values, updated_at=now, revision=ticket_types.c.revision + 1)
    )
    if values.get("category", row["category"]) != row["category"]:
        ticket_changes.set_type_category(conn, workspace_id, type_id, values["category"])


def _touch_type(conn: Conn, workspace_id: int, type_id: int, now: int) -> None:
    """Every change to a type or its attributes bumps `revision`, which readers use to
    know their cached copy of the type is still current."""
    conn.execute(
        update(ticket_types)
        .where(ticket_types.c.workspace_id == workspace_id, ticket_types.c.id == type_id)
        .values(updated_at=now, revision=ticket_types.c.revision + 1)
    )


# -- attributes ----------------------------------------------------------------------------


def _check_unique_name(
    conn: Conn, workspace_id: int, type_id: int, name: str, exclude: int | None = None
) -> None:
    # Case-insensitive: `Priority` and `priority` side by side would make ticket bodies,
    # which key values by name, easy to get wrong.
    for a in queries.attributes_of(conn, workspace_id, type_id):
        if a["id"] != exclude and a["name"].casefold() == name.casefold():
            raise ParameterInvalid(
                f"An attribute named {a['name']!r} already exists on this ticket type",
                field="name",
            )


def _options_misuse(data_type: str, fields: dict[str, Any]) -> None:
    if fields.get("multiline") and data_type != "string":
        raise ParameterInvalid(
            f"multiline applies to string attributes only (this one is {data_type})",
            field="multiline",
        )
    if fields.get("list_items") is not None and data_type != "list":
        raise ParameterInvalid(
            f"list_items applies to list attributes only (this one is {data_type})",
            field="list_items",
        )
    if fields.get("allow_multiple_values") and data_type not in ("files", "list"):
        raise ParameterInvalid(
            f"allow_multiple_values applies to files and list attributes only "
            f"(this one is {data_type})",
            field="allow_multiple_values",
        )


def create_attribute(conn: Conn, workspace_id: int, type_id: int, fields: dict[str, Any]) -> int:
    if queries.get_type(conn, workspace_id, type_id) is None:
        raise type_not_found()
    for required in ("name", "description", "data_type"):
        if fields.get(required) is None:
            raise ParameterNotFound(required)
    name = _text(fields["name"], "name", NAME_MAX, blank_ok=False)
    description = _text(fields["description"], "description", DESCRIPTION_MAX, blank_ok=True)
    data_type = _enum(fields["data_type"], "data_type", DATA_TYPES)
    _options_misuse(data_type, fields)
    _check_unique_name(conn, workspace_id, type_id, name)
    options: dict[str, Any] | None = None
    if data_type == "string":
        options = {"multiline": bool(fields.get("multiline"))}
    elif data_type == "list":
        options = {
            "list_options": [
                {"id": str(uuid.uuid4()), "label": label, "archived": False}
                for label in _labels(fields.get("list_items"))
            ],
            "allow_multiple_values": bool(fields.get("allow_multiple_values")),
        }
    elif data_type == "files":
        options = {"allow_multiple_values": bool(fields.get("allow_multiple_values"))}
    position = conn.scalar(
        select(func.coalesce(func.max(ticket_type_attributes.c.position), -1)).where(
            ticket_type_attributes.c.workspace_id == workspace_id,
            ticket_type_attributes.c.ticket_type_id == type_id,
        )
    )
    flags = {
        f: bool(fields[f]) if fields.get(f) is not None else f.startswith("visible")
        for f in _ATTR_FLAGS
    }
    now = ids.now()
    attr_id = conn.scalar(
        insert(ticket_type_attributes)
        .values(
            workspace_id=workspace_id,
            ticket_type_id=type_id,
            name=name,
            description=description,
            data_type=data_type,
            input_options=orjson.dumps(options).decode() if options is not None else None,
            position=position + 1,
            **flags,
            is_default=False,
            archived=False,
            created_at=now,
            updated_at=now,
        )
        .returning(ticket_type_attributes.c.id)
    )
    _touch_type(conn, workspace_id, type_id, now)
    return attr_id


def _merge_options(old: list[dict[str, Any]], labels: list[str]) -> list[dict[str, Any]]:
    by_label = {o["label"]: o for o in old}
    merged = [
        {
            "id": by_label[label]["id"] if label in by_label else str(uuid.uuid4()),
            "label": label,
            "archived": False,
        }
        for label in labels
    ]
    listed = set(labels)
    merged += [{**o, "archived": True} for o in old if o["label"] not in listed]
    return merged


def update_attribute(
    conn: Conn, workspace_id: int, type_id: int, attr_id: int, fields: dict[str, Any]
) -> None:
    if queries.get_type(conn, workspace_id, type_id) is None:
        raise type_not_found()
    attr = queries.get_attribute(conn, workspace_id, type_id, attr_id)
    if attr is None:
        raise attribute_not_found()
    data_type = attr["data_type"]
    if "data_type" in fields and fields["data_type"] != data_type:
        raise ParameterInvalid(
            f"data_type of an attribute cannot change (it is {data_type})", field="data_type"
        )
    _options_misuse(data_type, fields)
    values: dict[str, Any] = {}
    if "name" in fields:
        name = _text(fields["name"], "name", NAME_MAX, blank_ok=False)
        if name != attr["name"]:
            if attr["is_default"]:
                raise ParameterInvalid(
                    f"{attr['name']} is a default attribute and cannot be renamed", field="name"
                )
            _check_unique_name(conn, workspace_id, type_id, name, exclude=attr_id)
            values["name"] = name
    if "description" in fields:
        values["description"] = _text(
            fields["description"], "description", DESCRIPTION_MAX, blank_ok=True
        )
    for f in (*_ATTR_FLAGS, "archived"):
        if f in fields:
            values[f] = _flag(fields[f], f)
    if values.get("archived") and attr["is_default"]:
        raise ParameterInvalid(
            f"{attr['name']} is a default attribute and cannot be archived", field="archived"
        )
    options = queries.input_options(attr)
    if data_type == "string" and fields.get("multiline") is not None:
        options["multiline"] = bool(fields["multiline"])
    if data_type == "list" and "list_items" in fields:
        options["list_options"] = _merge_options(
            options.get("list_options", []), _labels(fields["list_items"])
        )
    if data_type in ("list", "files") and fields.get("allow_multiple_values") is not None:
        options["allow_multiple_values"] = bool(fields["allow_multiple_values"])
    if options != queries.input_options(attr):
        values["input_options"] = orjson.dumps(options).decode()
    now = ids.now()
    conn.execute(
        update(ticket_type_attributes)
        .where(
            ticket_type_attributes.c.workspace_id == workspace_id,
            ticket_type_attributes.c.id == attr_id,
        )
        .values(**values, updated_at=now)
    )
    _touch_type(conn, workspace_id, type_id, now)
