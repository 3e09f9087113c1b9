"""HTTP handlers for ticket types and their attributes (all from 2.9)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from ticketry.db.database import Conn, Row
from ticketry.kit.http import Ctx, json, resource
from ticketry.kit.versions import V2_9, V2_10, V2_12, Version
from ticketry.ticket_states import queries as state_queries
from ticketry.ticket_types import queries, render, service
from ticketry.ticket_types.schemas import (
    AttributeCreate,
    AttributeUpdate,
    TicketTypeCreate,
    TicketTypeUpdate,
    sent,
)


def _full(
    conn: Conn, workspace_id: int, type_id: int, version: Version
) -> tuple[Row, list[Row], list[Row] | None]:
    row = queries.get_type(conn, workspace_id, type_id)
    if row is None:
        raise service.type_not_found()
    states = (
        state_queries.states_for_type(conn, workspace_id, type_id) if version >= V2_12 else None
    )
    return row, queries.attributes_of(conn, workspace_id, type_id), states


def _type_fields(fields: dict[str, Any], version: Version) -> dict[str, Any]:
    # `category` is on the wire from 2.10; a 2.9 client's body cannot mean it.
    if version < V2_10:
        fields.pop("category", None)
    return fields


def _list(conn: Conn, workspace_id: int, version: Version) -> list[tuple[Row, list[Row], Any]]:
    attrs = queries.all_attributes(conn, workspace_id)
    states = state_queries.states_by_type(conn, workspace_id) if version >= V2_12 else {}
    return [
        (row, attrs.get(row["id"], []), states.get(row["id"]) if version >= V2_12 else None)
        for row in queries.list_types(conn, workspace_id)
    ]


async def list_types(ctx: Ctx) -> Response:
    items = await ctx.db.read(_list, ctx.workspace_id, ctx.version)
    return json(render.ticket_type_list(items, ctx.version))


async def get_type(ctx: Ctx) -> Response:
    type_id = ctx.int_param("id", service.type_not_found())
    found = await ctx.db.read(_full, ctx.workspace_id, type_id, ctx.version)
    return json(render.ticket_type(*found[:2], ctx.version, found[2]))


async def create_type(ctx: Ctx) -> Response:
    fields = _type_fields(sent(await ctx.body(TicketTypeCreate)), ctx.version)

    def run(conn: Conn) -> tuple[Row, list[Row], list[Row] | None]:
        type_id = service.create_type(conn, ctx.workspace_id, **fields)
        return _full(conn, ctx.workspace_id, type_id, ctx.version)

    found = await ctx.db.write(run)
    return json(render.ticket_type(*found[:2], ctx.version, found[2]))


async def update_type(ctx: Ctx) -> Response:
    type_id = ctx.int_param("id", service.type_not_found())
    fields = _type_fields(sent(await ctx.body(TicketTypeUpdate)), ctx.version)

    def run(conn: Conn) -> tuple[Row, list[Row], list[Row] | None]:
        service.update_type(conn, ctx.workspace_id, type_id, fields)
        return _full(conn, ctx.workspace_id, type_id, ctx.version)

    found = await ctx.db.write(run)
    return json(render.ticket_type(*found[:2], ctx.version, found[2]))


def _attribute(conn: Conn, workspace_id: int, type_id: int, attr_id: int) -> tuple[Row, str]:
    row = queries.get_type(conn, workspace_id, type_id)
    attr = queries.get_attribute(conn, workspace_id, type_id, attr_id)
    if row is None or attr is None:
        raise service.attribute_not_found()
    return attr, row["workspace_code"]


async def create_attribute(ctx: Ctx) -> Response:
    type_id = ctx.int_param("id", service.type_not_found())
    fields = sent(await ctx.body(AttributeCreate))

    def run(conn: Conn) -> tuple[Row, str]:
        attr_id = service.create_attribute(conn, ctx.workspace_id, type_id, fields)
        return _attribute(conn, ctx.workspace_id, type_id, attr_id)

    attr, code = await ctx.db.write(run)
    return json(render.ticket_type_attribute(attr, ctx.version, code))


async def update_attribute(ctx: Ctx) -> Response:
    type_id = ctx.int_param("id", service.type_not_found())
    attr_id = ctx.int_param("attribute_id", service.attribute_not_found())
    fields = sent(await ctx.body(AttributeUpdate))

    def run(conn: Conn) -> tuple[Row, str]:
        service.update_attribute(conn, ctx.workspace_id, type_id, attr_id, fields)
        return _attribute(conn, ctx.workspace_id, type_id, attr_id)

    attr, code = await ctx.db.write(run)
    return json(render.ticket_type_attribute(attr, ctx.version, code))


routes = [
    resource("/ticket_types", V2_9, GET=list_types, POST=create_type),
    resource("/ticket_types/{id}", V2_9, GET=get_type, PUT=update_type),
    resource("/ticket_types/{id}/attributes", V2_9, POST=create_attribute),
    resource("/ticket_types/{id}/attributes/{attribute_id}", V2_9, PUT=update_attribute),
]
