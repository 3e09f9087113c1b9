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

import orjson
from sqlalchemy import and_, select

from ticketry.contacts.queries import find_by
from ticketry.contacts.service import resolve_contact
from ticketry.db.database import Conn, Row
from ticketry.errors import ApiError, NotFound, ParameterInvalid
from ticketry.inbox.ticket_page import VERSION, timeline
from ticketry.tables import (
    admins,
    ticket_contacts,
    ticket_states,
    ticket_types,
    tickets,
    workspaces,
)
from ticketry.ticket_types.queries import list_options, load_type
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
    return conn.all(
        select(
            tickets.c.id,
            tickets.c.ticket_number,
            tickets.c.title,
            tickets.c.open,
            tickets.c.updated_at,
            tickets.c.created_at,
            ticket_states.c.external_label,
            ticket_states.c.category.label("state_category"),
            ticket_types.c.name.label("type_name"),
        )
        .join(ticket_contacts, ticket_contacts.c.ticket_id == tickets.c.id)
        .join(ticket_states, ticket_states.c.id == tickets.c.ticket_state_id)
        .join(ticket_types, ticket_types.c.id == tickets.c.ticket_type_id)
        .where(
            and_(
                ticket_contacts.c.workspace_id == workspace_id,
                ticket_contacts.c.contact_id == contact_id,
                tickets.c.is_shared.is_(True),
                tickets.c.category == "Customer",
                ticket_types.c.is_internal.is_(False),
            )
        )
        .order_by(tickets.c.id.desc())
        .limit(200)
    )


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


def customer_types(conn: Conn, workspace_id: int) -> list[dict[str, Any]]:
    """The types a contact may open, with the attributes it fills in."""
    rows = conn.all(
        select(ticket_types.c.id).where(
            ticket_types.c.workspace_id == workspace_id,
            ticket_types.c.category == "Customer",
            ticket_types.c.is_internal.is_(False),
            ticket_types.c.archived.is_(False),
        )
    )
    out = []
    for r in rows:
        data = load_type(conn, workspace_id, r["id"])
        if data is None:
            continue
        out.append(
            {
                "row": data.row,
                "attributes": [
                    {
                        "row": a,
                        "options": [o for o in list_options(a) if not o.get("archived")],
                        "multiline": bool(
                            orjson.loads(a["input_options"] or "{}").get("multiline")
                        ),
                    }
                    for a in sorted(data.attributes, key=lambda a: a["position"])
                    if a["visible_on_create"] and not a["archived"] and a["data_type"] != "files"
                ],
            }
        )
    return out


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
