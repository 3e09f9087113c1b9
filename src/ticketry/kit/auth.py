"""Bearer tokens: generated once, stored only as a sha256 hash, resolved per request."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import bindparam, select

from ticketry.db.database import Conn
from ticketry.db.sql import Q
from ticketry.tables import access_tokens, workspaces

TOKEN_PREFIX = "tkt_"


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


CHOSEN_TOKEN_MIN = 16
CHOSEN_TOKEN_MAX = 512


def check_chosen_token(token: str) -> None:
    """A token an operator chose (the bootstrap token) must be long enough to guess at no
    better than a random one's odds, and fit in an Authorization header as is."""
    if not CHOSEN_TOKEN_MIN <= len(token) <= CHOSEN_TOKEN_MAX:
        raise ValueError(
            f"the bootstrap token must be {CHOSEN_TOKEN_MIN} to {CHOSEN_TOKEN_MAX} characters long"
        )
    if not token.isascii() or not token.isprintable() or " " in token:
        raise ValueError("the bootstrap token must be printable ASCII without spaces")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the token's workspace and admin."""

    workspace_id: int
    admin_id: int
    default_version: str


_LOOKUP = Q(
    select(access_tokens.c.workspace_id, access_tokens.c.admin_id, workspaces.c.default_version)
    .join(workspaces, workspaces.c.id == access_tokens.c.workspace_id)
    .where(access_tokens.c.token_hash == bindparam("h"), access_tokens.c.revoked_at.is_(None))
)


def lookup(conn: Conn, digest: str) -> Principal | None:
    """The principal of a token, by the token's hash."""
    row = conn.one(_LOOKUP, {"h": digest})
    if row is None:
        return None
    return Principal(row["workspace_id"], row["admin_id"], row["default_version"])


def bearer(header: str | None) -> str | None:
    """The token in an `Authorization: Bearer <token>` header."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token


class TokenCache:
    """Tokens this process has already resolved, by hash, for `ttl` seconds.

    Only successful lookups are kept (a wrong token costs a query every time), and the
    cache is bounded: when full it is simply emptied.
    """

    MAX_ENTRIES = 10_000

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._entries: dict[str, tuple[float, Principal]] = {}

    def get(self, token: str) -> tuple[str, Principal | None]:
        """The token's hash and, when fresh in the cache, its principal."""
        digest = token_hash(token)
        found = self._entries.get(digest)
        if found is not None and found[0] > time.monotonic():
            return digest, found[1]
        return digest, None

    def put(self, digest: str, principal: Principal) -> None:
        if self.ttl <= 0:
            return
        if len(self._entries) >= self.MAX_ENTRIES:
            self._entries.clear()
        self._entries[digest] = (time.monotonic() + self.ttl, principal)
