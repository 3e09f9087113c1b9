"""HTML pages: Jinja2 templates (autoescaped), the security headers every page carries,
forms with their CSRF check, one-shot flash messages, and the static files.

Content-Security-Policy allows scripts, styles and images from this origin only: no inline
script or style anywhere, so an injected string can neither run nor restyle a page.
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from importlib import resources
from typing import Any
from urllib.parse import quote, unquote

from jinja2 import Environment, PackageLoader, select_autoescape
from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ticketry.errors import ApiError

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
FLASH_COOKIE = "tkt_flash"
MAX_FLASH = 400


def _when(value: int | None) -> str:
    if not value:
        return ""
    return datetime.fromtimestamp(int(value), UTC).strftime("%Y-%m-%d %H:%M UTC")


def _iso(value: int | None) -> str:
    if not value:
        return ""
    return datetime.fromtimestamp(int(value), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _local_input(value: Any) -> str:
    """A UNIX time as a datetime-local input's value (UTC)."""
    if value in (None, ""):
        return ""
    return datetime.fromtimestamp(int(value), UTC).strftime("%Y-%m-%dT%H:%M")


env = Environment(
    loader=PackageLoader("ticketry.web", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
env.filters["when"] = _when
env.filters["iso"] = _iso
env.filters["local_input"] = _local_input
env.filters["urlquote"] = lambda v: quote(str(v), safe="")


def secure(request: Request) -> bool:
    public = request.app.state.public_url or ""
    return request.url.scheme == "https" or public.startswith("https://")


def set_cookie(
    response: Response, request: Request, name: str, value: str, seconds: float, path: str
) -> None:
    """A session cookie: HttpOnly, SameSite=Lax, Secure over https."""
    response.set_cookie(
        name,
        value,
        max_age=int(seconds),
        httponly=True,
        samesite="lax",
        secure=secure(request),
        path=path,
    )


def html(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    flash = request.cookies.get(FLASH_COOKIE)
    body = env.get_template(template).render(
        request=request,
        base_url=base_url(request),
        flash=unquote(flash)[:MAX_FLASH] if flash else None,
        **context,
    )
    response = HTMLResponse(body, status_code=status, headers=HEADERS)
    if flash:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def fragment(request: Request, template: str, **context: Any) -> HTMLResponse:
    body = env.get_template(template).render(base_url=base_url(request), **context)
    return HTMLResponse(body, headers=HEADERS)


def base_url(request: Request) -> str:
    """This server's base URL as links it hands out start (attachment URLs)."""
    return str(request.app.state.public_url or str(request.base_url).rstrip("/"))


def redirect(
    request: Request, to: str, flash: str | None = None, status: int = 303
) -> RedirectResponse:
    response = RedirectResponse(to, status_code=status, headers=HEADERS)
    if flash:
        response.set_cookie(
            FLASH_COOKIE,
            quote(flash[:MAX_FLASH], safe=""),
            max_age=60,
            httponly=True,
            samesite="lax",
            secure=secure(request),
            path="/",
        )
    return response


def error_message(exc: ApiError) -> str:
    field = f" ({exc.field})" if getattr(exc, "field", None) else ""
    return f"{exc.message}{field}"


def invalid_message(exc: ValidationError) -> str:
    """A payload built from a form and refused by its model (a body over the length limit),
    named by field as the API's 400 would name it."""
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"])
    return f"{first['msg']} ({field})"


class CsrfRejected(ApiError):
    status = 403
    code = "csrf_token_invalid"


async def form(request: Request, csrf_token: str) -> FormData:
    """The posted form, after checking its CSRF token against the session's."""
    data = await request.form(max_files=10, max_fields=500)
    sent = data.get("csrf_token")
    if not isinstance(sent, str) or not hmac.compare_digest(sent, csrf_token):
        raise CsrfRejected("The form's security token is missing or stale: reload the page")
    return data


def text(data: FormData, name: str) -> str:
    value = data.get(name)
    return value.strip() if isinstance(value, str) else ""


_STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


async def static(request: Request) -> Response:
    name = request.path_params["name"]
    kind = _STATIC_TYPES.get(name[name.rfind(".") :] if "." in name else "")
    folder = resources.files("ticketry.web") / "static"
    if kind is None or "/" in name or name.startswith("."):
        return Response("Not found", status_code=404, media_type="text/plain")
    path = folder / name
    if not path.is_file():
        return Response("Not found", status_code=404, media_type="text/plain")
    return Response(
        path.read_bytes(),
        media_type=kind,
        headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"},
    )
