"""HTTP handlers for admins."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from ticketry.admins import queries, render
from ticketry.errors import NotFound
from ticketry.kit.http import Ctx, endpoint, json


def _admin_not_found() -> NotFound:
    return NotFound("Admin not found", code="admin_not_found")


async def get_me(ctx: Ctx) -> Response:
    found = await ctx.db.read_point(queries.get_me, ctx.workspace_id, ctx.admin_id)
    if found is None:
        raise _admin_not_found()
    return json(render.me(*found, ctx.version))


async def list_admins(ctx: Ctx) -> Response:
    items = await ctx.db.read(queries.list_admins, ctx.workspace_id)
    return json(render.admin_list(items, ctx.version))


async def get_admin(ctx: Ctx) -> Response:
    admin_id = ctx.int_param("id", _admin_not_found())
    found = await ctx.db.read(queries.get_admin, ctx.workspace_id, admin_id)
    if found is None:
        raise _admin_not_found()
    return json(render.admin(*found, ctx.version))


routes = [
    Route("/me", endpoint(get_me), methods=["GET"]),
    Route("/admins", endpoint(list_admins), methods=["GET"]),
    Route("/admins/{id}", endpoint(get_admin), methods=["GET"]),
]
