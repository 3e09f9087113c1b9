"""HTTP handlers for linking conversations and customer tickets to tracker tickets (2.16+)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from ticketry.conversations import queries as conversation_queries
from ticketry.conversations.routes import rendered
from ticketry.db.database import Conn
from ticketry.kit.http import Ctx, json, resource
from ticketry.kit.versions import V2_16, Version
from ticketry.kit.wire import IdStr, Payload
from ticketry.links import service
from ticketry.tickets import queries as ticket_queries
from ticketry.tickets import render as ticket_render
from ticketry.tickets.changes import ticket_not_found


class LinkConversation(Payload):
    conversation_id: IdStr | None = None


def _linked_object(conn: Conn, workspace_id: int, object_id: int, version: Version) -> Any:
    """Intercom answers with the conversation; a customer ticket that was never a
    conversation is answered as the ticket it is."""
    view = conversation_queries.view(conn, workspace_id, object_id)
    if view is not None:
        return rendered(conn, workspace_id, [view], version)[0][0]
    ticket = ticket_queries.view(conn, workspace_id, object_id)
    assert ticket is not None  # just linked or unlinked
    return ticket_render.ticket(ticket, version)


async def link(ctx: Ctx) -> Response:
    ticket_id = ctx.int_param("id", ticket_not_found())
    payload = await ctx.body(LinkConversation)

    def run(conn: Conn) -> Any:
        object_id = service.link_to_tracker(
            conn, ctx.workspace_id, ctx.admin_id, ticket_id, payload.conversation_id
        )
        return _linked_object(conn, ctx.workspace_id, object_id, ctx.version)

    return json(await ctx.db.write(run))


async def unlink(ctx: Ctx) -> Response:
    ticket_id = ctx.int_param("id", ticket_not_found())
    ref = ctx.param("conversation_id")

    def run(conn: Conn) -> Any:
        object_id = service.unlink_from_tracker(
            conn, ctx.workspace_id, ctx.admin_id, ticket_id, ref
        )
        return _linked_object(conn, ctx.workspace_id, object_id, ctx.version)

    return json(await ctx.db.write(run))


routes = [
    resource("/tickets/{id}/linked_conversations", V2_16, POST=link),
    resource("/tickets/{id}/linked_conversations/{conversation_id}", V2_16, DELETE=unlink),
]
