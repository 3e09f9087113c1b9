"""HTTP handlers for contacts, their search and their companies."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from ticketry.companies import queries as company_queries
from ticketry.companies import render as company_render
from ticketry.contacts import queries, render, service
from ticketry.contacts.schemas import AttachCompany, ContactCreate, ContactUpdate
from ticketry.db.database import Conn, Row
from ticketry.kit.http import Ctx, json, resource
from ticketry.kit.versions import V2_13
from ticketry.search import compile as search_compile
from ticketry.search import parse as search_parse

MAX_COMPANY_PAGE = 1_000_000

Shown = tuple[Row, list[str], str]  # a contact, its company ids, the workspace code


def _shown(conn: Conn, workspace_id: int, row: Row) -> Shown:
    companies = queries.company_ids(conn, workspace_id, [row["id"]]).get(row["id"], [])
    return row, companies, queries.workspace_code(conn, workspace_id)


async def create_contact(ctx: Ctx) -> Response:
    payload = await ctx.body(ContactCreate)

    def run(conn: Conn) -> Shown:
        return _shown(
            conn, ctx.workspace_id, service.create_contact(conn, ctx.workspace_id, payload)
        )

    return json(render.contact(*await ctx.db.write(run), ctx.version))


async def _read_one(ctx: Ctx, find: Any, field: str) -> Response:
    def run(conn: Conn) -> Shown | None:
        row = find(conn)
        return None if row is None else _shown(conn, ctx.workspace_id, row)

    found = await ctx.db.read_point(run)
    if found is None:
        raise service.contact_not_found(field)
    return json(render.contact(*found, ctx.version))


async def get_contact(ctx: Ctx) -> Response:
    contact_id = ctx.param("id")
    return await _read_one(
        ctx, lambda conn: queries.get_contact(conn, ctx.workspace_id, contact_id), "id"
    )


async def find_by_external_id(ctx: Ctx) -> Response:
    external_id = ctx.param("external_id")
    return await _read_one(
        ctx,
        lambda conn: queries.find_by(conn, ctx.workspace_id, external_id=external_id),
        "external_id",
    )


async def update_contact(ctx: Ctx) -> Response:
    contact_id = ctx.param("id")
    payload = await ctx.body(ContactUpdate)

    def run(conn: Conn) -> Shown:
        row = service.update_contact(conn, ctx.workspace_id, contact_id, payload)
        return _shown(conn, ctx.workspace_id, row)

    return json(render.contact(*await ctx.db.write(run), ctx.version))


async def delete_contact(ctx: Ctx) -> Response:
    row = await ctx.db.write(
        service.delete_contact, ctx.workspace_id, ctx.admin_id, ctx.param("id")
    )
    return json(render.contact_deleted(row))


async def list_contacts(ctx: Ctx) -> Response:
    per_page = ctx.query_int("per_page", queries.DEFAULT_PER_PAGE, 1, 150)
    starting_after = ctx.query("starting_after") or None

    def run(conn: Conn) -> tuple[Any, dict[str, list[str]], str]:
        found, companies = queries.page(
            conn, ctx.workspace_id, None, per_page, starting_after, "starting_after"
        )
        return found, companies, queries.workspace_code(conn, ctx.workspace_id)

    found, companies, code = await ctx.db.read(run)
    return json(render.contact_list(found, companies, code, ctx.version))


async def search_contacts(ctx: Ctx) -> Response:
    body = await ctx.body(search_parse.SearchBody)
    request = search_parse.search_request(body, queries.FIELDS, queries.DEFAULT_PER_PAGE)
    where = search_compile.where(request.query)

    def run(conn: Conn) -> tuple[Any, dict[str, list[str]], str]:
        found, companies = queries.page(
            conn,
            ctx.workspace_id,
            where,
            request.per_page,
            request.starting_after,
            "pagination.starting_after",
        )
        return found, companies, queries.workspace_code(conn, ctx.workspace_id)

    found, companies, code = await ctx.db.read(run)
    return json(render.contact_list(found, companies, code, ctx.version))


async def attach_company(ctx: Ctx) -> Response:
    contact_id = ctx.param("id")
    payload = await ctx.body(AttachCompany)

    def run(conn: Conn) -> tuple[Row, int, str]:
        company = service.attach_company(conn, ctx.workspace_id, contact_id, payload.id)
        count = company_queries.user_counts(conn, ctx.workspace_id, [company["id"]])
        return company, count.get(company["id"], 0), queries.workspace_code(conn, ctx.workspace_id)

    return json(company_render.company(*await ctx.db.write(run), ctx.version))


async def list_companies(ctx: Ctx) -> Response:
    contact_id = ctx.param("id")
    page_no = ctx.query_int("page", 1, 1, MAX_COMPANY_PAGE)
    per_page = ctx.query_int("per_page", queries.DEFAULT_PER_PAGE, 1, 150)

    def run(conn: Conn) -> tuple[list[tuple[Row, int]], int, str] | None:
        contact = queries.get_contact(conn, ctx.workspace_id, contact_id)
        if contact is None:
            return None
        rows, total = company_queries.for_contact(
            conn, ctx.workspace_id, contact["id"], page_no, per_page
        )
        items = company_queries.with_counts(conn, ctx.workspace_id, rows)
        return items, total, queries.workspace_code(conn, ctx.workspace_id)

    found = await ctx.db.read(run)
    if found is None:
        raise service.contact_not_found("id")
    items, total, code = found
    pages = company_render.offset_pages(
        f"/contacts/{contact_id}/companies", page_no, per_page, total
    )
    body = company_render.company_list(items, pages, total, code, ctx.version)
    # Described with a `companies` key (what python-intercom reads) but recorded with
    # `data` (what the real API sends): carry both.
    body["companies"] = body["data"]
    return json(body)


routes = [
    resource("/contacts", POST=create_contact, GET=list_contacts),
    resource("/contacts/search", POST=search_contacts),
    resource("/contacts/find_by_external_id/{external_id:path}", V2_13, GET=find_by_external_id),
    resource("/contacts/{id}", GET=get_contact, PUT=update_contact, DELETE=delete_contact),
    resource("/contacts/{id}/companies", POST=attach_company, GET=list_companies),
]
