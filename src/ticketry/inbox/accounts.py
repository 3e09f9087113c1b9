"""Admin sign-in: passwords, and the lockout after repeated failures.

After `MAX_FAILURES` wrong passwords in a row an admin is locked out for `LOCK_SECONDS`,
even with the right password; a successful sign-in resets the count. The scrypt check runs
on a worker thread between a read and a write, never inside a database transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update

from ticketry.db.database import Conn, Row
from ticketry.errors import NotFound
from ticketry.kit import ids
from ticketry.tables import admins
from ticketry.web import passwords

MAX_FAILURES = 5
LOCK_SECONDS = 15 * 60


def set_password(conn: Conn, workspace_id: int, admin_id: int, password_hash: str) -> None:
    """Store a new password hash (made with `passwords.hash_password`) and lift a lockout."""
    done = conn.execute(
        update(admins)
        .where(admins.c.workspace_id == workspace_id, admins.c.id == admin_id)
        .values(password_hash=password_hash, failed_sign_ins=0, locked_until=None)
    )
    if not done:
        raise NotFound(f"Admin {admin_id} not found", code="admin_not_found")


def candidates(conn: Conn, email: str) -> list[Row]:
    """The admins with this email, in any workspace (the sign-in form names none)."""
    return conn.all(
        select(admins)
        .where(func.lower(admins.c.email) == email.strip().lower())
        .order_by(admins.c.id)
    )


@dataclass(frozen=True, slots=True)
class Outcome:
    admin: Row | None  # signed in as
    locked_until: int | None  # refused: locked out until then


def record(conn: Conn, admin_id: int, ok: bool) -> Outcome:
    """Count a sign-in attempt on the admin (re-read under the write), and decide."""
    row = conn.one(select(admins).where(admins.c.id == admin_id))
    if row is None:
        return Outcome(None, None)
    now = ids.now()
    if row["locked_until"] is not None and row["locked_until"] > now:
        return Outcome(None, row["locked_until"])
    if ok:
        conn.execute(
            update(admins)
            .where(admins.c.id == admin_id)
            .values(failed_sign_ins=0, locked_until=None)
        )
        return Outcome(row, None)
    failures = row["failed_sign_ins"] + 1
    locked = now + LOCK_SECONDS if failures >= MAX_FAILURES else None
    conn.execute(
        update(admins)
        .where(admins.c.id == admin_id)
        .values(failed_sign_ins=0 if locked else failures, locked_until=locked)
    )
    return Outcome(None, locked)


def check(password: str, rows: list[Row]) -> Row | None:
    """The admin whose password this is (CPU-heavy: call off the event loop)."""
    if not rows:
        passwords.verify(password, None)
        return None
    for row in rows:
        if passwords.verify(password, row["password_hash"]):
            return row
    return None
