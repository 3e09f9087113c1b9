"""What a contact may see and do in the portal, and the identity check that lets it in.

A host app signs its user into the portal the way Intercom's identity verification signs
users: `user_hash` = hex HMAC-SHA256 of the user's `user_id` (or, for a user known only by
email, the email) keyed with the workspace's identity secret. A contact sees only tickets
it is on that are shared with customers (`is_shared`) and of a Customer type that is not
internal; on those it sees external state labels, attributes visible to contacts, and
comments (never notes).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from sqlalchemy import select

from ticketry.contacts.queries import find_by
from ticketry.contacts.service import resolve_contact
from ticketry.db.database import Conn, Row
from ticketry.errors import ApiError, NotFound, ParameterInvalid
from ticketry.inbox import listing
from ticketry.inbox.ticket_page import VERSION, timeline
from ticketry.tables import (
    admins,
    workspaces,
)
from ticketry.tickets import queries, render
from ticketry.web import sessions

SHOWN_PARTS = ("comment", "quick_reply")


class NotVerified(ApiError):
    status = 403
    code = "unauthorized"


def user_hash(secret: str, identity: str) -> str:
    return hmac.new(secret.encode(), identity.encode(), hashlib.sha256).hexdigest()


def verify(
    conn: Conn, workspace_ref: str, user_id: str | None, email: str | None, given: str
) -> tuple[int, Row]:
    """The workspace and contact a signed portal link names, or 403."""
    ws = conn.one(
        select(workspaces.c.id, workspaces.c.identity_secret).where(
            workspaces.c.id_code == workspace_ref
        )
    )
    if ws is None or not ws["identity_secret"]:
        raise NotVerified("This portal link is not valid")
    identity = user_id or email
    if not identity or not hmac.compare_digest(
        user_hash(ws["identity_secret"], identity), given.lower()
    ):
        raise NotVerified("This portal link is not valid")
    if user_id:
        contact = find_by(conn, ws["id"], external_id=user_id)
        if contact is None:
            raise NotVerified("No customer with this user_id")
    else:
        contact = resolve_contact(conn, ws["id"], {"email": email})
    return ws["id"], contact


def own_tickets(conn: Conn, workspace_id: int, contact_id: str) -> list[Row]:
    return listing.contact_tickets(conn, workspace_id, contact_id, shared_only=True)


def _not_found() -> NotFound:
    return NotFound("Ticket not found", code="ticket_not_found")


def visible(conn: Conn, workspace_id: int, contact_id: str, ticket_id: int) -> queries.TicketView:
    """The ticket, if this contact may see it; else the same 404 as a missing one."""
    view = queries.view(conn, workspace_id, ticket_id)
    if (
        view is None
        or not view.row["is_shared"]
        or view.row["category"] != "Customer"
        or view.type.row["is_internal"]
        or contact_id not in {c["id"] for c in view.contacts}
    ):
        raise _not_found()
    return view


def ticket(conn: Conn, workspace_id: int, contact_id: str, ticket_id: int) -> dict[str, Any]:
    view = visible(conn, workspace_id, contact_id, ticket_id)
    wire = render.ticket(view, VERSION)
    attributes = [
        (a["name"], wire["ticket_attributes"].get(a["name"]), a["data_type"])
        for a in sorted(view.type.attributes, key=lambda a: a["position"])
        if a["visible_to_contacts"] and not a["archived"] and not a["is_default"]
    ]
    return {
        "row": view.row,
        "type": view.type.row,
        "state": view.state,
        "attributes": attributes,
        "description": wire["ticket_attributes"].get("_default_description_"),
        "parts": [p for p in timeline(wire) if p["part_type"] in SHOWN_PARTS],
    }


def new_parts(
    conn: Conn, workspace_id: int, contact_id: str, ticket_id: int, after: int
) -> list[dict[str, Any]]:
    view = visible(conn, workspace_id, contact_id, ticket_id)
    return [
        p for p in timeline(render.ticket(view, VERSION), after) if p["part_type"] in SHOWN_PARTS
    ]


def acting_admin(conn: Conn, workspace_id: int) -> int:
    """The admin the API services record as the caller of a portal change: the workspace's
    first admin (a contact's own reply is still authored by the contact)."""
    found = conn.scalar(
        select(admins.c.id)
        .where(admins.c.workspace_id == workspace_id)
        .order_by(admins.c.id)
        .limit(1)
    )
    if found is None:
        raise ParameterInvalid("This workspace has no admin to receive tickets")
    return int(found)


def check_required(attributes: list[Row], values: dict[str, Any]) -> None:
    for a in attributes:
        if a["required_to_create_for_contacts"] and values.get(a["name"]) in (None, "", []):
            label = {"_default_title_": "Title", "_default_description_": "Description"}.get(
                a["name"], a["name"]
            )
            raise ParameterInvalid(f"{label} is required", field=a["name"])


def session_start(conn: Conn, workspace_id: int, contact_id: str, seconds: float) -> str:
    return sessions.start(conn, workspace_id, "contact", contact_id, seconds)
