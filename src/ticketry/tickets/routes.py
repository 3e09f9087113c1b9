"""HTTP handlers for tickets, replies, ticket tags and uploaded attachments."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ticketry.db.database import Conn, Row
from ticketry.errors import NotFound
from ticketry.kit.http import Ctx, json, resource
from ticketry.kit.versions import V2_9, V2_10, V2_13, V2_16, Version
from ticketry.search.parse import SearchBody
from ticketry.tags.render import tag as render_tag
from ticketry.tickets import parts, queries, render, replies, search, service, tagging, uploads
from ticketry.tickets.change_type import change_type
from ticketry.tickets.schemas import (
    ChangeTicketType,
    CreateTicket,
    Reply,
    TagTicket,
    UntagTicket,
    UpdateTicket,
)


def _ticket_id(ctx: Ctx) -> int:
    return ctx.int_param("id", service.ticket_not_found())


def _render(conn: Conn, workspace_id: int, ticket_id: int, version: Version) -> dict[str, Any]:
    view = queries.view(conn, workspace_id, ticket_id)
    if view is None:
        raise service.ticket_not_found()
    return render.ticket(view, version)


async def create_ticket(ctx: Ctx) -> Response:
    payload = await ctx.body(CreateTicket)

    def run(conn: Conn) -> int:
        return service.create_ticket(conn, ctx.workspace_id, ctx.admin_id, payload, ctx.version)

    def then(conn: Conn, ticket_id: int) -> dict[str, Any]:
        return _render(conn, ctx.workspace_id, ticket_id, ctx.version)

    return json(await ctx.db.write_then_read(run, then))


async def get_ticket(ctx: Ctx) -> Response:
    ticket_id = _ticket_id(ctx)
    return json(await ctx.db.read_point(_render, ctx.workspace_id, ticket_id, ctx.version))


async def update_ticket(ctx: Ctx) -> Response:
    ticket_id = _ticket_id(ctx)
    payload = await ctx.body(UpdateTicket)

    def run(conn: Conn) -> None:
        service.update_ticket(conn, ctx.workspace_id, ctx.admin_id, ticket_id, payload, ctx.version)

    def then(conn: Conn, _: None) -> dict[str, Any]:
        return _render(conn, ctx.workspace_id, ticket_id, ctx.version)

    return json(await ctx.db.write_then_read(run, then))


async def delete_ticket(ctx: Ctx) -> Response:
    ticket_id = _ticket_id(ctx)
    await ctx.db.write(service.delete_ticket, ctx.workspace_id, ctx.admin_id, ticket_id)
    return json(render.deleted(ticket_id))


async def change_ticket_type(ctx: Ctx) -> Response:
    ticket_id = ctx.int_param("id", NotFound())
    payload = await ctx.body(ChangeTicketType)

    def run(conn: Conn) -> dict[str, Any]:
        change_type(conn, ctx.workspace_id, ctx.admin_id, ticket_id, payload)
        return _render(conn, ctx.workspace_id, ticket_id, ctx.version)

    return json(await ctx.db.write(run))


async def reply_ticket(ctx: Ctx) -> Response:
    ticket_id = ctx.int_param("id", NotFound("Resource Not Found"))
    payload = await ctx.body(Reply)
    base_url = ctx.request.app.state.public_url or str(ctx.request.base_url).rstrip("/")

    def run(conn: Conn) -> dict[str, Any]:
        part_id = replies.reply(
            conn, ctx.workspace_id, ctx.admin_id, ticket_id, payload, ctx.version, base_url
        )
        return parts.render_reply(*queries.part_view(conn, ctx.workspace_id, part_id), ctx.version)

    return json(await ctx.db.write(run))


def _tag_body(tag_row: Row, applied_at: int, admin_id: int) -> dict[str, Any]:
    return render_tag(
        tag_row, applied_at=applied_at, applied_by={"type": "admin", "id": str(admin_id)}
    )


async def tag_ticket(ctx: Ctx) -> Response:
    ticket_id = _ticket_id(ctx)
    payload = await ctx.body(TagTicket)
    tag, at, admin = await ctx.db.write(
        tagging.tag_ticket, ctx.workspace_id, ticket_id, payload.id, payload.admin_id
    )
    return json(_tag_body(tag, at, admin))


async def untag_ticket(ctx: Ctx) -> Response:
    ticket_id = _ticket_id(ctx)
    payload = await ctx.body(UntagTicket)
    tag, at, admin = await ctx.db.write(
        tagging.untag_ticket, ctx.workspace_id, ticket_id, ctx.param("tag_id"), payload.admin_id
    )
    return json(_tag_body(tag, at, admin))


async def search_tickets(ctx: Ctx) -> Response:
    found = await ctx.db.read(search.find, ctx.workspace_id, await ctx.body(SearchBody))
    return json(
        {
            "type": "ticket.list",
            "pages": found.pages,
            "total_count": found.total_count,
            "tickets": [render.ticket(v, ctx.version) for v in found.tickets],
        }
    )


async def get_upload(request: Request) -> Response:
    """Attachment files, by their unguessable token (like Intercom's signed URLs)."""
    row = await request.app.state.db.read(uploads.find, request.path_params["token"])
    if row is None:
        raise NotFound("Upload not found")
    media_type, headers = uploads.download_headers(row["name"], row["content_type"])
    return Response(bytes(row["data"]), media_type=media_type, headers=headers)


routes = [
    resource("/tickets", V2_9, POST=create_ticket),
    resource("/tickets/search", V2_10, POST=search_tickets),
    resource(
        "/tickets/{id}", V2_9, GET=get_ticket, PUT=update_ticket, DELETE=(delete_ticket, V2_13)
    ),
    resource("/tickets/{id}/reply", V2_9, POST=reply_ticket),
    resource("/tickets/{id}/change_type", V2_16, POST=change_ticket_type),
    resource("/tickets/{id}/tags", V2_10, POST=tag_ticket),
    resource("/tickets/{id}/tags/{tag_id}", V2_10, DELETE=untag_ticket),
    Route("/uploads/{token}", get_upload, methods=["GET"]),
]
