"""Request payloads of the control API."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StrictInt

from ticketry.kit.wire import Payload, UnixTime

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")


def _method(value: str) -> str:
    upper = value.strip().upper()
    if upper not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}")
    return upper


def _path(value: str) -> str:
    if not value.startswith("/"):
        raise ValueError("path must start with / (a glob such as /tickets/*)")
    if value.startswith("/ticketry/") or value == "/ticketry":
        raise ValueError("the control API cannot be faulted")
    return value


class CreateFault(Payload):
    method: Annotated[str, Field(max_length=16), AfterValidator(_method)] | None = None
    path: Annotated[str, Field(min_length=1, max_length=1024), AfterValidator(_path)]
    # None: a slow answer only (latency_ms), after which the request runs.
    status: Annotated[StrictInt, Field(ge=400, le=599)] | None = None
    times: Annotated[StrictInt, Field(ge=1, le=1_000_000)] = 1
    latency_ms: Annotated[StrictInt, Field(ge=0, le=60_000)] = 0
    retry_after: Annotated[StrictInt, Field(ge=0, le=86_400)] | None = None


class CreateSnapshot(Payload):
    name: Annotated[str, Field(max_length=255)] | None = None


class CreateWorkspace(Payload):
    name: Annotated[str, Field(min_length=1, max_length=255)] = "Test workspace"
    default_version: Annotated[str, Field(max_length=16)] | None = None


class SetClock(Payload):
    """Exactly one of `now` (UNIX seconds) and `advance` (seconds forward)."""

    now: UnixTime | None = None
    advance: Annotated[StrictInt, Field(ge=0, le=100 * 365 * 86_400)] | None = None
