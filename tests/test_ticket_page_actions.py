"""The ticket page's files attributes, snooze and change of type, over HTTP: each is the
API's own change (the attribute, snooze and type parts `PUT /tickets/{id}` and
`change_type` record), forms without their CSRF token change nothing, and another
workspace's tickets are out of reach."""

from __future__ import annotations

import re

import httpx

from tests.conftest import Api, Server, Workspace, make_api, make_workspace
from tests.ticket_fixtures import add_attribute, make_contact, make_ticket, make_type, part_types
from tests.web_fixtures import browser_client, csrf_of, set_password


def _client(server: Server, workspace: Workspace) -> httpx.Client:
    set_password(server, workspace)
    return browser_client(server, workspace)


def _files_form(page: str, name: str) -> str:
    found = re.search(r'id="files-(\d+)-title">' + re.escape(name), page)
    assert found, f"no files control for {name}"
    return found.group(1)


def test_files_are_added_and_removed_through_the_update_service(
    server: Server, workspace: Workspace, api: Api
) -> None:
    bug = make_type(api)
    add_attribute(api, bug["id"], "Logs", "files", allow_multiple_values=True)
    add_attribute(api, bug["id"], "Photo", "files")
    contact = make_contact(api, "ann@example.com")
    ticket = make_ticket(api, bug["id"], contact["id"])
    client = _client(server, workspace)
    url = f"/inbox/tickets/{ticket['id']}"
    page = client.get(url).text
    token = csrf_of(page)
    logs, photo = _files_form(page, "Logs"), _files_form(page, "Photo")

    resp = client.post(
        f"{url}/files/{logs}",
        data={"csrf_token": token},
        files=[
            ("files", ("a.log", b"first\n", "text/plain")),
            ("files", ("b.log", b"second!\n", "text/plain")),
        ],
    )
    assert resp.status_code == 303 and resp.headers["location"] == url
    got = api.get(f"/tickets/{ticket['id']}", version="2.16").json()
    files = got["ticket_attributes"]["Logs"]
    assert [f["name"] for f in files] == ["a.log", "b.log"]
    assert [f["filesize"] for f in files] == [6, 8]
    assert part_types(got).count("ticket_attribute_updated_by_admin") == 1
    download = httpx.get(files[1]["url"])
    assert download.content == b"second!\n"

    # One more file adds to the list; a single-file attribute is replaced.
    client.post(
        f"{url}/files/{logs}",
        data={"csrf_token": token},
        files={"files": ("c.log", b"third", "text/plain")},
    )
    for name in ("one.png", "two.png"):
        client.post(
            f"{url}/files/{photo}",
            data={"csrf_token": token},
            files={"files": (name, b"not really a png", "image/png")},
        )
    got = api.get(f"/tickets/{ticket['id']}").json()["ticket_attributes"]
    assert [f["name"] for f in got["Logs"]] == ["a.log", "b.log", "c.log"]
    assert [f["name"] for f in got["Photo"]] == ["two.png"]
    assert "c.log" in client.get(url).text

    resp = client.post(
        f"{url}/files/{logs}/remove", data={"csrf_token": token, "url": got["Logs"][0]["url"]}
    )
    assert resp.status_code == 303
    client.post(
        f"{url}/files/{photo}/remove", data={"csrf_token": token, "url": got["Photo"][0]["url"]}
    )
    got = api.get(f"/tickets/{ticket['id']}").json()["ticket_attributes"]
    assert [f["name"] for f in got["Logs"]] == ["b.log", "c.log"]
    assert got.get("Photo") in (None, [])

    # Refusals come back as messages: no file, a file not on the attribute, not a files
    # attribute at all.
    client.post(f"{url}/files/{logs}", data={"csrf_token": token})
    assert "Choose a file to add" in client.get(url).text
    client.post(f"{url}/files/{logs}/remove", data={"csrf_token": token, "url": "https://x.test/"})
    assert "not on this attribute" in client.get(url).text
    client.post(
        f"{url}/files/999999",
        data={"csrf_token": token},
        files={"files": ("d.log", b"x", "text/plain")},
    )
    assert "No such files attribute" in client.get(url).text
    got = api.get(f"/tickets/{ticket['id']}").json()["ticket_attributes"]
    assert [f["name"] for f in got["Logs"]] == ["b.log", "c.log"]


def test_snooze_and_unsnooze(server: Server, workspace: Workspace, api: Api) -> None:
    bug = make_type(api)
    contact = make_contact(api, "ann@example.com")
    ticket = make_ticket(api, bug["id"], contact["id"])
    client = _client(server, workspace)
    url = f"/inbox/tickets/{ticket['id']}"
    token = csrf_of(client.get(url).text)
    resp = client.post(
        f"{url}/snooze", data={"csrf_token": token, "snoozed_until": "2030-01-02T03:04"}
    )
    assert resp.status_code == 303
    got = api.get(f"/tickets/{ticket['id']}", version="2.16").json()
    assert got["snoozed_until"] == 1893553440
    assert part_types(got)[-1] == "snoozed"
    assert "Unsnooze" in client.get(url).text
    client.post(f"{url}/snooze", data={"csrf_token": token, "unsnooze": "true"})
    got = api.get(f"/tickets/{ticket['id']}", version="2.16").json()
    assert "snoozed_until" not in got
    assert part_types(got)[-1] == "timer_unsnooze"
    client.post(f"{url}/snooze", data={"csrf_token": token, "snoozed_until": "soon"})
    assert "must be a date and time" in client.get(url).text


def test_change_type_carries_values_and_records_the_part(
    server: Server, workspace: Workspace, api: Api
) -> None:
    bug = make_type(api, "Bug")
    add_attribute(api, bug["id"], "Browser", "string")
    question = make_type(api, "Question")
    add_attribute(api, question["id"], "Browser", "string")
    make_type(api, "Back office", category="Back-office")
    contact = make_contact(api, "ann@example.com")
    ticket = make_ticket(api, bug["id"], contact["id"], ticket_attributes={"Browser": "Lynx"})
    client = _client(server, workspace)
    url = f"/inbox/tickets/{ticket['id']}"
    page = client.get(url).text
    token = csrf_of(page)
    # Only types of the ticket's category are offered, each with its states.
    assert "Back office" not in page.split('id="type-state"')[1].split("</select>")[0]
    choice = re.search(
        r'<option value="(' + question["id"] + r':\d+)"[^>]*>Question: In progress', page
    )
    assert choice, "no Question / In progress choice"
    resp = client.post(f"{url}/type", data={"csrf_token": token, "type_state": choice.group(1)})
    assert resp.status_code == 303
    got = api.get(f"/tickets/{ticket['id']}", version="2.16").json()
    assert got["ticket_type"]["id"] == question["id"]
    assert got["ticket_attributes"]["Browser"] == "Lynx"
    assert got["ticket_state"]["category"] == "in_progress"
    assert "ticket_type_updated_by_admin" in part_types(got)
    client.post(f"{url}/type", data={"csrf_token": token, "type_state": "nonsense"})
    assert "Choose a ticket type and state" in client.get(url).text


def test_forms_without_the_csrf_token_change_nothing(
    server: Server, workspace: Workspace, api: Api
) -> None:
    bug = make_type(api)
    other_type = make_type(api, "Question")
    attr = add_attribute(api, bug["id"], "Logs", "files", allow_multiple_values=True)
    contact = make_contact(api, "ann@example.com")
    ticket = make_ticket(api, bug["id"], contact["id"])
    client = _client(server, workspace)
    url = f"/inbox/tickets/{ticket['id']}"
    before = api.get(f"/tickets/{ticket['id']}", version="2.16").json()
    state = before["ticket_state"]["id"]
    for token in ({}, {"csrf_token": "forged"}):
        resp = client.post(
            f"{url}/files/{attr['id']}",
            data=token,
            files={"files": ("a.log", b"x", "text/plain")},
        )
        assert resp.status_code == 403 and "security token" in resp.text
        resp = client.post(f"{url}/snooze", data={**token, "snoozed_until": "2030-01-01T00:00"})
        assert resp.status_code == 403
        resp = client.post(
            f"{url}/type", data={**token, "type_state": f"{other_type['id']}:{state}"}
        )
        assert resp.status_code == 403
    got = api.get(f"/tickets/{ticket['id']}", version="2.16").json()
    assert not got["ticket_attributes"].get("Logs")
    assert "snoozed_until" not in got and got["ticket_type"]["id"] == bug["id"]
    assert part_types(got) == part_types(before)


def test_another_workspaces_tickets_are_out_of_reach(
    server: Server, workspace: Workspace, api: Api
) -> None:
    other = make_workspace(server, "Other")
    with make_api(server, other.token) as other_api:
        bug = make_type(other_api)
        question = make_type(other_api, "Question")
        attr = add_attribute(other_api, bug["id"], "Logs", "files", allow_multiple_values=True)
        contact = make_contact(other_api, "eve@example.com")
        theirs = make_ticket(other_api, bug["id"], contact["id"])
        state = other_api.get(f"/tickets/{theirs['id']}", version="2.16").json()
    client = _client(server, workspace)
    url = f"/inbox/tickets/{theirs['id']}"
    token = csrf_of(client.get("/").text)
    client.post(
        f"{url}/files/{attr['id']}",
        data={"csrf_token": token},
        files={"files": ("a.log", b"x", "text/plain")},
    )
    client.post(f"{url}/snooze", data={"csrf_token": token, "snoozed_until": "2030-01-01T00:00"})
    client.post(
        f"{url}/type",
        data={
            "csrf_token": token,
            "type_state": f"{question['id']}:{state['ticket_state']['id']}",
        },
    )
    with make_api(server, other.token) as other_api:
        got = other_api.get(f"/tickets/{theirs['id']}", version="2.16").json()
    assert not got["ticket_attributes"].get("Logs")
    assert "snoozed_until" not in got and got["ticket_type"]["id"] == bug["id"]
    assert part_types(got) == part_types(state)
