"""The inbox ticket page's forms, over HTTP: a control per attribute data type, replies
with attachments, the live-update fragment, and refusals shown on the page."""

from __future__ import annotations

import re
from urllib.parse import unquote

import httpx

from tests.conftest import Api, Server, Workspace
from tests.ticket_fixtures import add_attribute, make_contact, make_ticket, make_type, part_types
from tests.web_fixtures import browser_client, csrf_of, set_password


def _page(client: httpx.Client, ticket_id: str) -> tuple[str, str]:
    page = client.get(f"/inbox/tickets/{ticket_id}").text
    return page, csrf_of(page)


def _field(page: str, label: str) -> str:
    """The form field name of the attribute whose label starts with `label`."""
    found = re.search(r'<label for="attr-(\d+)">' + re.escape(label), page)
    if found is None:
        found = re.search(
            r'id="attr-(\d+)" name="attr_\d+" value="true"> ' + re.escape(label), page
        )
    assert found, f"no control for {label}"
    return found.group(1)


def test_every_data_type_has_its_control(server: Server, workspace: Workspace, api: Api) -> None:
    set_password(server, workspace)
    bug = make_type(api)
    add_attribute(api, bug["id"], "Notes", "string", multiline=True)
    add_attribute(api, bug["id"], "Plan", "list", list_items="Free,Pro")
    add_attribute(api, bug["id"], "Seats", "integer")
    add_attribute(api, bug["id"], "Amount", "decimal")
    add_attribute(api, bug["id"], "Urgent", "boolean")
    add_attribute(api, bug["id"], "Due", "datetime")
    contact = make_contact(api, "ann@example.com")
    ticket = make_ticket(api, bug["id"], contact["id"])
    client = browser_client(server, workspace)
    page, token = _page(client, ticket["id"])
    assert re.search(r'<textarea id="attr-\d+" name="attr_\d+" rows="3">', page)
    assert 'type="number" step="1"' in page and 'type="number" step="any"' in page
    assert 'type="datetime-local"' in page and 'type="checkbox"' in page
    ids = {
        name: _field(page, name)
        for name in ("Title", "Notes", "Plan", "Seats", "Amount", "Urgent", "Due")
    }
    plan_pro = re.search(r'<option value="([^"]+)">Pro</option>', page)
    assert plan_pro
    data = {"csrf_token": token, **{f"present_{i}": "1" for i in ids.values()}}
    data.update(
        {
            f"attr_{ids['Title']}": "Renewal",
            f"attr_{ids['Notes']}": "line one\nline two",
            f"attr_{ids['Plan']}": plan_pro.group(1),
            f"attr_{ids['Seats']}": "12",
            f"attr_{ids['Amount']}": "99.5",
            f"attr_{ids['Urgent']}": "true",
            f"attr_{ids['Due']}": "2030-01-02T03:04",
        }
    )
    assert client.post(f"/inbox/tickets/{ticket['id']}/attributes", data=data).status_code == 303
    got = api.get(f"/tickets/{ticket['id']}").json()["ticket_attributes"]
    assert got["_default_title_"] == "Renewal"
    assert got["Notes"] == "line one\nline two"
    assert got["Plan"] == "Pro"
    assert got["Seats"] == 12 and got["Amount"] == 99.5 and got["Urgent"] is True
    assert got["Due"] == 1893553440  # 2030-01-02T03:04Z
    # Unchecking the box is a change too; the rest is unchanged and records nothing new.
    before = part_types(api.get(f"/tickets/{ticket['id']}").json()).count(
        "ticket_attribute_updated_by_admin"
    )
    del data[f"attr_{ids['Urgent']}"]
    client.post(f"/inbox/tickets/{ticket['id']}/attributes", data=data)
    after = api.get(f"/tickets/{ticket['id']}").json()
    assert after["ticket_attributes"]["Urgent"] is False
    assert part_types(after).count("ticket_attribute_updated_by_admin") == before + 1
    # A value the type refuses comes back as a message, and nothing changes.
    data[f"attr_{ids['Seats']}"] = "twelve"
    resp = client.post(f"/inbox/tickets/{ticket['id']}/attributes", data=data)
    assert resp.status_code == 303
    assert "whole number" in unquote(resp.cookies["tkt_flash"])
    assert api.get(f"/tickets/{ticket['id']}").json()["ticket_attributes"]["Seats"] == 12


def test_replies_carry_attachments_and_appear_in_the_live_fragment(
    server: Server, workspace: Workspace, api: Api
) -> None:
    set_password(server, workspace)
    bug = make_type(api)
    contact = make_contact(api, "ann@example.com")
    ticket = make_ticket(api, bug["id"], contact["id"])
    client = browser_client(server, workspace)
    page, token = _page(client, ticket["id"])
    newest = max(int(i) for i in re.findall(r'data-part-id="(\d+)"', page))
    resp = client.post(
        f"/inbox/tickets/{ticket['id']}/reply",
        data={"csrf_token": token, "message_type": "comment", "body": "See the log"},
        files={"attachments": ("server.log", b"line 1\nline 2\n", "text/plain")},
    )
    assert resp.status_code == 303
    reply = api.get(f"/tickets/{ticket['id']}").json()["ticket_parts"]["ticket_parts"][-1]
    assert reply["part_type"] == "comment" and reply["author"]["id"] == str(workspace.admin_id)
    attachment = reply["attachments"][0]
    assert attachment["name"] == "server.log" and attachment["filesize"] == 14
    assert httpx.get(attachment["url"]).content == b"line 1\nline 2\n"
    fragment = client.get(f"/inbox/tickets/{ticket['id']}/parts", params={"after": newest})
    assert "See the log" in fragment.text and "server.log" in fragment.text
    assert f'data-part-id="{newest}"' not in fragment.text
    # An empty reply is refused with Intercom's message.
    resp = client.post(
        f"/inbox/tickets/{ticket['id']}/reply",
        data={"csrf_token": token, "message_type": "comment", "body": "  "},
    )
    assert "body" in unquote(resp.cookies["tkt_flash"])


def test_unknown_tickets_and_bad_filters_are_pages_not_errors(
    server: Server, workspace: Workspace
) -> None:
    set_password(server, workspace)
    client = browser_client(server, workspace)
    missing = client.get("/inbox/tickets/999999999")
    assert missing.status_code == 404 and "Ticket not found" in missing.text
    assert missing.headers["content-type"].startswith("text/html")
    bad = client.get("/", params={"after": "not-a-cursor"})
    assert bad.status_code == 400 and "cursor" in bad.text
    assert client.get("/", params={"assignee": "someone"}).status_code == 400


def test_inbox_filters(server: Server, workspace: Workspace, api: Api) -> None:
    """Each filter of the list, on both databases: tag, type, assignee, state, status, text."""
    set_password(server, workspace)
    bug, task = make_type(api, name="Bug"), make_type(api, name="Task")
    ann = make_contact(api, "ann@example.com")
    first = make_ticket(api, bug["id"], ann["id"], ticket_attributes={"_default_title_": "Alpha"})
    second = make_ticket(api, task["id"], ann["id"], ticket_attributes={"_default_title_": "Beta"})
    tag = api.post("/tags", json={"name": "vip"}).json()
    api.post(f"/tickets/{first['id']}/tags", json={"id": tag["id"], "admin_id": workspace.admin_id})
    api.put(f"/tickets/{second['id']}", json={"assignee_id": str(workspace.admin_id)})
    api.put(f"/tickets/{first['id']}", json={"state": "in_progress"})
    client = browser_client(server, workspace)

    def titles(**params: str) -> set[str]:
        page = client.get("/", params=params)
        assert page.status_code == 200, page.text
        return set(re.findall(r'href="/inbox/tickets/\d+">([^<]+)</a>', page.text))

    assert titles() == {"Alpha", "Beta"}
    assert titles(tag=str(tag["id"])) == {"Alpha"}
    assert titles(type=str(task["id"])) == {"Beta"}
    assert titles(assignee="me") == {"Beta"}
    assert titles(assignee=f"admin:{workspace.admin_id}") == {"Beta"}
    assert titles(assignee="unassigned") == {"Alpha"}
    assert titles(state="in_progress") == {"Alpha"}
    assert titles(q="bet") == {"Beta"}
    assert titles(status="closed") == set()
    api.put(f"/tickets/{second['id']}", json={"open": False})
    assert titles(status="closed") == {"Beta"}
    assert titles(status="all") == {"Alpha", "Beta"}
