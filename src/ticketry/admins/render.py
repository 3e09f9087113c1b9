"""Admins on the wire (`admin`, `admin_with_app`, `admin.list`), per Intercom-Version."""

from __future__ import annotations

from typing import Any

from ticketry.db.database import Row
from ticketry.kit.versions import V2_11, V2_14, Version


def _avatar(row: Row, version: Version) -> Any:
    # 2.11 describes the admin avatar as an object; the other versions as a URL string.
    # In 2.11 the object is nullable but its image_url is required and not: no image = null.
    if version == V2_11:
        return {"image_url": row["avatar_url"]} if row["avatar_url"] else None
    return row["avatar_url"]


def admin(row: Row, team_ids: list[int], version: Version) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "admin",
        "id": str(row["id"]),
        "name": row["name"],
        "email": row["email"],
        "job_title": row["job_title"] or "",
        "away_mode_enabled": bool(row["away_mode_enabled"]),
        "away_mode_reassign": bool(row["away_mode_reassign"]),
        "has_inbox_seat": bool(row["has_inbox_seat"]),
        "team_ids": team_ids,
        "avatar": _avatar(row, version),
    }
    if version >= V2_14:
        out["away_status_reason_id"] = None
    return out


def admin_list(items: list[tuple[Row, list[int]]], version: Version) -> dict[str, Any]:
    return {"type": "admin.list", "admins": [admin(r, t, version) for r, t in items]}


def me(row: Row, team_ids: list[int], workspace: Row, version: Version) -> dict[str, Any]:
    return {
        "type": "admin",
        "id": str(row["id"]),
        "email": row["email"],
        "name": row["name"],
        "email_verified": True,
        "job_title": row["job_title"] or "",
        "away_mode_enabled": bool(row["away_mode_enabled"]),
        "away_mode_reassign": bool(row["away_mode_reassign"]),
        "has_inbox_seat": bool(row["has_inbox_seat"]),
        "team_ids": team_ids,
        "avatar": {"type": "avatar", "image_url": row["avatar_url"]},
        "app": {
            "type": "app",
            "id_code": workspace["id_code"],
            "name": workspace["name"],
            "created_at": workspace["created_at"],
            "secure": False,
            "identity_verification": False,
            "timezone": workspace["timezone"],
            "region": workspace["region"],
        },
    }
