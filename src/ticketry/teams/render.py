"""The team wire shape per version."""

from __future__ import annotations

from typing import Any

from ticketry.db.database import Row
from ticketry.kit.versions import V2_14, Version


def team(row: Row, admin_ids: list[int], version: Version) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "team",
        "id": str(row["id"]),
        "name": row["name"],
        "admin_ids": admin_ids,
    }
    if version >= V2_14:
        out["assignment_limit"] = None
        out["distribution_method"] = "round_robin"
    return out
