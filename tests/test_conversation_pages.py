"""The inbox's conversation pages over HTTP: each form's change is the API's own part or
state, forms without their CSRF token change nothing, and another workspace's
conversations are out of reach."""

from __future__ import annotations

import re

import httpx

from tests.conftest import Api, Server, Workspace, make_api, make_workspace
from tests.ticket_fixtures import add_attribute, make_contact, make_type
from tests.web_fixtures import browser_client, csrf_of, set_password


def _start(api: Api, contact_id: str, body: str) -> str:
    resp = api.post(
        "/conversations", json={"from": {"type": "user", "id": contact_id}, "body": body}
    )
    assert resp.status_code == 200, resp.text
    return str(resp.json()["conversation_id"])


def _client(server: Server, workspace: Workspace) -> tuple[httpx.Client, str]:
    set_password(server, workspace)
    client = browser_client(server, workspace)
    return client, csrf_of(client.get("/inbox/conversations").text)


def _parts(api: Api, cid: str) -> list[dict]:
    got = api.get(f"/conversations/{cid}", version="2.16").json()
    return list(got["conversation_parts"]["conversation_parts"])


def test_list_filters_by_state_and_assignee(server: Server, workspace: Workspace, api: Api) -> None:
    contact = make_contact(api, "lin@example.com", name="Lin")
    first = _start(api, contact["id"], "Where is my parcel")
    second = _start(api, contact["id"], "Refund <b>please</b>")
    admin = str(workspace.admin_id)
    api.post(
        f"/conversations/{second}/parts",
        json={
            "message_type": "assignment",
            "type": "admin",
            "admin_id": admin,
            "assignee_id": admin,
        },
    )
    client, _ = _client(server, workspace)
    page = client.get("/inbox/conversations")
    assert page.status_code == 200
    assert "Where is my parcel" in page.text
    # The preview is the text as typed, escaped: never markup.
    assert "Refund &lt;b&gt;please&lt;/b&gt;" in page.text and "<b>please" not in page.text
    mine = client.get("/inbox/conversations?assignee=me").text
    assert f"/inbox/conversations/{second}" in mine and f"/inbox/conversations/{first}" not in mine
    unassigned = client.get("/inbox/conversations?assignee=unassigned").text
    assert f"/inbox/conversations/{first}" in unassigned
    assert f"/inbox/conversations/{second}" not in unassigned
    api.post(f"/conversations/{first}/parts", json={"message_type": "close", "admin_id": admin})
    closed = client.get("/inbox/conversations?status=closed").text
    assert f"/inbox/conversations/{first}" in closed
    assert f"/inbox/conversations/{second}" not in closed
    assert f"/inbox/conversations/{first}" not in client.get("/inbox/conversations").text
    bad = client.get("/inbox/conversations?assignee=someone")
    assert bad.status_code == 400 and "Unknown assignee filter" in bad.text


def test_list_pages_by_keyset(server: Server, workspace: Workspace, api: Api) -> None:
    contact = make_contact(api, "many@example.com")
    made = [_start(api, contact["id"], f"Message {n}") for n in range(27)]
    client, _ = _client(server, workspace)
    first = client.get("/inbox/conversations")
    assert "27 conversations" in first.text
    assert f'/inbox/conversations/{made[-1]}"' in first.text
    assert f'/inbox/conversations/{made[0]}"' not in first.text
    start = first.text.index('rel="next"')
    href = first.text[first.text.rindex('href="', 0, start) + 6 : start - 2].replace("&amp;", "&")
    second = client.get(href)
    assert f'/inbox/conversations/{made[0]}"' in second.text
    assert f'/inbox/conversations/{made[-1]}"' not in second.text


def test_actions_are_the_apis_parts_and_states(
    server: Server, workspace: Workspace, api: Api
) -> None:
    contact = make_contact(api, "kim@example.com", name="Kim")
    cid = _start(api, contact["id"], "My invoice is wrong")
    bug = make_type(api, "Billing issue")
    client, token = _client(server, workspace)
    url = f"/inbox/conversations/{cid}"
    page = client.get(url)
    assert page.status_code == 200 and "My invoice is wrong" in page.text and "Kim" in page.text

    def post(action: str, **data: str) -> httpx.Response:
        resp = client.post(f"{url}/{action}", data={"csrf_token": token, **data})
        assert resp.status_code == 303, resp.text
        assert resp.headers["location"] == url
        return resp

    post("reply", message_type="comment", body="Looking into it")
    post("reply", message_type="note", body="Customer since 2019")
    post("assign", assignee=f"admin:{workspace.admin_id}")
    parts = _parts(api, cid)
    assert [p["part_type"] for p in parts] == ["comment", "note", "assignment"]
    assert parts[0]["author"] == {
        **parts[0]["author"],
        "type": "admin",
        "id": str(workspace.admin_id),
    }
    got = api.get(f"/conversations/{cid}", version="2.16").json()
    assert got["admin_assignee_id"] == workspace.admin_id

    post("snooze", snoozed_until="2030-01-02T03:04")
    got = api.get(f"/conversations/{cid}", version="2.16").json()
    assert got["state"] == "snoozed" and got["snoozed_until"] == 1893553440
    post("close")
    assert api.get(f"/conversations/{cid}").json()["state"] == "closed"
    post("reopen")
    assert api.get(f"/conversations/{cid}").json()["state"] == "open"
    post("tags", tag_name="billing")
    tags = api.get(f"/conversations/{cid}").json()["tags"]["tags"]
    assert [t["name"] for t in tags] == ["billing"]
    post(f"tags/{tags[0]['id']}/remove")
    assert api.get(f"/conversations/{cid}").json()["tags"]["tags"] == []
    assert [p["part_type"] for p in _parts(api, cid)][3:] == ["snoozed", "close", "open"]

    # The live fragment has the newest parts only.
    newest = _parts(api, cid)[-1]["id"]
    fragment = client.get(f"{url}/parts?after={int(newest) - 1}").text
    assert fragment.count("data-part-id") == 1 and "reopened the conversation" in fragment

    # A refused change comes back as a message, never a 500.
    post("snooze", snoozed_until="tomorrow")
    assert "must be a date and time" in client.get(url).text
    post("reply", message_type="comment", body="a" * 100_001)
    assert "at most 100000 characters (body)" in client.get(url).text
    post("assign", assignee="admin:999999")
    assert "Admin not found" in client.get(url).text
    post("assign", assignee="nobody")
    assert "Choose a teammate or a team" in client.get(url).text
    post("assign", assignee="0")
    got = api.get(f"/conversations/{cid}", version="2.16").json()
    assert got["admin_assignee_id"] == 0
    assert _parts(api, cid)[-1]["assigned_to"]["type"] == "nobody_admin"

    post("convert", ticket_type_id=bug["id"])
    ticket = api.get(f"/tickets/{cid}", version="2.16").json()
    assert ticket["ticket_type"]["id"] == bug["id"]
    page = client.get(url).text
    assert f'href="/inbox/tickets/{cid}"' in page
    assert client.get(f"/inbox/tickets/{cid}").status_code == 200
    # Converting twice is refused with Intercom's message.
    post("convert", ticket_type_id=bug["id"])
    assert "already been converted" in client.get(url).text


def test_convert_asks_for_the_chosen_types_attributes(
    server: Server, workspace: Workspace, api: Api
) -> None:
    contact = make_contact(api, "max@example.com")
    cid = _start(api, contact["id"], "Wrong amount")
    make_type(api, "Question")
    billing = make_type(api, "Billing issue")
    add_attribute(api, billing["id"], "Invoice", "string", required_to_create=True)
    make_type(api, "Back office", category="Back-office")
    client, token = _client(server, workspace)
    url = f"/inbox/conversations/{cid}"
    page = client.get(url).text
    options = page.split('id="convert-type"')[1].split("</select>")[0]
    assert "Question" in options and "Billing issue" in options and "Back office" not in options
    page = client.get(f"{url}?convert_type={billing['id']}").text
    assert "As a Billing issue ticket" in page and "Invoice" in page
    invoice = re.search(r'<label for="attr-(\d+)">Invoice', page)
    assert invoice
    # Without the required value, Intercom's refusal comes back; nothing is converted.
    client.post(f"{url}/convert", data={"csrf_token": token, "ticket_type_id": billing["id"]})
    assert "Missing required ticket attributes: Invoice" in client.get(url).text
    assert api.get(f"/tickets/{cid}").status_code == 404
    resp = client.post(
        f"{url}/convert",
        data={
            "csrf_token": token,
            "ticket_type_id": billing["id"],
            f"present_{invoice.group(1)}": "1",
            f"attr_{invoice.group(1)}": "INV-7",
        },
    )
    assert resp.status_code == 303
    ticket = api.get(f"/tickets/{cid}").json()
    assert ticket["ticket_attributes"]["Invoice"] == "INV-7"
    # A type that is not offered is refused by name.
    other = _start(api, contact["id"], "Another")
    client.post(
        f"/inbox/conversations/{other}/convert",
        data={"csrf_token": token, "ticket_type_id": "999999"},
    )
    assert "Choose a Customer ticket type" in client.get(f"/inbox/conversations/{other}").text


def test_forms_without_the_csrf_token_change_nothing(
    server: Server, workspace: Workspace, api: Api
) -> None:
    contact = make_contact(api, "zoe@example.com")
    cid = _start(api, contact["id"], "Hello")
    bug = make_type(api)
    client, _ = _client(server, workspace)
    url = f"/inbox/conversations/{cid}"
    forms = {
        "reply": {"message_type": "note", "body": "sneaky"},
        "assign": {"assignee": f"admin:{workspace.admin_id}"},
        "close": {},
        "snooze": {"snoozed_until": "2030-01-01T00:00"},
        "tags": {"tag_name": "sneaky"},
        "convert": {"ticket_type_id": bug["id"]},
    }
    for action, data in forms.items():
        for token in ({}, {"csrf_token": "forged"}):
            resp = client.post(f"{url}/{action}", data={**token, **data})
            assert resp.status_code == 403, action
            assert "security token" in resp.text
    got = api.get(f"/conversations/{cid}", version="2.16").json()
    assert got["conversation_parts"]["conversation_parts"] == []
    assert got["state"] == "open" and got["admin_assignee_id"] == 0
    assert got["tags"]["tags"] == []
    assert api.get(f"/tickets/{cid}").status_code == 404


def test_another_workspaces_conversations_are_out_of_reach(
    server: Server, workspace: Workspace, api: Api
) -> None:
    other = make_workspace(server, "Other")
    with make_api(server, other.token) as other_api:
        contact = make_contact(other_api, "eve@example.com")
        theirs = _start(other_api, contact["id"], "Private matter")
        bug = make_type(other_api)
    client, token = _client(server, workspace)
    url = f"/inbox/conversations/{theirs}"
    resp = client.get(url)
    assert resp.status_code == 404 and "Private matter" not in resp.text
    assert client.get(f"{url}/parts?after=0").status_code == 404
    assert "Private matter" not in client.get("/inbox/conversations?status=all").text
    for action, data in (
        ("reply", {"message_type": "comment", "body": "hi"}),
        ("close", {}),
        ("convert", {"ticket_type_id": bug["id"]}),
    ):
        resp = client.post(f"{url}/{action}", data={"csrf_token": token, **data})
        assert resp.status_code == 303
        assert "Not Found" in client.get(url).text
    with make_api(server, other.token) as other_api:
        got = other_api.get(f"/conversations/{theirs}", version="2.16").json()
        assert got["conversation_parts"]["conversation_parts"] == []
        assert got["state"] == "open"
        assert other_api.get(f"/tickets/{theirs}").status_code == 404
    assert client.get("/inbox/conversations/abc").status_code == 404
