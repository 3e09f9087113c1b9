"""Resolving the admins, teams, companies and states a ticket request names."""

from __future__ import annotations

from sqlalchemy import select

from ticketry.db.database import Conn, Row
from ticketry.errors import ApiError, NotFound
from ticketry.kit.versions import V2_12, Version
from ticketry.tables import admins, companies, teams


def as_int(value: str | None) -> int | None:
    if value is None or not value.isdigit() or len(value) > 18:
        return None
    return int(value)


def admin(conn: Conn, workspace_id: int, admin_id: str, error: ApiError) -> int:
    ident = as_int(admin_id)
    if (
        ident is None
        or conn.one(
            select(admins.c.id).where(admins.c.workspace_id == workspace_id, admins.c.id == ident)
        )
        is None
    ):
        raise error
    return ident


def team(conn: Conn, workspace_id: int, team_id: str, error: ApiError) -> int:
    ident = as_int(team_id)
    if (
        ident is None
        or conn.one(
            select(teams.c.id).where(teams.c.workspace_id == workspace_id, teams.c.id == ident)
        )
        is None
    ):
        raise error
    return ident


def assignee(conn: Conn, workspace_id: int, assignee_id: str) -> tuple[str, int] | None:
    """("admin" | "team", id) for an assignee id; None for "0" (unassign)."""
    if assignee_id == "0":
        return None
    ident = as_int(assignee_id)
    if ident is not None:
        if conn.one(
            select(admins.c.id).where(admins.c.workspace_id == workspace_id, admins.c.id == ident)
        ):
            return "admin", ident
        if conn.one(
            select(teams.c.id).where(teams.c.workspace_id == workspace_id, teams.c.id == ident)
        ):
            return "team", ident
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
