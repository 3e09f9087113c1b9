"""Opaque cursors for `starting_after`: a keyset position, never an offset."""

from __future__ import annotations

import base64
from typing import Any

import orjson

from ticketry.errors import ParameterInvalid


def encode(position: list[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(position)).decode().rstrip("=")


def decode(cursor: str, arity: int, field: str = "starting_after") -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = orjson.loads(raw)
    except (ValueError, orjson.JSONDecodeError):
        position = None
    if not isinstance(position, list) or len(position) != arity:
        raise ParameterInvalid(f"{field} is not a cursor this server handed out", field=field)
    return position
