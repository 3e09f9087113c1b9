"""Contact request payloads (`POST /contacts`, `PUT /contacts/{id}`) and the value checks
they share with companies and tags: text PostgreSQL can store, JSON orjson can write."""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field

from ticketry.kit import ids
from ticketry.kit.wire import MAX_TIMESTAMP, IdStr, Payload

MAX_KEY = 255
MAX_NAME = 255  # names, phone numbers, plans: one line of text
MAX_URL = 2048
_INT64 = 2**63
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")


def _plain(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refuse it here rather than fail at the driver.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _short(value: str) -> str:
    if len(value) > MAX_NAME:
        raise ValueError(f"must be at most {MAX_NAME} characters")
    return _plain(value)


def _url(value: str) -> str:
    if len(value) > MAX_URL:
        raise ValueError(f"must be at most {MAX_URL} characters")
    return _plain(value)


def _nonblank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return _plain(value)


def _key(value: str) -> str:
    # external_id and company_id are unique-indexed: keep them well inside an index entry
    if len(value) > MAX_KEY:
        raise ValueError(f"must be at most {MAX_KEY} characters")
    return _nonblank(value)


def email_address(value: str) -> str:
    """The address, trimmed; ValueError unless it is one (exactly one @, no spaces, NUL)."""
    value = value.strip()
    if not _EMAIL.fullmatch(value) or len(value) > 255 or "\x00" in value:
        raise ValueError(f"'{value}' is not an email address")
    return value


def check_json(value: Any, path: str = "") -> None:
    """Refuse what cannot round-trip through orjson and PostgreSQL's jsonb: NUL in text,
    integers beyond 64 bits, non-finite numbers."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError(f"{path or 'value'} must not contain NUL characters")
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if not -_INT64 <= value < _INT64:
            raise ValueError(f"{path or 'value'} is out of the 64-bit integer range")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{path or 'value'} must be a finite number")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            check_json(item, f"{path}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            _plain(key)
            check_json(item, f"{path}.{key}" if path else key)


def _attributes(value: dict[str, Any]) -> dict[str, Any]:
    check_json(value)
    return value


def _owner(value: Any) -> Any:
    # typed integer up to 2.15, string from 2.16: take both
    if isinstance(value, str) and (found := ids.parse_id(value)) is not None:
        return found
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < _INT64:
        return value
    raise ValueError("must be the id of an admin")


PlainText = Annotated[str, AfterValidator(_short)]
UrlText = Annotated[str, AfterValidator(_url)]
NonBlank = Annotated[str, AfterValidator(_nonblank)]
Email = Annotated[str, AfterValidator(email_address)]
ExternalId = Annotated[IdStr, AfterValidator(_key)]
Timestamp = Annotated[int, Field(ge=0, le=MAX_TIMESTAMP)]
OwnerId = Annotated[int, BeforeValidator(_owner)]
CustomAttributes = Annotated[dict[str, Any], AfterValidator(_attributes)]


class ContactWrite(Payload):
    """The writable contact fields; create and update take the same keys (2.9-2.16)."""

    role: Literal["user", "lead"] | None = None
    external_id: ExternalId | None = None
    email: Email | None = None
    phone: PlainText | None = None
    name: PlainText | None = None
    avatar: UrlText | None = None
    signed_up_at: Timestamp | None = None
    last_seen_at: Timestamp | None = None
    owner_id: OwnerId | None = None
    unsubscribed_from_emails: bool | None = None
    custom_attributes: CustomAttributes | None = None


class ContactCreate(ContactWrite):
    """`POST /contacts`: at least one of email, external_id or role (the spec's anyOf)."""


class ContactUpdate(ContactWrite):
    """`PUT /contacts/{id}`: only the keys sent change; null clears a field."""


class AttachCompany(Payload):
    """`POST /contacts/{id}/companies`: the Intercom id of the company."""

    id: IdStr | None = None
