"""Contacts on the wire (`contact`, `contact_list`, `contact_deleted`, `contact_reference`),
per Intercom-Version.

Every key of the version's `contact` schema is present, with the values the spec's
recorded examples show for what we do not track (null device data, empty sub-lists).
"""

from __future__ import annotations

from typing import Any

import orjson

from ticketry.contacts.queries import SHOWN_COMPANIES
from ticketry.db.database import Row
from ticketry.kit.versions import PREVIEW, V2_11, V2_12, V2_16, Version
from ticketry.search.paging import Page

_UNTRACKED = (
    "last_replied_at",
    "last_contacted_at",
    "last_email_opened_at",
    "last_email_clicked_at",
    "language_override",
    "browser",
    "browser_version",
    "browser_language",
    "os",
)
_DEVICES = (
    "android_app_name",
    "android_app_version",
    "android_device",
    "android_os_version",
    "android_sdk_version",
    "android_last_seen_at",
    "ios_app_name",
    "ios_app_version",
    "ios_device",
    "ios_os_version",
    "ios_sdk_version",
    "ios_last_seen_at",
)
_UTM = ("utm_campaign", "utm_content", "utm_medium", "utm_source", "utm_term", "referrer")


def contact_reference(row: Row) -> dict[str, Any]:
    return {"type": "contact", "id": row["id"], "external_id": row["external_id"]}


def contact_deleted(row: Row) -> dict[str, Any]:
    return {**contact_reference(row), "deleted": True}


def _sublist(contact_id: str, name: str, data: list[Any], total: int) -> dict[str, Any]:
    return {
        "type": "list",
        "data": data,
        "url": f"/contacts/{contact_id}/{name}",
        "total_count": total,
        "has_more": total > len(data),
    }


def contact(
    row: Row, company_ids: list[str], workspace_code: str, version: Version
) -> dict[str, Any]:
    cid = row["id"]
    email = row["email"]
    owner_id = row["owner_id"]
    out: dict[str, Any] = {
        "type": "contact",
        "id": cid,
        "workspace_id": workspace_code,
        "external_id": row["external_id"],
        "role": row["role"],
        # The schema types email and email_domain as non-null strings: "" when unknown.
        "email": email or "",
        "email_domain": email.rpartition("@")[2] if email else "",
        "phone": row["phone"],
    }
    if version in (V2_11, PREVIEW):
        out["formatted_phone"] = row["phone"]  # only the 2.11 and Preview schemas have it
    out.update(
        {
            "name": row["name"],
            "avatar": {"type": "avatar", "image_url": row["avatar"]} if row["avatar"] else None,
            # an integer until 2.15, a string from 2.16
            "owner_id": (str(owner_id) if version >= V2_16 else owner_id)
            if owner_id is not None
            else None,
            "social_profiles": {"type": "list", "data": []},
            "has_hard_bounced": False,
            "marked_email_as_spam": False,
            "unsubscribed_from_emails": bool(row["unsubscribed_from_emails"]),
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
            "signed_up_at": row["signed_up_at"],
            "last_seen_at": row["last_seen_at"],
        }
    )
    out.update(dict.fromkeys(_UNTRACKED))
    out["location"] = {
        "type": "location",
        "country": None,
        "region": None,
        "city": None,
        "country_code": None,
        "continent_code": None,
    }
    out.update(dict.fromkeys(_DEVICES))
    shown = [
        {"type": "company", "id": company_id, "url": f"/companies/{company_id}"}
        for company_id in company_ids[:SHOWN_COMPANIES]
    ]
    out.update(
        {
            "custom_attributes": orjson.loads(row["custom_attributes"] or "{}"),
            "tags": _sublist(cid, "tags", [], 0),
            "notes": _sublist(cid, "notes", [], 0),
            "companies": _sublist(cid, "companies", shown, len(company_ids)),
            "opted_out_subscription_types": _sublist(cid, "subscriptions", [], 0),
            "opted_in_subscription_types": _sublist(cid, "subscriptions", [], 0),
        }
    )
    out.update(dict.fromkeys(_UTM))
    if version >= V2_12:
        out["enabled_push_messaging"] = None  # in the recorded examples from 2.12 on
    return out


def contact_list(
    page: Page, companies: dict[str, list[str]], workspace_code: str, version: Version
) -> dict[str, Any]:
    return {
        "type": "list",
        "data": [
            contact(r, companies.get(r["id"], []), workspace_code, version) for r in page.rows
        ],
        "total_count": page.total_count,
        "pages": page.pages(),
    }
