"""Builders for the browser tests: an admin with a password, a signed-in HTTP client, a
signed portal link."""

from __future__ import annotations

import hashlib
import hmac
import re
from urllib.parse import urlencode

import httpx

from tests.conftest import Server, Workspace
from ticketry.inbox import accounts
from ticketry.web import passwords, sessions

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def set_password(server: Server, workspace: Workspace, password: str = PASSWORD) -> None:
    digest = passwords.hash_password(password)
    server.tx(lambda c: accounts.set_password(c, workspace.id, workspace.admin_id, digest))


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def sign_in(server: Server, email: str, password: str = PASSWORD) -> httpx.Response:
    """A fresh client's sign-in attempt; the response is the final page."""
    client = httpx.Client(base_url=server.url, follow_redirects=True, timeout=30)
    page = client.get("/signin")
    return client.post(
        "/signin",
        data={"csrf_token": csrf_of(page.text), "email": email, "password": password},
    )


def browser_client(server: Server, workspace: Workspace) -> httpx.Client:
    """An httpx client signed in to the inbox as the workspace's admin."""
    client = httpx.Client(base_url=server.url, timeout=30)
    page = client.get("/signin")
    resp = client.post(
        "/signin",
        data={
            "csrf_token": csrf_of(page.text),
            "email": workspace.admin_email,
            "password": PASSWORD,
        },
    )
    assert resp.status_code == 303, resp.text
    return client


def portal_link(
    server: Server, workspace: Workspace, *, user_id: str | None = None, email: str | None = None
) -> str:
    secret = server.tx(lambda c: sessions.identity_secret(c, workspace.id))
    identity = user_id or email or ""
    signed = hmac.new(secret.encode(), identity.encode(), hashlib.sha256).hexdigest()
    params = {"workspace": workspace.id_code, "user_hash": signed}
    params.update({"user_id": user_id} if user_id else {"email": email or ""})
    return f"{server.url}/portal/signin?{urlencode(params)}"
