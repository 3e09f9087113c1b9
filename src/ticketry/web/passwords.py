"""Admin passwords, hashed with scrypt (memory-hard, in the standard library).

n=2**15, r=8 takes 32 MiB and about 0.1 s per check: cheap for one sign-in, expensive for
guessing at scale. Parameters are stored with each hash so they can grow later.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

N, R, P = 2**15, 8, 1
MIN_LENGTH = 8
MAX_LENGTH = 1024


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode(), salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024, dklen=32
    )


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise ValueError(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise ValueError(f"a password has at most {MAX_LENGTH} characters")


def hash_password(password: str) -> str:
    check_strength(password)
    salt = secrets.token_bytes(16)
    return f"scrypt${N}${R}${P}${_b64(salt)}${_b64(_derive(password, salt, N, R, P))}"


# Checked against when the email is unknown, so both answers take the same time.
_DUMMY = f"scrypt${N}${R}${P}${_b64(b'0' * 16)}${_b64(b'0' * 32)}"


def verify(password: str, stored: str | None) -> bool:
    """Whether `password` matches `stored` (None: no password set, never matches). Always
    costs one scrypt, so a missing account cannot be told from a wrong password by time."""
    try:
        scheme, n, r, p, salt, digest = (stored or _DUMMY).split("$")
        if scheme != "scrypt" or len(password) > MAX_LENGTH:
            return False
        derived = _derive(password, base64.b64decode(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return stored is not None and hmac.compare_digest(derived, base64.b64decode(digest))
