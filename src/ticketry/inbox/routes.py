"""Inbox pages: the ticket list at `/` and the ticket page with its actions.

Every action parses its form, then calls the service the API route calls, inside one
write: `update_ticket` for state, assignee, attributes, open and sharing; `reply` for
comments and notes; `tag_ticket`/`untag_ticket` for tags.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ticketry.admins.queries import list_admins
from ticketry.db.database import Conn
from ticketry.errors import NotFound
from ticketry.inbox import listing, ticket_page
from ticketry.inbox.web import Me, action, page, tag_forms
from ticketry.kit import ids
from ticketry.tags.queries import list_tags
from ticketry.teams.queries import list_teams
from ticketry.ticket_types.queries import list_types
from ticketry.tickets import replies, service, tagging
from ticketry.tickets.schemas import Reply, UpdateTicket
from ticketry.web import pages


def _ticket_id(request: Request) -> int:
    found = ids.parse_id(request.path_params["id"])
    if found is None:
        raise NotFound("Ticket not found", code="ticket_not_found")
    return found


def _back(request: Request) -> str:
    return f"/inbox/tickets/{request.path_params['id']}"


def _choices(conn: Conn, workspace_id: int) -> dict[str, Any]:
    return {
        "types": list_types(conn, workspace_id),
        "admins": [a for a, _ in list_admins(conn, workspace_id)],
        "teams": [t for t, _ in list_teams(conn, workspace_id)],
        "tags": list_tags(conn, workspace_id),
    }


@page
async def inbox(me: Me) -> Response:
    filters = listing.Filters.of(me.request.query_params)
    after = me.request.query_params.get("after") or None
    found = await me.db.read(listing.listing, me.workspace_id, me.admin_id, filters, after)
    state = me.request.app.state
    if not hasattr(state, "inbox_counts"):
        state.inbox_counts = listing.CountCache()
    counts = state.inbox_counts.get(me.workspace_id, me.admin_id)
    if counts is None:
        counts = await me.db.read(listing.view_counts, me.workspace_id, me.admin_id)
        state.inbox_counts.put(me.workspace_id, me.admin_id, counts)
    choices = await me.db.read(_choices, me.workspace_id)
    next_url = None
    if found.next_cursor:
        next_url = "/?" + urlencode({**filters.query(), "after": found.next_cursor})
    return me.page(
        "inbox.html",
        filters=filters,
        listing=found,
        counts=counts,
        views={name: "/?" + urlencode(f.query()) for name, f in listing.VIEWS.items()},
        count_limit=listing.COUNT_LIMIT,
        next_url=next_url,
        first_url="/?" + urlencode(filters.query()) if after else None,
        **choices,
    )


@page
async def ticket(me: Me) -> Response:
    ticket_id = _ticket_id(me.request)
    data = await me.db.read(ticket_page.load, me.workspace_id, ticket_id)
    return me.page("ticket.html", **data)


@page
async def ticket_parts(me: Me) -> Response:
    """New parts since `after`, as timeline items: the page polls this for live updates."""
    ticket_id = _ticket_id(me.request)
    after = ids.parse_id(me.request.query_params.get("after", "0")) or 0
    found = await me.db.read(ticket_page.new_parts, me.workspace_id, ticket_id, after)
    return pages.fragment(me.request, "parts.html", parts=found, portal=False)


def _update(me: Me, ticket_id: int, payload: dict[str, Any]) -> Any:
    update = UpdateTicket.model_validate({"admin_id": str(me.admin_id), **payload})

    def run(conn: Conn) -> None:
        service.update_ticket(
            conn, me.workspace_id, me.admin_id, ticket_id, update, ticket_page.VERSION
        )

    return me.db.write(run)


async def _reply(me: Me) -> Response:
    ticket_id = _ticket_id(me.request)
    form = await me.form()
    kind = pages.text(form, "message_type")
    payload = Reply(
        type="admin",
        admin_id=str(me.admin_id),
        message_type="note" if kind == "note" else "comment",
        body=pages.text(form, "body"),
        attachment_files=await ticket_page.attachments(form, "attachments") or None,
    )
    base_url = pages.base_url(me.request)
    await me.db.write(
        replies.reply,
        me.workspace_id,
        me.admin_id,
        ticket_id,
        payload,
        ticket_page.VERSION,
        base_url,
    )
    done = "Note added." if payload.message_type == "note" else "Reply sent."
    return pages.redirect(me.request, _back(me.request), flash=done)


async def _properties(me: Me) -> Response:
    """State, assignee, open/closed and shared-with-customer, as one update."""
    ticket_id = _ticket_id(me.request)
    form = await me.form()
    payload: dict[str, Any] = {}
    for name in ("ticket_state_id", "assignee_id"):
        value = pages.text(form, name)
        if value:
            payload[name] = value
    if "open" in form:
        payload["open"] = pages.text(form, "open") == "true"
    if "is_shared" in form:
        payload["is_shared"] = pages.text(form, "is_shared") == "true"
    await _update(me, ticket_id, payload)
    return pages.redirect(me.request, _back(me.request), flash="Ticket updated.")


async def _attributes(me: Me) -> Response:
    ticket_id = _ticket_id(me.request)
    form = await me.form()
    data = await me.db.read(ticket_page.load, me.workspace_id, ticket_id)
    current = orjson.loads(data["row"]["attributes"])
    values = ticket_page.attribute_values(form, [a["row"] for a in data["attributes"]], current)
    if values:
        await _update(me, ticket_id, {"ticket_attributes": values})
    return pages.redirect(
        me.request, _back(me.request), flash="Attributes saved." if values else "Nothing changed."
    )


_tag, _untag = tag_forms(_ticket_id, tagging.tag_ticket, tagging.untag_ticket, _back)


routes = [
    Route("/", inbox, methods=["GET"]),
    Route("/inbox/tickets/{id}", ticket, methods=["GET"]),
    Route("/inbox/tickets/{id}/parts", ticket_parts, methods=["GET"]),
    Route("/inbox/tickets/{id}/reply", action(_reply, _back), methods=["POST"]),
    Route("/inbox/tickets/{id}/properties", action(_properties, _back), methods=["POST"]),
    Route("/inbox/tickets/{id}/attributes", action(_attributes, _back), methods=["POST"]),
    Route("/inbox/tickets/{id}/tags", action(_tag, _back), methods=["POST"]),
    Route("/inbox/tickets/{id}/tags/{tag_id}/remove", action(_untag, _back), methods=["POST"]),
]
