"""Reading companies and how many contacts each has."""

from __future__ import annotations

from sqlalchemy import bindparam, func, select

from ticketry.db.database import Conn, Row
from ticketry.db.sql import Q, storable
from ticketry.errors import NotFound
from ticketry.tables import companies, contact_companies

_GET = Q(
    select(companies).where(
        companies.c.workspace_id == bindparam("ws"), companies.c.id == bindparam("id")
    )
)
_BY_COMPANY_ID = Q(
    select(companies).where(
        companies.c.workspace_id == bindparam("ws"),
        companies.c.company_id == bindparam("company_id"),
    )
)
_BY_NAME = Q(
    select(companies)
    .where(companies.c.workspace_id == bindparam("ws"), companies.c.name == bindparam("name"))
    .order_by(companies.c.created_at, companies.c.id)
)
_COUNT = Q(
    select(func.count()).select_from(companies).where(companies.c.workspace_id == bindparam("ws"))
)
_PAGE = Q(
    select(companies)
    .where(companies.c.workspace_id == bindparam("ws"))
    .order_by(companies.c.created_at, companies.c.id)
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)


def company_not_found(field: str = "id") -> NotFound:
    return NotFound("Company Not Found", code="company_not_found", field=field)


def get_company(conn: Conn, workspace_id: int, company_id: str) -> Row | None:
    """A company by its Intercom id."""
    if not storable(str(company_id)):
        return None
    return conn.one(_GET, {"ws": workspace_id, "id": str(company_id)})


def find_by_company_id(conn: Conn, workspace_id: int, company_id: str) -> Row | None:
    """A company by the customer's own `company_id`."""
    if not storable(str(company_id)):
        return None
    return conn.one(_BY_COMPANY_ID, {"ws": workspace_id, "company_id": str(company_id)})


def find_by_name(conn: Conn, workspace_id: int, name: str) -> Row | None:
    if not storable(name):
        return None
    return conn.one(_BY_NAME, {"ws": workspace_id, "name": name})


def user_counts(conn: Conn, workspace_id: int, company_ids: list[str]) -> dict[str, int]:
    if not company_ids:
        return {}
    rows = conn.all(
        select(contact_companies.c.company_id, func.count().label("n"))
        .where(
            contact_companies.c.workspace_id == workspace_id,
            contact_companies.c.company_id.in_(company_ids),
        )
        .group_by(contact_companies.c.company_id)
    )
    return {row["company_id"]: int(row["n"]) for row in rows}


def with_counts(conn: Conn, workspace_id: int, rows: list[Row]) -> list[tuple[Row, int]]:
    counts = user_counts(conn, workspace_id, [r["id"] for r in rows])
    return [(row, counts.get(row["id"], 0)) for row in rows]


def page(conn: Conn, workspace_id: int, page_no: int, per_page: int) -> tuple[list[Row], int]:
    """One offset page of the workspace's companies (GET /companies pages by number)."""
    total = conn.scalar(_COUNT, {"ws": workspace_id})
    rows = conn.all(
        _PAGE, {"ws": workspace_id, "limit": per_page, "offset": (page_no - 1) * per_page}
    )
    return rows, int(total or 0)


def for_contact(
    conn: Conn, workspace_id: int, contact_id: str, page_no: int, per_page: int
) -> tuple[list[Row], int]:
    """One offset page of a contact's companies, by attach time (then company id)."""
    linked = (contact_companies.c.workspace_id == workspace_id) & (
        contact_companies.c.contact_id == contact_id
    )
    total = conn.scalar(select(func.count()).select_from(contact_companies).where(linked))
    rows = conn.all(
        select(companies)
        .join(contact_companies, contact_companies.c.company_id == companies.c.id)
        .where(linked, companies.c.workspace_id == workspace_id)
        .order_by(contact_companies.c.created_at, companies.c.id)
        .limit(per_page)
        .offset((page_no - 1) * per_page)
    )
    return rows, int(total or 0)
