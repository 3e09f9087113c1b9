"""The inbox and portal refuse what they must: forms without their CSRF token, wrong
passwords (then a lockout), expired sessions, and contacts reaching tickets not theirs."""

from __future__ import annotations

import httpx
from sqlalchemy import select, update

from tests.conftest import Api, Server, Workspace
from tests.ticket_fixtures import add_attribute, make_contact, make_ticket, make_type, part_types
from tests.web_fixtures import (
    PASSWORD,
    browser_client,
    csrf_of,
    portal_link,
    set_password,
    sign_in,
)
from ticketry.inbox import accounts
from ticketry.tables import web_sessions


def _ticket(api: Api, email: str = "ann@example.com", **extra: object) -> tuple[dict, dict]:
    bug = make_type(api)
    contact = make_contact(api, email, external_id=email.split("@")[0])
    ticket = make_ticket(
        api, bug["id"], contact["id"], ticket_attributes={"_default_title_": "Checkout"}, **extra
    )
    return contact, ticket


def test_signed_out_visitors_go_to_sign_in(server: Server) -> None:
    resp = httpx.get(f"{server.url}/", follow_redirects=False)
    assert resp.status_code == 303
    assert resp.headers["location"] == "/signin?next=%2F"
    page = httpx.get(f"{server.url}/signin")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp
    assert "unsafe-inline" not in csp


def test_session_cookie_is_httponly_and_samesite(server: Server, workspace: Workspace) -> None:
    set_password(server, workspace)
    client = httpx.Client(base_url=server.url)
    page = client.get("/signin")
    resp = client.post(
        "/signin",
        data={
            "csrf_token": csrf_of(page.text),
            "email": workspace.admin_email,
            "password": PASSWORD,
        },
    )
    cookie = next(v for k, v in resp.headers.multi_items() if v.startswith("tkt_inbox="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    # A tampered signature is refused: the visitor is sent to sign in.
    value = client.cookies["tkt_inbox"]
    forged = httpx.get(
        f"{server.url}/", cookies={"tkt_inbox": value[:-2] + "00"}, follow_redirects=False
    )
    assert forged.status_code == 303


def test_sign_in_form_needs_its_csrf_token(server: Server, workspace: Workspace) -> None:
    set_password(server, workspace)
    resp = httpx.post(
        f"{server.url}/signin",
        data={"email": workspace.admin_email, "password": PASSWORD, "csrf_token": "x"},
    )
    assert resp.status_code == 403
    assert "tkt_inbox" not in resp.headers.get("set-cookie", "")


def test_forms_without_the_csrf_token_change_nothing(
    server: Server, workspace: Workspace, api: Api
) -> None:
    set_password(server, workspace)
    _, ticket = _ticket(api)
    client = browser_client(server, workspace)
    for data in ({}, {"csrf_token": "forged"}):
        resp = client.post(
            f"/inbox/tickets/{ticket['id']}/reply",
            data={**data, "message_type": "note", "body": "sneaky"},
        )
        assert resp.status_code == 403
        assert "security token" in resp.text
    after = api.get(f"/tickets/{ticket['id']}").json()
    assert "note" not in part_types(after)
    # With the page's token the same form works.
    token = csrf_of(client.get(f"/inbox/tickets/{ticket['id']}").text)
    resp = client.post(
        f"/inbox/tickets/{ticket['id']}/reply",
        data={"csrf_token": token, "message_type": "note", "body": "fine"},
    )
    assert resp.status_code == 303
    assert "note" in part_types(api.get(f"/tickets/{ticket['id']}").json())


def test_repeated_failures_lock_the_account(server: Server, workspace: Workspace) -> None:
    set_password(server, workspace)
    for _ in range(accounts.MAX_FAILURES - 1):
        resp = sign_in(server, workspace.admin_email, "wrong password")
        assert resp.status_code == 401
        assert "do not match" in resp.text
    resp = sign_in(server, workspace.admin_email, "wrong password")
    assert resp.status_code == 429
    assert "locked" in resp.text
    # Locked: even the right password is refused until it passes.
    resp = sign_in(server, workspace.admin_email, PASSWORD)
    assert resp.status_code == 429
    # A new password (what an operator does) lifts the lock.
    set_password(server, workspace)
    resp = sign_in(server, workspace.admin_email, PASSWORD)
    assert resp.status_code == 200
    assert "Tickets" in resp.text


def test_unknown_email_and_no_password_are_refused(server: Server, workspace: Workspace) -> None:
    assert sign_in(server, "nobody@example.com", PASSWORD).status_code == 401
    # An admin without a password cannot sign in at all.
    assert sign_in(server, workspace.admin_email, PASSWORD).status_code == 401


def test_sessions_expire_and_sign_out_ends_them(server: Server, workspace: Workspace) -> None:
    set_password(server, workspace)
    client = browser_client(server, workspace)
    assert client.get("/").status_code == 200
    server.tx(
        lambda c: c.execute(
            update(web_sessions)
            .where(web_sessions.c.subject_id == str(workspace.admin_id))
            .values(expires_at=1)
        )
    )
    resp = client.get("/")
    assert resp.status_code == 303 and resp.headers["location"].startswith("/signin")

    client = browser_client(server, workspace)
    token = csrf_of(client.get("/").text)
    cookie = client.cookies["tkt_inbox"]
    assert client.post("/signout", data={"csrf_token": token}).status_code == 303
    resp = httpx.get(f"{server.url}/", cookies={"tkt_inbox": cookie}, follow_redirects=False)
    assert resp.status_code == 303
    left = server.tx(
        lambda c: c.all(
            select(web_sessions.c.id_hash).where(
                web_sessions.c.subject_id == str(workspace.admin_id),
                web_sessions.c.expires_at > 1,
            )
        )
    )
    assert left == []


def test_contacts_see_only_their_own_shared_tickets(
    server: Server, workspace: Workspace, api: Api
) -> None:
    ann, shared = _ticket(api, "ann@example.com")
    api.put(f"/tickets/{shared['id']}", json={"is_shared": True})
    bug_id = shared["ticket_type"]["id"]
    private = make_ticket(
        api, bug_id, ann["id"], ticket_attributes={"_default_title_": "Not shared"}
    )
    bob = make_contact(api, "bob@example.com", external_id="bob")
    bobs = make_ticket(api, bug_id, bob["id"], ticket_attributes={"_default_title_": "Bob's"})
    api.put(f"/tickets/{bobs['id']}", json={"is_shared": True})

    portal = httpx.Client(base_url=server.url, follow_redirects=True, timeout=30)
    home = portal.get(portal_link(server, workspace, user_id="ann"))
    assert home.status_code == 200
    assert "Checkout" in home.text
    assert "Not shared" not in home.text and "Bob&#39;s" not in home.text
    assert portal.get(f"/portal/tickets/{shared['id']}").status_code == 200
    for other in (private, bobs):
        assert portal.get(f"/portal/tickets/{other['id']}").status_code == 404
        assert portal.get(f"/portal/tickets/{other['id']}/parts").status_code == 404
        token = csrf_of(portal.get(f"/portal/tickets/{shared['id']}").text)
        portal.post(
            f"/portal/tickets/{other['id']}/reply", data={"csrf_token": token, "body": "hi"}
        )
        assert part_types(api.get(f"/tickets/{other['id']}").json()).count("comment") == 0


def test_portal_links_must_be_signed(server: Server, workspace: Workspace, api: Api) -> None:
    make_contact(api, "ann@example.com", external_id="ann")
    good = portal_link(server, workspace, user_id="ann")
    assert httpx.get(good.replace("user_id=ann", "user_id=bob")).status_code == 403
    tampered = good[:-4] + "0000"
    assert httpx.get(tampered).status_code == 403
    assert httpx.get(good, follow_redirects=True).status_code == 200
    # Without a session the portal says how to get in.
    assert httpx.get(f"{server.url}/portal").status_code == 401


def test_user_strings_are_escaped(server: Server, workspace: Workspace, api: Api) -> None:
    set_password(server, workspace)
    bug = make_type(api, name="<img src=x onerror=alert(1)>")
    add_attribute(api, bug["id"], "Severity<script>", "string")
    contact = make_contact(api, "eve@example.com", name="<script>alert(2)</script>")
    ticket = make_ticket(
        api,
        bug["id"],
        contact["id"],
        ticket_attributes={"_default_title_": "<script>alert(3)</script>"},
    )
    api.post(
        f"/tickets/{ticket['id']}/reply",
        json={
            "type": "admin",
            "admin_id": str(workspace.admin_id),
            "message_type": "note",
            "body": "<p>hi <img src=x onerror=alert(4)></p>",
        },
    )
    client = browser_client(server, workspace)
    for path in ("/", f"/inbox/tickets/{ticket['id']}"):
        page = client.get(path).text
        assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in client.get("/").text


def test_a_portal_reply_over_the_limit_is_refused_by_name(
    server: Server, workspace: Workspace, api: Api
) -> None:
    _, shared = _ticket(api, "ann@example.com")
    api.put(f"/tickets/{shared['id']}", json={"is_shared": True})
    portal = httpx.Client(base_url=server.url, follow_redirects=True, timeout=30)
    assert portal.get(portal_link(server, workspace, user_id="ann")).status_code == 200
    page = f"/portal/tickets/{shared['id']}"
    token = csrf_of(portal.get(page).text)
    answer = portal.post(f"{page}/reply", data={"csrf_token": token, "body": "a" * 100_001})
    assert answer.status_code == 200 and "body" in answer.text  # the message names the field
    assert part_types(api.get(f"/tickets/{shared['id']}").json()).count("comment") == 0
