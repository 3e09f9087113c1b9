"""The test kit's place in every request: injected faults and the request log.

Only installed when the server runs with the test kit (Settings.test_kit); a production
server has no such layer at all. With it, a request costs a token lookup the endpoint
would make anyway (the principal is kept in the scope for it), a dict lookup each for
faults and the workspace's frozen clock, and one append to the workspace's log. Control API calls are neither faulted nor logged.
"""

from __future__ import annotations

import asyncio
import time
import uuid

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ticketry.control.state import Fault, Kit, Logged
from ticketry.kit import ids
from ticketry.kit.http import error_body, principal_of

# Bodies kept per logged request; a longer one is cut (the log shows the cut text).
MAX_LOGGED_BODY = 64 * 1024
# Intercom's default limit for a private app: 10,000 calls a minute.
RATE_LIMIT = "10000"

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    422: "parameter_invalid",
    429: "rate_limit_exceeded",
    500: "server_error",
    502: "bad_gateway",
    503: "service_unavailable",
    504: "gateway_timeout",
}
_MESSAGES = {429: "You have exceeded the rate limit. Please try again later."}


def fault_response(fault: Fault) -> Response:
    assert fault.status is not None
    request_id = str(uuid.uuid4())
    headers: dict[str, str] = {"X-Request-Id": request_id}
    if fault.retry_after is not None or fault.status == 429:
        retry_after = fault.retry_after if fault.retry_after is not None else 10
        headers["Retry-After"] = str(retry_after)
        if fault.status == 429:
            headers["X-RateLimit-Limit"] = RATE_LIMIT
            headers["X-RateLimit-Remaining"] = "0"
            headers["X-RateLimit-Reset"] = str(int(time.time()) + retry_after)
    message = _MESSAGES.get(fault.status, f"Injected fault {fault.id} (HTTP {fault.status})")
    code = _CODES.get(fault.status, "server_error" if fault.status >= 500 else "bad_request")
    return Response(
        error_body([{"code": code, "message": message}], request_id),
        status_code=fault.status,
        headers=headers,
        media_type="application/json",
    )


def kit_layer(app: ASGIApp, kit: Kit) -> ASGIApp:
    async def run(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/ticketry/"):
            await app(scope, receive, send)
            return
        principal = await principal_of(Request(scope))
        if principal is None:  # no workspace to fault or log: the endpoint answers 401
            await app(scope, receive, send)
            return
        workspace_id = principal.workspace_id
        body = bytearray()
        status = 500

        async def receiving() -> Message:
            message = await receive()
            if message["type"] == "http.request" and len(body) < MAX_LOGGED_BODY:
                body.extend(message.get("body", b"")[: MAX_LOGGED_BODY - len(body)])
            return message

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        frozen = kit.clocks.get(workspace_id)
        clock = ids.FROZEN.set(frozen) if frozen is not None else None
        try:
            fault = kit.take_fault(workspace_id, scope["method"], scope["path"])
            if fault is not None and fault.latency_ms:
                await asyncio.sleep(fault.latency_ms / 1000)
            if fault is not None and fault.status is not None:
                await Request(scope, receiving).body()  # read, so the log shows what was sent
                await fault_response(fault)(scope, receiving, sending)
            else:
                await app(scope, receiving, sending)
        finally:
            if clock is not None:
                ids.FROZEN.reset(clock)
            headers = dict(scope["headers"])
            version = headers.get(b"intercom-version")
            kit.record(
                workspace_id,
                Logged(
                    method=scope["method"],
                    path=scope["path"],
                    query=scope["query_string"].decode("latin-1"),
                    status=status,
                    intercom_version=version.decode("latin-1") if version else None,
                    body=bytes(body),
                    created_at=int(time.time()),
                ),
            )

    return run
