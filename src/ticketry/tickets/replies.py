"""Replies on tickets: admin comments, notes and quick replies, and contact comments.

Plain-text bodies are stored as HTML the way Intercom returns them (`Thanks` becomes
`<p>Thanks</p>`). `attachment_files` (2.16) are stored in the database and served from
`/uploads/...`; when both are sent they win over `attachment_urls`, as Intercom documents.
"""

from __future__ import annotations

import html
import mimetypes
import re
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import select

from ticketry.db.database import Conn
from ticketry.errors import ApiError, NotFound, ParameterInvalid, ParameterNotFound
from ticketry.kit import ids
from ticketry.kit.versions import V2_10, Version
from ticketry.tables import contacts, ticket_contacts
from ticketry.ticket_types.queries import get_type
from ticketry.tickets import changes, lookups, uploads
from ticketry.tickets.parts import Author
from ticketry.tickets.schemas import Reply

MAX_ATTACHMENTS = uploads.MAX_ATTACHMENTS
_WRAPPER = re.compile(
    r"^\s*(<!doctype[^>]*>)?\s*<html[^>]*>\s*(<body[^>]*>)?|"
    r"(</body>)?\s*</html>\s*$",
    re.IGNORECASE,
)


def mismatch(message: str) -> ApiError:
    return ApiError(message, code="parameter_mismatch", status=400)


def to_html(body: str) -> str:
    """HTML stays HTML (minus an <html><body> wrapper); plain text becomes paragraphs."""
    text = body.strip()
    if text.startswith("<"):
        return _WRAPPER.sub("", text).strip()
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()] or [""]
    return "".join(
        "<p>" + html.escape(p.strip(), quote=False).replace("\n", "<br>") + "</p>"
        for p in paragraphs
    )


def url_attachments(urls: list[str]) -> list[dict[str, Any]]:
    out = []
    for i, url in enumerate(urls):
        parts_ = urlsplit(url)
        if parts_.scheme not in ("http", "https") or not parts_.netloc:
            raise ParameterInvalid(
                f"attachment_urls[{i}] must be an http(s) URL", field=f"attachment_urls[{i}]"
            )
        name = unquote(parts_.path.rsplit("/", 1)[-1]) or "attachment"
        out.append(
            {
                "type": "upload",
                "name": name,
                "url": url,
                "content_type": mimetypes.guess_type(name)[0] or "application/octet-stream",
                # Ticketry does not fetch the URL, so its size is unknown: 0.
                "filesize": 0,
                "width": 0,
                "height": 0,
            }
        )
    return out


def part_data(
    conn: Conn, workspace_id: int, ticket_id: int | None, p: Reply, base_url: str, at: int
) -> dict[str, Any]:
    """A reply part's `data`: its attachments (files stored now, or URLs) and quick-reply
    options. Shared by ticket and conversation replies."""
    urls = p.attachment_urls or []
    if len(urls) > MAX_ATTACHMENTS:
        raise ParameterInvalid(
            f"At most {MAX_ATTACHMENTS} attachments are allowed", field="attachment_urls"
        )
    files = uploads.check_files(p.attachment_files or [])
    attachments = (
        uploads.store(conn, workspace_id, ticket_id, base_url, files, at)
        if files
        else url_attachments(urls)
    )
    data: dict[str, Any] = {"via_api": True}
    if attachments:
        data["attachments"] = attachments
    if p.reply_options:
        data["reply_options"] = [o.model_dump() for o in p.reply_options]
    return data


def _contact_author(conn: Conn, workspace_id: int, ticket_id: int, p: Reply) -> str:
    for field, column in (
        ("intercom_user_id", contacts.c.id),
        ("user_id", contacts.c.external_id),
        ("email", contacts.c.email_key),
    ):
        value = getattr(p, field)
        if value is not None:
            value = value.lower() if field == "email" else value
            row = conn.one(
                select(contacts.c.id).where(
                    contacts.c.workspace_id == workspace_id, column == value
                )
            )
            if row is None:
                raise NotFound("Resource Not Found", field=field)
            on_ticket = conn.one(
                select(ticket_contacts.c.contact_id).where(
                    ticket_contacts.c.ticket_id == ticket_id,
                    ticket_contacts.c.contact_id == row["id"],
                )
            )
            if on_ticket is None:
                raise mismatch("The contact is not on this ticket")
            return row["id"]
    raise ParameterNotFound(
        "intercom_user_id",
        "one of intercom_user_id, user_id or email is required for a contact reply",
    )


def reply(
    conn: Conn,
    workspace_id: int,
    caller_admin: int,
    ticket_id: int,
    p: Reply,
    version: Version,
    base_url: str,
) -> int:
    """Append a reply part; its id."""
    with changes.changing(
        conn,
        workspace_id,
        ticket_id,
        Author("admin", str(caller_admin)),
        not_found=NotFound("Resource Not Found", field="id"),
    ) as t:
        return _reply(t, p, version, base_url)


def _reply(t: changes.TicketChange, p: Reply, version: Version, base_url: str) -> int:
    conn, workspace_id, row = t.conn, t.workspace_id, t.row
    ticket_type = get_type(conn, workspace_id, row["ticket_type_id"])
    assert ticket_type is not None  # types are archived, never deleted under their tickets
    kind = p.type or ("admin" if version < V2_10 else None)
    if kind is None:
        raise ParameterNotFound("type")
    message_type = p.message_type or ("note" if version < V2_10 else None)
    if message_type is None:
        raise ParameterNotFound("message_type")
    if kind == "admin":
        if version < V2_10 and message_type != "note":
            raise ParameterInvalid(
                "Only notes can be added in API version 2.9", field="message_type"
            )
        if p.admin_id is None:
            raise ParameterNotFound("admin_id")
        admin = lookups.admin(
            conn,
            workspace_id,
            p.admin_id,
            NotFound("Admin not found", code="admin_not_found", field="admin_id"),
        )
        author = Author("admin", str(admin))
        if message_type == "comment" and ticket_type["is_internal"]:
            raise mismatch("Comments are not allowed on internal tickets; add a note instead")
        if message_type == "quick_reply" and not p.reply_options:
            raise ParameterNotFound("reply_options")
    else:
        if message_type != "comment":
            raise ParameterInvalid(
                "Contacts can only reply with message_type comment", field="message_type"
            )
        if row["category"] == "Back-office":
            raise mismatch("User replies are not allowed on Backoffice tickets")
        if row["category"] == "Tracker" or ticket_type["is_internal"]:
            raise mismatch(
                "User replies are not allowed on "
                f"{'Tracker' if row['category'] == 'Tracker' else 'internal'} tickets"
            )
        author = Author("user", _contact_author(conn, workspace_id, t.id, p))
    if message_type in ("comment", "note") and not (p.body or "").strip():
        raise ParameterNotFound("body")

    at = p.created_at if p.created_at is not None else ids.now()
    data = part_data(conn, workspace_id, t.id, p, base_url, at)
    body = to_html(p.body) if p.body is not None and message_type != "quick_reply" else None
    return t.part(message_type, author=author, at=at, body=body, data=data)
