"""Wire shapes: the notification envelope and its item, subscriptions, the delivery log.

The envelope has Intercom's 12 keys in Intercom's order; `delivery_status` is the
"pending" snapshot Intercom sends and `delivered_at` is 0, as in its real payloads.
"""

from __future__ import annotations

from typing import Any

import orjson

from ticketry.contacts import queries as contact_queries
from ticketry.contacts import render as contact_render
from ticketry.conversations.routes import shown
from ticketry.db.database import Conn, Row
from ticketry.errors import NotFound
from ticketry.kit.versions import Version
from ticketry.ticket_types.values import render_values
from ticketry.tickets import parts
from ticketry.tickets import queries as tickets
from ticketry.tickets import render as ticket_render
from ticketry.webhooks import topics

PING_MESSAGE = "Ticketry is checking that this endpoint receives notifications."


def item(
    conn: Conn, event: Row, topic: str, version: Version, seen: dict[Any, Any] | None = None
) -> dict[str, Any] | None:
    """`data.item` for one event in `version`; None when its object is gone since.
    `seen` keeps what one fan-out pass has read and rendered already: every item of the
    pass shows its ticket as it is now, so events of one ticket share one read."""
    seen = {} if seen is None else seen
    workspace_id, object_id = event["workspace_id"], event["object_id"]
    if topic == topics.TICKET_DELETED:
        return {"type": "ticket", "id": str(object_id), "deleted": True}
    if topic in topics.CONVERSATION_TOPICS:
        try:
            return shown(conn, workspace_id, int(object_id), version)
        except NotFound:
            return None
    key = ("view", workspace_id, object_id)
    if key not in seen:
        seen[key] = tickets.view(conn, workspace_id, int(object_id))
    view = seen[key]
    if view is None:
        return None
    if topic in topics.CONTACT_TOPICS:
        return _contact_link(conn, view, orjson.loads(event["data"] or "{}"), version)
    rendered = ("ticket", workspace_id, object_id, version)
    if rendered not in seen:
        seen[rendered] = ticket_render.ticket(view, version)
    ticket = seen[rendered]
    if topic in topics.TICKET_TOPICS:
        return ticket
    if not event["part_id"]:
        return None
    # The part is usually among those the ticket embeds, with its author read already.
    part = next((p for p in view.parts if p["id"] == event["part_id"]), None)
    directory = view.authors
    if part is None:
        part = parts.get(conn, workspace_id, event["part_id"])
        if part is None:
            return None
        directory = parts.author_directory(conn, workspace_id, [part])
    return {
        "type": "ticket_ticket_part",
        "ticket": ticket,
        "ticket_part": parts.render(part, version, directory, view.type.workspace_code),
    }


def _contact_link(
    conn: Conn, view: tickets.TicketView, data: dict[str, Any], version: Version
) -> dict[str, Any] | None:
    """The legacy item of `ticket.contact.attached`/`detached`, as Intercom sends it: no
        `type`, the ticket in its old flat shape (a numeric id, attributes as `{value, type}`,
        the state category and labels, the type by name) and the full contact. A detached
        contact is shown as it was when it was deleted; an attached one as it is now (as it was
    when attached, if it is gone)."""
    workspace_id = view.row["workspace_id"]
    code = view.type.workspace_code
    row = (
        None
        if data.get("open") is not None
        else contact_queries.get_contact(conn, workspace_id, data["contact_id"])
    )
    if row is None:  # detached, or deleted since: as it was when the event was recorded
        contact = contact_render.contact(
            data["contact"], data.get("company_ids", []), code, version
        )
    else:
        companies = contact_queries.company_ids(conn, workspace_id, [row["id"]])
        contact = contact_render.contact(row, companies.get(row["id"], []), code, version)
    types = {attr["name"]: attr["data_type"] for attr in view.type.attributes}
    values = render_values(view.type, orjson.loads(view.row["attributes"]))
    ticket_type = view.type.row
    return {
        "ticket": {
            "type": "ticket",
            "id": int(view.row["id"]),
            "url": None,
            "custom_attributes": {
                name: {"value": value, "type": types.get(name, "string")}
                for name, value in values.items()
            },
            "state": view.state["category"],
            "ticket_type": ticket_type["name"],
            "ticket_type_description": ticket_type["description"],
            "ticket_type_emoji": ticket_type["icon"],
            "ticket_custom_state_admin_label": view.state["internal_label"],
            "ticket_custom_state_user_label": view.state["external_label"],
        },
        "contact": contact,
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
