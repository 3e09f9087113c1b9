"""The request context handed to every handler, the endpoint wrapper, JSON responses.

`endpoint(fn)` turns `async fn(ctx) -> Response` into a Starlette endpoint: it resolves
the bearer token to a workspace and admin, resolves `Intercom-Version` (header, else the
workspace default), and refuses versions that predate the endpoint with a 404.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import orjson
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ticketry.db.database import Database
from ticketry.errors import ApiError, NotFound, ParameterInvalid, Unauthorized
from ticketry.kit import auth, ids, versions, wire
from ticketry.kit.versions import Version

M = TypeVar("M", bound=BaseModel)


class Ctx:
    __slots__ = ("admin_id", "db", "request", "version", "workspace_id")

    def __init__(
        self, request: Request, db: Database, principal: auth.Principal, version: Version
    ) -> None:
        self.request = request
        self.db = db
        self.workspace_id = principal.workspace_id
        self.admin_id = principal.admin_id
        self.version = version

    def param(self, name: str) -> str:
        return self.request.path_params[name]

    def int_param(self, name: str, not_found: ApiError | None = None) -> int:
        """A numeric path id; anything else cannot exist, so it is a 404."""
        found = ids.parse_id(self.request.path_params[name])
        if found is None:
            raise not_found or NotFound()
        return found

    async def body(self, model: type[M]) -> M:
        return wire.parse(model, await self.request.body())

    def query(self, name: str, default: str | None = None) -> str | None:
        return self.request.query_params.get(name, default)

    def query_int(self, name: str, default: int, lo: int, hi: int) -> int:
        raw = self.request.query_params.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ParameterInvalid(f"{name} must be an integer", field=name) from None
        if not lo <= value <= hi:
            raise ParameterInvalid(f"{name} must be between {lo} and {hi}", field=name)
        return value


def json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        orjson.dumps(data), status_code=status, headers=headers, media_type="application/json"
    )


def error_body(errors: list[dict[str, str]], request_id: str | None = None) -> bytes:
    return orjson.dumps(
        {"type": "error.list", "request_id": request_id or str(uuid.uuid4()), "errors": errors}
    )


def error_response(exc: ApiError) -> Response:
    request_id = str(uuid.uuid4())
    headers = {"X-Request-Id": request_id, **exc.headers}
    return Response(
        error_body([exc.as_error()], request_id),
        status_code=exc.status,
        headers=headers,
        media_type="application/json",
    )


class NotInVersion(ApiError):
    status = 404
    code = "intercom_version_invalid"


Handler = Callable[[Ctx], Awaitable[Response]]


PRINCIPAL = "ticketry.principal"  # the scope key a resolved principal is kept under


async def principal_of(request: Request) -> auth.Principal | None:
    """The caller's workspace and admin, or None for a missing or unknown token; kept in
    the scope, so a layer that needs it first (the test kit) does not cost a second look."""
    principal: auth.Principal | None = request.scope.get(PRINCIPAL)
    if principal is not None:
        return principal
    state = request.app.state
    token = auth.bearer(request.headers.get("authorization"))
    if token is None:
        return None
    digest, principal = state.tokens.get(token)
    if principal is None:
        principal = await state.db.read_point(auth.lookup, digest)
        if principal is None:
            return None
        state.tokens.put(digest, principal)
    request.scope[PRINCIPAL] = principal
    return principal


async def authenticate(request: Request) -> tuple[Database, auth.Principal]:
    principal = await principal_of(request)
    if principal is None:
        raise Unauthorized()
    return request.app.state.db, principal


async def context(request: Request, since: Version | None = None) -> Ctx:
    """Authenticate, resolve the version, and refuse versions older than `since`."""
    db, principal = await authenticate(request)
    header = request.headers.get("intercom-version")
    if header is None:
        version = versions.get(principal.default_version) or versions.DEFAULT
    else:
        version = versions.parse(header)
    if since is not None and version < since:
        raise NotInVersion(
            "Requested resource is not available in current API version "
            f"({version}); it needs {since} or later"
        )
    return Ctx(request, db, principal, version)


def endpoint(fn: Handler, since: Version | None = None) -> Callable[[Request], Awaitable[Response]]:
    async def handle(request: Request) -> Response:
        return await fn(await context(request, since))

    handle.__name__ = fn.__name__
    return handle


def resource(
    path: str, since: Version | None = None, **methods: Handler | tuple[Handler, Version]
) -> Route:
    """One route per path, a handler per method, so a wrong method gets a 405 that lists
    every allowed one. `since` is the version that introduced the path; a method that came
    later is given as `(handler, version)`."""
    table = {m: (h, since) if callable(h) else h for m, h in methods.items()}

    async def handle(request: Request) -> Response:
        fn, since = table["GET" if request.method == "HEAD" else request.method]
        return await fn(await context(request, since))

    handle.__name__ = "_".join(fn.__name__ for fn, _ in table.values())
    return Route(path, handle, methods=list(table))
