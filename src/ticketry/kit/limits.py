"""The request body cap: a pure ASGI middleware that answers 413 `payload_too_large` as
Intercom's error.list, so no request makes the app hold more than the cap (plus one read)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ticketry.errors import ApiError
from ticketry.kit.http import error_response


class PayloadTooLarge(ApiError):
    status = 413
    code = "payload_too_large"

    def __init__(self, max_bytes: int) -> None:
        # Close: the rest of the body is still on its way, and reading it to keep the
        # connection would be reading what we just refused.
        super().__init__(
            f"Request body is larger than {max_bytes} bytes", headers={"Connection": "close"}
        )


def limit_body(app: ASGIApp, max_bytes: int) -> ASGIApp:
    """Refuse at once a Content-Length over `max_bytes`; count a chunked body as the app
    reads it and raise PayloadTooLarge (rendered by the app's ApiError handler) once it
    passes the cap. A Content-Length within the cap needs no counting: the HTTP parser
    delivers exactly that many bytes."""

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for name, value in scope["headers"]:
                if name == b"content-length":
                    # The parser has already refused a Content-Length that is not digits.
                    if int(value) > max_bytes:
                        await error_response(PayloadTooLarge(max_bytes))(scope, receive, send)
                        return
                elif name == b"transfer-encoding":
                    receive = _counted(receive, max_bytes)
        await app(scope, receive, send)

    return guarded


def _counted(receive: Receive, max_bytes: int) -> Receive:
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > max_bytes:
            raise PayloadTooLarge(max_bytes)
        return message

    return counted
