"""Creating ticket states. Every workspace starts with one default state per category."""

from __future__ import annotations

from sqlalchemy import insert

from ticketry.db.database import Conn
from ticketry.kit import ids
from ticketry.tables import ticket_states

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
    for category, internal, external in DEFAULT_STATES:
        conn.execute(
            insert(ticket_states).values(
                workspace_id=workspace_id,
                category=category,
                internal_label=internal,
                external_label=external,
                is_default=True,
                archived=False,
                created_at=now,
                updated_at=now,
            )
        )
