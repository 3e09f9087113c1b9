"""Identifiers and clocks: Intercom-looking hex ids, workspace codes, secrets, UNIX time."""

from __future__ import annotations

import os
import secrets
import string
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_ALNUM = string.ascii_lowercase + string.digits


MAX_ID_DIGITS = 18  # every id fits a signed 64-bit column


def is_digits(value: str) -> bool:
    """ASCII digits only: `str.isdigit` also accepts superscripts and Arabic-Indic digits (which int() reads)."""
    return value.isascii() and value.isdigit()


def parse_id(value: object) -> int | None:
    """A numeric id from a path or body (str or int); None when it cannot be one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value < 10**MAX_ID_DIGITS else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not is_digits(text) or len(text) > MAX_ID_DIGITS:
        return None
    return int(text)


# A workspace's frozen clock (the test kit's `PUT /ticketry/clock`), set for the requests of
# that workspace only; None, the default, is real time, at the cost of one lookup.
FROZEN: ContextVar[int | None] = ContextVar("ticketry_frozen_now", default=None)


def now() -> int:
    frozen = FROZEN.get()
    return int(time.time()) if frozen is None else frozen


def real_now() -> int:
    """The server's own time, whatever the workspace's clock: for schedules the background
    workers keep (a job's `run_after`, a delivery's `next_attempt_at`)."""
    return int(time.time())


def on_this_clock(fn: Callable[..., T]) -> Callable[..., T]:
    """`fn`, to run on another thread (a reader, the writer) with the caller's frozen clock;
    `fn` itself when the caller runs on real time."""
    frozen = FROZEN.get()
    if frozen is None:
        return fn

    def on_clock(*args: Any) -> T:
        token = FROZEN.set(frozen)
        try:
            return fn(*args)
        finally:
            FROZEN.reset(token)

    return on_clock


def hex_id() -> str:
    """24 hex digits, time first (like Intercom's contact and company ids), so they sort
    roughly by creation."""
    return f"{int(time.time()):08x}{os.urandom(8).hex()}"


def workspace_code() -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(8))


def url_token(nbytes: int = 16) -> str:
    return secrets.token_urlsafe(nbytes)
