"""Request payloads of the Subscriptions API (Intercom's legacy shape)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field

from ticketry.kit.wire import Payload
from ticketry.webhooks import topics

MAX_URL = 2048


def _url(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("url must be an http or https URL")
    return value.strip()


def _topics(value: list[str]) -> list[str]:
    unknown = [t for t in value if t not in topics.KNOWN]
    if unknown:
        raise ValueError(f"unknown topic {unknown[0]!r}")
    return list(dict.fromkeys(value))  # duplicates dropped, order kept


Url = Annotated[str, Field(max_length=MAX_URL), AfterValidator(_url)]
Topics = Annotated[list[str], Field(max_length=100), AfterValidator(_topics)]
Secret = Annotated[str, Field(max_length=255)]


class CreateSubscription(Payload):
    service_type: str = "web"
    url: Url
    topics: Topics = Field(default_factory=list)
    hub_secret: Secret | None = None
    api_version: str | None = None


class UpdateSubscription(Payload):
    url: Url | None = None
    topics: Topics | None = None
    hub_secret: Secret | None = None
    active: bool | None = None
