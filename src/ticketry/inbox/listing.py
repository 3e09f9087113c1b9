"""The inbox list: filters from the page's query string, compiled by the ticket search
machinery (the same allowlist as `POST /tickets/search`, plus tags), keyset pages, and
capped counts per view so a million tickets cost no more than a thousand."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, select

from ticketry.db.database import Conn, Row
from ticketry.errors import ParameterInvalid
from ticketry.kit import ids
from ticketry.search import compile as search_compile
from ticketry.search import paging
from ticketry.search.fields import Field, Fields, FieldType
from ticketry.search.paging import parse_pagination
from ticketry.search.parse import SearchBody, search_request
from ticketry.tables import (
    admins,
    contacts,
    teams,
    ticket_contacts,
    ticket_states,
    ticket_tags,
    ticket_types,
    tickets,
)
from ticketry.tickets import search

PER_PAGE = 25
COUNT_LIMIT = 1_000
FILTERS = ("status", "state", "type", "assignee", "tag", "q")


@dataclass(frozen=True)
class Filters:
    status: str = "open"  # open | closed | all
    state: str = ""  # a state category
    type: str = ""  # ticket type id
    assignee: str = ""  # me | unassigned | admin:<id> | team:<id>
    tag: str = ""  # tag id
    q: str = ""  # words in the title

    @classmethod
    def of(cls, params: Any) -> Filters:
        values = {name: (params.get(name) or "").strip()[:200] for name in FILTERS}
        if values["status"] not in ("open", "closed", "all"):
            values["status"] = "open"
        return cls(**values)

    def query(self) -> dict[str, str]:
        """As query-string pairs (defaults left out), for links that keep the filters."""
        return {k: v for k in FILTERS if (v := getattr(self, k)) and (k, v) != ("status", "open")}


def _tag_id(value: str) -> int:
    found = ids.parse_id(value)
    if found is None:
        raise ValueError(f"'{value}' is not a tag id")
    return found


def _fields(conn: Conn, workspace_id: int) -> Fields:
    """The ticket search fields, plus `tag_ids` (the inbox's own; Intercom's ticket search
    has none)."""
    base = search.fields(search.custom_attributes(conn, workspace_id))
    tag_ids = Field(
        FieldType.ID,
        convert=_tag_id,
        build=search_compile.link_builder(
            tickets.c.id, select(ticket_tags.c.ticket_id), ticket_tags.c.tag_id
        ),
    )
    return Fields({"tag_ids": tag_ids}, prefixes={"": base.get})


def conditions(f: Filters, admin_id: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if f.status != "all":
        out.append({"field": "open", "operator": "=", "value": f.status == "open"})
    if f.state:
        out.append({"field": "state", "operator": "=", "value": f.state})
    if f.type:
        out.append({"field": "ticket_type_id", "operator": "=", "value": f.type})
    if f.assignee == "me":
        out.append({"field": "admin_assignee_id", "operator": "=", "value": str(admin_id)})
    elif f.assignee == "unassigned":
        out.append({"field": "admin_assignee_id", "operator": "=", "value": "0"})
        out.append({"field": "team_assignee_id", "operator": "=", "value": "0"})
    elif f.assignee.startswith(("admin:", "team:")):
        kind, _, ident = f.assignee.partition(":")
        out.append({"field": f"{kind}_assignee_id", "operator": "=", "value": ident})
    elif f.assignee:
        raise ParameterInvalid("Unknown assignee filter", field="assignee")
    if f.tag:
        out.append({"field": "tag_ids", "operator": "=", "value": f.tag})
    if f.q:
        out.append({"field": "title", "operator": "~", "value": f.q})
    return out


def _statement(
    conn: Conn, workspace_id: int, filters: list[dict[str, Any]], after: str | None
) -> tuple[Select[Any], int, str | None]:
    """The ids the filters match (every ticket of the workspace with none), the page size
    and the cursor, as `POST /tickets/search` would compile them."""
    per_page, starting_after = parse_pagination(
        {"per_page": PER_PAGE, "starting_after": after}, PER_PAGE
    )
    if not filters:
        return select(tickets.c.id).where(tickets.c.workspace_id == workspace_id), per_page, after
    body = SearchBody(query={"operator": "AND", "value": filters}, pagination=None)
    request = search_request(body, _fields(conn, workspace_id), PER_PAGE)
    return search.statement(workspace_id, request, conn.dialect), per_page, starting_after


@dataclass
class Listing:
    rows: list[Row]
    total: int  # at most COUNT_LIMIT + 1
    next_cursor: str | None


VIEWS: dict[str, Filters] = {
    "Open": Filters(status="open"),
    "Assigned to me": Filters(status="open", assignee="me"),
    "Unassigned": Filters(status="open", assignee="unassigned"),
    "Closed": Filters(status="closed"),
}

_ROW_COLUMNS = (
    tickets.c.id,
    tickets.c.ticket_number,
    tickets.c.title,
    tickets.c.open,
    tickets.c.state,
    tickets.c.category,
    tickets.c.updated_at,
    tickets.c.created_at,
    tickets.c.admin_assignee_id,
    tickets.c.team_assignee_id,
    ticket_states.c.internal_label.label("state_label"),
    ticket_types.c.name.label("type_name"),
    admins.c.name.label("admin_name"),
    teams.c.name.label("team_name"),
)


def _count(conn: Conn, workspace_id: int, f: Filters, admin_id: int) -> int:
    stmt, _, _ = _statement(conn, workspace_id, conditions(f, admin_id), None)
    return paging.count_of(conn, stmt, COUNT_LIMIT)


def listing(conn: Conn, workspace_id: int, admin_id: int, f: Filters, after: str | None) -> Listing:
    stmt, per_page, starting_after = _statement(conn, workspace_id, conditions(f, admin_id), after)
    page = paging.fetch_page(
        conn,
        stmt,
        search.ORDER,
        per_page,
        starting_after,
        cursor_field="after",
        count_limit=COUNT_LIMIT,
    )
    page_ids = [r["id"] for r in page.rows]
    rows: list[Row] = []
    if page_ids:
        found = {
            r["id"]: r
            for r in conn.all(
                select(*_ROW_COLUMNS)
                .join(ticket_states, ticket_states.c.id == tickets.c.ticket_state_id)
                .join(ticket_types, ticket_types.c.id == tickets.c.ticket_type_id)
                .outerjoin(admins, admins.c.id == tickets.c.admin_assignee_id)
                .outerjoin(teams, teams.c.id == tickets.c.team_assignee_id)
                .where(and_(tickets.c.workspace_id == workspace_id, tickets.c.id.in_(page_ids)))
            )
        }
        people = _contacts(conn, workspace_id, page_ids)
        rows = [{**found[i], "contact": people.get(i)} for i in page_ids if i in found]
    return Listing(rows, page.total_count, page.next_cursor)


def view_counts(conn: Conn, workspace_id: int, admin_id: int) -> dict[str, int]:
    """The sidebar's count of each view (each at most COUNT_LIMIT + 1)."""
    return {name: _count(conn, workspace_id, view, admin_id) for name, view in VIEWS.items()}


class CountCache:
    """Sidebar counts per (workspace, admin), kept `ttl` seconds by each server process: a
    teammate paging and filtering does not recount the same four views on every page."""

    MAX_ENTRIES = 10_000

    def __init__(self, ttl: float = 10.0) -> None:
        self.ttl = ttl
        self._entries: dict[tuple[int, int], tuple[float, dict[str, int]]] = {}

    def get(self, workspace_id: int, admin_id: int) -> dict[str, int] | None:
        found = self._entries.get((workspace_id, admin_id))
        return found[1] if found is not None and found[0] > time.monotonic() else None

    def put(self, workspace_id: int, admin_id: int, counts: dict[str, int]) -> None:
        if len(self._entries) >= self.MAX_ENTRIES:
            self._entries.clear()
        self._entries[(workspace_id, admin_id)] = (time.monotonic() + self.ttl, counts)


def _contacts(conn: Conn, workspace_id: int, ticket_ids: list[int]) -> dict[int, Row]:
    out: dict[int, Row] = {}
    for r in conn.all(
        select(ticket_contacts.c.ticket_id, contacts.c.name, contacts.c.email)
        .join(contacts, contacts.c.id == ticket_contacts.c.contact_id)
        .where(
            ticket_contacts.c.workspace_id == workspace_id,
            ticket_contacts.c.ticket_id.in_(ticket_ids),
        )
    ):
        out.setdefault(r["ticket_id"], r)
    return out


def contact_tickets(
    conn: Conn, workspace_id: int, contact_id: str, *, shared_only: bool = False
) -> list[Row]:
    """A contact's newest 200 tickets, with both state labels. `shared_only`: what the
    contact itself may see (shared, of a Customer type that is not internal)."""
    q = (
        select(
            tickets.c.id,
            tickets.c.ticket_number,
            tickets.c.title,
            tickets.c.open,
            tickets.c.updated_at,
            ticket_states.c.internal_label.label("state_label"),
            ticket_states.c.external_label,
            ticket_states.c.category.label("state_category"),
            ticket_types.c.name.label("type_name"),
        )
        .join(ticket_contacts, ticket_contacts.c.ticket_id == tickets.c.id)
        .join(ticket_states, ticket_states.c.id == tickets.c.ticket_state_id)
        .join(ticket_types, ticket_types.c.id == tickets.c.ticket_type_id)
        .where(
            ticket_contacts.c.workspace_id == workspace_id,
            ticket_contacts.c.contact_id == contact_id,
        )
    )
    if shared_only:
        q = q.where(
            tickets.c.is_shared.is_(True),
            tickets.c.category == "Customer",
            ticket_types.c.is_internal.is_(False),
        )
    return conn.all(q.order_by(tickets.c.id.desc()).limit(200))
