"""HTTP handlers for jobs: `POST /tickets/enqueue` (it answers with a job, not a ticket)
and `GET /jobs/status/{id}`, both Intercom 2.14+."""

from __future__ import annotations

from starlette.responses import Response

from ticketry.jobs import render, service
from ticketry.kit.http import Ctx, json, resource
from ticketry.kit.versions import V2_14
from ticketry.tickets.schemas import CreateTicket


def _base_url(ctx: Ctx) -> str:
    return ctx.request.app.state.public_url or str(ctx.request.base_url).rstrip("/")


async def enqueue_ticket(ctx: Ctx) -> Response:
    payload = await ctx.body(CreateTicket)
    row = await ctx.db.write(
        service.enqueue_ticket, ctx.workspace_id, ctx.admin_id, payload, ctx.version
    )
    ctx.request.app.state.jobs.wake()  # committed: this process's worker can run it now
    return json(render.job(row, _base_url(ctx)))


async def job_status(ctx: Ctx) -> Response:
    job_id = ctx.int_param("id", service.job_not_found())
    row = await ctx.db.read_point(service.get_job, ctx.workspace_id, job_id)  # one row by key
    return json(render.job(row, _base_url(ctx)))


routes = [
    resource("/tickets/enqueue", V2_14, POST=enqueue_ticket),
    resource("/jobs/status/{id}", V2_14, GET=job_status),
]
