"""The conversation and conversation part wire shapes, per version.

2.16 changes the shape: assignee ids become integers with 0 for none (null before) and
`priority` takes none/low/medium/high/urgent (priority/not_priority before). 2.11's schema
is strict: `teammates`, `topics` and `custom_attributes` are required and several objects
may not be null, so objects Ticketry has nothing for are left out rather than nulled.
"""

from __future__ import annotations

from typing import Any

import orjson

from ticketry.conversations.queries import ConversationView
from ticketry.db.database import Row
from ticketry.kit.versions import V2_10, V2_13, V2_14, V2_15, V2_16, Version
from ticketry.links import queries as links
from ticketry.tickets.parts import APP_PACKAGE_CODE, render_author

Directory = dict[tuple[str, str], Row]


def part(row: Row, version: Version, directory: Directory, workspace_code: str) -> dict[str, Any]:
    data = orjson.loads(row["data"]) if row["data"] else {}
    author = render_author(row["author_type"], row["author_id"], directory, workspace_code)
    if version >= V2_14:
        author["from_ai_agent"] = False
        author["is_ai_answer"] = False
    out: dict[str, Any] = {
        "type": "conversation_part",
        "id": str(row["id"]),
        "part_type": row["part_type"],
        "body": row["body"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "notified_at": row["created_at"],
        "assigned_to": (
            {"type": row["assigned_to_type"], "id": row["assigned_to_id"]}
            if row["assigned_to_type"]
            else None
        ),
        "author": author,
        "attachments": data.get("attachments", []),
        "external_id": None,
        "redacted": False,
    }
    if version >= V2_13:
        out["state"] = row["state"]
        if data.get("via_api"):
            out["app_package_code"] = APP_PACKAGE_CODE
    if version >= V2_14 and data.get("reply_options"):
        out["metadata"] = {"quick_reply_options": data["reply_options"]}
    return out


def _assignee(value: int | None, version: Version) -> int | None:
    if version >= V2_16:
        return int(value or 0)
    return int(value) if value is not None else None


def _source(row: Row, version: Version, directory: Directory, code: str) -> dict[str, Any]:
    author = render_author(row["author_type"], row["author_id"], directory, code)
    return {
        "type": row["source_type"],
        "id": row["source_id"],
        "delivered_as": row["delivered_as"],
        "subject": row["subject"],
        "body": row["body"],
        "author": author,
        "attachments": orjson.loads(row["attachments"]) if row["attachments"] else [],
        "url": None,
        "redacted": False,
    }


def conversation(
    view: ConversationView, version: Version, directory: Directory, workspace_code: str
) -> dict[str, Any]:
    row = view.row
    priority = bool(row["priority"])
    out: dict[str, Any] = {
        "type": "conversation",
        "id": str(row["id"]),
        "title": row["title"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "waiting_since": row["waiting_since"],
        "snoozed_until": row["snoozed_until"],
        "open": bool(row["open"]),
        "state": row["state"],
        "read": bool(row["read"]),
        "priority": (
            ("urgent" if priority else "none")
            if version >= V2_16
            else ("priority" if priority else "not_priority")
        ),
        "admin_assignee_id": _assignee(row["admin_assignee_id"], version),
        "team_assignee_id": _assignee(row["team_assignee_id"], version),
        "tags": {
            "type": "tag.list",
            "tags": [
                {
                    "type": "tag",
                    "id": str(t["id"]),
                    "name": t["name"],
                    "applied_at": t["applied_at"],
                    "applied_by": {"type": "admin", "id": str(t["applied_by"])},
                }
                for t in view.tags
            ],
        },
        "source": _source(row, version, directory, workspace_code),
        "contacts": {
            "type": "contact.list",
            "contacts": [
                {"type": "contact", "id": c["id"], "external_id": c["external_id"]}
                for c in view.contacts
            ],
        },
        "teammates": {
            "type": "admin.list",
            "teammates": [{"type": "admin", "id": t} for t in view.teammates],
        },
        "custom_attributes": orjson.loads(row["custom_attributes"] or "{}"),
        "topics": {},
        "ai_agent_participated": False,
    }
    if version >= V2_15:
        out["company"] = None
    if version >= V2_16:
        out["sales_agent_participated"] = False
        out["external_references"] = []
    if version >= V2_10:
        out["linked_objects"] = links.render(view.linked)
    if view.parts is not None:
        out["conversation_parts"] = {
            "type": "conversation_part.list",
            "conversation_parts": [part(p, version, directory, workspace_code) for p in view.parts],
            "total_count": view.parts_total,
        }
    return out


def deleted(conversation_id: int) -> dict[str, Any]:
    return {"id": str(conversation_id), "object": "conversation", "deleted": True}
