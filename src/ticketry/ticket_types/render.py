"""Ticket types and ticket type attributes on the wire, per Intercom-Version.

`workspace_id` on both is the workspace's `id_code`: type rows from `queries` carry it as
the joined column `workspace_code`, so rendering never needs another query.

`input_options` per data type (Intercom shows only the string form, `{"multiline": bool}`;
the others are ours and kept stable):
  string  {"multiline": bool}
  list    {"list_options": [{"type": "list_option", "id": str, "label": str,
           "archived": bool}], "allow_multiple_values": bool}
  files   {"allow_multiple_values": bool}
  others  null
Archived list options stay listed (flagged) so values stored on old tickets still resolve.
"""

from __future__ import annotations

from typing import Any

from ticketry.db.database import Row
from ticketry.kit.versions import V2_10, V2_12, Version
from ticketry.ticket_states.render import ticket_state
from ticketry.ticket_types.queries import input_options


def wire_input_options(data_type: str, opts: dict[str, Any] | None) -> dict[str, Any] | None:
    if opts is None:
        return None
    if data_type == "string":
        return {"multiline": bool(opts.get("multiline", False))}
    if data_type == "list":
        return {
            "list_options": [
                {
                    "type": "list_option",
                    "id": o["id"],
                    "label": o["label"],
                    "archived": bool(o.get("archived", False)),
                }
                for o in opts.get("list_options", [])
            ],
            "allow_multiple_values": bool(opts.get("allow_multiple_values", False)),
        }
    if data_type == "files":
        return {"allow_multiple_values": bool(opts.get("allow_multiple_values", False))}
    return None


def ticket_type_attribute(row: Row, version: Version, workspace_code: str) -> dict[str, Any]:
    # One shape in every version (2.9 to Preview); `ticket_type_id` is the one integer id.
    raw = row["input_options"]
    return {
        "type": "ticket_type_attribute",
        "id": str(row["id"]),
        "workspace_id": workspace_code,
        "name": row["name"],
        "description": row["description"],
        "data_type": row["data_type"],
        "input_options": wire_input_options(row["data_type"], input_options(row) if raw else None),
        "order": row["position"],
        "required_to_create": bool(row["required_to_create"]),
        "required_to_create_for_contacts": bool(row["required_to_create_for_contacts"]),
        "visible_on_create": bool(row["visible_on_create"]),
        "visible_to_contacts": bool(row["visible_to_contacts"]),
        "default": bool(row["is_default"]),
        "ticket_type_id": row["ticket_type_id"],
        "archived": bool(row["archived"]),
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def ticket_type(
    row: Row, attributes: list[Row], version: Version, states: list[Row] | None = None
) -> dict[str, Any]:
    """A `ticket_type`. Every attribute is listed, archived ones flagged, as Intercom does.
    `states` (the type's states) is given by /ticket_types handlers only: a type embedded
    in a ticket has no `ticket_states` (2.12+ examples)."""
    code = row["workspace_code"]
    out: dict[str, Any] = {
        "type": "ticket_type",
        "id": str(row["id"]),
        "name": row["name"],
        "description": row["description"],
        "icon": row["icon"],
        "workspace_id": code,
        "archived": bool(row["archived"]),
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        # not in any schema, but in every example
        "is_internal": bool(row["is_internal"]),
        # the schema says {type, ticket_type_attributes: [...]}; every example says data
        "ticket_type_attributes": {
            "type": "list",
            "data": [ticket_type_attribute(a, version, code) for a in attributes],
        },
    }
    if version >= V2_10:
        out["category"] = row["category"]
    if states is not None and version >= V2_12:
        out["ticket_states"] = {"type": "list", "data": [ticket_state(s) for s in states]}
    return out


def ticket_type_list(
    items: list[tuple[Row, list[Row], list[Row]]], version: Version
) -> dict[str, Any]:
    # `{type: "list", data}` in every version: the 2.9-2.11 schemas say `ticket_types`, the
    # examples (the real API) say `data`.
    return {"type": "list", "data": [ticket_type(r, a, version, s) for r, a, s in items]}
