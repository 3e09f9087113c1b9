"""Tags on the wire: `tag` (with `applied_at`/`applied_by` only when tagging) and lists."""

from __future__ import annotations

from typing import Any

from ticketry.db.database import Row


def tag(row: Row, applied_at: int | None = None, applied_by: Any = None) -> dict[str, Any]:
    """`applied_by` is the admin id (rendered as an `admin` reference) or a ready reference."""
    out: dict[str, Any] = {"type": "tag", "id": str(row["id"]), "name": row["name"]}
    if applied_at is not None:
        out["applied_at"] = applied_at
    if applied_by is not None:
        out["applied_by"] = (
            applied_by if isinstance(applied_by, dict) else {"type": "admin", "id": str(applied_by)}
        )
    return out


def tag_list(rows: list[Row]) -> dict[str, Any]:
    return {"type": "list", "data": [tag(row) for row in rows]}
