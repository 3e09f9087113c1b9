"""Reading teams with the ids of their admins."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import bindparam, select

from ticketry.db.database import Conn, Row
from ticketry.db.sql import Q
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


def get_team(conn: Conn, workspace_id: int, team_id: int) -> tuple[Row, list[int]] | None:
    for row, admin_ids in list_teams(conn, workspace_id):
        if row["id"] == team_id:
            return row, admin_ids
    return None
