"""What the inbox's ticket page shows, and the form fields it turns into service calls.

Reads render the ticket exactly as `GET /tickets/{id}` does (2.16 shape) and add the names
the page needs; writes build the same payloads the API takes and call the same services,
so a change made here is the same part, event and webhook as one made through the API.
"""

from __future__ import annotations

import base64
import html
import re
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import select
from starlette.datastructures import FormData, UploadFile

from ticketry.admins.queries import list_admins
from ticketry.db.database import Conn, Row
from ticketry.errors import ParameterInvalid
from ticketry.kit.versions import V2_16
from ticketry.tables import companies, contacts, ticket_tags, ticket_types
from ticketry.tags.queries import list_tags
from ticketry.teams.queries import list_teams
from ticketry.ticket_states import queries as states
from ticketry.ticket_types.queries import allows_multiple, list_options, load_type
from ticketry.tickets import queries, render
from ticketry.tickets.changes import ticket_not_found
from ticketry.tickets.schemas import AttachmentFile

VERSION = V2_16
_BLOCK_END = re.compile(r"<\s*(br|/p|/div|/li|/h\d)\s*/?\s*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


def text_of(body: str | None) -> str:
    """A part's stored HTML as plain text: the page shows it escaped, never as markup."""
    if not body:
        return ""
    return html.unescape(_TAG.sub("", _BLOCK_END.sub("\n", body))).strip()


def load(conn: Conn, workspace_id: int, ticket_id: int) -> dict[str, Any]:
    view = queries.view(conn, workspace_id, ticket_id)
    if view is None:
        raise ticket_not_found()
    row = view.row
    wire = render.ticket(view, VERSION)
    stored = orjson.loads(row["attributes"])
    attributes = [
        _form_attribute(a, stored.get(str(a["id"])))
        for a in sorted(view.type.attributes, key=lambda a: a["position"])
        if not a["archived"]
    ]
    people = conn.all(
        select(contacts).where(
            contacts.c.workspace_id == workspace_id,
            contacts.c.id.in_([c["id"] for c in view.contacts]),
        )
    )
    company = (
        conn.one(
            select(companies).where(
                companies.c.workspace_id == workspace_id, companies.c.id == row["company_id"]
            )
        )
        if row["company_id"]
        else None
    )
    applied = {
        r["tag_id"]
        for r in conn.all(select(ticket_tags.c.tag_id).where(ticket_tags.c.ticket_id == row["id"]))
    }
    all_tags = list_tags(conn, workspace_id)
    return {
        "row": row,
        "wire": wire,
        "type": view.type.row,
        "attributes": attributes,
        "state": view.state,
        "states": states.states_for_type(conn, workspace_id, row["ticket_type_id"]),
        "admins": [a for a, _ in list_admins(conn, workspace_id)],
        "teams": [t for t, _ in list_teams(conn, workspace_id)],
        "contacts": people,
        "company": company,
        "tags": [t for t in all_tags if t["id"] in applied],
        "other_tags": [t for t in all_tags if t["id"] not in applied],
        "parts": timeline(wire),
        "type_choices": _type_choices(conn, workspace_id, view.type.row),
    }


def _type_choices(conn: Conn, workspace_id: int, current: Row) -> list[dict[str, Any]]:
    """The other live types of the ticket's category, each with the states it offers: what
    `change_type` accepts."""
    return [
        {"row": t, "states": states.states_for_type(conn, workspace_id, t["id"])}
        for t in conn.all(
            select(ticket_types)
            .where(
                ticket_types.c.workspace_id == workspace_id,
                ticket_types.c.category == current["category"],
                ticket_types.c.archived.is_(False),
                ticket_types.c.id != current["id"],
            )
            .order_by(ticket_types.c.name, ticket_types.c.id)
        )
    ]


def creatable_types(
    conn: Conn, workspace_id: int, *, for_contacts: bool = False
) -> list[dict[str, Any]]:
    """The live ticket types a new ticket can have, each with the attributes its form asks
    for. For contacts: Customer types that are not internal, attributes visible on create."""
    q = select(ticket_types.c.id).where(
        ticket_types.c.workspace_id == workspace_id, ticket_types.c.archived.is_(False)
    )
    if for_contacts:
        q = q.where(ticket_types.c.category == "Customer", ticket_types.c.is_internal.is_(False))
    out = []
    for t in conn.all(q.order_by(ticket_types.c.id)):
        data = load_type(conn, workspace_id, t["id"])
        if data is None:
            continue
        asked = [
            a
            for a in sorted(data.attributes, key=lambda a: a["position"])
            if not a["archived"]
            and a["data_type"] != "files"
            and (a["visible_on_create"] or not for_contacts)
        ]
        out.append({"row": data.row, "attributes": [_form_attribute(a) for a in asked]})
    return out


def _form_attribute(a: Row, value: Any = None) -> dict[str, Any]:
    return {
        "row": a,
        "value": value,
        "options": [o for o in list_options(a) if not o.get("archived")],
        "multiline": bool(orjson.loads(a["input_options"] or "{}").get("multiline")),
        "multiple": allows_multiple(a),
    }


def timeline(wire: dict[str, Any], after: int = 0) -> list[dict[str, Any]]:
    """The parts, oldest first, with bodies as text; only those after part `after`."""
    out = []
    for p in wire["ticket_parts"]["ticket_parts"]:
        if int(p["id"]) <= after:
            continue
        out.append({**p, "text": text_of(p.get("body"))})
    out.sort(key=lambda p: int(p["id"]))
    return out


def new_parts(conn: Conn, workspace_id: int, ticket_id: int, after: int) -> list[dict[str, Any]]:
    view = queries.view(conn, workspace_id, ticket_id)
    if view is None:
        raise ticket_not_found()
    return timeline(render.ticket(view, VERSION), after)


def datetime_input(value: str, name: str) -> int | None:
    if not value:
        return None
    try:
        return int(datetime.fromisoformat(value).replace(tzinfo=UTC).timestamp())
    except ValueError:
        raise ParameterInvalid(f"{name} must be a date and time", field=name) from None


def _number(value: str, name: str, kind: type) -> int | float | None:
    if not value:
        return None
    try:
        return kind(value)
    except ValueError:
        noun = "a whole number" if kind is int else "a number"
        raise ParameterInvalid(f"{name} must be {noun}", field=name) from None


def attribute_values(
    form: FormData, attributes: list[Row], current: dict[str, Any]
) -> dict[str, Any]:
    """The `ticket_attributes` (by name) that the attribute form changes. Files are sent
    separately (`files_sent`): they need storing first."""
    out: dict[str, Any] = {}
    for a in attributes:
        key = f"attr_{a['id']}"
        if a["archived"] or a["data_type"] == "files" or f"present_{a['id']}" not in form:
            continue
        raw = form.get(key)
        text = raw.strip() if isinstance(raw, str) else ""
        kind = a["data_type"]
        value: Any
        if kind == "boolean":
            value = raw == "true"
        elif kind == "integer":
            value = _number(text, a["name"], int)
        elif kind == "decimal":
            value = _number(text, a["name"], float)
        elif kind == "datetime":
            value = datetime_input(text, a["name"])
        elif kind == "list" and orjson.loads(a["input_options"] or "{}").get(
            "allow_multiple_values"
        ):
            value = [v for v in form.getlist(key) if isinstance(v, str) and v] or None
        else:
            value = (raw if isinstance(raw, str) else "") or None
        before = current.get(str(a["id"]))
        if value != before and not (value is None and before in ("", None, [])):
            out[a["name"]] = value
    return out


async def attachments(form: FormData, name: str) -> list[AttachmentFile]:
    """Chosen files as the API's `attachment_files` (base64), so the same checks apply."""
    out = []
    for item in form.getlist(name):
        if isinstance(item, UploadFile) and item.filename:
            data = await item.read()
            out.append(
                AttachmentFile(
                    name=item.filename,
                    content_type=item.content_type or "application/octet-stream",
                    data=base64.b64encode(data).decode(),
                )
            )
    return out
