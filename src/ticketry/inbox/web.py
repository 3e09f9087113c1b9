"""Who is signed in to the inbox, and the wrapper every inbox page and form goes through:
no session sends the browser to the sign-in page; a form is checked for its CSRF token; a
refused change comes back to the page it was made on, with Intercom's message."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from ticketry.admins.queries import get_admin
from ticketry.db.database import Conn, Database, Row
from ticketry.errors import ApiError
from ticketry.tags.queries import find_by_name
from ticketry.tags.schemas import TagWrite
from ticketry.tags.service import save_tag
from ticketry.web import pages, sessions


@dataclass(frozen=True, slots=True)
class Me:
    request: Request
    db: Database
    workspace_id: int
    admin_id: int
    admin: Row
    csrf_token: str

    async def form(self) -> FormData:
        return await pages.form(self.request, self.csrf_token)

    def page(self, template: str, status: int = 200, **context: object) -> Response:
        return pages.html(self.request, template, status, me=self, **context)


async def current(request: Request) -> Me | None:
    cookie = request.cookies.get(sessions.ADMIN_COOKIE)
    if not cookie:
        return None
    db: Database = request.app.state.db
    session = await db.read_point(sessions.lookup, cookie, "admin")
    if session is None:
        return None
    found = await db.read_point(get_admin, session.workspace_id, int(session.subject_id))
    if found is None:
        return None
    return Me(
        request, db, session.workspace_id, int(session.subject_id), found[0], session.csrf_token
    )


Handler = Callable[[Me], Awaitable[Response]]


def signin_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return pages.redirect(request, f"/signin?next={quote(target, safe='')}")


def page(fn: Handler) -> Callable[[Request], Awaitable[Response]]:
    """An inbox GET page: signed-in admins only; a refused lookup renders an error page."""

    async def handle(request: Request) -> Response:
        started = time.perf_counter()
        me = await current(request)
        if me is None:
            return signin_redirect(request)
        try:
            response = await fn(me)
        except ApiError as exc:
            response = me.page("error.html", exc.status, message=pages.error_message(exc))
        # The server's own time for the page (session, queries, template), for browsers'
        # developer tools and the inbox benchmark.
        elapsed = (time.perf_counter() - started) * 1000
        response.headers["Server-Timing"] = f"app;dur={elapsed:.1f}"
        return response

    handle.__name__ = fn.__name__
    return handle


def action(fn: Handler, back: Callable[[Request], str]) -> Callable[[Request], Awaitable[Response]]:
    """An inbox form POST: CSRF-checked by `me.form()`; any refusal goes back to `back`
    with the message as a flash (post/redirect/get, so reload never resubmits)."""

    async def handle(request: Request) -> Response:
        me = await current(request)
        if me is None:
            return signin_redirect(request)
        try:
            return await fn(me)
        except pages.CsrfRejected as exc:
            return me.page("error.html", 403, message=exc.message)
        except ApiError as exc:
            return pages.redirect(request, back(request), flash=pages.error_message(exc))
        except ValidationError as exc:
            return pages.redirect(request, back(request), flash=pages.invalid_message(exc))

    handle.__name__ = fn.__name__
    return handle


def tag_forms(
    object_id: Callable[[Request], int],
    tag: Callable[..., tuple[Row, Any, Any]],
    untag: Callable[..., Any],
    back: Callable[[Request], str],
) -> tuple[Handler, Handler]:
    """The tag and untag forms of a page whose object (a ticket, a conversation) the API's
    `tag`/`untag` services change: a tag chosen by id, or by name (made when new)."""

    async def add(me: Me) -> Response:
        target = object_id(me.request)
        form = await me.form()
        tag_id = pages.text(form, "tag_id")
        name = pages.text(form, "tag_name")

        def run(conn: Conn) -> str:
            ident = tag_id
            if not ident:
                found = find_by_name(conn, me.workspace_id, name)
                ident = str((found or save_tag(conn, me.workspace_id, TagWrite(name=name)))["id"])
            made, _, _ = tag(conn, me.workspace_id, target, ident, str(me.admin_id))
            return str(made["name"])

        tag_name = await me.db.write(run)
        return pages.redirect(me.request, back(me.request), flash=f"Tagged {tag_name}.")

    async def remove(me: Me) -> Response:
        target = object_id(me.request)
        await me.form()
        removed = me.request.path_params["tag_id"]
        await me.db.write(untag, me.workspace_id, target, removed, str(me.admin_id))
        return pages.redirect(me.request, back(me.request), flash="Tag removed.")

    return add, remove
