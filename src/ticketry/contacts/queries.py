"""Reading contacts: point lookups, pages for list and search, and the search allowlist."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from sqlalchemy import String, bindparam, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from ticketry.db.database import Conn, Row
from ticketry.db.sql import Q, storable
from ticketry.search import paging
from ticketry.search.compile import json_text
from ticketry.search.fields import Field, Fields, FieldType
from ticketry.tables import contact_companies, contacts, workspaces

DEFAULT_PER_PAGE = 50  # Intercom's default for list and search
SHOWN_COMPANIES = 10  # a contact's embedded `companies` list shows at most 10

_GET = Q(
    select(contacts).where(
        contacts.c.workspace_id == bindparam("ws"), contacts.c.id == bindparam("id")
    )
)
_LOCK = Q(_GET.stmt.with_for_update())  # type: ignore[attr-defined]
_BY_EXTERNAL_ID = Q(
    select(contacts).where(
        contacts.c.workspace_id == bindparam("ws"),
        contacts.c.external_id == bindparam("external_id"),
    )
)
_BY_EMAIL = Q(
    select(contacts).where(
        contacts.c.workspace_id == bindparam("ws"),
        contacts.c.email_key == bindparam("email_key"),
    )
)
_WORKSPACE_CODE = Q(select(workspaces.c.id_code).where(workspaces.c.id == bindparam("ws")))

ORDER = (paging.SortKey(contacts.c.created_at, int), paging.SortKey(contacts.c.id, str))


def get_contact(conn: Conn, workspace_id: int, contact_id: str) -> Row | None:
    if not storable(str(contact_id)):
        return None
    return conn.one(_GET, {"ws": workspace_id, "id": str(contact_id)})


def lock_contact(conn: Conn, workspace_id: int, contact_id: str) -> Row | None:
    """The contact, locked until the transaction ends (PostgreSQL; SQLite writes are
    serialised already), for read-modify-write changes."""
    if not storable(str(contact_id)):
        return None
    return conn.one(_LOCK, {"ws": workspace_id, "id": str(contact_id)})


def find_by(
    conn: Conn,
    workspace_id: int,
    *,
    id: str | None = None,
    external_id: str | None = None,
    email: str | None = None,
) -> Row | None:
    """A contact by the first identifier given: id, then external_id, then email (any case)."""
    if id is not None:
        return get_contact(conn, workspace_id, id)
    if external_id is not None:
        if not storable(str(external_id)):
            return None
        return conn.one(_BY_EXTERNAL_ID, {"ws": workspace_id, "external_id": str(external_id)})
    if email is not None:
        if not storable(email):
            return None
        return conn.one(_BY_EMAIL, {"ws": workspace_id, "email_key": email.strip().lower()})
    return None


def get_many(conn: Conn, workspace_id: int, ids: list[str]) -> dict[str, Row]:
    wanted = [i for i in dict.fromkeys(str(i) for i in ids) if storable(i)]
    if not wanted:
        return {}
    rows = conn.all(
        select(contacts).where(contacts.c.workspace_id == workspace_id, contacts.c.id.in_(wanted))
    )
    return {row["id"]: row for row in rows}


def workspace_code(conn: Conn, workspace_id: int) -> str:
    """Intercom's `workspace_id` on a contact is the app's id code."""
    return str(conn.scalar(_WORKSPACE_CODE, {"ws": workspace_id}))


def company_ids(conn: Conn, workspace_id: int, contact_ids: list[str]) -> dict[str, list[str]]:
    """The ids of each contact's companies, by attach time (then company id)."""
    out: dict[str, list[str]] = defaultdict(list)
    if not contact_ids:
        return out
    rows = conn.all(
        select(contact_companies.c.contact_id, contact_companies.c.company_id)
        .where(
            contact_companies.c.workspace_id == workspace_id,
            contact_companies.c.contact_id.in_(contact_ids),
        )
        .order_by(contact_companies.c.created_at, contact_companies.c.company_id)
    )
    for row in rows:
        out[row["contact_id"]].append(row["company_id"])
    return out


def page(
    conn: Conn,
    workspace_id: int,
    where: ColumnElement[bool] | None,
    per_page: int,
    starting_after: str | None,
    cursor_field: str,
) -> tuple[paging.Page, dict[str, list[str]]]:
    """A page of the workspace's contacts (optionally filtered), with their company ids."""
    stmt = select(contacts).where(contacts.c.workspace_id == workspace_id)
    if where is not None:
        stmt = stmt.where(where)
    found = paging.fetch_page(conn, stmt, ORDER, per_page, starting_after, cursor_field)
    return found, company_ids(conn, workspace_id, [r["id"] for r in found.rows])


# -- search allowlist --------------------------------------------------------------------


class _email_domain(FunctionElement[str]):
    """The part of a (lowercased, single-@) email after the @."""

    type = String()
    inherit_cache = True


@compiles(_email_domain, "sqlite")
def _email_domain_sqlite(element: _email_domain, compiler: SQLCompiler, **kw: Any) -> str:
    col = compiler.process(next(iter(element.clauses)), **kw)
    return f"substr({col}, instr({col}, '@') + 1)"


@compiles(_email_domain, "postgresql")
def _email_domain_pg(element: _email_domain, compiler: SQLCompiler, **kw: Any) -> str:
    col = compiler.process(next(iter(element.clauses)), **kw)
    return f"split_part({col}, '@', 2)"


# Custom attribute names usable in search: anything a SQLite JSON path can quote.
_ATTRIBUTE_NAME = re.compile(r'[^"\\\x00-\x1f]{1,190}')


def _custom_attribute(name: str) -> Field | None:
    # Intercom types every `custom_attributes.{name}` search as String; we match string
    # values only (a number or boolean stored there counts as absent), identically on
    # both databases, rather than compare JSON text whose formatting differs.
    if not _ATTRIBUTE_NAME.fullmatch(name):
        return None
    return Field(FieldType.STRING, column=json_text(contacts.c.custom_attributes, name))


FIELDS = Fields(
    {
        "id": Field(FieldType.ID, column=contacts.c.id),
        "role": Field(FieldType.STRING, column=contacts.c.role),
        "name": Field(FieldType.STRING, column=contacts.c.name),
        "email": Field(FieldType.STRING, column=contacts.c.email_key, casefold=True),
        "email_domain": Field(
            FieldType.STRING, column=_email_domain(contacts.c.email_key), casefold=True
        ),
        "phone": Field(FieldType.STRING, column=contacts.c.phone),
        "avatar": Field(FieldType.STRING, column=contacts.c.avatar),
        "external_id": Field(FieldType.STRING, column=contacts.c.external_id),
        "owner_id": Field(FieldType.INTEGER, column=contacts.c.owner_id),
        "unsubscribed_from_emails": Field(
            FieldType.BOOLEAN, column=contacts.c.unsubscribed_from_emails
        ),
        "created_at": Field(FieldType.DATE, column=contacts.c.created_at),
        "updated_at": Field(FieldType.DATE, column=contacts.c.updated_at),
        "signed_up_at": Field(FieldType.DATE, column=contacts.c.signed_up_at),
        "last_seen_at": Field(FieldType.DATE, column=contacts.c.last_seen_at),
    },
    prefixes={"custom_attributes.": _custom_attribute},
)
