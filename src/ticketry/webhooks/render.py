"""Wire shapes: the notification envelope and its item, subscriptions, the delivery log.

The envelope has Intercom's 12 keys in Intercom's order; `delivery_status` is the
"pending" snapshot Intercom sends and `delivered_at` is 0, as in its real payloads.
"""

from __future__ import annotations

from typing import Any

import orjson

from ticketry.conversations.routes import shown
from ticketry.db.database import Conn, Row
from ticketry.errors import NotFound
from ticketry.kit.versions import Version
from ticketry.tickets import parts
from ticketry.tickets import queries as tickets
from ticketry.tickets import render as ticket_render
from ticketry.webhooks import topics

PING_MESSAGE = "Ticketry is checking that this endpoint receives notifications."


def item(conn: Conn, event: Row, topic: str, version: Version) -> dict[str, Any] | None:
    """`data.item` for one event in `version`; None when its object is gone since."""
    workspace_id, object_id = event["workspace_id"], event["object_id"]
    if topic == topics.TICKET_DELETED:
        return {"type": "ticket", "id": str(object_id), "deleted": True}
    if topic in topics.CONVERSATION_TOPICS:
        try:
            return shown(conn, workspace_id, int(object_id), version)
        except NotFound:
            return None
    view = tickets.view(conn, workspace_id, int(object_id))
    if view is None:
        return None
    ticket = ticket_render.ticket(view, version)
    if topic in topics.TICKET_TOPICS:
        return ticket
    part = parts.get(conn, workspace_id, event["part_id"]) if event["part_id"] else None
    if part is None:
        return None
    directory = parts.author_directory(conn, workspace_id, [part])
    code = tickets.workspace_code(conn, workspace_id)
    return {
        "type": "ticket_ticket_part",
        "ticket": ticket,
        "ticket_part": parts.render(part, version, directory, code),
    }


def ping_item() -> dict[str, Any]:
    return {"type": "ping", "message": PING_MESSAGE}


def body(delivery: Row, app_id: str) -> bytes:
    """The exact bytes sent (and signed) for one attempt of a notification."""
    return orjson.dumps(
        {
            "type": "notification_event",
            "app_id": app_id,
            "data": {"type": "notification_event_data", "item": orjson.Fragment(delivery["item"])},
            "links": {},
            "id": delivery["notification_id"],
            "topic": delivery["topic"],
            "delivery_status": "pending",
            "delivery_attempts": delivery["attempts"],
            "delivered_at": 0,
            "first_sent_at": delivery["first_sent_at"],
            "created_at": delivery["created_at"],
            "self": None,
        }
    )


def subscription(row: Row) -> dict[str, Any]:
    return {
        "type": "notification_subscription",
        "id": row["public_id"],
        "service_type": "web",
        "url": row["url"],
        "topics": orjson.loads(row["topics"]),
        "hub_secret": row["hub_secret"],
        "api_version": row["api_version"],
        "active": bool(row["active"]),
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def delivery(row: Row) -> dict[str, Any]:
    return {
        "type": "notification_delivery",
        "notification_id": row["notification_id"],
        "topic": row["topic"],
        "status": row["status"],
        "attempts": row["attempts"],
        "last_response_status": row["last_response_status"],
        "last_attempt_at": row["last_attempt_at"],
        "next_attempt_at": row["next_attempt_at"] if row["status"] == "pending" else None,
        "created_at": row["created_at"],
    }
