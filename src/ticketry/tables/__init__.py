"""SQLAlchemy Core table definitions: the schema the migrations build, grouped by domain.

Conventions: every table carries `workspace_id` and every query filters on it; timestamps
are integer UNIX seconds (Intercom's wire format); JSON documents are TEXT that the
services encode with orjson; ids are integers except where Intercom's own ids are hex
strings (contacts, companies).
"""

from ticketry.tables.base import metadata
from ticketry.tables.contacts import companies, contact_companies, contacts, tags
from ticketry.tables.conversations import (
    conversation_contacts,
    conversation_parts,
    conversation_tags,
    conversations,
    ticket_links,
)
from ticketry.tables.events import events
from ticketry.tables.jobs import jobs
from ticketry.tables.tickets import (
    ticket_contacts,
    ticket_counts,
    ticket_parts,
    ticket_states,
    ticket_tags,
    ticket_type_attributes,
    ticket_type_states,
    ticket_types,
    ticket_values,
    tickets,
    uploads,
)
from ticketry.tables.web import web_sessions
from ticketry.tables.webhooks import webhook_deliveries, webhook_subscriptions
from ticketry.tables.workspaces import access_tokens, admins, team_members, teams, workspaces

__all__ = [
    "access_tokens",
    "admins",
    "companies",
    "contact_companies",
    "contacts",
    "conversation_contacts",
    "conversation_parts",
    "conversation_tags",
    "conversations",
    "events",
    "jobs",
    "metadata",
    "tags",
    "team_members",
    "teams",
    "ticket_contacts",
    "ticket_counts",
    "ticket_links",
    "ticket_parts",
    "ticket_states",
    "ticket_tags",
    "ticket_type_attributes",
    "ticket_type_states",
    "ticket_types",
    "ticket_values",
    "tickets",
    "uploads",
    "web_sessions",
    "webhook_deliveries",
    "webhook_subscriptions",
    "workspaces",
]
