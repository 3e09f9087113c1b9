"""Attachment files (`attachment_files`, 2.16): checked, stored in the database, served back.

Names and content types are checked on upload (no control characters, a real
`type/subtype`), because they travel back in response headers. Downloads carry
`X-Content-Type-Options: nosniff` and a sandboxing Content-Security-Policy, and anything
but a raster image is sent as an attachment, so an uploaded HTML or SVG file never runs
as a page of Ticketry's origin.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any
from urllib.parse import quote

from sqlalchemy import bindparam, insert, select

from ticketry.db.database import Conn, Row
from ticketry.db.sql import Q
from ticketry.errors import ParameterInvalid
from ticketry.kit import ids
from ticketry.kit.images import dimensions
from ticketry.tables import uploads
from ticketry.tickets.schemas import AttachmentFile

MAX_ATTACHMENTS = 10
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_NAME = 255
_MAX_BASE64 = (MAX_FILE_BYTES + 2) // 3 * 4 + 64  # a little slack for whitespace
_TOKEN = r"[A-Za-z0-9!#$&^_.+-]+"
_CONTENT_TYPE = re.compile(
    rf"{_TOKEN}/{_TOKEN}(\s*;\s*{_TOKEN}=({_TOKEN}|\"[^\"\\\x00-\x1f\x7f]*\"))*"
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_URL_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")
# Shown in the browser; everything else downloads. SVG can carry script, so it downloads.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


def _invalid(i: int, key: str, message: str) -> ParameterInvalid:
    field = f"attachment_files[{i}].{key}"
    return ParameterInvalid(f"{field} {message}", field=field)


def check_files(files: list[AttachmentFile]) -> list[tuple[str, str, bytes]]:
    """(name, content type, bytes) per file; the count is checked before anything is
    decoded, sizes before a file is decoded."""
    if len(files) > MAX_ATTACHMENTS:
        raise ParameterInvalid(
            f"At most {MAX_ATTACHMENTS} attachments are allowed", field="attachment_files"
        )
    out = []
    for i, f in enumerate(files):
        name = f.name.strip()
        if not name:
            raise _invalid(i, "name", "must not be blank")
        if len(name) > MAX_NAME or _CONTROL.search(name) or "/" in name or "\\" in name:
            raise _invalid(
                i,
                "name",
                f"must be a file name of at most {MAX_NAME} characters, without"
                " slashes or control characters",
            )
        content_type = f.content_type.strip()
        if len(content_type) > 255 or not _CONTENT_TYPE.fullmatch(content_type):
            raise _invalid(i, "content_type", "must be a media type such as image/png")
        if len(f.data) > _MAX_BASE64:
            raise _invalid(i, "data", "is larger than 10 MB")
        try:
            data = base64.b64decode(f.data, validate=True)
        except (binascii.Error, ValueError):
            raise _invalid(i, "data", "must be base64") from None
        if len(data) > MAX_FILE_BYTES:
            raise _invalid(i, "data", "is larger than 10 MB")
        out.append((name, content_type, data))
    return out


def store(
    conn: Conn,
    workspace_id: int,
    ticket_id: int | None,
    base_url: str,
    files: list[tuple[str, str, bytes]],
    at: int,
) -> list[dict[str, Any]]:
    """Store checked files; their attachment objects as parts carry them."""
    out = []
    for name, content_type, data in files:
        token = ids.url_token(18)
        conn.execute(
            insert(uploads).values(
                workspace_id=workspace_id,
                ticket_id=ticket_id,
                token=token,
                name=name,
                content_type=content_type,
                data=data,
                filesize=len(data),
                created_at=at,
            )
        )
        width, height = dimensions(data)
        out.append(
            {
                "type": "upload",
                "name": name,
                "url": f"{base_url}/uploads/{token}",
                "content_type": content_type,
                "filesize": len(data),
                "width": width,
                "height": height,
            }
        )
    return out


_GET = Q(
    select(uploads.c.name, uploads.c.content_type, uploads.c.data).where(
        uploads.c.token == bindparam("token")
    )
)


def find(conn: Conn, token: str) -> Row | None:
    """An upload by its URL token; None for anything that cannot be one."""
    if not _URL_TOKEN.fullmatch(token):
        return None
    return conn.one(_GET, {"token": token})


def download_headers(name: str, content_type: str) -> tuple[str, dict[str, str]]:
    """The media type and headers a stored file is served with."""
    if _CONTROL.search(content_type) or not _CONTENT_TYPE.fullmatch(content_type):
        content_type = "application/octet-stream"  # stored before names were checked
    base = content_type.split(";", 1)[0].strip().lower()
    disposition = "inline" if base in INLINE_TYPES else "attachment"
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in name)
    headers = {
        # RFC 6266: an ASCII fallback, and the real name percent-encoded as UTF-8 (RFC 5987)
        "Content-Disposition": (
            f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
        ),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "private, max-age=3600",
    }
    return content_type, headers
