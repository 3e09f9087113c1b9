"""Typed settings read from the environment; nothing here connects to anything."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_DATABASE_URL = "sqlite:///ticketry.db"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    # Base URL used in links the API hands out (attachment and job URLs).
    public_url: str | None = None
    # PostgreSQL connection pool size per process.
    pool_size: int = 10
    # SQLite `synchronous` pragma: FULL makes every commit survive power loss; NORMAL
    # (WAL) survives a crash of the process but may lose the last commits on power loss.
    sqlite_synchronous: str = "FULL"
    # How long a process trusts a token it has already checked. A revoked token keeps
    # working in a running server for at most this long; 0 checks on every request.
    auth_cache_seconds: float = 10.0

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
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
