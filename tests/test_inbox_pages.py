"""The inbox's create-ticket, contacts and settings pages, over HTTP: each form's change
is what the API then shows."""

from __future__ import annotations

import time
from urllib.parse import unquote

import httpx
from sqlalchemy import select

from tests.conftest import Api, Server, Workspace
from tests.ticket_fixtures import make_contact, make_ticket, make_type
from tests.web_fixtures import browser_client, csrf_of, set_password
from ticketry.tables import access_tokens, webhook_deliveries, webhook_subscriptions


def _client(server: Server, workspace: Workspace) -> tuple[httpx.Client, str]:
    set_password(server, workspace)
    client = browser_client(server, workspace)
    return client, csrf_of(client.get("/inbox/settings").text)


def test_ticket_types_attributes_and_states_from_settings(
    server: Server, workspace: Workspace, api: Api
) -> None:
    client, token = _client(server, workspace)
    resp = client.post(
        "/inbox/settings/types",
        data={"csrf_token": token, "name": "Refund", "category": "Customer", "description": ""},
    )
    assert resp.status_code == 303
    types = api.get("/ticket_types").json()["data"]
    refund = next(t for t in types if t["name"] == "Refund")
    client.post(
        f"/inbox/settings/types/{refund['id']}/attributes",
        data={
            "csrf_token": token,
            "name": "Reason",
            "data_type": "list",
            "list_items": "Damaged,Late",
            "visible_to_contacts": "true",
        },
    )
    client.post(
        f"/inbox/settings/types/{refund['id']}/states",
        data={
            "csrf_token": token,
            "category": "in_progress",
            "internal_label": "Checking stock",
            "external_label": "We are on it",
        },
    )
    got = api.get(f"/ticket_types/{refund['id']}", version="2.16").json()
    attributes = got["ticket_type_attributes"]
    attributes = attributes["data"] if isinstance(attributes, dict) else attributes
    reason = next(a for a in attributes if a["name"] == "Reason")
    labels = [o["label"] for o in reason["input_options"]["list_options"]]
    assert labels == ["Damaged", "Late"]
    assert "Checking stock" in client.get("/inbox/settings").text
    # A refused form comes back with Intercom's message.
    resp = client.post(
        f"/inbox/settings/types/{refund['id']}/attributes",
        data={"csrf_token": token, "name": "Reason", "data_type": "list", "list_items": "A"},
        follow_redirects=True,
    )
    assert resp.status_code == 200 and 'id="flash"' in resp.text


def test_tokens_are_shown_once_and_revocable(server: Server, workspace: Workspace) -> None:
    client, token = _client(server, workspace)
    resp = client.post("/inbox/settings/tokens", data={"csrf_token": token, "name": "zapier"})
    assert resp.status_code == 200
    shown = resp.text.split('id="new-token">', 1)[1].split("<", 1)[0]
    assert shown.startswith("tkt_")
    me = httpx.get(f"{server.url}/me", headers={"Authorization": f"Bearer {shown}"})
    assert me.status_code == 200
    assert shown not in client.get("/inbox/settings").text  # never shown again
    row = server.tx(lambda c: c.one(select(access_tokens).where(access_tokens.c.name == "zapier")))
    client.post(f"/inbox/settings/tokens/{row['id']}/revoke", data={"csrf_token": token})
    revoked = server.tx(
        lambda c: c.one(select(access_tokens).where(access_tokens.c.id == row["id"]))
    )
    assert revoked["revoked_at"] is not None


def test_teams_and_webhooks_from_settings(server: Server, workspace: Workspace, api: Api) -> None:
    client, token = _client(server, workspace)
    client.post(
        "/inbox/settings/teams",
        data={"csrf_token": token, "name": "Tier 2", "admin_ids": str(workspace.admin_id)},
    )
    teams = api.get("/teams").json()["teams"]
    assert [t["name"] for t in teams] == ["Tier 2"]
    client.post(
        "/inbox/settings/webhooks",
        data={
            "csrf_token": token,
            "url": "http://127.0.0.1:9/hooks",
            "topics": "ticket.created",
        },
    )
    made = server.tx(
        lambda c: c.all(
            select(webhook_deliveries).where(webhook_deliveries.c.workspace_id == workspace.id)
        )
    )
    assert made == []  # a new subscription is sent what happens after it
    bug = make_type(api)
    ann = make_contact(api, "ann@example.com")
    make_ticket(api, bug["id"], ann["id"])
    deadline = time.monotonic() + 20
    rows: list = []
    while not rows and time.monotonic() < deadline:
        rows = server.tx(
            lambda c: c.all(
                select(webhook_deliveries).where(
                    webhook_deliveries.c.workspace_id == workspace.id,
                    webhook_deliveries.c.topic == "ticket.created",
                )
            )
        )
        time.sleep(0.1)
    assert rows, "the delivery worker queued no notification"
    page = client.get("/inbox/settings").text
    assert "ticket.created" in page and rows[0]["notification_id"] in page
    public = server.tx(
        lambda c: c.scalar(
            select(webhook_subscriptions.c.public_id).where(
                webhook_subscriptions.c.workspace_id == workspace.id
            )
        )
    )
    resp = client.post(
        f"/inbox/settings/webhooks/{public}/redeliver/{rows[0]['notification_id']}",
        data={"csrf_token": token},
    )
    assert resp.status_code == 303
    assert "queued" in unquote(resp.cookies["tkt_flash"])
    pending = server.tx(
        lambda c: c.scalar(
            select(webhook_deliveries.c.status).where(
                webhook_deliveries.c.notification_id == rows[0]["notification_id"]
            )
        )
    )
    assert pending in ("pending", "failed", "delivered")
    resp = client.post(
        f"/inbox/settings/webhooks/{public}/redeliver/notif_missing",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    assert "Notification Not Found" in resp.text


def test_contacts_and_create_ticket_pages(server: Server, workspace: Workspace, api: Api) -> None:
    client, token = _client(server, workspace)
    bug = make_type(api)
    ann = make_contact(api, "ann@example.com", name="Ann Lee", external_id="ann-1")
    make_contact(api, "bob@example.com", name="Bob Stone")
    listing = client.get("/inbox/contacts").text
    assert "Ann Lee" in listing and "Bob Stone" in listing
    found = client.get("/inbox/contacts", params={"q": "ann@"}).text
    assert "Ann Lee" in found and "Bob Stone" not in found
    assert "Ann Lee" in client.get("/inbox/contacts", params={"q": "ann-1"}).text

    form = client.get("/inbox/new", params={"type": bug["id"]}).text
    title_field = form.split('for="attr-', 1)[1].split('"', 1)[0]
    resp = client.post(
        "/inbox/new",
        data={
            "csrf_token": token,
            "ticket_type_id": bug["id"],
            "email": "ann@example.com",
            f"present_{title_field}": "1",
            f"attr_{title_field}": "Printer on fire",
        },
    )
    assert resp.status_code == 303
    ticket_id = resp.headers["location"].rsplit("/", 1)[1]
    ticket = api.get(f"/tickets/{ticket_id}").json()
    assert ticket["ticket_attributes"]["_default_title_"] == "Printer on fire"
    assert ticket["contacts"]["contacts"][0]["id"] == ann["id"]
    assert "Printer on fire" in client.get(f"/inbox/contacts/{ann['id']}").text
