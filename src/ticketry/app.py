"""The Starlette application: lifespan owns the database, one error handler speaks Intercom.

Every failure leaves as Intercom's `error.list` body with a request id: domain errors,
validation errors, unknown routes (404), wrong methods (405) and unexpected exceptions
(500, logged server-side with the request id, never shown to the client). Bodies over
`max_body_bytes` are refused with 413 before the app reads them (kit/limits.py).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ticketry.db.database import Database
from ticketry.errors import ApiError, Internal, MethodNotAllowed, NotFound
from ticketry.jobs.worker import Worker
from ticketry.kit.auth import TokenCache
from ticketry.kit.http import error_response
from ticketry.kit.limits import limit_body
from ticketry.kit.routing import SegmentRouter
from ticketry.routes import routes
from ticketry.settings import Settings
from ticketry.webhooks.worker import Worker as WebhookWorker

log = logging.getLogger("ticketry")


async def _api_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc)


async def _http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return error_response(NotFound("Resource Not Found"))
    if exc.status_code == 405:
        allow = (exc.headers or {}).get("Allow", "")
        return error_response(
            MethodNotAllowed(
                f"Method not allowed on this resource; allowed: {allow}",
                headers={"Allow": allow} if allow else None,
            )
        )
    return error_response(ApiError(str(exc.detail), status=exc.status_code))


async def _client_gone(_request: Request, _exc: Exception) -> Response:
    # The client went away before its body arrived (or the server cut it off for being
    # too slow): nobody will read an answer, and it is not a server failure to log.
    return error_response(ApiError("Client disconnected", code="client_disconnected"))


def contain_errors(app: ASGIApp) -> ASGIApp:
    """Answer an unexpected exception with a 500 error.list, logged with its request id.
    Done here rather than as Starlette's `Exception` handler, which re-raises after
    answering and so makes the server drop a keep-alive client's connection."""

    async def contained(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await app(scope, receive, tracked)
        except Exception as exc:
            if started:
                raise  # half a response is out: only closing the connection can say so
            response = error_response(Internal("An unexpected error occurred; nothing was saved"))
            log.error(
                "unhandled error on %s %s (request %s)",
                scope["method"],
                scope["path"],
                response.headers["X-Request-Id"],
                exc_info=exc,
            )
            await response(scope, receive, send)

    return contained


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        sys.setswitchinterval(settings.gil_switch_ms / 1000)  # process-wide: one app each
        app.state.db = Database(settings)
        app.state.settings = settings
        app.state.tokens = TokenCache(settings.auth_cache_seconds)
        app.state.public_url = settings.public_url.rstrip("/") if settings.public_url else None
        app.state.session_seconds = settings.session_seconds
        # With the test kit, a job runs on its workspace's frozen clock, if it has one.
        clock_of = app.state.kit.clocks.get if settings.test_kit else None
        app.state.jobs = Worker(app.state.db, clock_of) if clock_of else Worker(app.state.db)
        app.state.jobs.start()
        app.state.webhooks = WebhookWorker(app.state.db, settings)
        app.state.webhooks.start()
        app.state.db.after_write = app.state.webhooks.after_write
        try:
            yield
        finally:
            await app.state.jobs.stop()
            await app.state.webhooks.stop()
            await app.state.db.aclose()

    middleware = [
        Middleware(contain_errors),
        Middleware(limit_body, max_bytes=settings.max_body_bytes),
    ]
    served = routes
    if settings.test_kit:
        from ticketry.control.middleware import kit_layer
        from ticketry.control.routes import routes as control_routes
        from ticketry.control.state import Kit

        kit = Kit(settings.request_log_size)
        middleware.append(Middleware(kit_layer, kit=kit))
        served = [*routes, *control_routes]

    app = Starlette(
        lifespan=lifespan,
        exception_handlers={
            ApiError: _api_error,
            HTTPException: _http_error,
            ClientDisconnect: _client_gone,
        },
        middleware=middleware,
    )
    if settings.test_kit:
        app.state.kit = kit
    app.router = SegmentRouter(served, lifespan=lifespan)
    return app
