"""Identifiers and clocks: Intercom-looking hex ids, workspace codes, secrets, UNIX time."""

from __future__ import annotations

import os
import secrets
import string
import time

_ALNUM = string.ascii_lowercase + string.digits


def now() -> int:
    return int(time.time())


def hex_id() -> str:
    """24 hex digits, time first (like Intercom's contact and company ids), so they sort
    roughly by creation."""
    return f"{int(time.time()):08x}{os.urandom(8).hex()}"


def workspace_code() -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(8))


def url_token(nbytes: int = 16) -> str:
    return secrets.token_urlsafe(nbytes)
