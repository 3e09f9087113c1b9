"""Creating, updating and deleting tickets. Every change appends the part that records it.

Decisions where Intercom says nothing: moving a ticket to a `resolved` state closes it and
moving it out of `resolved` reopens it (unless the same request sets `open`); `assignee_id`
"0" clears both the admin and the team assignee; a backdated ticket's `updated_at` starts
at its `created_at`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from ticketry.contacts.service import find_contact, resolve_contact
from ticketry.db.database import Conn, Row
from ticketry.errors import ApiError, NotFound, ParameterInvalid, ParameterNotFound
from ticketry.kit import ids
from ticketry.kit.versions import Version
from ticketry.links import service as link_service
from ticketry.ticket_states import queries as states
from ticketry.ticket_types.queries import TypeData, load_types
from ticketry.ticket_types.values import updated_attribute_data, validate_values
from ticketry.tickets import changes, lookups, search_values
from ticketry.tickets.changes import ticket_not_found
from ticketry.tickets.parts import Author
from ticketry.tickets.schemas import CreateTicket, UpdateTicket

DEFAULT_TITLE = "_default_title_"
DEFAULT_DESCRIPTION = "_default_description_"


__all__ = [
    "NewTicket",
    "check_ticket",
    "create_ticket",
    "delete_ticket",
    "ticket_not_found",
    "update_ticket",
]


def _type(conn: Conn, workspace_id: int, type_id: str) -> TypeData:
    ident = lookups.as_int(type_id)
    found = load_types(conn, workspace_id, [ident]).get(ident) if ident is not None else None
    if found is None:
        raise ParameterInvalid(f"Ticket type {type_id} not found", field="ticket_type_id")
    if found.row["archived"]:
        raise ParameterInvalid(f"Ticket type {type_id} is archived", field="ticket_type_id")
    return found


def defaults_to_columns(type_data: TypeData, values: dict[str, Any]) -> dict[str, Any]:
    """Title and description also live in columns, for search."""
    out = {}
    for name, column in ((DEFAULT_TITLE, "title"), (DEFAULT_DESCRIPTION, "description")):
        attr = type_data.by_name.get(name)
        if attr is not None:
            out[column] = values.get(str(attr["id"]))
    return out


def _assignment(conn: Conn, workspace_id: int, p: CreateTicket, kind: str) -> int | None:
    """The 2.14 create-time `assignment.{admin,team}_assignee_id`, checked ("0" = none)."""
    ref = getattr(p.assignment, f"{kind}_assignee_id", None) if p.assignment else None
    if ref is None or ref == "0":
        return None
    error = NotFound(
        "Assignee not found", code="assignee_not_found", field=f"assignment.{kind}_assignee_id"
    )
    resolve = lookups.admin if kind == "admin" else lookups.team
    return resolve(conn, workspace_id, ref, error)


@dataclass(frozen=True, slots=True)
class NewTicket:
    """A create request checked against the workspace: what `create_ticket` writes."""

    type_data: TypeData
    contact_ref: dict[str, Any]
    contact: Row | None  # None: an email no contact has yet (creating makes it a lead)
    values: dict[int, Any]
    company_id: str | None
    admin_assignee: int | None
    team_assignee: int | None
    created_at: int | None


def check_ticket(conn: Conn, workspace_id: int, p: CreateTicket, version: Version) -> NewTicket:
    """Every check `create_ticket` makes, in its order, writing nothing: what it refuses,
    `POST /tickets/enqueue` refuses the same way before accepting a job."""
    type_data = _type(conn, workspace_id, p.ticket_type_id)
    if not p.contacts:
        raise ParameterNotFound(
            "contacts",
            "contacts is a required parameter: give one contact as {id}, {external_id} or {email}",
        )
    if len(p.contacts) > 1:
        raise ParameterInvalid("Only one contact is allowed per ticket", field="contacts")
    ref = p.contacts[0].model_dump(exclude_none=True)
    if len(ref) != 1:
        raise ParameterInvalid(
            "contacts[0] must have exactly one of id, external_id or email", field="contacts[0]"
        )
    if p.conversation_to_link_id is not None:
        # The pair and the linked object, checked here; taken and linked when created.
        link_service.check_on_create(
            conn, workspace_id, type_data.row["category"], False, p.conversation_to_link_id
        )
    values = validate_values(type_data, p.ticket_attributes or {}, creating=True)
    company_id = (
        lookups.company(conn, workspace_id, p.company_id, version)["id"] if p.company_id else None
    )
    admin_assignee = _assignment(conn, workspace_id, p, "admin")
    team_assignee = _assignment(conn, workspace_id, p, "team")
    contact = find_contact(conn, workspace_id, ref)
    return NewTicket(
        type_data, ref, contact, values, company_id, admin_assignee, team_assignee, p.created_at
    )


def create_ticket(
    conn: Conn, workspace_id: int, caller_admin: int, p: CreateTicket, version: Version
) -> int:
    new = check_ticket(conn, workspace_id, p, version)
    type_data, values = new.type_data, new.values
    admin_assignee, team_assignee = new.admin_assignee, new.team_assignee
    contact = new.contact or resolve_contact(conn, workspace_id, new.contact_ref)
    at = new.created_at if new.created_at is not None else ids.now()
    state = states.default_state(conn, workspace_id, "submitted")
    stored = {str(k): v for k, v in values.items()}
    columns = dict(
        ticket_type_id=type_data.row["id"],
        ticket_state_id=state["id"],
        state=state["category"],
        category=type_data.row["category"],
        attributes=orjson.dumps(stored).decode(),
        open=True,
        is_shared=False,
        admin_assignee_id=admin_assignee,
        team_assignee_id=team_assignee,
        company_id=new.company_id,
        created_at=at,
        updated_at=at,
        **defaults_to_columns(type_data, stored),
    )
    with changes.creating(conn, workspace_id, columns, Author("admin", str(caller_admin)), at) as t:
        search_values.write(conn, workspace_id, t.id, type_data, stored, values, replace=False)
        # Intercom starts every ticket's history with a submitted -> submitted state part.
        t.part(
            "ticket_state_updated_by_admin",
            topic="ticket.created",
            previous_state="submitted",
            state="submitted",
            data={"via_api": True},
        )
        t.attach_contact(contact)
        for kind, ident in (("admin", admin_assignee), ("team", team_assignee)):
            if ident is not None:
                t.part("assignment", assigned_to=(kind, str(ident)), data={"via_api": True})
        if p.conversation_to_link_id is not None:
            link_service.link_on_create(t, p.conversation_to_link_id)
    return t.id


def move_to_state(t: changes.TicketChange, state: Row, *, follow: bool) -> None:
    """Move the ticket to another state, with the part that records it. With `follow`, a
    move into `resolved` closes the ticket and one out of it reopens it (the caller appends
    the `close`/`open` part with its other changes)."""
    row = t.row
    current = states.get_state(t.conn, t.workspace_id, row["ticket_state_id"])
    assert current is not None  # a ticket's state row is referenced by a foreign key
    t.set(
        ticket_state_id=state["id"],
        state=state["category"],
        previous_ticket_state_id=row["ticket_state_id"],
    )
    t.part(
        "ticket_state_updated_by_admin",
        previous_state=current["category"],
        state=state["category"],
        data={"via_api": True},
        event_data={
            "previous_ticket_state_id": str(row["ticket_state_id"]),
            "ticket_state_id": str(state["id"]),
            "previous_state": current["category"],
            "state": state["category"],
        },
    )
    if follow and (state["category"] == "resolved") == bool(row["open"]):
        t.set(open=state["category"] != "resolved")


def _acting_admin(conn: Conn, workspace_id: int, caller_admin: int, p: UpdateTicket) -> int:
    admin_id = p.admin_id or (p.assignment.admin_id if p.assignment else None)
    if admin_id is None:
        return caller_admin
    field = "admin_id" if p.admin_id else "assignment.admin_id"
    # Intercom answers an unknown acting admin with the assignee code too (2.14 example).
    return lookups.admin(
        conn,
        workspace_id,
        admin_id,
        NotFound("Admin not found", code="assignee_not_found", field=field),
    )


def _new_state(conn: Conn, workspace_id: int, row: Row, p: UpdateTicket) -> Row | None:
    if p.ticket_state_id is not None:
        ident = lookups.as_int(p.ticket_state_id)
        if ident is None or not states.state_belongs_to_type(
            conn, workspace_id, ident, row["ticket_type_id"]
        ):
            raise ApiError(
                "Ticket state id is not valid or is not associated with the ticket type",
                code="ticket_state_id_invalid",
                field="ticket_state_id",
            )
        return states.get_state(conn, workspace_id, ident)
    if p.state is not None:
        return states.default_state(conn, workspace_id, p.state)
    return None


def update_ticket(
    conn: Conn,
    workspace_id: int,
    caller_admin: int,
    ticket_id: int,
    p: UpdateTicket,
    version: Version,
) -> None:
    admin_id = _acting_admin(conn, workspace_id, caller_admin, p)
    with changes.changing(conn, workspace_id, ticket_id, Author("admin", str(admin_id))) as t:
        _apply_update(t, p, version)


def _apply_update(t: changes.TicketChange, p: UpdateTicket, version: Version) -> None:
    conn, workspace_id, row = t.conn, t.workspace_id, t.row
    sent = p.model_fields_set
    meta = {"via_api": True}

    if p.ticket_attributes:
        type_data = load_types(conn, workspace_id, [row["ticket_type_id"]])[row["ticket_type_id"]]
        values = validate_values(type_data, p.ticket_attributes, creating=False)
        stored = orjson.loads(row["attributes"])
        changed: list[int] = []
        for attr_id, value in values.items():
            if stored.get(str(attr_id)) == value:
                continue
            stored[str(attr_id)] = value
            changed.append(attr_id)
        if changed:
            t.set(
                attributes=orjson.dumps(stored).decode(), **defaults_to_columns(type_data, stored)
            )
            search_values.write(conn, workspace_id, t.id, type_data, stored, changed, replace=True)
        for attr_id in changed:
            update_data = updated_attribute_data(type_data.by_id[attr_id], stored[str(attr_id)])
            t.part(
                "ticket_attribute_updated_by_admin",
                data={**meta, "updated_attribute_data": update_data},
                event_data={"attribute_id": str(attr_id)},
            )

    state = _new_state(conn, workspace_id, row, p)
    if state is not None and state["id"] != row["ticket_state_id"]:
        move_to_state(t, state, follow="open" not in sent)

    assignee_id = p.assignee_id or (p.assignment.assignee_id if p.assignment else None)
    if assignee_id is not None:
        target = lookups.assignee(conn, workspace_id, assignee_id)
        if target is None:
            t.set(admin_assignee_id=None, team_assignee_id=None)
            t.part("assignment", assigned_to=("nobody_admin", "0"), data=meta)
        else:
            t.set(**{f"{target[0]}_assignee_id": target[1]})
            t.part("assignment", assigned_to=(target[0], str(target[1])), data=meta)

    if "open" in sent and p.open is not None and p.open != bool(row["open"]):
        t.set(open=p.open)
    if t.columns.get("open") is False and row["snoozed_until"] is not None:
        t.set(snoozed_until=None)  # closing also unsnoozes
    if "open" in t.columns and t.columns["open"] != bool(row["open"]):
        t.part("open" if t.columns["open"] else "close", data=meta)

    snooze_sent = "snoozed_until" in sent and "snoozed_until" not in t.columns
    if snooze_sent and p.snoozed_until != row["snoozed_until"]:
        t.set(snoozed_until=p.snoozed_until)
        t.part(
            "snoozed" if p.snoozed_until is not None else "timer_unsnooze",
            data=meta,
            event_data={"snoozed_until": p.snoozed_until},
        )

    updated: dict[str, Any] = {}
    if "is_shared" in sent and p.is_shared is not None and p.is_shared != bool(row["is_shared"]):
        updated["is_shared"] = p.is_shared
    if "company_id" in sent:
        company = (
            lookups.company(conn, workspace_id, p.company_id, version) if p.company_id else None
        )
        company_id = company["id"] if company is not None else None
        if company_id != row["company_id"]:
            updated["company_id"] = company_id
    if updated:
        # Intercom records no part for these; the event still tells consumers.
        t.set(**updated)
        t.event("ticket.updated", data={"fields": sorted(updated)})
    # Intercom bumps updated_at on every accepted update, even one that changes nothing.
    t.set(updated_at=ids.now())


def delete_ticket(conn: Conn, workspace_id: int, caller_admin: int, ticket_id: int) -> None:
    """Permanent: the ticket's parts, contacts links, tags and uploads go with it."""
    with changes.changing(conn, workspace_id, ticket_id, Author("admin", str(caller_admin))) as t:
        t.delete()
