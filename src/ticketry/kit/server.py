"""The HTTP connection: uvicorn's httptools protocol with the caps and timeouts a hostile
client must not get past, refusals as error.list, and the uvicorn options serve and tests share."""

from __future__ import annotations

import asyncio
import copy
import functools
import logging
import uuid
from typing import Any

import httptools
from uvicorn.config import LOGGING_CONFIG, Config
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState

from ticketry.errors import ApiError, BadRequest
from ticketry.kit.http import error_body
from ticketry.settings import Settings

# uvicorn's default, said out loud: a connection idle after a response closes after this.
KEEP_ALIVE_SECONDS = 5


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for `uvicorn.run` / `uvicorn.Config`, shared by `ticketry serve` and
    the tests so that the tests exercise what production runs. The protocol goes in as a
    partial of a module-level class: it pickles, so it reaches the worker processes."""
    return {
        "http": functools.partial(LimitedProtocol, settings=settings),
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        "log_config": _log_config(),
        "server_header": False,
    }


class LimitedProtocol(HttpToolsProtocol):
    """Caps the request line plus headers (431) and the URL (414), times out a head or a
    body that arrives too slowly (408, or a plain close when nothing was sent), and answers
    malformed requests with error.list (400) instead of uvicorn's plain text. Every refusal
    closes the connection: after it the next request boundary cannot be trusted.

    Header bytes are counted per read while a head is open, so at most one read (256 KiB)
    lands past the cap before the refusal; a head that completes is measured exactly. The
    body cap is not here but in kit/limits.py, where the app reads the body."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
        *,
        settings: Settings,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.max_head = settings.max_header_bytes
        self.max_url = settings.max_url_bytes
        self.head_timeout = settings.header_timeout_seconds
        self.body_timeout = settings.body_timeout_seconds
        self.head_open = False  # a request head has begun and is not complete
        self.body_open = False  # its head is complete, its body is not
        self.head_bytes = 0  # bytes read while the head was open (not the read that began it)
        self.read_len = 0
        self.deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # uvicorn arms its keep-alive timer only after a response, so a connection that
        # never sends a byte would stay open forever.
        self.deadline = self.loop.call_later(self.head_timeout, self.timed_out)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        # uvicorn's own, with its 400 replaced and the limits checked after each read. A
        # deadline is armed only when a read ends inside a head or a body, so a request
        # that arrives in one read costs no timer.
        self._unset_keepalive_if_required()
        self.read_len = len(data)
        if self.head_open:
            self.head_bytes += len(data)
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        except httptools.HttpParserError as exc:
            # A limit raised in a callback arrives wrapped by the parser.
            cause = exc.__context__
            self.refuse(
                cause if isinstance(cause, ApiError) else BadRequest(f"Invalid HTTP request: {exc}")
            )
            return
        if self.head_open:
            if len(self.url) > self.max_url:
                self.refuse(_uri_too_long(self.max_url))
            elif self.head_bytes > self.max_head:
                self.refuse(_head_too_large(self.max_head))
            elif self.deadline is None:
                self.deadline = self.loop.call_later(self.head_timeout, self.timed_out)
        elif self.body_open and self.deadline is None:
            self.deadline = self.loop.call_later(self.body_timeout, self.timed_out)

    def send_400_response(self, msg: str) -> None:
        self.refuse(BadRequest(msg))

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.head_open = True
        self.head_bytes = 0

    def on_headers_complete(self) -> None:
        self.head_open = False
        if len(self.url) > self.max_url:
            raise _uri_too_long(self.max_url)
        # Only a head that may be over the cap is measured: most fit in a read far below it.
        if self.head_bytes + self.read_len > self.max_head and _head_size(self) > self.max_head:
            raise _head_too_large(self.max_head)
        if self.deadline is not None:
            self._disarm()
        super().on_headers_complete()
        self.body_open = True

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self.body_open = False
        if self.deadline is not None:
            self._disarm()

    def timed_out(self) -> None:
        self.deadline = None
        if self.head_open:
            self.refuse(_timeout(f"Request headers did not arrive within {self.head_timeout:g} s"))
        elif self.body_open:
            self.refuse(_timeout(f"Request body did not arrive within {self.body_timeout:g} s"))
        elif not self.transport.is_closing():
            self.transport.close()  # a new connection that never sent anything

    def refuse(self, exc: ApiError) -> None:
        """Answer `exc` and close. A request still waiting for its body is answered here
        and its app sees a disconnect; when another response on this connection is being
        written (pipelining, or the app answered without reading the body), only close."""
        cycle = self.cycle
        if self.body_open:
            mine = cycle is not None and not self.pipeline and not cycle.response_started
            if mine:
                cycle.disconnected = True
                cycle.message_event.set()
        else:
            mine = cycle is None or cycle.response_complete
        self.head_open = self.body_open = False
        self._disarm()
        if self.transport.is_closing():
            return
        client = "{}:{}".format(*self.client) if self.client else "-"
        self.logger.warning("%s - Refused: %d %s", client, exc.status, exc.message)
        if mine:
            self.transport.write(_response(exc, self.server_state.default_headers))
        self.transport.close()

    def _disarm(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None


def _head_size(protocol: LimitedProtocol) -> int:
    # The request line and header lines as sent, give or take optional whitespace.
    return len(protocol.url) + 16 + sum(len(n) + len(v) + 4 for n, v in protocol.headers)


def _head_too_large(limit: int) -> ApiError:
    return ApiError(
        f"Request line and headers are larger than {limit} bytes",
        code="request_header_fields_too_large",
        status=431,
    )


def _uri_too_long(limit: int) -> ApiError:
    return ApiError(f"URL is longer than {limit} bytes", code="uri_too_long", status=414)


def _timeout(message: str) -> ApiError:
    return ApiError(message, code="request_timeout", status=408)


def _response(exc: ApiError, default_headers: list[tuple[bytes, bytes]]) -> bytes:
    request_id = str(uuid.uuid4())
    body = error_body([exc.as_error()], request_id)
    head = [STATUS_LINE[exc.status]]
    head += [name + b": " + value + b"\r\n" for name, value in default_headers]
    head += [
        b"content-type: application/json\r\n",
        b"content-length: %d\r\n" % len(body),
        b"x-request-id: " + request_id.encode() + b"\r\n",
        b"connection: close\r\n\r\n",
    ]
    return b"".join([*head, body])


class QueryFree(logging.Filter):
    """Drops the query string from access log lines: a client may put a secret there
    (`?access_token=`), and it should not end up in log files. Headers are never logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (args[0], args[1], args[2].partition("?")[0], *args[3:])
        return True


def _log_config() -> dict[str, Any]:
    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["query_free"] = {"()": QueryFree}
    config["handlers"]["access"]["filters"] = ["query_free"]
    return config
