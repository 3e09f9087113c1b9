"""A real local webhook receiver for tests: records every request and answers with
statuses the test queues (200 once the queue is empty); it can hold requests unanswered
(a sender that dies mid-send)."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    answered: int
    at: float = 0.0  # time.monotonic() when it arrived

    @property
    def json(self) -> Any:
        return orjson.loads(self.body)


class Receiver:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.statuses: deque[int] = deque()
        self.default = 200
        self.headers_for: dict[int, dict[str, str]] = {}  # extra headers sent with a status
        self.hold_next = 0  # this many requests get no answer until `release` is set
        self.release = threading.Event()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver._lock:
                    status = receiver.statuses.popleft() if receiver.statuses else receiver.default
                    receiver.received.append(
                        Received(
                            self.path, dict(self.headers.items()), body, status, time.monotonic()
                        )
                    )
                    held = receiver.hold_next > 0
                    receiver.hold_next -= held
                if held and not receiver.release.wait(120):
                    return
                self.send_response(status)
                for name, value in receiver.headers_for.get(status, {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hook"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def wait(self, n: int, timeout: float = 20) -> list[Received]:
        """At least n requests (fails after `timeout`); all received so far."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.received) >= n:
                    return list(self.received)
            time.sleep(0.02)
        raise AssertionError(f"expected {n} requests, got {len(self.received)}")

    def settled(self, n: int, quiet: float = 1.5, timeout: float = 20) -> list[Received]:
        """At least n requests, then no more for `quiet` seconds (to catch duplicates)."""
        self.wait(n, timeout)
        while True:
            count = len(self.received)
            time.sleep(quiet)
            if len(self.received) == count:
                return list(self.received)

    def close(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()


def verify(received: Received, secret: str, tolerance: int = 300) -> None:
    """Check both signatures as a receiver would (the README's recipe)."""
    body = received.body
    expected = "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()
    assert hmac.compare_digest(received.headers["X-Hub-Signature"], expected)
    fields = dict(kv.split("=", 1) for kv in received.headers["X-Ticketry-Signature"].split(","))
    signed = fields["t"].encode() + b"." + body
    v1 = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(fields["v1"], v1)
    assert abs(time.time() - int(fields["t"])) <= tolerance
