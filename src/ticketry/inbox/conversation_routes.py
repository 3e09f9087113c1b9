"""Inbox conversation pages: the list at `/inbox/conversations` and a conversation with its
actions.

Every action parses its form, then calls the service the API route calls, inside one write:
`service.reply` for comments and notes, `service.manage` for assign, close, reopen and
snooze, `service.tag`/`service.untag`, and `convert.convert` for "convert to ticket".
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ticketry.admins.queries import list_admins
from ticketry.conversations import convert, service
from ticketry.conversations.convert import ConvertConversation
from ticketry.conversations.schemas import Manage
from ticketry.db.database import Conn
from ticketry.errors import NotFound, ParameterInvalid, ParameterNotFound
from ticketry.inbox import conversation_page as page_data
from ticketry.inbox import ticket_page
from ticketry.inbox.web import Me, action, page, tag_forms
from ticketry.kit import ids
from ticketry.teams.queries import list_teams
from ticketry.tickets.schemas import Reply
from ticketry.web import pages


def _conversation_id(request: Request) -> int:
    found = ids.parse_id(request.path_params["id"])
    if found is None:
        raise NotFound("Resource Not Found")
    return found


def _back(request: Request) -> str:
    return f"/inbox/conversations/{request.path_params['id']}"


def _choices(conn: Conn, workspace_id: int) -> dict[str, Any]:
    return {
        "admins": [a for a, _ in list_admins(conn, workspace_id)],
        "teams": [t for t, _ in list_teams(conn, workspace_id)],
    }


@page
async def conversation_list(me: Me) -> Response:
    filters = page_data.Filters.of(me.request.query_params)
    after = me.request.query_params.get("after") or None
    found = await me.db.read(page_data.listing, me.workspace_id, me.admin_id, filters, after)
    choices = await me.db.read(_choices, me.workspace_id)
    base = "/inbox/conversations?"
    next_url = None
    if found.next_cursor:
        next_url = base + urlencode({**filters.query(), "after": found.next_cursor})
    return me.page(
        "conversations.html",
        filters=filters,
        listing=found,
        count_limit=page_data.COUNT_LIMIT,
        next_url=next_url,
        first_url=base + urlencode(filters.query()) if after else None,
        **choices,
    )


@page
async def conversation(me: Me) -> Response:
    conversation_id = _conversation_id(me.request)
    data = await me.db.read(page_data.load, me.workspace_id, conversation_id)
    types = data["customer_types"]
    chosen = me.request.query_params.get("convert_type", "")
    selected = next((t for t in types if str(t["row"]["id"]) == chosen), None)
    if selected is None and len(types) == 1:
        selected = types[0]
    return me.page("conversation.html", convert_to=selected, **data)


@page
async def conversation_parts(me: Me) -> Response:
    """New parts since `after`, as timeline items: the page polls this for live updates."""
    conversation_id = _conversation_id(me.request)
    after = ids.parse_id(me.request.query_params.get("after", "0")) or 0
    found = await me.db.read(page_data.new_parts, me.workspace_id, conversation_id, after)
    return pages.fragment(me.request, "conversation_parts.html", parts=found)


async def _reply(me: Me) -> Response:
    conversation_id = _conversation_id(me.request)
    form = await me.form()
    payload = Reply(
        type="admin",
        admin_id=str(me.admin_id),
        message_type="note" if pages.text(form, "message_type") == "note" else "comment",
        body=pages.text(form, "body"),
        attachment_files=await ticket_page.attachments(form, "attachments") or None,
    )
    await me.db.write(
        service.reply,
        me.workspace_id,
        me.admin_id,
        conversation_id,
        payload,
        pages.base_url(me.request),
    )
    done = "Note added." if payload.message_type == "note" else "Reply sent."
    return pages.redirect(me.request, _back(me.request), flash=done)


async def _manage(me: Me, payload: Manage, done: str) -> Response:
    conversation_id = _conversation_id(me.request)
    await me.db.write(service.manage, me.workspace_id, conversation_id, payload)
    return pages.redirect(me.request, _back(me.request), flash=done)


async def _assign(me: Me) -> Response:
    form = await me.form()
    value = pages.text(form, "assignee")
    named, _, ident = value.partition(":")
    if value == "0":
        named, ident = "admin", "0"
    if named not in ("admin", "team") or ids.parse_id(ident) is None:
        raise ParameterInvalid("Choose a teammate or a team", field="assignee_id")
    kind: Literal["admin", "team"] = "team" if named == "team" else "admin"
    payload = Manage(
        message_type="assignment", type=kind, admin_id=str(me.admin_id), assignee_id=ident
    )
    return await _manage(me, payload, "Unassigned." if value == "0" else "Assigned.")


async def _close(me: Me) -> Response:
    await me.form()
    return await _manage(
        me, Manage(message_type="close", admin_id=str(me.admin_id)), "Conversation closed."
    )


async def _reopen(me: Me) -> Response:
    await me.form()
    return await _manage(
        me, Manage(message_type="open", admin_id=str(me.admin_id)), "Conversation reopened."
    )


async def _snooze(me: Me) -> Response:
    form = await me.form()
    until = ticket_page.datetime_input(pages.text(form, "snoozed_until"), "snoozed_until")
    if until is None:
        raise ParameterNotFound("snoozed_until")
    payload = Manage(message_type="snoozed", admin_id=str(me.admin_id), snoozed_until=until)
    return await _manage(me, payload, "Conversation snoozed.")


_tag, _untag = tag_forms(_conversation_id, service.tag, service.untag, _back)


async def _convert(me: Me) -> Response:
    conversation_id = _conversation_id(me.request)
    form = await me.form()
    type_id = pages.text(form, "ticket_type_id")
    types = await me.db.read(page_data.customer_types, me.workspace_id)
    chosen = next((t for t in types if str(t["row"]["id"]) == type_id), None)
    if chosen is None:
        raise ParameterInvalid("Choose a Customer ticket type", field="ticket_type_id")
    rows = [a["row"] for a in chosen["attributes"]]
    payload = ConvertConversation(
        ticket_type_id=type_id, attributes=ticket_page.attribute_values(form, rows, {})
    )
    await me.db.write(convert.convert, me.workspace_id, me.admin_id, conversation_id, payload)
    return pages.redirect(me.request, _back(me.request), flash="Converted to a ticket.")


_BASE = "/inbox/conversations/{id}"
routes = [
    Route("/inbox/conversations", conversation_list, methods=["GET"]),
    Route(_BASE, conversation, methods=["GET"]),
    Route(f"{_BASE}/parts", conversation_parts, methods=["GET"]),
    Route(f"{_BASE}/reply", action(_reply, _back), methods=["POST"]),
    Route(f"{_BASE}/assign", action(_assign, _back), methods=["POST"]),
    Route(f"{_BASE}/close", action(_close, _back), methods=["POST"]),
    Route(f"{_BASE}/reopen", action(_reopen, _back), methods=["POST"]),
    Route(f"{_BASE}/snooze", action(_snooze, _back), methods=["POST"]),
    Route(f"{_BASE}/tags", action(_tag, _back), methods=["POST"]),
    Route(f"{_BASE}/tags/{{tag_id}}/remove", action(_untag, _back), methods=["POST"]),
    Route(f"{_BASE}/convert", action(_convert, _back), methods=["POST"]),
]
