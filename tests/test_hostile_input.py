"""Hostile and absurd input: every request here is refused with Intercom's error body
(never a 500), writes nothing, and leaves the server answering the next request.

The HTTP-level limits (header size, body size, slow clients, malformed requests) are in
test_http_limits.py.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from tests.conftest import Api, Server, Workspace
from tests.helpers import assert_error
from tests.processes import ServerProcess
from tests.ticket_fixtures import add_attribute, make_contact, make_ticket, make_type
from ticketry.db import migrate
from ticketry.tables import contacts, events, ticket_parts, tickets, uploads

BIG = 20 * 1024 * 1024  # 20 MB strings were stored before


def counts(server: Server, workspace: Workspace) -> dict[str, int]:
    def run(conn: Any) -> dict[str, int]:
        out = {}
        for table in (tickets, ticket_parts, contacts, events, uploads):
            out[table.name] = conn.scalar(
                select(func.count()).select_from(table).where(table.c.workspace_id == workspace.id)
            )
        return out

    return server.tx(run)


@pytest.fixture
def ticket(api: Api) -> dict:
    tt = make_type(api, "Hostile")
    add_attribute(api, tt["id"], "Count", "integer")
    contact = make_contact(api, "mallory@example.com")
    return make_ticket(api, tt["id"], contact["id"], ticket_attributes={"_default_title_": "t"})


@pytest.fixture
def unchanged(server: Server, workspace: Workspace, api: Api, ticket: dict) -> Iterator[None]:
    """Asserts after the test that nothing was written and the server still answers."""
    before = counts(server, workspace)
    yield
    assert counts(server, workspace) == before
    assert api.get("/me").status_code == 200


def reply(admin_id: int, **extra: Any) -> dict:
    return {
        "type": "admin",
        "message_type": "note",
        "admin_id": str(admin_id),
        "body": "x",
        **extra,
    }


def test_non_ascii_digits_are_not_ids(api: Api, ticket: dict, unchanged: None) -> None:
    arabic = "".join(chr(0x0660 + int(d)) for d in ticket["id"])  # the id in Arabic-Indic digits
    for raw in ("%C2%B2", arabic, "1" * 19, "-1", "1e3", "0x1"):
        assert_error(api.get(f"/tickets/{raw}"), 404, "ticket_not_found")
        assert_error(api.put(f"/tickets/{raw}", json={"open": False}), 404, "ticket_not_found")
    assert_error(api.get("/uploads/a%00b", contract=False), 404, "not_found")
    assert_error(api.get("/uploads/" + "a" * 5000, contract=False), 404, "not_found")


@pytest.mark.parametrize("value", [2**63, 2**64, 10**30, -1, 253402300800])
def test_absurd_timestamps(
    api: Api, workspace: Workspace, ticket: dict, unchanged: None, value: int
) -> None:
    contact = ticket["contacts"]["contacts"][0]["id"]
    body = {"ticket_type_id": ticket["ticket_type"]["id"], "contacts": [{"id": contact}]}
    assert_error(
        api.post("/tickets", json={**body, "created_at": value}),
        400,
        "parameter_invalid",
        field="created_at",
    )
    assert_error(
        api.put(f"/tickets/{ticket['id']}", json={"snoozed_until": value}),
        400,
        "parameter_invalid",
        field="snoozed_until",
    )
    assert_error(
        api.post(
            f"/tickets/{ticket['id']}/reply", json=reply(workspace.admin_id, created_at=value)
        ),
        400,
        "parameter_invalid",
        field="created_at",
    )
    search = {"query": {"field": "created_at", "operator": ">", "value": value}}
    resp = api.post("/tickets/search", json=search)
    assert resp.status_code in (200, 400), resp.text  # an out-of-range bound matches nothing


@pytest.mark.parametrize("number", [10**30, 2**63, -(2**63) - 1, "9" * 5000, 1e308, "1e400"])
def test_absurd_numbers(api: Api, ticket: dict, unchanged: None, number: Any) -> None:
    url = f"/tickets/{ticket['id']}"
    resp = api.put(url, json={"ticket_attributes": {"Count": number}})
    assert_error(resp, 400, "parameter_invalid")
    assert_error(
        api.post(
            "/tickets/search",
            json={
                "query": {"field": "id", "operator": "=", "value": "1"},
                "pagination": {"per_page": number},
            },
        ),
        400,
        "parameter_invalid",
    )
    assert_error(
        api.post(
            "/tickets", json={"ticket_type_id": number, "contacts": [{"email": "n@example.com"}]}
        ),
        400,
        "parameter_invalid",
    )


def test_nul_characters(api: Api, workspace: Workspace, ticket: dict, unchanged: None) -> None:
    url = f"/tickets/{ticket['id']}"
    assert_error(
        api.put(url, json={"ticket_attributes": {"_default_title_": "a\x00b"}}),
        400,
        "parameter_invalid",
        field="ticket_attributes._default_title_",
        contains="NUL",
    )
    assert_error(
        api.post(f"{url}/reply", json=reply(workspace.admin_id, body="hi\x00")),
        400,
        "parameter_invalid",
        field="body",
    )
    assert_error(
        api.post("/ticket_types", json={"name": "Bad\x00type", "category": "Customer"}),
        400,
        "parameter_invalid",
        field="name",
    )
    assert_error(
        api.post("/contacts", json={"email": "nul@example.com", "custom_attributes": {"k\x00": 1}}),
        400,
        "parameter_invalid",
        field="custom_attributes",
    )
    # a NUL deep inside a search is named by its path
    query = {
        "operator": "AND",
        "value": [
            {"field": "title", "operator": "~", "value": "x"},
            {"field": "title", "operator": "~", "value": "\x00"},
        ],
    }
    assert_error(
        api.post("/tickets/search", json={"query": query}),
        400,
        "parameter_invalid",
        field="query.value[1].value",
    )


def test_huge_strings(api: Api, workspace: Workspace, ticket: dict, unchanged: None) -> None:
    huge = "x" * BIG
    assert_error(
        api.post(f"/tickets/{ticket['id']}/reply", json=reply(workspace.admin_id, body=huge)),
        400,
        "parameter_invalid",
        field="body",
    )
    assert_error(
        api.post("/contacts", json={"email": "big@example.com", "name": huge}),
        400,
        "parameter_invalid",
        field="name",
    )
    assert_error(
        api.post("/companies", json={"company_id": "c1", "name": huge}),
        400,
        "parameter_invalid",
        field="name",
    )
    assert_error(
        api.put(f"/tickets/{ticket['id']}", json={"ticket_attributes": {"_default_title_": huge}}),
        400,
        "parameter_invalid",
    )
    for value in ("%" * 60_000, "x" * 60_000, "a" * 1001):
        for op in ("~", "$", "^", "="):
            assert_error(
                api.post(
                    "/tickets/search",
                    json={"query": {"field": "title", "operator": op, "value": value}},
                ),
                400,
                "parameter_invalid",
                field="query.value",
            )
            assert_error(
                api.post(
                    "/contacts/search",
                    json={"query": {"field": "name", "operator": op, "value": value}},
                ),
                400,
                "parameter_invalid",
                field="query.value",
            )


def test_long_arrays(api: Api, workspace: Workspace, ticket: dict, unchanged: None) -> None:
    many = [{"id": "x"}] * 10_000
    assert_error(
        api.post(
            "/tickets", json={"ticket_type_id": ticket["ticket_type"]["id"], "contacts": many}
        ),
        400,
        "parameter_invalid",
        field="contacts",
    )
    urls = ["https://example.com/a.png"] * 10_000
    assert_error(
        api.post(
            f"/tickets/{ticket['id']}/reply", json=reply(workspace.admin_id, attachment_urls=urls)
        ),
        400,
        "parameter_invalid",
        field="attachment_urls",
    )
    files = [{"name": "a.txt", "content_type": "text/plain", "data": "eA=="}] * 10_000
    assert_error(
        api.post(
            f"/tickets/{ticket['id']}/reply",
            json=reply(workspace.admin_id, attachment_files=files),
            version="2.16",
        ),
        400,
        "parameter_invalid",
        field="attachment_files",
    )
    values = [str(i) for i in range(10_000)]
    assert_error(
        api.post(
            "/tickets/search", json={"query": {"field": "id", "operator": "IN", "value": values}}
        ),
        400,
        "parameter_invalid",
        field="query.value",
    )
    group = {"operator": "OR", "value": [{"field": "id", "operator": "=", "value": "1"}] * 10_000}
    assert_error(api.post("/tickets/search", json={"query": group}), 400, "parameter_invalid")


def test_malformed_bodies(api: Api, ticket: dict, unchanged: None) -> None:
    url = f"/tickets/{ticket['id']}"
    deep = "[" * 100_000 + "]" * 100_000
    for raw, content_type in [
        (b'{"open": false', "application/json"),
        (b"\xff\xfe{\x00", "application/json"),  # not UTF-8
        (('{"ticket_attributes": ' + deep + "}").encode(), "application/json"),
        (b"open=false", "application/x-www-form-urlencoded"),
        (
            b"--b\r\nContent-Disposition: form-data; name=open\r\n\r\nfalse\r\n--b--",
            "multipart/form-data; boundary=b",
        ),
        (b"[1, 2, 3]", "application/json"),
        (b'"just a string"', "application/json"),
    ]:
        resp = api.put(url, content=raw, headers={"Content-Type": content_type})
        assert_error(resp, 400, "bad_request")
    # JSON sent with another content type is still read as JSON, as Intercom's API does
    ok = api.put(url, content=b'{"is_shared": false}', headers={"Content-Type": "text/plain"})
    assert ok.status_code == 200


def test_uploads_are_checked_and_served_safely(
    api: Api, workspace: Workspace, ticket: dict
) -> None:
    url = f"/tickets/{ticket['id']}/reply"

    def send(name: str, content_type: str, data: bytes = b"hello") -> httpx.Response:
        files = [
            {"name": name, "content_type": content_type, "data": base64.b64encode(data).decode()}
        ]
        return api.post(url, json=reply(workspace.admin_id, attachment_files=files), version="2.16")

    for name, content_type, field in [
        ("a.txt", "text/plain\r\nX-Injected: 1", "attachment_files[0].content_type"),
        ("a\r\nb.txt", "text/plain", "attachment_files[0].name"),
        ("../../etc/passwd", "text/plain", "attachment_files[0].name"),
        ("a.txt", "not a type", "attachment_files[0].content_type"),
        ("n" * 300, "text/plain", "attachment_files[0].name"),
    ]:
        assert_error(send(name, content_type), 400, "parameter_invalid", field=field)

    def download(resp: httpx.Response) -> httpx.Response:
        assert resp.status_code == 200, resp.text
        link = resp.json()["attachments"][0]["url"]
        path = "/" + link.split("/", 3)[3]
        got = api.get(path, contract=False)
        assert got.status_code == 200
        assert got.headers["x-content-type-options"] == "nosniff"
        assert "sandbox" in got.headers["content-security-policy"]
        return got

    unicode_file = download(send("文件.txt", "text/plain"))
    assert unicode_file.content == b"hello"
    disposition = unicode_file.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%E6%96%87%E4%BB%B6.txt" in disposition

    page = download(send("evil.html", "text/html", b"<script>alert(1)</script>"))
    assert page.headers["content-disposition"].startswith("attachment;")
    assert page.headers["content-type"].startswith("text/html")
    svg = download(send("x.svg", "image/svg+xml", b"<svg onload='alert(1)'/>"))
    assert svg.headers["content-disposition"].startswith("attachment;")
    png = (
        b"\x89PNG\r\n\x1a\n"
        + b"\x00\x00\x00\rIHDR"
        + (3).to_bytes(4, "big")
        + (2).to_bytes(4, "big")
        + b"\x08\x02\x00\x00\x00"
    )
    image = download(send("pic.png", "image/png", png))
    assert image.headers["content-disposition"].startswith('inline; filename="pic.png"')


# -- one slow read must not stall the others (SQLite: reads used to run on the event loop)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, str]]:
    import subprocess

    from tests.processes import TICKETRY

    path: Path = tmp_path_factory.mktemp("slow") / "ticketry.db"
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    out = subprocess.run(
        [TICKETRY, "--database-url", url, "seed", "--tickets", "40000", "--json"],
        check=True,
        capture_output=True,
        text=True,
    )
    token = json.loads(out.stdout.strip().splitlines()[-1])["token"]
    proc = ServerProcess(url).start()
    try:
        yield proc, token
    finally:
        proc.stop()


HEAVY = {
    "operator": "OR",
    "value": [
        {
            "operator": "AND",
            "value": [
                {"field": "state", "operator": "=", "value": "submitted"},
                {"field": "title", "operator": "~", "value": "e"},
            ],
        },
        {
            "operator": "AND",
            "value": [
                {"field": "open", "operator": "=", "value": True},
                {"field": "description", "operator": "~", "value": "a"},
            ],
        },
    ],
}


def test_a_slow_search_does_not_stall_other_requests(seeded: tuple[ServerProcess, str]) -> None:
    proc, token = seeded
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=proc.url, headers=headers, timeout=60) as c:
        c.get("/tickets/1")
        for _ in range(3):
            finished: dict[str, float] = {}

            def search(finished: dict[str, float] = finished) -> None:
                with httpx.Client(base_url=proc.url, headers=headers, timeout=60) as s:
                    assert s.post("/tickets/search", json={"query": HEAVY}).status_code == 200
                finished["search"] = time.monotonic()

            worker = threading.Thread(target=search)
            worker.start()
            time.sleep(0.03)  # the search is running now
            assert c.get("/tickets/2").status_code == 200
            finished["get"] = time.monotonic()
            worker.join(60)
            # the point read was answered while the search was still running
            assert finished["get"] < finished["search"], finished
