"""Writing contacts: create, update, delete, attach companies, and resolving the contact a
ticket names. Every function runs in the caller's transaction and never commits."""

from __future__ import annotations

import sqlite3
from typing import Any

import orjson
import psycopg
from sqlalchemy import delete, insert, select, update

from ticketry.companies import queries as company_queries
from ticketry.contacts import queries
from ticketry.contacts.schemas import ContactCreate, ContactUpdate, ContactWrite, email_address
from ticketry.db.database import Conn, Row
from ticketry.db.sql import insert_ignoring_conflicts
from ticketry.errors import Conflict, NotFound, ParameterInvalid, ParameterNotFound
from ticketry.events import service as events
from ticketry.kit import ids
from ticketry.tables import admins, contact_companies, contacts
from ticketry.tickets import changes as ticket_changes
from ticketry.tickets.parts import Author


def contact_not_found(field: str = "id") -> NotFound:
    return NotFound("Contact not found", field=field)


def _conflict(existing_id: str, field: str) -> Conflict:
    # Intercom's wording for a duplicate email or external_id
    return Conflict(
        f"A contact matching those details already exists with id={existing_id}", field=field
    )


def _unique_violation(exc: Exception) -> bool:
    return isinstance(exc, (sqlite3.IntegrityError, psycopg.errors.UniqueViolation))


def _check_unique(
    conn: Conn,
    workspace_id: int,
    external_id: str | None,
    email: str | None,
    own_id: str | None = None,
) -> None:
    if external_id is not None:
        found = queries.find_by(conn, workspace_id, external_id=external_id)
        if found is not None and found["id"] != own_id:
            raise _conflict(found["id"], "external_id")
    if email is not None:
        found = queries.find_by(conn, workspace_id, email=email)
        if found is not None and found["id"] != own_id:
            raise _conflict(found["id"], "email")


def _check_owner(conn: Conn, workspace_id: int, owner_id: int | None) -> None:
    if owner_id is None:
        return
    found = conn.one(
        select(admins.c.id).where(admins.c.workspace_id == workspace_id, admins.c.id == owner_id)
    )
    if found is None:
        raise ParameterInvalid(
            f"owner_id {owner_id} is not an admin of this workspace", field="owner_id"
        )


def _write(conn: Conn, stmt: Any) -> None:
    """Run an insert/update; a unique index hit by a concurrent writer is still a 409."""
    try:
        conn.execute(stmt)
    except Exception as exc:
        if not _unique_violation(exc):
            raise
        field = "external_id" if "external_id" in str(exc) else "email"
        raise Conflict("A contact matching those details already exists", field=field) from None


def _columns(payload: ContactWrite, keys: set[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in keys:
        value = getattr(payload, key)
        if key == "email":
            values["email"] = value
            values["email_key"] = value.lower() if value is not None else None
        elif key == "custom_attributes":
            continue  # merged by the caller
        elif key == "unsubscribed_from_emails":
            values[key] = bool(value)
        else:
            values[key] = value
    return values


def create_contact(conn: Conn, workspace_id: int, payload: ContactCreate) -> Row:
    if payload.email is None and payload.external_id is None and payload.role is None:
        raise ParameterNotFound("email", "one of email, external_id or role is required")
    _check_owner(conn, workspace_id, payload.owner_id)
    _check_unique(conn, workspace_id, payload.external_id, payload.email)
    now = ids.now()
    contact_id = ids.hex_id()
    values = _columns(payload, set(ContactWrite.model_fields))
    values.update(
        id=contact_id,
        workspace_id=workspace_id,
        role=payload.role or "user",
        custom_attributes=orjson.dumps(payload.custom_attributes or {}).decode(),
        created_at=now,
        updated_at=now,
    )
    _write(conn, insert(contacts).values(**values))
    _event(conn, workspace_id, f"contact.{values['role']}.created", contact_id)
    return queries.get_contact(conn, workspace_id, contact_id)


def _event(conn: Conn, workspace_id: int, topic: str, contact_id: str) -> None:
    events.record(conn, workspace_id, [events.Event(topic, "contact", contact_id)], ids.now())


def update_contact(conn: Conn, workspace_id: int, contact_id: str, payload: ContactUpdate) -> Row:
    row = queries.lock_contact(conn, workspace_id, contact_id)
    if row is None:
        raise contact_not_found()
    sent = payload.model_fields_set
    if "role" in sent and payload.role is None:
        raise ParameterInvalid("role cannot be null; use user or lead", field="role")
    _check_owner(conn, workspace_id, payload.owner_id)
    _check_unique(
        conn,
        workspace_id,
        payload.external_id if "external_id" in sent else None,
        payload.email if "email" in sent else None,
        own_id=row["id"],
    )
    values = _columns(payload, sent)
    if "custom_attributes" in sent:
        # Intercom merges the keys sent into the stored ones; null clears them all.
        merged = orjson.loads(row["custom_attributes"] or "{}")
        if payload.custom_attributes is None:
            merged = {}
        else:
            merged.update(payload.custom_attributes)
        values["custom_attributes"] = orjson.dumps(merged).decode()
    values["updated_at"] = ids.now()
    stmt = (
        update(contacts)
        .where(contacts.c.workspace_id == workspace_id, contacts.c.id == row["id"])
        .values(**values)
    )
    _write(conn, stmt)
    updated = queries.get_contact(conn, workspace_id, row["id"])
    assert updated is not None  # locked above, so still there
    _event(conn, workspace_id, f"contact.{updated['role']}.updated", row["id"])
    return updated


def delete_contact(conn: Conn, workspace_id: int, caller_admin: int, contact_id: str) -> Row:
    """Delete a contact (its company links and ticket links go with it); the row it had.
    Each of its tickets records the detachment first."""
    row = queries.lock_contact(conn, workspace_id, contact_id)
    if row is None:
        raise contact_not_found()
    ticket_changes.detach_everywhere(
        conn,
        workspace_id,
        dict(row),
        queries.company_ids(conn, workspace_id, [row["id"]]).get(row["id"], []),
        Author("admin", str(caller_admin)),
    )
    _event(conn, workspace_id, "contact.deleted", row["id"])
    conn.execute(
        delete(contacts).where(contacts.c.workspace_id == workspace_id, contacts.c.id == row["id"])
    )
    return row


def attach_company(conn: Conn, workspace_id: int, contact_id: str, company_id: str | None) -> Row:
    """Link a company to a contact (again is a no-op); the company."""
    contact = queries.get_contact(conn, workspace_id, contact_id)
    if contact is None:
        raise contact_not_found()
    if not company_id:
        raise ParameterNotFound("id", "company not specified")
    company = company_queries.get_company(conn, workspace_id, company_id)
    if company is None:
        raise company_queries.company_not_found("id")
    linked = conn.one(
        select(contact_companies.c.contact_id).where(
            contact_companies.c.contact_id == contact["id"],
            contact_companies.c.company_id == company["id"],
        )
    )
    if linked is None:
        conn.execute(
            insert(contact_companies).values(
                contact_id=contact["id"],
                company_id=company["id"],
                workspace_id=workspace_id,
                created_at=ids.now(),
            )
        )
    return company


def find_contact(conn: Conn, workspace_id: int, ref: dict[str, Any]) -> Row | None:
    """The contact a ticket names: `{"id"}`, `{"external_id"}` or `{"email"}`; None for an
    email no contact has yet. Writes nothing (enqueueing a ticket checks with it).

    An unknown id or external_id is a 404 naming the key; a malformed email a 400.
    """
    for key in ("id", "external_id"):
        if ref.get(key) is not None:
            found = queries.find_by(conn, workspace_id, **{key: str(ref[key]).strip()})
            if found is None:
                raise contact_not_found(key)
            return found
    return queries.find_by(conn, workspace_id, email=_ref_email(ref))


def _ref_email(ref: dict[str, Any]) -> str:
    raw = ref.get("email")
    if not isinstance(raw, str):
        raise ParameterNotFound("id", "a contact needs one of id, external_id or email")
    try:
        return email_address(raw)
    except ValueError as exc:
        raise ParameterInvalid(f"email is invalid: {exc}", field="email") from None


def resolve_contact(conn: Conn, workspace_id: int, ref: dict[str, Any]) -> Row:
    """`find_contact`, except that an unknown email creates a `lead` with that email, as
    Intercom does on ticket create."""
    found = find_contact(conn, workspace_id, ref)
    if found is not None:
        return found
    email = _ref_email(ref)
    now = ids.now()
    # ON CONFLICT DO NOTHING: a concurrent request creating the same lead is not an error.
    contact_id = ids.hex_id()
    created = conn.execute(
        insert_ignoring_conflicts(
            conn.dialect,
            contacts,
            id=contact_id,
            workspace_id=workspace_id,
            role="lead",
            email=email,
            email_key=email.lower(),
            unsubscribed_from_emails=False,
            custom_attributes="{}",
            created_at=now,
            updated_at=now,
        )
    )
    if created:
        _event(conn, workspace_id, "contact.lead.created", contact_id)
    return queries.find_by(conn, workspace_id, email=email)
