"""Resolving the admins, teams, companies and states a ticket request names."""

from __future__ import annotations

from sqlalchemy import bindparam, select

from ticketry.db.database import Conn, Row
from ticketry.db.sql import Q
from ticketry.errors import ApiError, NotFound
from ticketry.kit import ids
from ticketry.kit.versions import V2_12, Version
from ticketry.tables import admins, companies, teams


def as_int(value: str | None) -> int | None:
    return ids.parse_id(value)


_ADMIN = Q(
    select(admins.c.id).where(
        admins.c.workspace_id == bindparam("ws"), admins.c.id == bindparam("id")
    )
)
_TEAM = Q(
    select(teams.c.id).where(teams.c.workspace_id == bindparam("ws"), teams.c.id == bindparam("id"))
)


def _existing(conn: Conn, query: Q, workspace_id: int, ref: str | None) -> int | None:
    ident = as_int(ref)
    if ident is None or conn.one(query, {"ws": workspace_id, "id": ident}) is None:
        return None
    return ident


def admin(conn: Conn, workspace_id: int, admin_id: str, error: ApiError) -> int:
    found = _existing(conn, _ADMIN, workspace_id, admin_id)
    if found is None:
        raise error
    return found


def team(conn: Conn, workspace_id: int, team_id: str, error: ApiError) -> int:
    found = _existing(conn, _TEAM, workspace_id, team_id)
    if found is None:
        raise error
    return found


def assignee(conn: Conn, workspace_id: int, assignee_id: str) -> tuple[str, int] | None:
    """("admin" | "team", id) for an assignee id; None for "0" (unassign)."""
    if assignee_id == "0":
        return None
    for kind, query in (("admin", _ADMIN), ("team", _TEAM)):
        found = _existing(conn, query, workspace_id, assignee_id)
        if found is not None:
            return kind, found
    raise NotFound("Assignee not found", code="assignee_not_found", field="assignee_id")


def company(conn: Conn, workspace_id: int, ref: str, version: Version) -> Row:
    """From 2.12 `company_id` is Intercom's company id; before, the customer's own id."""
    column = companies.c.id if version >= V2_12 else companies.c.company_id
    row = conn.one(
        select(companies.c.id).where(companies.c.workspace_id == workspace_id, column == ref)
    )
    if row is None:
        raise NotFound("Company Not Found", code="company_not_found", field="company_id")
    return row
