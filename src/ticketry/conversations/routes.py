"""HTTP handlers for conversations and admin-initiated messages."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from ticketry.conversations import convert, queries, render, service
from ticketry.conversations import search as conversation_search
from ticketry.conversations.convert import ConvertConversation
from ticketry.conversations.queries import ConversationView
from ticketry.conversations.schemas import (
    CreateConversation,
    CreateMessage,
    Manage,
    UpdateConversation,
)
from ticketry.db.database import Conn
from ticketry.errors import NotFound, ParameterInvalid
from ticketry.kit import pagination
from ticketry.kit.http import Ctx, json, resource
from ticketry.kit.versions import V2_9, V2_10, V2_13, Version
from ticketry.search.parse import SearchBody
from ticketry.tags.render import tag as render_tag
from ticketry.tickets import queries as ticket_queries
from ticketry.tickets import render as ticket_render
from ticketry.tickets.parts import author_directory
from ticketry.tickets.queries import workspace_code
from ticketry.tickets.schemas import Reply, TagTicket, UntagTicket

MAX_PER_PAGE = 150


def _id(ctx: Ctx, name: str = "id") -> int:
    return ctx.int_param(name, NotFound("Resource Not Found"))


def rendered(
    conn: Conn, workspace_id: int, views: list[ConversationView], version: Version
) -> tuple[list[dict[str, Any]], Any, str]:
    rows = [v.row for v in views] + [p for v in views for p in (v.parts or [])]
    directory = author_directory(conn, workspace_id, rows)
    code = workspace_code(conn, workspace_id)
    return [render.conversation(v, version, directory, code) for v in views], directory, code


def shown(conn: Conn, workspace_id: int, conversation_id: int, version: Version) -> dict[str, Any]:
    view = queries.view(conn, workspace_id, conversation_id)
    if view is None:
        raise NotFound("Resource Not Found")
    return rendered(conn, workspace_id, [view], version)[0][0]


async def create_conversation(ctx: Ctx) -> Response:
    payload = await ctx.body(CreateConversation)
    return json(await ctx.db.write(service.create_from_contact, ctx.workspace_id, payload))


async def create_message(ctx: Ctx) -> Response:
    payload = await ctx.body(CreateMessage)
    return json(await ctx.db.write(service.create_from_admin, ctx.workspace_id, payload))


async def get_conversation(ctx: Ctx) -> Response:
    conversation_id = _id(ctx)
    return json(await ctx.db.read_point(shown, ctx.workspace_id, conversation_id, ctx.version))


async def list_conversations(ctx: Ctx) -> Response:
    per_page = ctx.query_int("per_page", 20, 1, MAX_PER_PAGE)
    raw = ctx.query("starting_after")
    after = None
    if raw:
        position = pagination.decode(raw, 2)
        if not all(isinstance(v, int) for v in position):
            raise ParameterInvalid("starting_after is not a cursor", field="starting_after")
        after = (position[0], position[1])

    def run(conn: Conn) -> dict[str, Any]:
        views, total, cursor = queries.page(conn, ctx.workspace_id, per_page, after)
        items, _, _ = rendered(conn, ctx.workspace_id, views, ctx.version)
        pages: dict[str, Any] = {
            "type": "pages",
            "page": 1,
            "per_page": per_page,
            "total_pages": max(1, -(-total // per_page)),
        }
        if cursor is not None:
            pages["next"] = {"per_page": per_page, "starting_after": pagination.encode([*cursor])}
        return {
            "type": "conversation.list",
            "conversations": items,
            "total_count": total,
            "pages": pages,
        }

    return json(await ctx.db.read(run))


async def search_conversations(ctx: Ctx) -> Response:
    body = await ctx.body(SearchBody)

    def run(conn: Conn) -> dict[str, Any]:
        found = conversation_search.find(conn, ctx.workspace_id, body)
        items, _, _ = rendered(conn, ctx.workspace_id, found.conversations, ctx.version)
        return {
            "type": "conversation.list",
            "conversations": items,
            "total_count": found.total_count,
            "pages": found.pages,
        }

    return json(await ctx.db.read(run))


async def update_conversation(ctx: Ctx) -> Response:
    conversation_id = _id(ctx)
    payload = await ctx.body(UpdateConversation)

    def run(conn: Conn) -> dict[str, Any]:
        service.update(conn, ctx.workspace_id, ctx.admin_id, conversation_id, payload)
        return shown(conn, ctx.workspace_id, conversation_id, ctx.version)

    return json(await ctx.db.write(run))


async def delete_conversation(ctx: Ctx) -> Response:
    conversation_id = _id(ctx)
    await ctx.db.write(service.delete_conversation, ctx.workspace_id, ctx.admin_id, conversation_id)
    return json(render.deleted(conversation_id))


async def reply(ctx: Ctx) -> Response:
    raw = ctx.param("id")
    conversation_id = None if raw == "last" else _id(ctx)
    payload = await ctx.body(Reply)
    base_url = ctx.request.app.state.public_url or str(ctx.request.base_url).rstrip("/")

    def run(conn: Conn) -> dict[str, Any]:
        target = conversation_id or service.last_of_contact(conn, ctx.workspace_id, payload)
        service.reply(conn, ctx.workspace_id, ctx.admin_id, target, payload, base_url)
        return shown(conn, ctx.workspace_id, target, ctx.version)

    return json(await ctx.db.write(run))


async def manage(ctx: Ctx) -> Response:
    conversation_id = _id(ctx)
    payload = await ctx.body(Manage)

    def run(conn: Conn) -> dict[str, Any]:
        service.manage(conn, ctx.workspace_id, conversation_id, payload)
        return shown(conn, ctx.workspace_id, conversation_id, ctx.version)

    return json(await ctx.db.write(run))


async def convert_conversation(ctx: Ctx) -> Response:
    conversation_id = _id(ctx)
    payload = await ctx.body(ConvertConversation)

    def run(conn: Conn) -> dict[str, Any]:
        ticket_id = convert.convert(conn, ctx.workspace_id, ctx.admin_id, conversation_id, payload)
        view = ticket_queries.view(conn, ctx.workspace_id, ticket_id)
        assert view is not None  # just created
        return ticket_render.ticket(view, ctx.version)

    return json(await ctx.db.write(run))


async def tag_conversation(ctx: Ctx) -> Response:
    conversation_id = ctx.int_param("id", NotFound("Conversation not found"))
    payload = await ctx.body(TagTicket)
    found, at, admin = await ctx.db.write(
        service.tag, ctx.workspace_id, conversation_id, payload.id, payload.admin_id
    )
    return json(render_tag(found, applied_at=at, applied_by=admin))


async def untag_conversation(ctx: Ctx) -> Response:
    conversation_id = ctx.int_param("id", NotFound("Conversation not found"))
    payload = await ctx.body(UntagTicket)
    found, at, admin = await ctx.db.write(
        service.untag, ctx.workspace_id, conversation_id, ctx.param("tag_id"), payload.admin_id
    )
    return json(render_tag(found, applied_at=at, applied_by=admin))


routes = [
    resource("/conversations", V2_9, GET=list_conversations, POST=create_conversation),
    resource("/conversations/search", V2_9, POST=search_conversations),
    resource(
        "/conversations/{id}",
        V2_9,
        GET=get_conversation,
        PUT=update_conversation,
        DELETE=(delete_conversation, V2_13),
    ),
    resource("/conversations/{id}/reply", V2_9, POST=reply),
    resource("/conversations/{id}/parts", V2_9, POST=manage),
    resource("/conversations/{id}/convert", V2_10, POST=convert_conversation),
    resource("/conversations/{id}/tags", V2_9, POST=tag_conversation),
    resource("/conversations/{id}/tags/{tag_id}", V2_9, DELETE=untag_conversation),
    resource("/messages", V2_9, POST=create_message),
]
