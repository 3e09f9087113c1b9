"""Portal pages at `/portal`: the signed link that lets a contact in, its shared tickets,
replies, and new tickets. Writes call the API's services (`reply` as the contact,
`create_ticket` then `update_ticket` to share it), like the inbox does."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ticketry.contacts.queries import get_contact
from ticketry.db.database import Conn, Database, Row
from ticketry.errors import ApiError, NotFound
from ticketry.inbox import ticket_page
from ticketry.kit import ids
from ticketry.portal import service
from ticketry.tickets import replies
from ticketry.tickets import service as tickets
from ticketry.tickets.schemas import CreateTicket, Reply, UpdateTicket
from ticketry.web import pages, sessions


@dataclass(frozen=True, slots=True)
class Visitor:
    request: Request
    db: Database
    workspace_id: int
    contact: Row
    csrf_token: str

    @property
    def contact_id(self) -> str:
        return str(self.contact["id"])

    async def form(self) -> FormData:
        return await pages.form(self.request, self.csrf_token)

    def page(self, template: str, status: int = 200, **context: object) -> Response:
        return pages.html(self.request, template, status, visitor=self, **context)


async def _visitor(request: Request) -> Visitor | None:
    cookie = request.cookies.get(sessions.CONTACT_COOKIE)
    if not cookie:
        return None
    db: Database = request.app.state.db
    session = await db.read_point(sessions.lookup, cookie, "contact")
    if session is None:
        return None
    contact = await db.read_point(get_contact, session.workspace_id, session.subject_id)
    if contact is None:
        return None
    return Visitor(request, db, session.workspace_id, contact, session.csrf_token)


def _signed_out(request: Request) -> Response:
    return pages.html(request, "portal_signed_out.html", 401)


Handler = Callable[[Visitor], Awaitable[Response]]


def view(fn: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def handle(request: Request) -> Response:
        visitor = await _visitor(request)
        if visitor is None:
            return _signed_out(request)
        try:
            return await fn(visitor)
        except ApiError as exc:
            return visitor.page("portal_error.html", exc.status, message=pages.error_message(exc))

    handle.__name__ = fn.__name__
    return handle


def action(fn: Handler, back: str) -> Callable[[Request], Awaitable[Response]]:
    async def handle(request: Request) -> Response:
        visitor = await _visitor(request)
        if visitor is None:
            return _signed_out(request)
        try:
            return await fn(visitor)
        except pages.CsrfRejected as exc:
            return visitor.page("portal_error.html", 403, message=exc.message)
        except ApiError as exc:
            to = back.format(**request.path_params)
            return pages.redirect(request, to, flash=pages.error_message(exc))
        except ValidationError as exc:
            to = back.format(**request.path_params)
            return pages.redirect(request, to, flash=pages.invalid_message(exc))

    handle.__name__ = fn.__name__
    return handle


def _ticket_id(request: Request) -> int:
    found = ids.parse_id(request.path_params["id"])
    if found is None:
        raise NotFound("Ticket not found", code="ticket_not_found")
    return found


async def signin(request: Request) -> Response:
    """`/portal/signin?workspace=&user_id=|email=&user_hash=`: the host app's signed link."""
    q = request.query_params
    db: Database = request.app.state.db
    try:
        workspace_id, contact = await db.write(
            service.verify,
            q.get("workspace", ""),
            q.get("user_id") or None,
            q.get("email") or None,
            q.get("user_hash", ""),
        )
    except ApiError as exc:
        return pages.html(request, "portal_error.html", exc.status, message=exc.message)
    seconds = request.app.state.session_seconds
    cookie = await db.write(service.session_start, workspace_id, str(contact["id"]), seconds)
    response = pages.redirect(request, "/portal")
    pages.set_cookie(response, request, sessions.CONTACT_COOKIE, cookie, seconds, "/portal")
    return response


@view
async def home(visitor: Visitor) -> Response:
    found = await visitor.db.read(service.own_tickets, visitor.workspace_id, visitor.contact_id)
    return visitor.page("portal_home.html", tickets=found)


@view
async def ticket(visitor: Visitor) -> Response:
    data = await visitor.db.read(
        service.ticket, visitor.workspace_id, visitor.contact_id, _ticket_id(visitor.request)
    )
    return visitor.page("portal_ticket.html", **data)


@view
async def ticket_parts(visitor: Visitor) -> Response:
    after = ids.parse_id(visitor.request.query_params.get("after", "0")) or 0
    found = await visitor.db.read(
        service.new_parts,
        visitor.workspace_id,
        visitor.contact_id,
        _ticket_id(visitor.request),
        after,
    )
    return pages.fragment(visitor.request, "parts.html", parts=found, portal=True)


async def _reply(visitor: Visitor) -> Response:
    ticket_id = _ticket_id(visitor.request)
    form = await visitor.form()
    # The same 404 as for a missing ticket when it is not this contact's to see.
    await visitor.db.read(service.visible, visitor.workspace_id, visitor.contact_id, ticket_id)
    payload = Reply(
        type="user",
        intercom_user_id=visitor.contact_id,
        message_type="comment",
        body=pages.text(form, "body"),
        attachment_files=await ticket_page.attachments(form, "attachments") or None,
    )
    base_url = pages.base_url(visitor.request)

    def run(conn: Conn) -> None:
        service.visible(conn, visitor.workspace_id, visitor.contact_id, ticket_id)
        replies.reply(
            conn,
            visitor.workspace_id,
            service.acting_admin(conn, visitor.workspace_id),
            ticket_id,
            payload,
            ticket_page.VERSION,
            base_url,
        )

    await visitor.db.write(run)
    return pages.redirect(visitor.request, f"/portal/tickets/{ticket_id}", flash="Reply sent.")


@view
async def new_form(visitor: Visitor) -> Response:
    types = await visitor.db.read(
        lambda c: ticket_page.creatable_types(c, visitor.workspace_id, for_contacts=True)
    )
    chosen = visitor.request.query_params.get("type", "")
    selected = next((t for t in types if str(t["row"]["id"]) == chosen), None)
    if selected is None and len(types) == 1:
        selected = types[0]
    return visitor.page("portal_new.html", types=types, selected=selected)


async def _create(visitor: Visitor) -> Response:
    form = await visitor.form()
    type_id = pages.text(form, "ticket_type_id")
    types = await visitor.db.read(
        lambda c: ticket_page.creatable_types(c, visitor.workspace_id, for_contacts=True)
    )
    chosen = next((t for t in types if str(t["row"]["id"]) == type_id), None)
    if chosen is None:
        raise NotFound("Choose a kind of request", code="ticket_type_not_found")
    rows = [a["row"] for a in chosen["attributes"]]
    values: dict[str, Any] = ticket_page.attribute_values(form, rows, {})
    service.check_required(rows, values)
    payload = CreateTicket(
        ticket_type_id=type_id,
        contacts=[{"id": visitor.contact_id}],  # type: ignore[list-item]
        ticket_attributes=values,
    )

    def run(conn: Conn) -> int:
        admin = service.acting_admin(conn, visitor.workspace_id)
        ticket_id = tickets.create_ticket(
            conn, visitor.workspace_id, admin, payload, ticket_page.VERSION
        )
        # A ticket the customer opened is the customer's to follow.
        tickets.update_ticket(
            conn,
            visitor.workspace_id,
            admin,
            ticket_id,
            UpdateTicket(is_shared=True),
            ticket_page.VERSION,
        )
        return ticket_id

    ticket_id = await visitor.db.write(run)
    return pages.redirect(
        visitor.request, f"/portal/tickets/{ticket_id}", flash="Your request was sent."
    )


async def signout(request: Request) -> Response:
    visitor = await _visitor(request)
    if visitor is not None:
        try:
            await visitor.form()
        except pages.CsrfRejected as exc:
            return visitor.page("portal_error.html", 403, message=exc.message)
        await visitor.db.write(sessions.end, request.cookies[sessions.CONTACT_COOKIE])
    response = pages.html(request, "portal_signed_out.html", 200, signed_out=True)
    response.delete_cookie(sessions.CONTACT_COOKIE, path="/portal")
    return response


routes = [
    Route("/portal", home, methods=["GET"]),
    Route("/portal/signin", signin, methods=["GET"]),
    Route("/portal/signout", signout, methods=["POST"]),
    Route("/portal/new", new_form, methods=["GET"]),
    Route("/portal/new", action(_create, "/portal/new"), methods=["POST"]),
    Route("/portal/tickets/{id}", ticket, methods=["GET"]),
    Route("/portal/tickets/{id}/parts", ticket_parts, methods=["GET"]),
    Route(
        "/portal/tickets/{id}/reply",
        action(_reply, "/portal/tickets/{id}"),
        methods=["POST"],
    ),
]
