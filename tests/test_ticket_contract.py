"""Every ticket-surface response, in every version that has it, checked against that
version's published schema.

The `api` client validates each response it receives (tests/contract.py); this test makes
sure each kind of ticket response is actually produced in each version, so a version whose
shapes drift cannot pass unnoticed. It fails (never skips) under CI when the spec files are
missing.
"""

from __future__ import annotations

import base64
import time

import pytest

from tests import contract
from tests.conftest import Api, Server, Workspace
from tests.ticket_fixtures import make_contact
from ticketry.ticket_states import service as state_service
from ticketry.workspaces import service as ws_service

VERSIONS = ["2.9", "2.10", "2.11", "2.12", "2.13", "2.14", "2.15", "2.16", "Preview"]


def ok(resp) -> dict:  # type: ignore[no-untyped-def]
    assert resp.status_code == 200, resp.text
    return resp.json() if resp.content.strip() else {}


@pytest.mark.parametrize("version", VERSIONS)
def test_every_ticket_response_matches_its_version(
    api: Api, server: Server, workspace: Workspace, version: str
) -> None:
    contract.require()
    v = version
    checked: set[tuple[str, str, int]] = set()
    start = len(contract.LOG)

    team = server.tx(lambda c: ws_service.create_team(c, workspace.id, "Desk", []))
    mate = server.tx(lambda c: ws_service.create_admin(c, workspace.id, "Lu", "lu@example.com"))
    ticket_type = ok(
        api.post(
            "/ticket_types", json={"name": "Issue", "description": "d", "icon": "🐛"}, version=v
        )
    )
    type_id = ticket_type["id"]
    ok(api.get("/ticket_types", version=v))
    ok(api.get(f"/ticket_types/{type_id}", version=v))
    ok(api.put(f"/ticket_types/{type_id}", json={"description": "updated"}, version=v))
    for name, data_type, extra in [
        ("Area", "list", {"list_items": "Web,Mobile"}),
        ("Count", "integer", {}),
        ("Ratio", "decimal", {}),
        ("Urgent", "boolean", {}),
        ("Due", "datetime", {}),
        ("Notes", "string", {"multiline": True}),
        ("Logs", "files", {}),
    ]:
        attr = ok(
            api.post(
                f"/ticket_types/{type_id}/attributes",
                version=v,
                json={"name": name, "description": name, "data_type": data_type, **extra},
            )
        )
    ok(
        api.put(
            f"/ticket_types/{type_id}/attributes/{attr['id']}",
            json={"description": "log files"},
            version=v,
        )
    )
    area = next(
        a
        for a in ok(api.get(f"/ticket_types/{type_id}", version=v))["ticket_type_attributes"][
            "data"
        ]
        if a["name"] == "Area"
    )
    custom = server.tx(
        lambda c: state_service.create_state(
            c, workspace.id, "in_progress", "Triage", "Looking", [int(type_id)]
        )
    )
    contact = make_contact(api, f"c{v}@example.com", external_id=f"ext-{v}")
    ticket = ok(
        api.post(
            "/tickets",
            version=v,
            json={
                "ticket_type_id": type_id,
                "contacts": [{"id": contact["id"]}],
                "ticket_attributes": {
                    "_default_title_": "Broken",
                    "Area": area["input_options"]["list_options"][0]["id"],
                    "Count": 2,
                    "Ratio": 0.5,
                    "Urgent": True,
                    "Due": 1_700_000_000,
                    "Logs": ["https://example.com/a.log"],
                },
            },
        )
    )
    url = f"/tickets/{ticket['id']}"
    ok(
        api.put(
            url,
            version=v,
            json={"ticket_attributes": {"Count": 3, "Notes": "x"}, "is_shared": True},
        )
    )
    if version in ("2.9", "2.10", "2.11"):
        ok(api.put(url, version=v, json={"state": "in_progress"}))
    else:
        ok(api.put(url, version=v, json={"ticket_state_id": str(custom["id"])}))
        ok(api.get("/ticket_states", version=v))
    if version in ("2.14", "2.15", "2.16", "Preview"):
        ok(
            api.put(
                url,
                version=v,
                json={"admin_id": workspace.admin_id, "assignee_id": str(mate["id"])},
            )
        )
    else:
        ok(
            api.put(
                url,
                version=v,
                json={
                    "assignment": {
                        "admin_id": str(workspace.admin_id),
                        "assignee_id": str(team["id"]),
                    }
                },
            )
        )
    if version != "2.9":
        ok(api.put(url, version=v, json={"snoozed_until": int(time.time()) + 600}))
        ok(api.put(url, version=v, json={"open": False}))
        reply = {"type": "admin", "admin_id": workspace.admin_id}
        ok(
            api.post(
                f"{url}/reply",
                version=v,
                json={
                    **reply,
                    "message_type": "comment",
                    "body": "hi",
                    "attachment_urls": ["https://e.com/a.png"],
                },
            )
        )
        ok(
            api.post(
                f"{url}/reply",
                version=v,
                json={
                    **reply,
                    "message_type": "quick_reply",
                    "reply_options": [
                        {"text": "OK", "uuid": "0b5c7e1e-6f8a-4bb8-9a49-5d0f3c1b2a77"}
                    ],
                },
            )
        )
        ok(
            api.post(
                f"{url}/reply",
                version=v,
                json={
                    "type": "user",
                    "message_type": "comment",
                    "body": "thanks",
                    "user_id": f"ext-{v}",
                },
            )
        )
        tag = ok(api.post("/tags", json={"name": f"t{v}"}))
        ok(
            api.post(
                f"{url}/tags", version=v, json={"id": tag["id"], "admin_id": workspace.admin_id}
            )
        )
        ok(api.delete(f"{url}/tags/{tag['id']}", version=v, json={"admin_id": workspace.admin_id}))
    files = (
        {
            "attachment_files": [
                {
                    "content_type": "text/plain",
                    "name": "a.txt",
                    "data": base64.b64encode(b"x").decode(),
                }
            ]
        }
        if version in ("2.16", "Preview")
        else {}
    )
    ok(
        api.post(
            f"{url}/reply",
            version=v,
            json={
                "type": "admin",
                "message_type": "note",
                "admin_id": workspace.admin_id,
                "body": "note",
                **files,
            },
        )
    )
    full = ok(api.get(url, version=v))
    if version not in ("2.9", "2.10", "2.11", "2.12", "2.13"):
        ok(api.delete(url, version=v))

    for entry in contract.LOG[start:]:
        if entry[0] == (v if v != "Unstable" else "Preview"):
            checked.add((entry[1], entry[2], entry[3]))
    operations = {
        (
            m,
            t.replace("{ticket_id}", "{id}")
            .replace("{ticket_type_id}", "{id}")
            .replace("{attribute_id}", "{id}")
            .replace("{tag_id}", "{id}"),
        )
        for m, t, _ in checked
    }
    must = {
        ("POST", "/ticket_types"),
        ("GET", "/ticket_types"),
        ("GET", "/ticket_types/{id}"),
        ("PUT", "/ticket_types/{id}"),
        ("POST", "/ticket_types/{id}/attributes"),
        ("PUT", "/ticket_types/{id}/attributes/{id}"),
        ("POST", "/tickets"),
        ("GET", "/tickets/{id}"),
        ("PUT", "/tickets/{id}"),
        ("POST", "/tickets/{id}/reply"),
    }
    if version != "2.9":
        must |= {("POST", "/tickets/{id}/tags"), ("DELETE", "/tickets/{id}/tags/{id}")}
    if version not in ("2.9", "2.10", "2.11"):
        must.add(("GET", "/ticket_states"))
    if version not in ("2.9", "2.10", "2.11", "2.12", "2.13"):
        must.add(("DELETE", "/tickets/{id}"))
    assert must <= operations, must - operations
    kinds = {p["part_type"] for p in full["ticket_parts"]["ticket_parts"]}
    assert {
        "ticket_state_updated_by_admin",
        "ticket_attribute_updated_by_admin",
        "assignment",
        "note",
    } <= kinds
