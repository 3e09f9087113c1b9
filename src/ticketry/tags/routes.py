"""HTTP handlers for tags."""

from __future__ import annotations

from starlette.responses import Response

from ticketry.kit.http import Ctx, json, resource
from ticketry.tags import queries, render, service
from ticketry.tags.schemas import TagWrite


async def save_tag(ctx: Ctx) -> Response:
    payload = await ctx.body(TagWrite)
    row = await ctx.db.write(service.save_tag, ctx.workspace_id, payload)
    return json(render.tag(row))


async def list_tags(ctx: Ctx) -> Response:
    rows = await ctx.db.read(queries.list_tags, ctx.workspace_id)
    return json(render.tag_list(rows))


async def get_tag(ctx: Ctx) -> Response:
    row = await ctx.db.read(queries.get_tag, ctx.workspace_id, ctx.param("id"))
    if row is None:
        raise queries.tag_not_found("id")
    return json(render.tag(row))


async def delete_tag(ctx: Ctx) -> Response:
    await ctx.db.write(service.delete_tag, ctx.workspace_id, ctx.admin_id, ctx.param("id"))
    return Response(status_code=200)  # Intercom answers a tag delete with an empty body


routes = [
    resource("/tags", POST=save_tag, GET=list_tags),
    resource("/tags/{id}", GET=get_tag, DELETE=delete_tag),
]
