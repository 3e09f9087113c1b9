"""What the inbox's conversation pages show: the list (filters compiled by the conversation
search machinery, the same allowlist as `POST /conversations/search`, keyset pages) and one
conversation as `GET /conversations/{id}` renders it (2.16 shape) with the names the page
needs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, select

from ticketry.admins.queries import list_admins
from ticketry.conversations import queries, render
from ticketry.conversations import search as conversation_search
from ticketry.conversations.changes import not_found
from ticketry.db.database import Conn, Row
from ticketry.errors import ParameterInvalid
from ticketry.inbox.ticket_page import creatable_types, text_of
from ticketry.kit.versions import V2_16
from ticketry.search import paging
from ticketry.search.parse import SearchBody, search_request
from ticketry.tables import admins, contacts, conversation_contacts, conversations, teams
from ticketry.tags.queries import list_tags
from ticketry.teams.queries import list_teams
from ticketry.tickets.parts import author_directory
from ticketry.tickets.queries import workspace_code

VERSION = V2_16
PER_PAGE = 25
COUNT_LIMIT = 1_000
FILTERS = ("status", "assignee")
STATUSES = ("open", "closed", "snoozed", "all")


@dataclass(frozen=True)
class Filters:
    status: str = "open"  # open | closed | snoozed | all
    assignee: str = ""  # me | unassigned | admin:<id> | team:<id>

    @classmethod
    def of(cls, params: Any) -> Filters:
        values = {name: (params.get(name) or "").strip()[:200] for name in FILTERS}
        if values["status"] not in STATUSES:
            values["status"] = "open"
        return cls(**values)

    def query(self) -> dict[str, str]:
        return {k: v for k in FILTERS if (v := getattr(self, k)) and (k, v) != ("status", "open")}


def conditions(f: Filters, admin_id: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if f.status != "all":
        out.append({"field": "state", "operator": "=", "value": f.status})
    if f.assignee == "me":
        out.append({"field": "admin_assignee_id", "operator": "=", "value": admin_id})
    elif f.assignee == "unassigned":
        out.append({"field": "admin_assignee_id", "operator": "=", "value": 0})
        out.append({"field": "team_assignee_id", "operator": "=", "value": 0})
    elif f.assignee.startswith(("admin:", "team:")):
        kind, _, ident = f.assignee.partition(":")
        out.append({"field": f"{kind}_assignee_id", "operator": "=", "value": ident})
    elif f.assignee:
        raise ParameterInvalid("Unknown assignee filter", field="assignee")
    return out


@dataclass
class Listing:
    rows: list[dict[str, Any]]
    total: int  # at most COUNT_LIMIT + 1
    next_cursor: str | None


_ROW_COLUMNS = (
    conversations.c.id,
    conversations.c.title,
    conversations.c.subject,
    conversations.c.body,
    conversations.c.state,
    conversations.c.updated_at,
    conversations.c.snoozed_until,
    conversations.c.ticket_id,
    admins.c.name.label("admin_name"),
    teams.c.name.label("team_name"),
)


def listing(conn: Conn, workspace_id: int, admin_id: int, f: Filters, after: str | None) -> Listing:
    found = conditions(f, admin_id)
    if found:
        body = SearchBody(query={"operator": "AND", "value": found}, pagination=None)
        request = search_request(
            body, conversation_search.fields(workspace_id), conversation_search.DEFAULT_PER_PAGE
        )
        stmt = conversation_search.statement(workspace_id, request)
    else:
        stmt = select(conversations.c.id).where(conversations.c.workspace_id == workspace_id)
    page = paging.fetch_page(
        conn,
        stmt,
        conversation_search.ORDER,
        PER_PAGE,
        after,
        cursor_field="after",
        count_limit=COUNT_LIMIT,
    )
    page_ids = [r["id"] for r in page.rows]
    rows: list[dict[str, Any]] = []
    if page_ids:
        by_id = {
            r["id"]: r
            for r in conn.all(
                select(*_ROW_COLUMNS)
                .outerjoin(admins, admins.c.id == conversations.c.admin_assignee_id)
                .outerjoin(teams, teams.c.id == conversations.c.team_assignee_id)
                .where(
                    and_(
                        conversations.c.workspace_id == workspace_id,
                        conversations.c.id.in_(page_ids),
                    )
                )
            )
        }
        people: dict[int, Row] = {}
        for r in conn.all(
            select(conversation_contacts.c.conversation_id, contacts.c.name, contacts.c.email)
            .join(contacts, contacts.c.id == conversation_contacts.c.contact_id)
            .where(conversation_contacts.c.conversation_id.in_(page_ids))
        ):
            people.setdefault(r["conversation_id"], r)
        rows = [
            {**by_id[i], "preview": text_of(by_id[i]["body"])[:120], "contact": people.get(i)}
            for i in page_ids
            if i in by_id
        ]
    return Listing(rows, page.total_count, page.next_cursor)


def _timeline(wire: dict[str, Any], after: int = 0) -> list[dict[str, Any]]:
    out = [
        {**p, "text": text_of(p.get("body"))}
        for p in wire["conversation_parts"]["conversation_parts"]
        if int(p["id"]) > after
    ]
    out.sort(key=lambda p: int(p["id"]))
    return out


def _wire(conn: Conn, workspace_id: int, conversation_id: int) -> dict[str, Any]:
    view = queries.view(conn, workspace_id, conversation_id)
    if view is None:
        raise not_found()
    rows = [view.row, *(view.parts or [])]
    directory = author_directory(conn, workspace_id, rows)
    return render.conversation(view, VERSION, directory, workspace_code(conn, workspace_id))


def load(conn: Conn, workspace_id: int, conversation_id: int) -> dict[str, Any]:
    wire = _wire(conn, workspace_id, conversation_id)
    row = queries.get_row(conn, workspace_id, conversation_id)
    assert row is not None
    people = conn.all(
        select(contacts)
        .join(conversation_contacts, conversation_contacts.c.contact_id == contacts.c.id)
        .where(
            contacts.c.workspace_id == workspace_id,
            conversation_contacts.c.conversation_id == conversation_id,
        )
        .order_by(contacts.c.id)
    )
    applied = {int(t["id"]) for t in wire["tags"]["tags"]}
    all_tags = list_tags(conn, workspace_id)
    return {
        "row": row,
        "wire": wire,
        "opening": text_of(wire["source"]["body"]),
        "contacts": people,
        "admins": [a for a, _ in list_admins(conn, workspace_id)],
        "teams": [t for t, _ in list_teams(conn, workspace_id)],
        "tags": [t for t in all_tags if t["id"] in applied],
        "other_tags": [t for t in all_tags if t["id"] not in applied],
        "customer_types": customer_types(conn, workspace_id),
        "parts": _timeline(wire),
    }


def customer_types(conn: Conn, workspace_id: int) -> list[dict[str, Any]]:
    """The types a conversation converts to, each with the attributes its form asks for."""
    return [t for t in creatable_types(conn, workspace_id) if t["row"]["category"] == "Customer"]


def new_parts(
    conn: Conn, workspace_id: int, conversation_id: int, after: int
) -> list[dict[str, Any]]:
    return _timeline(_wire(conn, workspace_id, conversation_id), after)
