"""Reading teams with their admin ids, and their HTTP handlers."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import bindparam, select
from starlette.responses import Response
from starlette.routing import Route

from ticketry.db.database import Conn, Row
from ticketry.db.sql import Q
from ticketry.errors import NotFound
from ticketry.kit.http import Ctx, endpoint, json
from ticketry.kit.versions import V2_14, Version
from ticketry.tables import team_members, teams

_LIST = Q(select(teams).where(teams.c.workspace_id == bindparam("ws")).order_by(teams.c.id))
_MEMBERS = Q(
    select(team_members.c.team_id, team_members.c.admin_id)
    .where(team_members.c.workspace_id == bindparam("ws"))
    .order_by(team_members.c.admin_id)
)


def list_teams(conn: Conn, workspace_id: int) -> list[tuple[Row, list[int]]]:
    members: dict[int, list[int]] = defaultdict(list)
    for r in conn.all(_MEMBERS, {"ws": workspace_id}):
        members[r["team_id"]].append(r["admin_id"])
    return [(row, members[row["id"]]) for row in conn.all(_LIST, {"ws": workspace_id})]


def render_team(row: Row, admin_ids: list[int], version: Version) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "team",
        "id": str(row["id"]),
        "name": row["name"],
        "admin_ids": admin_ids,
    }
    if version >= V2_14:
        out["assignment_limit"] = None
        out["distribution_method"] = "round_robin"
    return out


async def get_teams(ctx: Ctx) -> Response:
    items = await ctx.db.read(list_teams, ctx.workspace_id)
    return json({"type": "team.list", "teams": [render_team(r, a, ctx.version) for r, a in items]})


async def get_team(ctx: Ctx) -> Response:
    not_found = NotFound("Team not found", code="team_not_found")
    team_id = ctx.int_param("id", not_found)
    items = await ctx.db.read(list_teams, ctx.workspace_id)
    for row, admin_ids in items:
        if row["id"] == team_id:
            return json(render_team(row, admin_ids, ctx.version))
    raise not_found


routes = [
    Route("/teams", endpoint(get_teams), methods=["GET"]),
    Route("/teams/{id}", endpoint(get_team), methods=["GET"]),
]
