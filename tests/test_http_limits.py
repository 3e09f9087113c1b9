"""What a hostile HTTP client can make the server do, over real sockets: oversized heads,
URLs and bodies, malformed requests, slow and idle connections, secrets in the access log.

Each refusal must be Intercom's error.list with the connection closed, and a normal request
sent meanwhile must still be answered. The in-thread `server` runs the default limits; the
timeouts and small caps run on a `ticketry serve` subprocess with two workers, configured
through the environment, which also shows the limits reach worker processes.
"""

from __future__ import annotations

import math
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import Server, Workspace, _free_port
from tests.helpers import assert_error
from ticketry.settings import Settings
from ticketry.tickets.uploads import MAX_ATTACHMENTS, MAX_FILE_BYTES

HEAD_TIMEOUT = 1.0
BODY_TIMEOUT = 2.0
KEEP_ALIVE = 5.0  # uvicorn's, set explicitly in kit/server.py
SMALL_HEAD = 8 * 1024
SMALL_BODY = 64 * 1024
SEARCH = b'{"query": {"field": "created_at", "operator": ">", "value": "0"}}'


@dataclass
class Target:
    host: str
    port: int
    token: str

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


def connect(target: Target, sndbuf: int | None = None) -> socket.socket:
    sock = socket.socket()
    if sndbuf:
        # A small send buffer, so that bytes the server does not read cannot all be
        # parked in the kernel: a server that stops reading makes the send fail.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)
    sock.connect((target.host, target.port))
    return sock


def send_all(sock: socket.socket, pieces: Iterator[bytes] | list[bytes]) -> int:
    """Send until done or until the server cuts the connection; returns the bytes sent."""
    sent = 0
    try:
        for piece in pieces:
            sock.sendall(piece)
            sent += len(piece)
    except (BrokenPipeError, ConnectionResetError):
        pass
    return sent


def read_response(sock: socket.socket, timeout: float) -> tuple[httpx.Response, bool]:
    """One response read until the server closes; (response, whether it closed)."""
    data, closed = read_close(sock, timeout)
    head, _, body = data.partition(b"\r\n\r\n")
    assert head, f"no response (closed={closed})"
    lines = head.decode("latin-1").split("\r\n")
    headers = [tuple(line.split(": ", 1)) for line in lines[1:]]
    return httpx.Response(int(lines[0].split()[1]), headers=headers, content=body), closed


def read_one(sock: socket.socket, timeout: float = 10) -> bytes:
    """Exactly one response (by its Content-Length), leaving the connection open."""
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"(?i)content-length: (\d+)", head).group(1))
    while len(body) < length:
        body += sock.recv(65536)
    assert len(body) == length, "more than one response"
    return head + b"\r\n\r\n" + body


def read_many(sock: socket.socket, count: int, timeout: float = 10) -> list[bytes]:
    """`count` responses (by their Content-Length), however the bytes arrive: pipelined
    answers may share one read."""
    sock.settimeout(timeout)
    data, out = b"", []
    while len(out) < count:
        head, sep, rest = data.partition(b"\r\n\r\n")
        if sep:
            length = int(re.search(rb"(?i)content-length: (\d+)", head).group(1))
            if len(rest) >= length:
                out.append(head + sep + rest[:length])
                data = rest[length:]
                continue
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection"
        data += chunk
    assert data == b"", "more responses than requests"
    return out


def read_close(sock: socket.socket, timeout: float) -> tuple[bytes, bool]:
    """What arrives until the server closes or `timeout` passes; (bytes, whether it closed)."""
    sock.settimeout(timeout)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except ConnectionResetError:  # closed with our unread bytes still arriving
        pass
    except TimeoutError:
        return data, False
    return data, True


def assert_refused(sock: socket.socket, status: int, code: str, timeout: float = 5) -> None:
    resp, closed = read_response(sock, timeout)
    assert_error(resp, status, code)
    assert resp.headers["connection"] == "close"
    assert closed, "the server kept the connection open after refusing"


def assert_serving(target: Target) -> None:
    """A normal authenticated request is answered, and promptly (a generous bound)."""
    started = time.monotonic()
    resp = httpx.get(
        f"{target.url}/me", headers={"Authorization": f"Bearer {target.token}"}, timeout=10
    )
    assert resp.status_code == 200, resp.text
    assert time.monotonic() - started < 3


def request(target: Target, method: str, path: str, *headers: str, auth: bool = True) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {target.host}", *headers]
    if auth:
        lines.append(f"Authorization: Bearer {target.token}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


# --- the in-thread server, default limits -------------------------------------------------


@pytest.fixture
def target(server: Server, workspace: Workspace) -> Target:
    host, port = server.url.removeprefix("http://").split(":")
    return Target(host, int(port), workspace.token)


def test_streamed_headers_are_cut_off_at_the_cap(target: Target) -> None:
    sock = connect(target, sndbuf=32 * 1024)
    with sock:
        sock.sendall(b"GET /me HTTP/1.1\r\nHost: x\r\n" + b"X-Pad: " + b"a" * 1000 + b"\r\n")
        assert_serving(target)  # while a head is half sent
        pad = (b"X-Pad-%d: %s\r\n" % (i, b"v" * 1000) for i in range(2048))
        sent = send_all(sock, pad)  # 2 MB
        assert sent < 2 * 1024 * 1024, "the server read all 2 MB of headers"
        assert_refused(sock, 431, "request_header_fields_too_large")
    assert_serving(target)


def test_one_megabyte_url(target: Target) -> None:
    with connect(target, sndbuf=32 * 1024) as sock:
        send_all(sock, [request(target, "GET", "/me?q=" + "a" * 1024 * 1024)])
        assert_refused(sock, 414, "uri_too_long")
    assert_serving(target)


@pytest.mark.parametrize(
    "headers",
    [
        ["Content-Length: -5"],
        ["Content-Length: 5", "Transfer-Encoding: chunked"],
        ["Content-Length: 5", "Content-Length: 6"],
        ["Content-Length: 99999999999999999999999"],
        ["Bad Header Name: x"],
    ],
    ids=["negative-length", "chunked-and-length", "two-lengths", "huge-length", "bad-name"],
)
def test_malformed_requests_get_error_list(target: Target, headers: list[str]) -> None:
    with connect(target) as sock:
        sock.sendall(request(target, "POST", "/tickets", *headers) + b"{}\r\n")
        assert_refused(sock, 400, "bad_request")
    assert_serving(target)


def test_pipelined_requests_are_still_answered(target: Target) -> None:
    search = request(target, "POST", "/tickets/search", f"Content-Length: {len(SEARCH)}") + SEARCH
    with connect(target) as sock:
        sock.sendall(request(target, "GET", "/me") + search + request(target, "GET", "/me"))
        statuses = [r.split(b" ", 2)[1] for r in read_many(sock, 3)]
    assert statuses == [b"200", b"200", b"200"]


def test_garbage_instead_of_a_request(target: Target) -> None:
    with connect(target) as sock:
        sock.sendall(b"HELLO WORLD\r\n\r\n")
        assert_refused(sock, 400, "bad_request")


def test_declared_body_over_the_cap_is_refused_at_once(target: Target) -> None:
    with connect(target) as sock:
        head = request(target, "POST", "/tickets", "Content-Length: 200000000")
        sock.sendall(head + b'{"ticket_type_id": ')
        # At once: long before any timeout would end the wait for the other 200 MB.
        assert_refused(sock, 413, "payload_too_large", timeout=5)
    assert_serving(target)


def test_non_ascii_path_is_a_bad_request(target: Target) -> None:
    with connect(target) as sock:
        sock.sendall(b"GET /me\xff HTTP/1.1\r\nHost: x\r\n\r\n")
        assert_refused(sock, 400, "bad_request")


def test_default_body_cap_admits_intercoms_largest_reply() -> None:
    # A reply with the most attachment files, each as large as allowed, base64 in JSON.
    files = MAX_ATTACHMENTS * 4 * math.ceil(MAX_FILE_BYTES / 3)
    assert Settings().max_body_bytes >= files + 1024 * 1024


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TICKETRY_MAX_HEADER_BYTES", "0"),
        ("TICKETRY_MAX_BODY_BYTES", "-1"),
        ("TICKETRY_MAX_URL_BYTES", "lots"),
        ("TICKETRY_HEADER_TIMEOUT_SECONDS", "nan"),
        ("TICKETRY_BODY_TIMEOUT_SECONDS", "1e9"),
    ],
)
def test_absurd_limits_are_refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=name):
        Settings.from_env()


def test_limits_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TICKETRY_MAX_BODY_BYTES", "2048")
    monkeypatch.setenv("TICKETRY_HEADER_TIMEOUT_SECONDS", "2.5")
    settings = Settings.from_env()
    assert (settings.max_body_bytes, settings.header_timeout_seconds) == (2048, 2.5)


# --- a `ticketry serve` subprocess: two workers, small limits, short timeouts ----------------


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Target, Path]]:
    tmp = tmp_path_factory.mktemp("served")
    log = tmp / "serve.log"
    port = _free_port()
    env = {
        **os.environ,
        "TICKETRY_MAX_HEADER_BYTES": str(SMALL_HEAD),
        "TICKETRY_MAX_URL_BYTES": "2048",
        "TICKETRY_MAX_BODY_BYTES": str(SMALL_BODY),
        "TICKETRY_HEADER_TIMEOUT_SECONDS": str(HEAD_TIMEOUT),
        "TICKETRY_BODY_TIMEOUT_SECONDS": str(BODY_TIMEOUT),
    }
    env.pop("TICKETRY_DATABASE_URL", None)
    cmd = [sys.executable, "-m", "ticketry", "--database-url", f"sqlite:///{tmp / 't.db'}"]
    cmd += ["serve", "--port", str(port), "--workers", "2", "--log-level", "info"]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        token, deadline = None, time.monotonic() + 60
        while True:
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"server did not start:\n{log.read_text()}"
            found = re.search(r"Access token \(shown once, store it now\): (\S+)", log.read_text())
            token = found.group(1) if found else None
            try:
                if token and httpx.get(f"http://127.0.0.1:{port}/me", timeout=2).status_code:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        yield Target("127.0.0.1", port, token), log
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


@pytest.fixture
def small(served: tuple[Target, Path]) -> Target:
    return served[0]


def search_request(target: Target, body_size: int) -> bytes:
    body = SEARCH + b" " * (body_size - len(SEARCH))  # JSON allows the padding
    head = request(
        target,
        "POST",
        "/tickets/search",
        "Content-Type: application/json",
        f"Content-Length: {body_size}",
    )
    return head + body


def chunked(body: bytes, size: int = 4096) -> Iterator[bytes]:
    for i in range(0, len(body), size):
        piece = body[i : i + size]
        yield b"%x\r\n%s\r\n" % (len(piece), piece)
    yield b"0\r\n\r\n"


def test_body_at_the_cap_is_accepted(small: Target) -> None:
    with connect(small) as sock:
        sock.sendall(search_request(small, SMALL_BODY))
        resp, _ = read_response(sock, 10)
    assert resp.status_code == 200, resp.text
    padded = SEARCH + b" " * (SMALL_BODY - len(SEARCH))
    head = request(small, "POST", "/tickets/search", "Content-Type: application/json")
    with connect(small) as sock:
        sock.sendall(head.replace(b"\r\n\r\n", b"\r\nTransfer-Encoding: chunked\r\n\r\n"))
        send_all(sock, chunked(padded))
        resp, _ = read_response(sock, 10)
    assert resp.status_code == 200, resp.text


def test_declared_body_one_byte_over_the_cap(small: Target) -> None:
    with connect(small) as sock:
        sock.sendall(search_request(small, SMALL_BODY + 1)[:-100])
        assert_refused(sock, 413, "payload_too_large")


def test_streamed_chunked_body_past_the_cap(small: Target) -> None:
    head = request(small, "POST", "/tickets/search", "Transfer-Encoding: chunked")
    with connect(small, sndbuf=32 * 1024) as sock:
        sock.sendall(head)
        assert_serving(small)
        sent = send_all(sock, chunked(b"x" * 64 * SMALL_BODY))  # 4 MB, never finished
        assert sent < 64 * SMALL_BODY, "the server read the whole stream"
        assert_refused(sock, 413, "payload_too_large")
    assert_serving(small)


def test_head_just_under_and_over_the_cap(small: Target) -> None:
    pad = "X-Pad: " + "a" * (SMALL_HEAD - 512)
    with connect(small) as sock:
        sock.sendall(request(small, "GET", "/me", pad, "Connection: close"))
        resp, _ = read_response(sock, 10)
    assert resp.status_code == 200, resp.text
    # Over the cap in a single read: measured when the head completes.
    with connect(small) as sock:
        sock.sendall(request(small, "GET", "/me", pad, "X-More: " + "b" * 1024))
        assert_refused(sock, 431, "request_header_fields_too_large")


def test_url_over_the_cap(small: Target) -> None:
    with connect(small) as sock:
        sock.sendall(request(small, "GET", "/me?q=" + "a" * 3000))
        assert_refused(sock, 414, "uri_too_long")


def trickle(sock: socket.socket, byte: bytes, until: float) -> bool:
    """Send one byte every 0.1 s until the server closes (True) or time runs out (False)."""
    while time.monotonic() < until:
        try:
            sock.sendall(byte)
        except (BrokenPipeError, ConnectionResetError):
            return True
        sock.settimeout(0.1)
        try:
            sock.recv(1, socket.MSG_PEEK)
            return True  # the server answered or closed
        except TimeoutError:
            pass
        except ConnectionResetError:
            return True
    return False


@pytest.mark.parametrize("after_a_request", [False, True])
def test_slowloris_head_is_cut_off(small: Target, after_a_request: bool) -> None:
    with connect(small) as sock:
        if after_a_request:  # the next head on a kept-alive connection is timed too
            sock.sendall(request(small, "GET", "/me"))
            assert read_one(sock).startswith(b"HTTP/1.1 200")
        started = time.monotonic()
        sock.sendall(b"GET /me HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        assert_serving(small)
        assert trickle(sock, b"a", started + 3 * HEAD_TIMEOUT), "never cut off"
        assert_refused(sock, 408, "request_timeout")


def test_idle_connections_are_closed(small: Target) -> None:
    fresh = [connect(small) for _ in range(40)]
    used = [connect(small) for _ in range(10)]
    try:
        for sock in used:
            sock.sendall(request(small, "GET", "/me"))
            assert read_one(sock).startswith(b"HTTP/1.1 200")
        assert_serving(small)
        # Never sent anything: closed silently by the header timeout.
        for sock in fresh:
            assert read_close(sock, 3 * HEAD_TIMEOUT) == (b"", True)
        # Idle after a response: closed by the keep-alive timeout.
        for sock in used:
            assert read_close(sock, 3 * KEEP_ALIVE) == (b"", True)
        assert_serving(small)
    finally:
        for sock in fresh + used:
            sock.close()


def test_body_trickle_is_cut_off(small: Target) -> None:
    head = request(small, "POST", "/tickets/search", "Content-Length: 1000")
    with connect(small) as sock:
        started = time.monotonic()
        sock.sendall(head + b"{")
        assert_serving(small)
        assert trickle(sock, b" ", started + 3 * BODY_TIMEOUT), "never cut off"
        assert_refused(sock, 408, "request_timeout")


def test_body_trickle_after_an_early_answer_is_closed(small: Target) -> None:
    # No token: the app answers 401 without reading the body; the server then discards
    # the rest of the body as it arrives, but not forever.
    head = request(small, "POST", "/tickets/search", "Content-Length: 60000", auth=False)
    with connect(small) as sock:
        started = time.monotonic()
        sock.sendall(head + b"{")
        assert read_one(sock).startswith(b"HTTP/1.1 401")
        assert trickle(sock, b" ", started + 3 * BODY_TIMEOUT), "never cut off"
        assert read_close(sock, BODY_TIMEOUT)[1]


def test_access_log_has_no_query_string(served: tuple[Target, Path]) -> None:
    target, log = served
    with connect(target) as sock:
        sock.sendall(request(target, "GET", "/me?access_token=s3cret-in-url", "Connection: close"))
        resp, _ = read_response(sock, 10)
    assert resp.status_code == 200
    deadline = time.monotonic() + 5
    while '"GET /me HTTP/1.1" 200' not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    served_log = log.read_text().split("Uvicorn running", 1)[1]  # after the startup banner
    assert '"GET /me HTTP/1.1" 200' in served_log
    assert "s3cret" not in served_log
    assert target.token not in served_log
