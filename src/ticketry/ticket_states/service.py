"""Creating ticket states. Every workspace starts with one default state per category;
operators add custom states (CLI or `POST /ticketry/ticket_states`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, update

from ticketry.db.database import Conn, Row
from ticketry.errors import NotFound, ParameterInvalid, ParameterNotFound
from ticketry.kit import ids
from ticketry.tables import ticket_states, ticket_type_states, ticket_types

CATEGORIES = ("submitted", "in_progress", "waiting_on_customer", "resolved")

# Labels as Intercom's examples show them: (category, internal label, customer-facing label)
DEFAULT_STATES = (
    ("submitted", "Submitted", "Submitted"),
    ("in_progress", "In progress", "In progress"),
    ("waiting_on_customer", "Waiting on customer", "Waiting on you"),
    ("resolved", "Resolved", "Resolved"),
)


def create_default_states(conn: Conn, workspace_id: int) -> None:
    now = ids.now()
    # One statement for all of them: a new workspace is made on every test of the test kit.
    conn.execute(
        insert(ticket_states).values(
            [
                {
                    "workspace_id": workspace_id,
                    "category": category,
                    "internal_label": internal,
                    "external_label": external,
                    "is_default": True,
                    "archived": False,
                    "created_at": now,
                    "updated_at": now,
                }
                for category, internal, external in DEFAULT_STATES
            ]
        )
    )


# -- custom states (Ticketry-only: Intercom's API has no endpoint that creates states) ---

LABEL_MAX = 255


def _label(value: str | None, name: str) -> str:
    if value is None:
        raise ParameterNotFound(name)
    value = value.strip()
    if not value:
        raise ParameterInvalid(f"{name} cannot be blank", field=name)
    if len(value) > LABEL_MAX:
        raise ParameterInvalid(f"{name} is longer than {LABEL_MAX} characters", field=name)
    return value


def _type_ids(conn: Conn, workspace_id: int, ticket_type_ids: list[int]) -> list[int]:
    wanted = list(dict.fromkeys(int(t) for t in ticket_type_ids))
    if not wanted:
        raise ParameterNotFound(
            "ticket_type_ids", "ticket_type_ids must name at least one ticket type"
        )
    found = {
        r["id"]
        for r in conn.all(
            select(ticket_types.c.id).where(
                ticket_types.c.workspace_id == workspace_id, ticket_types.c.id.in_(wanted)
            )
        )
    }
    missing = [t for t in wanted if t not in found]
    if missing:
        raise NotFound(f"Ticket type {missing[0]} not found", field="ticket_type_ids")
    return wanted


def _link(conn: Conn, workspace_id: int, state_id: int, type_ids: list[int]) -> None:
    conn.execute(
        delete(ticket_type_states).where(
            ticket_type_states.c.workspace_id == workspace_id,
            ticket_type_states.c.ticket_state_id == state_id,
        )
    )
    for type_id in type_ids:
        conn.execute(
            insert(ticket_type_states).values(
                ticket_type_id=type_id, ticket_state_id=state_id, workspace_id=workspace_id
            )
        )


def create_state(
    conn: Conn,
    workspace_id: int,
    category: str | None,
    internal_label: str | None,
    external_label: str | None,
    ticket_type_ids: list[int],
) -> Row:
    """A custom state of `category`, offered to the given ticket types only."""
    if category is None:
        raise ParameterNotFound("category")
    if category not in CATEGORIES:
        raise ParameterInvalid(
            f"category must be one of {', '.join(CATEGORIES)} (got {category!r})",
            field="category",
        )
    internal = _label(internal_label, "internal_label")
    external = _label(external_label, "external_label")
    type_ids = _type_ids(conn, workspace_id, ticket_type_ids)
    now = ids.now()
    state_id = conn.scalar(
        insert(ticket_states)
        .values(
            workspace_id=workspace_id,
            category=category,
            internal_label=internal,
            external_label=external,
            is_default=False,
            archived=False,
            created_at=now,
            updated_at=now,
        )
        .returning(ticket_states.c.id)
    )
    _link(conn, workspace_id, state_id, type_ids)
    return conn.one(select(ticket_states).where(ticket_states.c.id == state_id))


def update_state(
    conn: Conn,
    workspace_id: int,
    state_id: int,
    *,
    internal_label: str | None = None,
    external_label: str | None = None,
    archived: bool | None = None,
    ticket_type_ids: list[int] | None = None,
) -> Row:
    """Relabel, archive/unarchive, or relink a state; `None` leaves a field as it is.

    Default states apply to every type, so their links cannot change and they cannot be
    archived (every ticket needs a default state of each category to fall back on)."""
    row = conn.one(
        select(ticket_states).where(
            ticket_states.c.workspace_id == workspace_id, ticket_states.c.id == state_id
        )
    )
    if row is None:
        raise NotFound("Ticket state not found", field="ticket_state_id")
    values: dict[str, Any] = {}
    if internal_label is not None:
        values["internal_label"] = _label(internal_label, "internal_label")
    if external_label is not None:
        values["external_label"] = _label(external_label, "external_label")
    if archived is not None:
        if row["is_default"] and archived:
            raise ParameterInvalid("A default ticket state cannot be archived", field="archived")
        values["archived"] = archived
    if ticket_type_ids is not None:
        if row["is_default"]:
            raise ParameterInvalid(
                "A default ticket state applies to every ticket type; its types cannot change",
                field="ticket_type_ids",
            )
        _link(conn, workspace_id, state_id, _type_ids(conn, workspace_id, ticket_type_ids))
    values["updated_at"] = ids.now()
    conn.execute(
        update(ticket_states)
        .where(ticket_states.c.workspace_id == workspace_id, ticket_states.c.id == state_id)
        .values(**values)
    )
    return conn.one(select(ticket_states).where(ticket_states.c.id == state_id))
