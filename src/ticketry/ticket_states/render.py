"""Ticket states on the wire: the compact `ticket_state` and `ticket_state_detailed` (2.12+)."""

from __future__ import annotations

from typing import Any

from ticketry.db.database import Row


def ticket_state(row: Row) -> dict[str, Any]:
    return {
        "type": "ticket_state",
        "id": str(row["id"]),
        "category": row["category"],
        "internal_label": row["internal_label"],
        "external_label": row["external_label"],
    }


def type_summary(row: Row) -> dict[str, Any]:
    """The abbreviated ticket type Intercom embeds in a detailed state (2.16 example)."""
    return {
        "type": "ticket_type",
        "id": str(row["id"]),
        "name": row["name"],
        "description": row["description"],
        "icon": row["icon"],
        "archived": bool(row["archived"]),
        "is_internal": bool(row["is_internal"]),
        "category": row["category"],
    }


def ticket_state_detailed(row: Row, types: list[Row]) -> dict[str, Any]:
    out = ticket_state(row)
    out["ticket_types"] = {"type": "list", "data": [type_summary(t) for t in types]}
    out["archived"] = bool(row["archived"])
    return out


def ticket_state_list(items: list[tuple[Row, list[Row]]]) -> dict[str, Any]:
    return {"type": "list", "data": [ticket_state_detailed(r, t) for r, t in items]}
