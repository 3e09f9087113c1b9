"""Ticket parts: the ticket's history. Appending them, and rendering them per version.

Every change a service makes appends its part in the same transaction, so the history can
never disagree with the ticket. Parts keep what a version may need (attachments, the
changed attribute) in a JSON `data` column; renderers pick what the version shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Select, String, and_, bindparam, cast, func, or_, select

from ticketry.db.database import Conn, Row
from ticketry.db.sql import InsertQ, Q
from ticketry.kit.versions import V2_13, V2_14, Version
from ticketry.tables import admins, contacts, ticket_parts

MAX_RENDERED = 500  # responses carry at most the newest 500 parts, like Intercom's
BOT_ID = "0"
APP_PACKAGE_CODE = "ticketry-api"


@dataclass(frozen=True, slots=True)
class Author:
    type: str  # admin | bot | team | user
    id: str


_INSERT = InsertQ(ticket_parts, returning=ticket_parts.c.id)


def append(
    conn: Conn,
    workspace_id: int,
    ticket_id: int,
    part_type: str,
    author: Author,
    at: int,
    *,
    body: str | None = None,
    previous_state: str | None = None,
    state: str | None = None,
    assigned_to: tuple[str, str] | None = None,
    data: dict[str, Any] | None = None,
) -> int:
    return conn.scalar(
        _INSERT,
        _INSERT.row(
            workspace_id=workspace_id,
            ticket_id=ticket_id,
            part_type=part_type,
            body=body,
            author_type=author.type,
            author_id=author.id,
            previous_state=previous_state,
            state=state,
            assigned_to_type=assigned_to[0] if assigned_to else None,
            assigned_to_id=assigned_to[1] if assigned_to else None,
            data=orjson.dumps(data).decode() if data else None,
            created_at=at,
            updated_at=at,
        ),
    )


_NEWEST = Q(
    select(ticket_parts)
    .where(
        ticket_parts.c.workspace_id == bindparam("ws"), ticket_parts.c.ticket_id == bindparam("t")
    )
    .order_by(ticket_parts.c.id.desc())
    .limit(MAX_RENDERED)
)
_COUNT = Q(
    select(func.count())
    .select_from(ticket_parts)
    .where(
        ticket_parts.c.workspace_id == bindparam("ws"), ticket_parts.c.ticket_id == bindparam("t")
    )
)
_ONE = Q(
    select(ticket_parts).where(
        ticket_parts.c.workspace_id == bindparam("ws"), ticket_parts.c.id == bindparam("id")
    )
)


def newest(conn: Conn, workspace_id: int, ticket_id: int) -> tuple[list[Row], int]:
    """The newest parts, oldest first, and how many the ticket has in all."""
    rows = conn.all(_NEWEST, {"ws": workspace_id, "t": ticket_id})
    rows.reverse()
    total = len(rows)
    if total == MAX_RENDERED:
        total = conn.scalar(_COUNT, {"ws": workspace_id, "t": ticket_id})
    return rows, total


_AUTHOR_ADMIN = admins.alias("author_admin")
_AUTHOR_CONTACT = contacts.alias("author_contact")


def newest_with_authors_of(ticket_id: ColumnElement[Any]) -> Select[Any]:
    """A ticket's newest parts, newest first, with their authors' names (`ticket_id` may
    be a correlated column)."""
    return (
        select(
            ticket_parts,
            func.coalesce(_AUTHOR_ADMIN.c.name, _AUTHOR_CONTACT.c.name).label("author_name"),
            func.coalesce(_AUTHOR_ADMIN.c.email, _AUTHOR_CONTACT.c.email).label("author_email"),
            func.coalesce(cast(_AUTHOR_ADMIN.c.id, String), _AUTHOR_CONTACT.c.id).label(
                "author_found"
            ),
        )
        .select_from(
            ticket_parts.outerjoin(
                _AUTHOR_ADMIN,
                and_(
                    ticket_parts.c.author_type == "admin",
                    _AUTHOR_ADMIN.c.workspace_id == bindparam("ws"),
                    cast(_AUTHOR_ADMIN.c.id, String) == ticket_parts.c.author_id,
                ),
            ).outerjoin(
                _AUTHOR_CONTACT,
                and_(
                    or_(ticket_parts.c.author_type == "user", ticket_parts.c.author_type == "lead"),
                    _AUTHOR_CONTACT.c.workspace_id == bindparam("ws"),
                    _AUTHOR_CONTACT.c.id == ticket_parts.c.author_id,
                ),
            )
        )
        .where(
            ticket_parts.c.workspace_id == bindparam("ws"), ticket_parts.c.ticket_id == ticket_id
        )
        .order_by(ticket_parts.c.id.desc())
        .limit(MAX_RENDERED)
    )


NEWEST_WITH_AUTHORS = Q(newest_with_authors_of(bindparam("t")))


def newest_with_authors(
    conn: Conn, workspace_id: int, ticket_id: int
) -> tuple[list[Row], int, dict[tuple[str, str], Row]]:
    """`newest` and the `author_directory` of those parts, in one query (a ticket read)."""
    rows = conn.all(NEWEST_WITH_AUTHORS, {"ws": workspace_id, "t": ticket_id})
    return with_authors(conn, workspace_id, ticket_id, rows)


def with_authors(
    conn: Conn, workspace_id: int, ticket_id: int, rows: list[Row]
) -> tuple[list[Row], int, dict[tuple[str, str], Row]]:
    """`newest_with_authors` from the rows of `NEWEST_WITH_AUTHORS` (newest first)."""
    rows.reverse()
    total = len(rows)
    if total == MAX_RENDERED:
        total = conn.scalar(_COUNT, {"ws": workspace_id, "t": ticket_id})
    directory: dict[tuple[str, str], Row] = {}
    for r in rows:
        if r["author_found"] is not None:
            directory[(r["author_type"], r["author_id"])] = {
                "name": r["author_name"],
                "email": r["author_email"],
            }
    return rows, total, directory


_RANKED = (
    select(
        ticket_parts,
        func.row_number()
        .over(partition_by=ticket_parts.c.ticket_id, order_by=ticket_parts.c.id.desc())
        .label("rank"),
        func.count().over(partition_by=ticket_parts.c.ticket_id).label("total"),
    )
    .where(
        ticket_parts.c.workspace_id == bindparam("ws"),
        ticket_parts.c.ticket_id.in_(bindparam("ids", expanding=True)),
    )
    .subquery()
)
_NEWEST_OF_MANY = Q(
    select(_RANKED)
    .where(_RANKED.c.rank <= bindparam("max_rendered", MAX_RENDERED))
    .order_by(_RANKED.c.ticket_id, _RANKED.c.id)
)


def newest_of_many(
    conn: Conn, workspace_id: int, ticket_ids: list[int]
) -> tuple[dict[int, list[Row]], dict[int, int]]:
    """`newest` for several tickets in one query: parts by ticket, and totals."""
    rows = conn.all(_NEWEST_OF_MANY, {"ws": workspace_id, "ids": list(ticket_ids)})
    by_ticket: dict[int, list[Row]] = {}
    totals: dict[int, int] = {}
    for row in rows:
        by_ticket.setdefault(row["ticket_id"], []).append(row)
        totals[row["ticket_id"]] = row["total"]
    return by_ticket, totals


def get(conn: Conn, workspace_id: int, part_id: int) -> Row | None:
    return conn.one(_ONE, {"ws": workspace_id, "id": part_id})


_ADMINS = Q(
    select(admins.c.id, admins.c.name, admins.c.email).where(
        admins.c.workspace_id == bindparam("ws")
    )
)
_CONTACT = Q(
    select(contacts.c.id, contacts.c.name, contacts.c.email).where(
        contacts.c.workspace_id == bindparam("ws"), contacts.c.id == bindparam("id")
    )
)


def author_directory(conn: Conn, workspace_id: int, rows: list[Row]) -> dict[tuple[str, str], Row]:
    """Names and emails of the admins and contacts who wrote `rows` (precompiled queries:
    this runs on every ticket read)."""
    out: dict[tuple[str, str], Row] = {}
    if any(r["author_type"] == "admin" for r in rows):
        for a in conn.all(_ADMINS, {"ws": workspace_id}):
            out[("admin", str(a["id"]))] = a
    # Ticket parts name every contact `user`; conversations also name leads `lead`.
    for kind, contact_id in {
        (r["author_type"], r["author_id"]) for r in rows if r["author_type"] in ("user", "lead")
    }:
        c = conn.one(_CONTACT, {"ws": workspace_id, "id": contact_id})
        if c is not None:
            out[(kind, c["id"])] = c
    return out


def render_author(
    kind: str, ident: str, directory: dict[tuple[str, str], Row], workspace_code: str
) -> dict[str, Any]:
    """A part's `author`: an admin or contact by id from `directory`, or the bot."""
    if kind == "bot":
        return {
            "id": ident,
            "type": "bot",
            "name": "Operator",
            "email": f"operator+{workspace_code}@intercom.io",
        }
    who = directory.get((kind, ident))
    return {
        "id": ident,
        "type": kind,
        "name": who["name"] if who else None,
        "email": (who["email"] if who else None) or "",
    }


def render(
    row: Row, version: Version, directory: dict[tuple[str, str], Row], workspace_code: str
) -> dict[str, Any]:
    data = orjson.loads(row["data"]) if row["data"] else {}
    out: dict[str, Any] = {
        "type": "ticket_part",
        "id": str(row["id"]),
        "part_type": row["part_type"],
    }
    if row["body"] is not None:
        out["body"] = row["body"]
    if row["state"] is not None:
        # Category strings in every version, even after ticket.ticket_state became an object.
        out["previous_ticket_state"] = row["previous_state"]
        out["ticket_state"] = row["state"]
    out["created_at"] = row["created_at"]
    out["updated_at"] = row["updated_at"]
    if row["assigned_to_type"] is not None:
        out["assigned_to"] = {"type": row["assigned_to_type"], "id": row["assigned_to_id"]}
    out["author"] = render_author(row["author_type"], row["author_id"], directory, workspace_code)
    out["attachments"] = data.get("attachments", [])
    out["redacted"] = False
    if version >= V2_13 and data.get("via_api"):
        out["app_package_code"] = APP_PACKAGE_CODE
    # Preview's `translations` is left out: Ticketry does not translate parts.
    if version >= V2_14 and "updated_attribute_data" in data:
        out["updated_attribute_data"] = data["updated_attribute_data"]
    return out


def render_reply(
    row: Row, directory: dict[tuple[str, str], Row], workspace_code: str, version: Version
) -> dict[str, Any]:
    """The `ticket_reply` (2.9: `ticket_note`) answer to POST /tickets/{id}/reply."""
    part = render(row, version, directory, workspace_code)
    keep = (
        "type",
        "id",
        "part_type",
        "body",
        "created_at",
        "updated_at",
        "author",
        "attachments",
        "redacted",
        "app_package_code",
    )
    return {k: part[k] for k in keep if k in part}
