"""Builders for ticket tests: ticket types with attributes, contacts, tickets, over HTTP."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api


def make_type(api: Api, name: str = "Bug", category: str = "Customer", **extra: Any) -> dict:
    resp = api.post(
        "/ticket_types",
        json={"name": name, "description": f"{name} reports", "category": category, **extra},
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


def add_attribute(api: Api, type_id: str, name: str, data_type: str, **extra: Any) -> dict:
    resp = api.post(
        f"/ticket_types/{type_id}/attributes",
        json={"name": name, "description": f"{name} field", "data_type": data_type, **extra},
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


def make_contact(api: Api, email: str | None = None, **extra: Any) -> dict:
    body: dict[str, Any] = {"role": "user", **extra}
    if email:
        body["email"] = email
    resp = api.post("/contacts", json=body)
    assert resp.status_code == 200, resp.text
    return resp.json()


def make_ticket(
    api: Api, type_id: str, contact_id: str, version: str | None = None, **extra: Any
) -> dict:
    resp = api.post(
        "/tickets",
        json={"ticket_type_id": type_id, "contacts": [{"id": contact_id}], **extra},
        version=version,
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


def part_types(ticket: dict) -> list[str]:
    return [p["part_type"] for p in ticket["ticket_parts"]["ticket_parts"]]
