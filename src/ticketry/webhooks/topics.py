"""The topics a subscription may name, and which notifications an event makes.

Intercom's ticket and conversation topics (`ticket.contact.attached`/`detached` only while
the ticket is open, as Intercom documents them), `ping` (always delivered, as Intercom's was),
and Ticketry's own `ticket.deleted`. `ticket.resolved` has no row of its own in the event
log: it is made from a `ticket.state.updated` event whose new state is resolved.
"""

from __future__ import annotations

import orjson

from ticketry.db.database import Row

# Items that are the full ticket (REST shape of the subscription's version).
TICKET_TOPICS = frozenset(
    {"ticket.created", "ticket.state.updated", "ticket.closed", "ticket.resolved"}
)
# Items that are `{type: ticket_ticket_part, ticket, ticket_part}`.
TICKET_PART_TOPICS = frozenset(
    {
        "ticket.note.created",
        "ticket.admin.assigned",
        "ticket.team.assigned",
        "ticket.attribute.updated",
        "ticket.admin.replied",
        "ticket.contact.replied",
    }
)
# Items in Intercom's legacy `{ticket, contact}` shape (no `type`), for open tickets only.
CONTACT_TOPICS = frozenset({"ticket.contact.attached", "ticket.contact.detached"})
CONVERSATION_TOPICS = frozenset(
    {
        "conversation.user.created",
        "conversation.user.replied",
        "conversation.admin.replied",
        "conversation.admin.single.created",
        "conversation.admin.assigned",
        "conversation.admin.noted",
        "conversation.admin.closed",
        "conversation.admin.opened",
        "conversation.admin.snoozed",
    }
)
TICKET_DELETED = "ticket.deleted"  # Ticketry's extension: item `{type, id, deleted: true}`
PING = "ping"
KNOWN = (
    TICKET_TOPICS
    | TICKET_PART_TOPICS
    | CONTACT_TOPICS
    | CONVERSATION_TOPICS
    | {TICKET_DELETED, PING}
)


def of_event(event: Row) -> list[str]:
    """The notification topics one event row stands for."""
    topic = event["topic"]
    if topic not in KNOWN:
        return []
    data = orjson.loads(event["data"]) if event["data"] else {}
    if topic == "ticket.state.updated" and data.get("state") == "resolved":
        return [topic, "ticket.resolved"]
    if topic in CONTACT_TOPICS and data.get("open") is False:
        return []
    return [topic]
