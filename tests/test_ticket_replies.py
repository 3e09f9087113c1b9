"""POST /tickets/{id}/reply and ticket tags: who may say what, and what is stored."""

from __future__ import annotations

import base64

import httpx
import pytest
from sqlalchemy import func, select

from tests.conftest import Api, Server, Workspace
from tests.helpers import assert_error
from tests.ticket_fixtures import make_contact, make_ticket, make_type, part_types
from ticketry.tables import ticket_parts, uploads
from ticketry.tickets.parts import MAX_RENDERED, Author
from ticketry.tickets.parts import append as append_part


@pytest.fixture
def contact(api: Api) -> dict:
    return make_contact(api, "cat@example.com", external_id="cat-7", name="Cat")


@pytest.fixture
def ticket(api: Api, contact: dict) -> dict:
    return make_ticket(api, make_type(api, "Help")["id"], contact["id"])


def reply(api: Api, ticket: dict, **body) -> httpx.Response:  # type: ignore[no-untyped-def]
    version = body.pop("version", None)
    return api.post(f"/tickets/{ticket['id']}/reply", json=body, version=version)


def test_admin_comment_note_quick_reply(api: Api, workspace: Workspace, ticket: dict) -> None:
    comment = reply(
        api,
        ticket,
        type="admin",
        message_type="comment",
        admin_id=workspace.admin_id,
        body="Thanks again :)",
    )
    assert comment.status_code == 200, comment.text
    part = comment.json()
    assert part["type"] == "ticket_part" and part["part_type"] == "comment"
    assert part["body"] == "<p>Thanks again :)</p>"
    assert part["author"] == {
        "id": str(workspace.admin_id),
        "type": "admin",
        "name": "Ada Admin",
        "email": workspace.admin_email,
    }
    assert part["attachments"] == [] and part["redacted"] is False
    note = reply(
        api,
        ticket,
        type="admin",
        message_type="note",
        admin_id=str(workspace.admin_id),
        body="<html><body><h2>Heads up</h2></body></html>",
    ).json()
    assert note["body"] == "<h2>Heads up</h2>"
    quick = reply(
        api,
        ticket,
        type="admin",
        message_type="quick_reply",
        admin_id=workspace.admin_id,
        reply_options=[{"text": "Yes", "uuid": "6bd2a7e8-3b2c-4c0f-9f3c-1d8b9b1b9f11"}],
    )
    assert quick.status_code == 200 and "body" not in quick.json()
    full = api.get(f"/tickets/{ticket['id']}").json()
    assert part_types(full)[-3:] == ["comment", "note", "quick_reply"]
    assert full["ticket_parts"]["ticket_parts"][-3]["id"] == part["id"]


def test_plain_text_is_escaped_into_paragraphs(
    api: Api, workspace: Workspace, ticket: dict
) -> None:
    part = reply(
        api,
        ticket,
        type="admin",
        message_type="note",
        admin_id=workspace.admin_id,
        body="a < b & c\n\nsecond\nline",
    ).json()
    assert part["body"] == "<p>a &lt; b &amp; c</p><p>second<br>line</p>"


@pytest.mark.parametrize("ident", ["intercom_user_id", "user_id", "email"])
def test_contact_comment_by_each_identifier(
    api: Api, contact: dict, ticket: dict, ident: str
) -> None:
    value = {"intercom_user_id": contact["id"], "user_id": "cat-7", "email": "CAT@example.com"}[
        ident
    ]
    resp = reply(
        api, ticket, type="user", message_type="comment", body="Still broken", **{ident: value}
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["author"]["type"] == "user"
    assert resp.json()["author"]["id"] == contact["id"]
    assert resp.json()["author"]["email"] == "cat@example.com"


def test_contact_reply_rejections(api: Api, workspace: Workspace, contact: dict) -> None:
    back_office = make_ticket(
        api, make_type(api, "Refund", category="Back-office")["id"], contact["id"]
    )
    assert_error(
        reply(
            api,
            back_office,
            type="user",
            message_type="comment",
            body="hi",
            intercom_user_id=contact["id"],
        ),
        400,
        "parameter_mismatch",
        contains="Backoffice",
    )
    internal = make_ticket(api, make_type(api, "Ops", is_internal=True)["id"], contact["id"])
    assert_error(
        reply(
            api,
            internal,
            type="admin",
            message_type="comment",
            body="hi",
            admin_id=workspace.admin_id,
        ),
        400,
        "parameter_mismatch",
    )
    assert (
        reply(
            api, internal, type="admin", message_type="note", body="hi", admin_id=workspace.admin_id
        ).status_code
        == 200
    )


def test_reply_rejections_write_nothing(
    api: Api, server: Server, workspace: Workspace, contact: dict, ticket: dict
) -> None:
    stranger = make_contact(api, "stranger@example.com")

    def count(conn):  # type: ignore[no-untyped-def]
        return conn.scalar(
            select(func.count())
            .select_from(ticket_parts)
            .where(ticket_parts.c.workspace_id == workspace.id)
        )

    before = server.tx(count)
    admin = {"type": "admin", "admin_id": workspace.admin_id}
    cases = [
        (dict(admin, message_type="comment"), 400, "parameter_not_found", "body"),
        (dict(admin, message_type="quick_reply"), 400, "parameter_not_found", "reply_options"),
        (
            {"type": "admin", "message_type": "note", "body": "x"},
            400,
            "parameter_not_found",
            "admin_id",
        ),
        (
            dict(admin, message_type="note", admin_id="424242", body="x"),
            404,
            "admin_not_found",
            "admin_id",
        ),
        (dict(admin, message_type="shout", body="x"), 400, "parameter_invalid", "message_type"),
        ({"message_type": "comment", "body": "x"}, 400, "parameter_not_found", "type"),
        (
            {"type": "user", "message_type": "note", "body": "x", "email": "cat@example.com"},
            400,
            "parameter_invalid",
            "message_type",
        ),
        (
            {"type": "user", "message_type": "comment", "body": "x"},
            400,
            "parameter_not_found",
            None,
        ),
        (
            {"type": "user", "message_type": "comment", "body": "x", "email": "who@example.com"},
            404,
            "not_found",
            "email",
        ),
        (
            {
                "type": "user",
                "message_type": "comment",
                "body": "x",
                "intercom_user_id": stranger["id"],
            },
            400,
            "parameter_mismatch",
            None,
        ),
        (
            dict(admin, message_type="note", body="x", attachment_urls=["ftp://x/y.png"]),
            400,
            "parameter_invalid",
            "attachment_urls[0]",
        ),
        (
            dict(
                admin,
                message_type="note",
                body="x",
                attachment_urls=[f"https://e.com/{i}.png" for i in range(11)],
            ),
            400,
            "parameter_invalid",
            "attachment_urls",
        ),
        (
            dict(
                admin,
                message_type="note",
                body="x",
                attachment_files=[{"content_type": "text/plain", "name": "a.txt", "data": "***"}],
            ),
            400,
            "parameter_invalid",
            "attachment_files[0].data",
        ),
    ]
    for body, status, code, field in cases:
        assert_error(reply(api, ticket, **body), status, code, field=field)
    assert_error(
        api.post("/tickets/999999/reply", json=dict(admin, message_type="note", body="x")),
        404,
        "not_found",
    )
    assert server.tx(count) == before


def test_attachments_urls_and_files(
    api: Api, server: Server, workspace: Workspace, ticket: dict
) -> None:
    part = reply(
        api,
        ticket,
        type="admin",
        message_type="comment",
        admin_id=workspace.admin_id,
        body="see",
        attachment_urls=["https://example.com/shots/screen%201.png"],
    ).json()
    assert part["attachments"] == [
        {
            "type": "upload",
            "name": "screen 1.png",
            "url": "https://example.com/shots/screen%201.png",
            "content_type": "image/png",
            "filesize": 0,
            "width": 0,
            "height": 0,
        }
    ]
    data = b"hello, file"
    part = reply(
        api,
        ticket,
        type="admin",
        message_type="note",
        admin_id=workspace.admin_id,
        body="file",
        version="2.16",
        attachment_urls=["https://example.com/ignored.png"],
        attachment_files=[
            {
                "content_type": "text/plain",
                "name": "log.txt",
                "data": base64.b64encode(data).decode(),
            }
        ],
    ).json()
    (attachment,) = part["attachments"]
    assert attachment["name"] == "log.txt" and attachment["filesize"] == len(data)
    fetched = httpx.get(attachment["url"])
    assert fetched.status_code == 200 and fetched.content == data
    assert fetched.headers["content-type"].startswith("text/plain")
    api.delete(f"/tickets/{ticket['id']}")
    assert (
        server.tx(
            lambda c: c.scalar(
                select(func.count())
                .select_from(uploads)
                .where(uploads.c.workspace_id == workspace.id)
            )
        )
        == 0
    )
    assert httpx.get(attachment["url"]).status_code == 404


def test_2_9_reply_is_an_admin_note(api: Api, workspace: Workspace, ticket: dict) -> None:
    note = reply(api, ticket, admin_id=workspace.admin_id, body="old style", version="2.9")
    assert note.status_code == 200, note.text
    assert note.json()["part_type"] == "note"
    assert_error(
        reply(
            api,
            ticket,
            admin_id=workspace.admin_id,
            body="x",
            message_type="comment",
            version="2.9",
        ),
        400,
        "parameter_invalid",
    )


def test_only_the_newest_500_parts_are_rendered(
    api: Api, server: Server, workspace: Workspace, ticket: dict
) -> None:
    def flood(conn):  # type: ignore[no-untyped-def]
        for i in range(MAX_RENDERED + 10):
            append_part(
                conn,
                workspace.id,
                int(ticket["id"]),
                "note",
                Author("admin", str(workspace.admin_id)),
                1_700_000_000 + i,
                body=f"<p>{i}</p>",
            )

    server.tx(flood)
    listed = api.get(f"/tickets/{ticket['id']}").json()["ticket_parts"]
    assert listed["total_count"] == MAX_RENDERED + 11
    assert len(listed["ticket_parts"]) == MAX_RENDERED
    assert listed["ticket_parts"][-1]["body"] == f"<p>{MAX_RENDERED + 9}</p>"


def test_tags_on_tickets(api: Api, workspace: Workspace, ticket: dict) -> None:
    tag = api.post("/tags", json={"name": "urgent"}).json()
    url = f"/tickets/{ticket['id']}/tags"
    added = api.post(url, json={"id": int(tag["id"]), "admin_id": workspace.admin_id})
    assert added.status_code == 200, added.text
    body = added.json()
    assert (body["type"], body["id"], body["name"]) == ("tag", tag["id"], "urgent")
    assert body["applied_by"] == {"type": "admin", "id": str(workspace.admin_id)}
    assert isinstance(body["applied_at"], int)
    again = api.post(url, json={"id": tag["id"], "admin_id": workspace.admin_id}).json()
    assert again["applied_at"] == body["applied_at"]
    assert_error(
        api.post(url, json={"id": "999999", "admin_id": workspace.admin_id}), 404, "tag_not_found"
    )
    assert_error(
        api.post("/tickets/999999/tags", json={"id": tag["id"], "admin_id": workspace.admin_id}),
        404,
        "ticket_not_found",
    )
    assert_error(
        api.post(url, json={"id": tag["id"]}), 400, "parameter_not_found", field="admin_id"
    )
    assert_error(
        api.post(url, json={"id": tag["id"], "admin_id": workspace.admin_id}, version="2.9"),
        404,
        "intercom_version_invalid",
    )
    removed = api.delete(f"{url}/{tag['id']}", json={"admin_id": workspace.admin_id})
    assert removed.status_code == 200 and removed.json()["id"] == tag["id"]
    assert_error(
        api.delete(f"{url}/{tag['id']}", json={"admin_id": workspace.admin_id}),
        404,
        "tag_not_found",
    )
