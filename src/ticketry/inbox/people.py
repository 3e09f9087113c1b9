"""Contacts (list, search, a contact's tickets) and the create-ticket page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from sqlalchemy import or_
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ticketry.contacts import queries as contact_queries
from ticketry.db.database import Conn
from ticketry.errors import NotFound, ParameterInvalid
from ticketry.inbox import listing, ticket_page
from ticketry.inbox.web import Me, action, page
from ticketry.search.compile import like_escape
from ticketry.tables import contacts
from ticketry.tickets import service
from ticketry.tickets.schemas import CreateTicket
from ticketry.web import pages

PER_PAGE = 50


def _contacts(conn: Conn, workspace_id: int, q: str, after: str | None) -> Any:
    where = None
    if q:
        pattern = f"{like_escape(q.lower())}%"
        where = or_(
            contacts.c.email_key.like(pattern, escape="\\"),
            contacts.c.external_id == q,
            contacts.c.name.ilike(f"%{like_escape(q)}%", escape="\\"),
        )
    found, _ = contact_queries.page(conn, workspace_id, where, PER_PAGE, after, "after")
    return found


@page
async def contact_list(me: Me) -> Response:
    q = (me.request.query_params.get("q") or "").strip()[:200]
    after = me.request.query_params.get("after") or None
    found = await me.db.read(_contacts, me.workspace_id, q, after)
    next_url = (
        "/inbox/contacts?" + urlencode({"q": q, "after": found.next_cursor})
        if found.next_cursor
        else None
    )
    return me.page("contacts.html", q=q, contacts=found.rows, next_url=next_url)


def _contact(conn: Conn, workspace_id: int, contact_id: str) -> dict[str, Any]:
    row = contact_queries.get_contact(conn, workspace_id, contact_id)
    if row is None:
        raise NotFound("Contact not found", code="not_found")
    return {"contact": row, "tickets": listing.contact_tickets(conn, workspace_id, contact_id)}


@page
async def contact_page(me: Me) -> Response:
    data = await me.db.read(_contact, me.workspace_id, me.request.path_params["id"])
    return me.page("contact.html", **data)


@page
async def new_ticket(me: Me) -> Response:
    types = await me.db.read(ticket_page.creatable_types, me.workspace_id)
    chosen = me.request.query_params.get("type", "")
    selected = next((t for t in types if str(t["row"]["id"]) == chosen), None)
    if selected is None and len(types) == 1:
        selected = types[0]
    return me.page(
        "new_ticket.html",
        types=types,
        selected=selected,
        email=me.request.query_params.get("email", ""),
    )


def _back(request: Request) -> str:
    return "/inbox/new"


async def _create(me: Me) -> Response:
    form = await me.form()
    type_id = pages.text(form, "ticket_type_id")
    types = await me.db.read(ticket_page.creatable_types, me.workspace_id)
    chosen = next((t for t in types if str(t["row"]["id"]) == type_id), None)
    if chosen is None:
        raise ParameterInvalid("Choose a ticket type", field="ticket_type_id")
    rows = [a["row"] for a in chosen["attributes"]]
    payload = CreateTicket(
        ticket_type_id=type_id,
        contacts=[{"email": pages.text(form, "email")}],  # type: ignore[list-item]
        ticket_attributes=ticket_page.attribute_values(form, rows, {}),
    )
    ticket_id = await me.db.write(
        lambda c: service.create_ticket(
            c, me.workspace_id, me.admin_id, payload, ticket_page.VERSION
        )
    )
    return pages.redirect(me.request, f"/inbox/tickets/{ticket_id}", flash="Ticket created.")


routes = [
    Route("/inbox/contacts", contact_list, methods=["GET"]),
    Route("/inbox/contacts/{id}", contact_page, methods=["GET"]),
    Route("/inbox/new", new_ticket, methods=["GET"]),
    Route("/inbox/new", action(_create, _back), methods=["POST"]),
]
