"""Reading admins with the ids of their teams."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import bindparam, select

from ticketry.db.database import Conn, Row
from ticketry.db.sql import Q
from ticketry.tables import admins, team_members, workspaces

_GET = Q(
    select(admins).where(admins.c.workspace_id == bindparam("ws"), admins.c.id == bindparam("id"))
)
_LIST = Q(select(admins).where(admins.c.workspace_id == bindparam("ws")).order_by(admins.c.id))
_TEAMS_OF = Q(
    select(team_members.c.team_id)
    .where(
        team_members.c.workspace_id == bindparam("ws"), team_members.c.admin_id == bindparam("id")
    )
    .order_by(team_members.c.team_id)
)
_ALL_MEMBERSHIPS = Q(
    select(team_members.c.admin_id, team_members.c.team_id)
    .where(team_members.c.workspace_id == bindparam("ws"))
    .order_by(team_members.c.team_id)
)
_WORKSPACE = Q(select(workspaces).where(workspaces.c.id == bindparam("ws")))


def get_admin(conn: Conn, workspace_id: int, admin_id: int) -> tuple[Row, list[int]] | None:
    row = conn.one(_GET, {"ws": workspace_id, "id": admin_id})
    if row is None:
        return None
    team_ids = [r["team_id"] for r in conn.all(_TEAMS_OF, {"ws": workspace_id, "id": admin_id})]
    return row, team_ids


def get_me(conn: Conn, workspace_id: int, admin_id: int) -> tuple[Row, list[int], Row] | None:
    found = get_admin(conn, workspace_id, admin_id)
    if found is None:
        return None
    return found[0], found[1], conn.one(_WORKSPACE, {"ws": workspace_id})


def list_admins(conn: Conn, workspace_id: int) -> list[tuple[Row, list[int]]]:
    teams_of: dict[int, list[int]] = defaultdict(list)
    for r in conn.all(_ALL_MEMBERSHIPS, {"ws": workspace_id}):
        teams_of[r["admin_id"]].append(r["team_id"])
    return [(row, teams_of[row["id"]]) for row in conn.all(_LIST, {"ws": workspace_id})]
