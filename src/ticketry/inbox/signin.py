"""Sign-in and sign-out pages. Before a session exists the form's CSRF token is a random
value in a short-lived cookie that the form must repeat (double submit)."""

from __future__ import annotations

import asyncio
import hmac
import secrets
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import Response

from ticketry.db.database import Database
from ticketry.inbox import accounts
from ticketry.inbox.web import current
from ticketry.web import pages, sessions

SIGNIN_CSRF_COOKIE = "tkt_signin"


def _next(value: str | None) -> str:
    """Only a path on this site: never `//host` or `https://...` (no open redirect)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


def _form(
    request: Request, status: int = 200, error: str | None = None, email: str = ""
) -> Response:
    token = secrets.token_urlsafe(24)
    response = pages.html(
        request,
        "signin.html",
        status,
        csrf_token=token,
        error=error,
        email=email,
        next=_next(request.query_params.get("next")),
    )
    response.set_cookie(
        SIGNIN_CSRF_COOKIE,
        token,
        max_age=3600,
        httponly=True,
        samesite="strict",
        secure=pages.secure(request),
        path="/signin",
    )
    return response


async def signin_page(request: Request) -> Response:
    if await current(request) is not None:
        return pages.redirect(request, _next(request.query_params.get("next")))
    return _form(request)


async def signin(request: Request) -> Response:
    data = await request.form(max_files=0, max_fields=10)
    cookie = request.cookies.get(SIGNIN_CSRF_COOKIE, "")
    sent = data.get("csrf_token")
    if not cookie or not isinstance(sent, str) or not hmac.compare_digest(sent, cookie):
        return _form(request, 403, "The form expired: please sign in again.")
    email = pages.text(data, "email")[:320]
    password = data.get("password")
    password = password if isinstance(password, str) else ""
    db: Database = request.app.state.db
    rows = await db.read(accounts.candidates, email)
    match = await asyncio.to_thread(accounts.check, password, rows)
    if not rows:
        return _form(request, 401, "That email and password do not match an account.", email)
    outcome = await db.write(accounts.record, (match or rows[0])["id"], match is not None)
    if outcome.locked_until is not None:
        until = datetime.fromtimestamp(outcome.locked_until, UTC).strftime("%H:%M UTC")
        return _form(
            request,
            429,
            f"Too many failed sign-ins: this account is locked until {until}. "
            "Another admin can reset the password with `ticketry admin set-password`.",
            email,
        )
    if outcome.admin is None:
        return _form(request, 401, "That email and password do not match an account.", email)
    admin = outcome.admin
    seconds = request.app.state.session_seconds
    cookie_value = await db.write(
        sessions.start, admin["workspace_id"], "admin", str(admin["id"]), seconds
    )
    response = pages.redirect(request, _next(pages.text(data, "next")))
    pages.set_cookie(response, request, sessions.ADMIN_COOKIE, cookie_value, seconds, "/")
    response.delete_cookie(SIGNIN_CSRF_COOKIE, path="/signin")
    return response


async def signout(request: Request) -> Response:
    me = await current(request)
    if me is not None:
        try:
            await me.form()  # CSRF: another site cannot sign a teammate out
        except pages.CsrfRejected as exc:
            return me.page("error.html", 403, message=exc.message)
        await me.db.write(sessions.end, request.cookies[sessions.ADMIN_COOKIE])
    response = pages.redirect(request, "/signin", flash="You are signed out.")
    response.delete_cookie(sessions.ADMIN_COOKIE, path="/")
    return response
