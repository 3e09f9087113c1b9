"""Companies on the wire (`company`, company lists), per Intercom-Version.

Unset optional fields (name, size, website, industry, remote_created_at,
last_request_at) are left out, as in the spec's recorded examples; monthly_spend and
session_count default to 0.
"""

from __future__ import annotations

import zlib
from typing import Any

import orjson

from ticketry.db.database import Row
from ticketry.kit.versions import PREVIEW, Version

_OPTIONAL = ("name", "remote_created_at", "size", "website", "industry")


def plan(name: str | None) -> dict[str, Any]:
    # We keep only the plan's name; its id is a stable number derived from the name.
    if not name:
        return {}
    return {"type": "plan", "id": str(zlib.crc32(name.encode())), "name": name}


def company(row: Row, user_count: int, workspace_code: str, version: Version) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "company",
        "company_id": row["company_id"],
        "id": row["id"],
        "app_id": workspace_code,
    }
    out.update({key: row[key] for key in _OPTIONAL if row[key] is not None})
    out.update(
        {
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
            "monthly_spend": row["monthly_spend"] or 0,
            "session_count": 0,
            "user_count": user_count,
            "tags": {"type": "tag.list", "tags": []},
            "segments": {"type": "segment.list", "segments": []},
        }
    )
    if version == PREVIEW:  # only the Preview example carries notes
        out["notes"] = {
            "type": "note.list",
            "data": [],
            "url": f"/companies/{row['id']}/notes",
            "total_count": 0,
            "has_more": False,
        }
    out["plan"] = plan(row["plan"])
    out["custom_attributes"] = orjson.loads(row["custom_attributes"] or "{}")
    return out


def offset_pages(path: str, page_no: int, per_page: int, total: int) -> dict[str, Any]:
    """Page-numbered `pages`: `next` is the next page's URL, null on the last page."""
    total_pages = -(-total // per_page)
    more = page_no < total_pages
    return {
        "type": "pages",
        "next": f"{path}?page={page_no + 1}&per_page={per_page}" if more else None,
        "page": page_no,
        "per_page": per_page,
        "total_pages": total_pages,
    }


def company_list(
    items: list[tuple[Row, int]],
    pages: dict[str, Any],
    total: int,
    workspace_code: str,
    version: Version,
) -> dict[str, Any]:
    """`{type: list, data, pages, total_count}`."""
    data = [company(row, n, workspace_code, version) for row, n in items]
    return {"type": "list", "data": data, "pages": pages, "total_count": total}
