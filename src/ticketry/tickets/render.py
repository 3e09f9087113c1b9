"""Tickets on the wire, in the shape of the requested Intercom-Version.

The differences live here and nowhere else: `ticket_state` is a category string with two
label fields up to 2.11 and an object from 2.12; assignee ids are strings ("0" when
unassigned) up to 2.15 and integers from 2.16; `category`, `open`, `snoozed_until` and
`linked_objects` appear in 2.10; `previous_ticket_state_id` in 2.16.
"""

from __future__ import annotations

from typing import Any

import orjson

from ticketry.kit.versions import V2_10, V2_12, V2_16, Version
from ticketry.links import queries as links
from ticketry.ticket_states.render import ticket_state as render_state
from ticketry.ticket_types import render as type_render
from ticketry.ticket_types.values import render_values
from ticketry.tickets import parts
from ticketry.tickets.queries import TicketView


def _assignee(value: int | None, version: Version) -> int | str:
    if version >= V2_16:
        return value or 0
    return str(value or 0)


def ticket(view: TicketView, version: Version) -> dict[str, Any]:
    row, code = view.row, view.type.workspace_code
    out: dict[str, Any] = {
        "type": "ticket",
        "id": str(row["id"]),
        "ticket_id": str(row["ticket_number"]),
    }
    if version >= V2_10:
        out["category"] = row["category"]
    out["ticket_attributes"] = render_values(view.type, orjson.loads(row["attributes"]))
    if version >= V2_12:
        out["ticket_state"] = render_state(view.state)
    else:
        out["ticket_state"] = view.state["category"]
        out["ticket_state_internal_label"] = view.state["internal_label"]
        out["ticket_state_external_label"] = view.state["external_label"]
    embedded = view.type.rendered.get(version)
    if embedded is None:  # TypeData is cached across requests: render each version once
        embedded = view.type.rendered[version] = type_render.ticket_type(
            view.type.row, view.type.attributes, version
        )
    out["ticket_type"] = embedded
    out["contacts"] = {
        "type": "contact.list",
        "contacts": [
            {"type": "contact", "id": c["id"], "external_id": c["external_id"]}
            for c in view.contacts
        ],
    }
    out["admin_assignee_id"] = _assignee(row["admin_assignee_id"], version)
    out["team_assignee_id"] = _assignee(row["team_assignee_id"], version)
    out["created_at"] = row["created_at"]
    out["updated_at"] = row["updated_at"]
    out["ticket_parts"] = {
        "type": "ticket_part.list",
        "ticket_parts": [parts.render(p, version, view.authors, code) for p in view.parts],
        "total_count": view.parts_total,
    }
    if version >= V2_10:
        out["open"] = bool(row["open"])
        if row["snoozed_until"] is not None:  # Intercom omits it when not snoozed
            out["snoozed_until"] = row["snoozed_until"]
        out["linked_objects"] = links.render(view.linked)
    out["is_shared"] = bool(row["is_shared"])
    if version >= V2_16:
        prev = row["previous_ticket_state_id"]
        out["previous_ticket_state_id"] = str(prev) if prev is not None else None
    return out


def deleted(ticket_id: int) -> dict[str, Any]:
    return {"id": str(ticket_id), "object": "ticket", "deleted": True}
