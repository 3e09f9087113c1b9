"""A workspace's clock moving (the test kit's `PUT /ticketry/clock`): what falls due.

Snoozed tickets and conversations whose `snoozed_until` has passed wake up with the part
Intercom writes, `timer_unsnooze`, through the usual change paths (so they record their
events too). Jobs and webhook deliveries are scheduled in the server's own time (the
workers keep it); those the jump forward has reached, a retry due in 5 minutes after a jump
of an hour, are made due now.
"""

from __future__ import annotations

from sqlalchemy import select, update

from ticketry.conversations import changes as conversation_changes
from ticketry.db.database import Conn
from ticketry.kit import ids
from ticketry.tables import conversations, jobs, tickets, webhook_deliveries
from ticketry.tickets import changes as ticket_changes
from ticketry.tickets.parts import Author

# Intercom writes timer_unsnooze parts as its bot (Operator).
TIMER = Author("bot", "0")


def moved(conn: Conn, workspace_id: int, at: int, by: int) -> int:
    """The workspace's clock now reads `at`, `by` seconds later than it did: wake what was
    snoozed until then, bring forward what the jump reached; how many objects woke. Runs
    on the workspace's frozen clock, so the parts are dated `at`."""
    woke = 0
    due_tickets = conn.all(
        select(tickets.c.id)
        .where(
            tickets.c.workspace_id == workspace_id,
            tickets.c.snoozed_until.is_not(None),
            tickets.c.snoozed_until <= at,
        )
        .order_by(tickets.c.id)
    )
    for row in due_tickets:
        with ticket_changes.changing(conn, workspace_id, row["id"], TIMER) as t:
            t.set(snoozed_until=None)
            t.part("timer_unsnooze", event_data={"snoozed_until": None})
        woke += 1
    due_conversations = conn.all(
        select(conversations.c.id)
        .where(
            conversations.c.workspace_id == workspace_id,
            conversations.c.state == "snoozed",
            conversations.c.snoozed_until <= at,
        )
        .order_by(conversations.c.id)
    )
    for row in due_conversations:
        with conversation_changes.changing(conn, workspace_id, row["id"], TIMER) as c:
            c.set(state="open", open=True, snoozed_until=None)
            c.part("timer_unsnooze")
        woke += 1
    if by > 0:
        real_now = ids.real_now()
        reached = real_now + by
        conn.execute(
            update(jobs)
            .where(
                jobs.c.workspace_id == workspace_id,
                jobs.c.status == "pending",
                jobs.c.run_after > real_now,
                jobs.c.run_after <= reached,
            )
            .values(run_after=real_now)
        )
        conn.execute(
            update(webhook_deliveries)
            .where(
                webhook_deliveries.c.workspace_id == workspace_id,
                webhook_deliveries.c.status == "pending",
                webhook_deliveries.c.next_attempt_at > real_now,
                webhook_deliveries.c.next_attempt_at <= reached,
            )
            .values(next_attempt_at=real_now)
        )
    return woke
