"""HTTP handlers for ticket states: Intercom's `GET /ticket_states` (2.12+) and Ticketry's
own `POST /ticketry/ticket_states`.

Intercom's API cannot create ticket states (they are made in its web app). Ticketry adds
`POST /ticketry/ticket_states` (any Intercom-Version) under its own prefix so it never
collides with an Intercom path: body `{category, internal_label, external_label,
ticket_type_ids: [id, ...]}` → the new `ticket_state_detailed`.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from ticketry.db.database import Conn, Row
from ticketry.errors import NotFound, ParameterNotFound
from ticketry.kit import ids
from ticketry.kit.http import Ctx, endpoint, json
from ticketry.kit.versions import V2_12
from ticketry.kit.wire import IdStr, Payload
from ticketry.ticket_states import queries, render, service


class StateCreate(Payload):
    category: str | None = None
    internal_label: str | None = None
    external_label: str | None = None
    ticket_type_ids: list[IdStr] | None = None


async def list_states(ctx: Ctx) -> Response:
    items = await ctx.db.read(queries.list_detailed, ctx.workspace_id)
    return json(render.ticket_state_list(items))


def _type_ids(raw: list[str] | None) -> list[int]:
    if raw is None:
        raise ParameterNotFound("ticket_type_ids")
    out = []
    for value in raw:
        ident = ids.parse_id(value)
        if ident is None:
            raise NotFound(f"Ticket type {value} not found", field="ticket_type_ids")
        out.append(ident)
    return out


async def create_state(ctx: Ctx) -> Response:
    body = await ctx.body(StateCreate)
    type_ids = _type_ids(body.ticket_type_ids)

    def run(conn: Conn) -> tuple[Row, list[Row]]:
        row = service.create_state(
            conn,
            ctx.workspace_id,
            body.category,
            body.internal_label,
            body.external_label,
            type_ids,
        )
        found = queries.detailed(conn, ctx.workspace_id, row["id"])
        assert found is not None
        return found

    state, types = await ctx.db.write(run)
    return json(render.ticket_state_detailed(state, types))


routes = [
    Route("/ticket_states", endpoint(list_states, since=V2_12), methods=["GET"]),
    Route("/ticketry/ticket_states", endpoint(create_state), methods=["POST"]),
]
