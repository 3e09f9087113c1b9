"""HTTP handlers of the Subscriptions API (Intercom's legacy shape, any version) and the
delivery log (Ticketry's own)."""

from __future__ import annotations

from starlette.responses import Response

from ticketry.kit import pagination
from ticketry.kit.http import Ctx, json, resource
from ticketry.webhooks import render, service
from ticketry.webhooks.schemas import CreateSubscription, UpdateSubscription

MAX_PER_PAGE = 150


def _wake(ctx: Ctx) -> None:
    ctx.request.app.state.webhooks.wake()  # committed: send it now, not at the next poll


async def create_subscription(ctx: Ctx) -> Response:
    payload = await ctx.body(CreateSubscription)
    row = await ctx.db.write(service.create, ctx.workspace_id, payload)
    _wake(ctx)  # its pass sees the subscription, so later writes here wake the worker
    return json(render.subscription(row))


async def list_subscriptions(ctx: Ctx) -> Response:
    rows = await ctx.db.read(service.listed, ctx.workspace_id)
    return json({"type": "list", "data": [render.subscription(r) for r in rows]})


async def get_subscription(ctx: Ctx) -> Response:
    row = await ctx.db.read_point(service.get, ctx.workspace_id, ctx.param("id"))
    return json(render.subscription(row))


async def update_subscription(ctx: Ctx) -> Response:
    payload = await ctx.body(UpdateSubscription)
    row = await ctx.db.write(service.change, ctx.workspace_id, ctx.param("id"), payload)
    _wake(ctx)
    return json(render.subscription(row))


async def delete_subscription(ctx: Ctx) -> Response:
    row = await ctx.db.write(service.remove, ctx.workspace_id, ctx.param("id"))
    return json({**render.subscription(row), "deleted": True})


async def ping(ctx: Ctx) -> Response:
    row = await ctx.db.write(service.ping, ctx.workspace_id, ctx.param("id"))
    _wake(ctx)
    return json(render.delivery(row))


async def deliveries(ctx: Ctx) -> Response:
    per_page = ctx.query_int("per_page", 50, 1, MAX_PER_PAGE)
    cursor = ctx.query("starting_after")
    before = int(pagination.decode(cursor, 1)[0]) if cursor else None
    rows = await ctx.db.read(service.log, ctx.workspace_id, ctx.param("id"), per_page + 1, before)
    more = len(rows) > per_page
    rows = rows[:per_page]
    pages = {"type": "pages", "per_page": per_page, "next": None}
    if more:
        pages["next"] = {
            "per_page": per_page,
            "starting_after": pagination.encode([rows[-1]["id"]]),
        }
    return json({"type": "list", "data": [render.delivery(r) for r in rows], "pages": pages})


async def redeliver(ctx: Ctx) -> Response:
    row = await ctx.db.write(
        service.redeliver, ctx.workspace_id, ctx.param("id"), ctx.param("notification_id")
    )
    _wake(ctx)
    return json(render.delivery(row))


routes = [
    resource("/subscriptions", GET=list_subscriptions, POST=create_subscription),
    resource(
        "/subscriptions/{id}",
        GET=get_subscription,
        POST=update_subscription,
        DELETE=delete_subscription,
    ),
    resource("/subscriptions/{id}/ping", POST=ping),
    resource("/subscriptions/{id}/deliveries", GET=deliveries),
    resource("/subscriptions/{id}/deliveries/{notification_id}/redeliver", POST=redeliver),
]
