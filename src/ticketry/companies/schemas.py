"""The `POST /companies` payload: create-or-update keyed by the customer's `company_id`."""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field

from ticketry.contacts.schemas import ExternalId, PlainText, Timestamp, UrlText, check_json
from ticketry.kit.wire import Payload

MAX_INT32 = 2**31 - 1  # Intercom's documented ceiling for monthly_spend


def _truncate(value: Any) -> Any:
    # "this will truncate floats, i.e. it only allows whole integers, 155.98 becomes 155"
    if isinstance(value, float) and math.isfinite(value):
        return math.trunc(value)
    return value


def _strings(value: dict[str, Any]) -> dict[str, Any]:
    # The schema (request and response, 2.9-2.16) types company custom attribute values as
    # strings; null removes an attribute on update.
    for key, item in value.items():
        if item is not None and not isinstance(item, str):
            raise ValueError(f"{key} must be a string (or null to remove it)")
    check_json(value)
    return value


MonthlySpend = Annotated[int, BeforeValidator(_truncate), Field(ge=0, le=MAX_INT32)]
Size = Annotated[int, Field(ge=0, le=MAX_INT32)]
CompanyAttributes = Annotated[dict[str, Any], AfterValidator(_strings)]


class CompanyWrite(Payload):
    """Unknown keys are kept (extra="allow") so the route can refuse them by name, as
    Intercom does for this endpoint ("bad 'test' parameter")."""

    model_config = ConfigDict(extra="allow")

    name: PlainText | None = None
    company_id: ExternalId | None = None
    plan: PlainText | None = None
    size: Size | None = None
    website: UrlText | None = None
    industry: PlainText | None = None
    custom_attributes: CompanyAttributes | None = None
    remote_created_at: Timestamp | None = None
    monthly_spend: MonthlySpend | None = None
