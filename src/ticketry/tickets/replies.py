"""Replies on tickets: admin comments, notes and quick replies, and contact comments.

Plain-text bodies are stored as HTML the way Intercom returns them (`Thanks` becomes
`<p>Thanks</p>`). `attachment_files` (2.16) are stored in the database and served from
`/uploads/...`; when both are sent they win over `attachment_urls`, as Intercom documents.
"""

from __future__ import annotations

import base64
import binascii
import html
import mimetypes
import re
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import insert, select, update

from ticketry.db.database import Conn
from ticketry.errors import ApiError, NotFound, ParameterInvalid, ParameterNotFound
from ticketry.kit import ids
from ticketry.kit.images import dimensions
from ticketry.kit.versions import V2_10, Version
from ticketry.tables import contacts, ticket_contacts, tickets, uploads
from ticketry.ticket_types.queries import get_type
from ticketry.tickets import lookups, parts
from ticketry.tickets.parts import Author
from ticketry.tickets.queries import get_row
from ticketry.tickets.schemas import AttachmentFile, Reply

MAX_ATTACHMENTS = 10
MAX_FILE_BYTES = 10 * 1024 * 1024
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


def _url_attachments(urls: list[str]) -> list[dict[str, Any]]:
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


def _decode_files(files: list[AttachmentFile]) -> list[tuple[AttachmentFile, bytes]]:
    decoded = []
    for i, f in enumerate(files):
        try:
            data = base64.b64decode(f.data, validate=True)
        except (binascii.Error, ValueError):
            raise ParameterInvalid(
                f"attachment_files[{i}].data must be base64", field=f"attachment_files[{i}].data"
            ) from None
        if len(data) > MAX_FILE_BYTES:
            raise ParameterInvalid(
                f"attachment_files[{i}] is larger than 10 MB", field=f"attachment_files[{i}].data"
            )
        if not f.name.strip():
            raise ParameterInvalid(
                f"attachment_files[{i}].name must not be blank", field=f"attachment_files[{i}].name"
            )
        decoded.append((f, data))
    return decoded


def _store_files(
    conn: Conn,
    workspace_id: int,
    ticket_id: int,
    base_url: str,
    files: list[tuple[AttachmentFile, bytes]],
    at: int,
) -> list[dict[str, Any]]:
    out = []
    for f, data in files:
        token = ids.url_token(18)
        conn.execute(
            insert(uploads).values(
                workspace_id=workspace_id,
                ticket_id=ticket_id,
                token=token,
                name=f.name,
                content_type=f.content_type,
                data=data,
                filesize=len(data),
                created_at=at,
            )
        )
        width, height = dimensions(data)
        out.append(
            {
                "type": "upload",
                "name": f.name,
                "url": f"{base_url}/uploads/{token}",
                "content_type": f.content_type,
                "filesize": len(data),
                "width": width,
                "height": height,
            }
        )
    return out


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
    conn: Conn, workspace_id: int, ticket_id: int, p: Reply, version: Version, base_url: str
) -> int:
    """Append a reply part; its id."""
    row = get_row(conn, workspace_id, ticket_id)
    if row is None:
        raise NotFound("Resource Not Found", field="id")
    ticket_type = get_type(conn, workspace_id, row["ticket_type_id"])
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
        author = Author("user", _contact_author(conn, workspace_id, ticket_id, p))
    if message_type in ("comment", "note") and not (p.body or "").strip():
        raise ParameterNotFound("body")

    urls = p.attachment_urls or []
    files = _decode_files(p.attachment_files or [])
    if len(urls) > MAX_ATTACHMENTS or len(files) > MAX_ATTACHMENTS:
        field = "attachment_files" if len(files) > MAX_ATTACHMENTS else "attachment_urls"
        raise ParameterInvalid(f"At most {MAX_ATTACHMENTS} attachments are allowed", field=field)
    at = p.created_at if p.created_at is not None else ids.now()
    if files:
        attachments = _store_files(conn, workspace_id, ticket_id, base_url, files, at)
    else:
        attachments = _url_attachments(urls)

    data: dict[str, Any] = {"via_api": True}
    if attachments:
        data["attachments"] = attachments
    if p.reply_options:
        data["reply_options"] = [o.model_dump() for o in p.reply_options]
    body = to_html(p.body) if p.body is not None and message_type != "quick_reply" else None
    part_id = parts.append(
        conn, workspace_id, ticket_id, message_type, author, at, body=body, data=data
    )
    conn.execute(
        update(tickets)
        .where(tickets.c.workspace_id == workspace_id, tickets.c.id == ticket_id)
        .values(updated_at=ids.now())
    )
    return part_id
