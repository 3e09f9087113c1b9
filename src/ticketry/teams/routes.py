"""HTTP handlers for teams (read-only in Intercom's API; `ticketry team create` makes them)."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from ticketry.errors import NotFound
from ticketry.kit.http import Ctx, endpoint, json
from ticketry.teams import queries, render


async def get_teams(ctx: Ctx) -> Response:
    items = await ctx.db.read(queries.list_teams, ctx.workspace_id)
    return json({"type": "team.list", "teams": [render.team(r, a, ctx.version) for r, a in items]})


async def get_team(ctx: Ctx) -> Response:
    not_found = NotFound("Team not found", code="team_not_found")
    found = await ctx.db.read(queries.get_team, ctx.workspace_id, ctx.int_param("id", not_found))
    if found is None:
        raise not_found
    return json(render.team(*found, ctx.version))


routes = [
    Route("/teams", endpoint(get_teams), methods=["GET"]),
    Route("/teams/{id}", endpoint(get_team), methods=["GET"]),
]
