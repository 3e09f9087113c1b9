"""Typed settings read from the environment; nothing here connects to anything."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TypeVar

DEFAULT_DATABASE_URL = "sqlite:///ticketry.db"
KIB = 1024
MIB = 1024 * KIB
# Intercom's largest request is a reply with 10 attachment files of up to 10 MB each, sent
# base64 (4 bytes per 3) inside JSON: 10 * 13,981,016 bytes = 133.3 MiB, plus the rest.
DEFAULT_MAX_BODY_BYTES = 144 * MIB
N = TypeVar("N", int, float)
# 1 min, 5 min, 30 min, 2 h, 6 h, 12 h: the last retry about a day after the first attempt.
DEFAULT_WEBHOOK_RETRY_DELAYS = (60.0, 300.0, 1800.0, 7200.0, 21600.0, 43200.0)


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    # Base URL used in links the API hands out (attachment URLs).
    public_url: str | None = None
    # PostgreSQL connection pool size per process.
    pool_size: int = 10
    # SQLite `synchronous` pragma: FULL makes every commit survive power loss; NORMAL
    # (WAL) survives a crash of the process but may lose the last commits on power loss.
    sqlite_synchronous: str = "FULL"
    # How long a process trusts a token it has already checked. A revoked token keeps
    # working in a running server for at most this long; 0 checks on every request.
    auth_cache_seconds: float = 10.0
    # SQLite reader threads per process: reads run there, never on the event loop.
    sqlite_readers: int = 4
    # What one HTTP client may make the server hold (kit/server.py, kit/limits.py): the
    # request line plus headers, the URL alone, the body, and how long the headers and then
    # the body may take to arrive.
    max_header_bytes: int = 64 * KIB
    max_url_bytes: int = 16 * KIB
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    header_timeout_seconds: float = 10.0
    body_timeout_seconds: float = 300.0
    # Webhooks: seconds between a failed delivery and each retry (then it is failed), and
    # how often the worker looks for new events and due retries.
    webhook_retry_delays: tuple[float, ...] = DEFAULT_WEBHOOK_RETRY_DELAYS
    webhook_poll_seconds: float = 0.5
    # How long a claimed notification is left to its sender before another may send it
    # again (a sender that died mid-send); longer than the 5 s send timeout.
    webhook_lease_seconds: float = 30.0
    # Delivered and failed notifications older than this leave the delivery log.
    webhook_retention_days: float = 30.0
    # The test kit (control/): the /ticketry/ control API, injected faults and the request
    # log. Off in production: a token that can reset its workspace is a test-only power.
    test_kit: bool = False
    # The first admin's token on an empty database, so CI can use a server without parsing
    # its output; with the test kit on, it may also create workspaces (POST
    # /ticketry/workspaces). Never logged.
    bootstrap_token: str | None = None
    # Requests kept per workspace in the test kit's request log.
    request_log_size: int = 1000
    # How long a browser session (inbox or portal) lasts after signing in.
    session_seconds: float = 43200.0
    # How often a thread holding the GIL is asked to let another run (Python's default is
    # 5 ms). A search's Python work on a reader thread made a point read on the event loop
    # wait up to this long after each of its queries: with 1 ms, GET /tickets/{id} p99
    # while the heaviest search runs measured 12.7 ms on SQLite instead of 28.8 (bench/).
    gil_switch_ms: float = 1.0

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        env = os.environ
        values: dict[str, object] = {
            "database_url": env.get("TICKETRY_DATABASE_URL", DEFAULT_DATABASE_URL),
            "public_url": env.get("TICKETRY_PUBLIC_URL") or None,
            "pool_size": int(env.get("TICKETRY_POOL_SIZE", "10")),
            "sqlite_synchronous": env.get("TICKETRY_SQLITE_SYNCHRONOUS", "FULL").upper(),
            "auth_cache_seconds": float(env.get("TICKETRY_AUTH_CACHE_SECONDS", "10")),
            "webhook_retry_delays": _delays(env.get("TICKETRY_WEBHOOK_RETRY_DELAYS")),
            "test_kit": env.get("TICKETRY_TEST_KIT", "").lower() in ("1", "true", "yes", "on"),
            "bootstrap_token": env.get("TICKETRY_BOOTSTRAP_TOKEN") or None,
        }
        for field, (name, lo, hi) in _LIMITS.items():
            values[field] = _bounded(name, getattr(cls, field), lo, hi)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]


# The environment variable of each limit and the values it accepts.
_LIMITS: dict[str, tuple[str, float, float]] = {
    "sqlite_readers": ("TICKETRY_SQLITE_READERS", 1, 64),
    "max_header_bytes": ("TICKETRY_MAX_HEADER_BYTES", KIB, 16 * MIB),
    "max_url_bytes": ("TICKETRY_MAX_URL_BYTES", 256, 16 * MIB),
    "max_body_bytes": ("TICKETRY_MAX_BODY_BYTES", KIB, 4096 * MIB),
    "header_timeout_seconds": ("TICKETRY_HEADER_TIMEOUT_SECONDS", 0.1, 3600),
    "body_timeout_seconds": ("TICKETRY_BODY_TIMEOUT_SECONDS", 1, 86400),
    "webhook_poll_seconds": ("TICKETRY_WEBHOOK_POLL_SECONDS", 0.01, 60),
    "webhook_retention_days": ("TICKETRY_WEBHOOK_RETENTION_DAYS", 0.01, 3650),
    "webhook_lease_seconds": ("TICKETRY_WEBHOOK_LEASE_SECONDS", 6, 86400),
    "request_log_size": ("TICKETRY_REQUEST_LOG_SIZE", 1, 1_000_000),
    "session_seconds": ("TICKETRY_SESSION_SECONDS", 1, 30 * 86400),
    "gil_switch_ms": ("TICKETRY_GIL_SWITCH_MS", 0.1, 100),
}


def _bounded(name: str, default: N, lo: float, hi: float) -> N:
    """A number from the environment, refused when it is absurd (a limit of 0, a timeout of
    a year) rather than letting the server start unable to answer or unable to protect."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = type(default)(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number") from None
    if not lo <= value <= hi:  # also refuses nan
        raise ValueError(f"{name}={raw} is out of range: allowed {lo} to {hi}")
    return value


def _delays(raw: str | None) -> tuple[float, ...]:
    """`TICKETRY_WEBHOOK_RETRY_DELAYS`: comma-separated seconds; empty means no retries."""
    if raw is None:
        return DEFAULT_WEBHOOK_RETRY_DELAYS
    try:
        delays = tuple(float(x) for x in raw.split(",") if x.strip())
    except ValueError:
        raise ValueError(
            f"TICKETRY_WEBHOOK_RETRY_DELAYS={raw!r} is not a list of seconds"
        ) from None
    if any(not 0 <= d <= 7 * 86400 for d in delays):
        raise ValueError(f"TICKETRY_WEBHOOK_RETRY_DELAYS={raw} has a delay outside 0 to 7 days")
    return delays
