"""Keeping `ticket_values` (the searchable copy of custom attribute values) in step.

The ticket's JSON `attributes` is what responses render; these rows exist only so that
`ticket_attribute.{id}` filters read an index. Files are not searchable.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete

from ticketry.db.database import Conn
from ticketry.db.sql import InsertQ
from ticketry.tables import ticket_values
from ticketry.ticket_types.queries import TypeData

TEXT_TYPES = ("string", "list")
NUMBER_TYPES = ("integer", "decimal", "datetime", "boolean")


_INSERT = InsertQ(ticket_values)


def rows_for(
    workspace_id: int,
    ticket_id: int,
    type_data: TypeData,
    values: dict[str, Any],
    attribute_ids: Iterable[int],
) -> list[dict[str, Any]]:
    out = []
    for attr_id in attribute_ids:
        attr = type_data.by_id.get(attr_id)
        value = values.get(str(attr_id))
        if attr is None or value is None or attr["is_default"]:
            continue
        kind = attr["data_type"]
        items = value if isinstance(value, list) else [value]
        for item in items:
            if kind in TEXT_TYPES and isinstance(item, str):
                out.append(
                    {
                        "workspace_id": workspace_id,
                        "ticket_id": ticket_id,
                        "attribute_id": attr_id,
                        "text_value": item,
                        "number_value": None,
                    }
                )
            elif kind in NUMBER_TYPES and isinstance(item, (int, float)):
                out.append(
                    {
                        "workspace_id": workspace_id,
                        "ticket_id": ticket_id,
                        "attribute_id": attr_id,
                        "text_value": None,
                        "number_value": float(item),
                    }
                )
    return out


def write(
    conn: Conn,
    workspace_id: int,
    ticket_id: int,
    type_data: TypeData,
    values: dict[str, Any],
    attribute_ids: Iterable[int],
    *,
    replace: bool,
) -> None:
    """Index `attribute_ids` of a ticket; `replace` drops their old rows first."""
    ids = list(attribute_ids)
    if replace and ids:
        conn.execute(
            delete(ticket_values).where(
                ticket_values.c.ticket_id == ticket_id, ticket_values.c.attribute_id.in_(ids)
            )
        )
    rows = rows_for(workspace_id, ticket_id, type_data, values, ids)
    if rows:
        conn.execute_many(_INSERT, rows)
