"""HTTP handlers for companies."""

from __future__ import annotations

from starlette.responses import Response

from ticketry.companies import queries, render, service
from ticketry.companies.schemas import CompanyWrite
from ticketry.contacts.queries import workspace_code
from ticketry.db.database import Conn, Row
from ticketry.kit.http import Ctx, json, resource

DEFAULT_PER_PAGE = 15  # Intercom's default for GET /companies
MAX_PER_PAGE = 60
MAX_PAGE = 1_000_000


def view(conn: Conn, workspace_id: int, row: Row) -> tuple[Row, int, str]:
    """What rendering one company needs: the row, its contact count, the workspace code."""
    count = queries.user_counts(conn, workspace_id, [row["id"]]).get(row["id"], 0)
    return row, count, workspace_code(conn, workspace_id)


async def create_or_update(ctx: Ctx) -> Response:
    payload = await ctx.body(CompanyWrite)

    def run(conn: Conn) -> tuple[Row, int, str]:
        return view(
            conn, ctx.workspace_id, service.create_or_update(conn, ctx.workspace_id, payload)
        )

    row, count, code = await ctx.db.write(run)
    return json(render.company(row, count, code, ctx.version))


async def get_company(ctx: Ctx) -> Response:
    company_id = ctx.param("id")

    def run(conn: Conn) -> tuple[Row, int, str] | None:
        row = queries.get_company(conn, ctx.workspace_id, company_id)
        return None if row is None else view(conn, ctx.workspace_id, row)

    found = await ctx.db.read(run)
    if found is None:
        raise queries.company_not_found("id")
    return json(render.company(*found, ctx.version))


async def list_companies(ctx: Ctx) -> Response:
    """By the customer's `company_id` or by `name` (one company, or 404), else a page."""
    company_id, name = ctx.query("company_id"), ctx.query("name")
    if company_id is not None or name is not None:
        field = "company_id" if company_id is not None else "name"

        def find(conn: Conn) -> tuple[Row, int, str] | None:
            if company_id is not None:
                row = queries.find_by_company_id(conn, ctx.workspace_id, company_id)
            else:
                row = queries.find_by_name(conn, ctx.workspace_id, name or "")
            return None if row is None else view(conn, ctx.workspace_id, row)

        found = await ctx.db.read(find)
        if found is None:
            raise queries.company_not_found(field)
        return json(render.company(*found, ctx.version))

    page_no = ctx.query_int("page", 1, 1, MAX_PAGE)
    per_page = ctx.query_int("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)

    def run(conn: Conn) -> tuple[list[tuple[Row, int]], int, str]:
        rows, total = queries.page(conn, ctx.workspace_id, page_no, per_page)
        items = queries.with_counts(conn, ctx.workspace_id, rows)
        return items, total, workspace_code(conn, ctx.workspace_id)

    items, total, code = await ctx.db.read(run)
    pages = render.offset_pages("/companies", page_no, per_page, total)
    return json(render.company_list(items, pages, total, code, ctx.version))


routes = [
    resource("/companies", POST=create_or_update, GET=list_companies),
    resource("/companies/{id}", GET=get_company),
]
