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

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        env = os.environ
        values: dict[str, object] = {
            "database_url": env.get("TICKETRY_DATABASE_URL", DEFAULT_DATABASE_URL),
            "public_url": env.get("TICKETRY_PUBLIC_URL") or None,
            "pool_size": int(env.get("TICKETRY_POOL_SIZE", "10")),
            "sqlite_synchronous": env.get("TICKETRY_SQLITE_SYNCHRONOUS", "FULL").upper(),
            "auth_cache_seconds": float(env.get("TICKETRY_AUTH_CACHE_SECONDS", "10")),
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
