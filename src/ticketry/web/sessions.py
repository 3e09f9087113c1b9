"""Browser sessions: a random id in a signed, HttpOnly, SameSite=Lax cookie, stored hashed.

The cookie is `<id>.<signature>`: the signature (HMAC-SHA256 with a key derived from the
workspace's identity secret) lets the server refuse a forged or altered cookie, and the
stored row (only the id's sha256) lets sign-out and expiry end a session at once, which a
cookie that carries its own claims cannot do. Each session has its CSRF token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, insert, select, update

from ticketry.db.database import Conn
from ticketry.db.sql import Q
from ticketry.kit import ids
from ticketry.tables import web_sessions, workspaces

ADMIN_COOKIE = "tkt_inbox"
CONTACT_COOKIE = "tkt_portal"


@dataclass(frozen=True, slots=True)
class Session:
    workspace_id: int
    kind: str  # admin | contact
    subject_id: str
    csrf_token: str
    expires_at: int


def identity_secret(conn: Conn, workspace_id: int) -> str:
    """The workspace's identity-verification secret, made on first use."""
    found = conn.scalar(select(workspaces.c.identity_secret).where(workspaces.c.id == workspace_id))
    if found:
        return str(found)
    secret = secrets.token_hex(32)
    conn.execute(
        update(workspaces).where(workspaces.c.id == workspace_id).values(identity_secret=secret)
    )
    return secret


def _signature(secret: str, session_id: str) -> str:
    key = hashlib.sha256(b"ticketry session key\x00" + secret.encode()).digest()
    return hmac.new(key, session_id.encode(), hashlib.sha256).hexdigest()


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def start(conn: Conn, workspace_id: int, kind: str, subject_id: str, seconds: float) -> str:
    """A new session; the cookie value (shown to the browser only)."""
    session_id = secrets.token_urlsafe(32)
    now = ids.now()
    conn.execute(
        insert(web_sessions).values(
            id_hash=_hash(session_id),
            workspace_id=workspace_id,
            kind=kind,
            subject_id=subject_id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + max(1, int(seconds)),
        )
    )
    # Expired sessions of the workspace go when a new one starts: the table stays small.
    conn.execute(
        delete(web_sessions).where(
            web_sessions.c.workspace_id == workspace_id, web_sessions.c.expires_at <= now
        )
    )
    return f"{session_id}.{_signature(identity_secret(conn, workspace_id), session_id)}"


_LOOKUP = Q(
    select(web_sessions, workspaces.c.identity_secret)
    .join(workspaces, workspaces.c.id == web_sessions.c.workspace_id)
    .where(web_sessions.c.id_hash == bindparam("h"))
)


def lookup(conn: Conn, cookie: str, kind: str) -> Session | None:
    """The live session a cookie names, or None (unknown, forged, expired, other kind)."""
    session_id, _, signature = cookie.partition(".")
    if not session_id or len(cookie) > 200:
        return None
    row = conn.one(_LOOKUP, {"h": _hash(session_id)})
    if row is None or row["kind"] != kind or row["expires_at"] <= ids.now():
        return None
    if not hmac.compare_digest(signature, _signature(row["identity_secret"] or "", session_id)):
        return None
    return Session(
        row["workspace_id"], kind, row["subject_id"], row["csrf_token"], row["expires_at"]
    )


def end(conn: Conn, cookie: str) -> None:
    session_id = cookie.partition(".")[0]
    conn.execute(delete(web_sessions).where(web_sessions.c.id_hash == _hash(session_id)))
