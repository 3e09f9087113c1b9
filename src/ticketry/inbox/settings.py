"""Settings pages: ticket types with their attributes and custom states, teams, API tokens
(shown once, revocable) and webhook subscriptions with their delivery log and redeliver.
Each form calls the service its API route or `ticketry` command calls."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ticketry.admins.queries import list_admins
from ticketry.db.database import Conn
from ticketry.errors import ParameterInvalid
from ticketry.inbox.web import Me, action, page
from ticketry.kit import ids, wire
from ticketry.tables import access_tokens, admins
from ticketry.teams.queries import list_teams
from ticketry.ticket_states import queries as state_queries
from ticketry.ticket_states import service as state_service
from ticketry.ticket_types import queries as type_queries
from ticketry.ticket_types import service as type_service
from ticketry.web import pages
from ticketry.webhooks import service as webhooks
from ticketry.webhooks.schemas import CreateSubscription
from ticketry.webhooks.topics import KNOWN
from ticketry.workspaces import service as workspaces

DATA_TYPES = ("string", "list", "integer", "decimal", "boolean", "datetime", "files")
CATEGORIES = ("Customer", "Back-office", "Tracker")
STATE_CATEGORIES = ("submitted", "in_progress", "waiting_on_customer", "resolved")


def _settings(conn: Conn, workspace_id: int) -> dict[str, Any]:
    attrs = type_queries.all_attributes(conn, workspace_id)
    states = state_queries.states_by_type(conn, workspace_id)
    tokens = conn.all(
        select(access_tokens, admins.c.name.label("admin_name"))
        .join(admins, admins.c.id == access_tokens.c.admin_id)
        .where(access_tokens.c.workspace_id == workspace_id)
        .order_by(access_tokens.c.id.desc())
    )
    subs = webhooks.listed(conn, workspace_id)
    return {
        "types": [
            {
                "row": t,
                "attributes": sorted(attrs.get(t["id"], []), key=lambda a: a["position"]),
                "states": states.get(t["id"], []),
            }
            for t in type_queries.list_types(conn, workspace_id)
        ],
        "admins": [a for a, _ in list_admins(conn, workspace_id)],
        "teams": list_teams(conn, workspace_id),
        "tokens": tokens,
        "subscriptions": [
            {
                "row": s,
                "topics": orjson.loads(s["topics"]),
                "log": webhooks.log(conn, workspace_id, s["public_id"], 20, None),
            }
            for s in subs
        ],
        "topics": sorted(KNOWN),
        "data_types": DATA_TYPES,
        "categories": CATEGORIES,
        "state_categories": STATE_CATEGORIES,
    }


@page
async def settings_page(me: Me) -> Response:
    data = await me.db.read(_settings, me.workspace_id)
    return me.page("settings.html", new_token=None, **data)


def _back(_request: Request) -> str:
    return "/inbox/settings"


def _flag(form: Any, name: str) -> bool:
    return form.get(name) == "true"


async def _create_type(me: Me) -> Response:
    form = await me.form()
    name, description = pages.text(form, "name"), pages.text(form, "description")
    category, internal = pages.text(form, "category"), _flag(form, "is_internal")
    await me.db.write(
        lambda c: type_service.create_type(
            c,
            me.workspace_id,
            name=name,
            description=description,
            category=category,
            is_internal=internal,
        )
    )
    return pages.redirect(me.request, "/inbox/settings#types", flash="Ticket type created.")


async def _create_attribute(me: Me) -> Response:
    form = await me.form()
    type_id = ids.parse_id(me.request.path_params["id"]) or 0
    kind = pages.text(form, "data_type")
    fields: dict[str, Any] = {
        "name": pages.text(form, "name"),
        "description": pages.text(form, "description"),
        "data_type": kind,
        "required_to_create": _flag(form, "required_to_create"),
        "required_to_create_for_contacts": _flag(form, "required_to_create_for_contacts"),
        "visible_on_create": _flag(form, "visible_on_create"),
        "visible_to_contacts": _flag(form, "visible_to_contacts"),
    }
    if kind == "list":
        fields["list_items"] = pages.text(form, "list_items")
    if kind == "string":
        fields["multiline"] = _flag(form, "multiline")
    await me.db.write(lambda c: type_service.create_attribute(c, me.workspace_id, type_id, fields))
    return pages.redirect(me.request, "/inbox/settings#types", flash="Attribute added.")


async def _create_state(me: Me) -> Response:
    form = await me.form()
    type_id = ids.parse_id(me.request.path_params["id"]) or 0
    await me.db.write(
        lambda c: state_service.create_state(
            c,
            me.workspace_id,
            pages.text(form, "category") or None,
            pages.text(form, "internal_label") or None,
            pages.text(form, "external_label") or None,
            [type_id],
        )
    )
    return pages.redirect(me.request, "/inbox/settings#types", flash="State added.")


async def _create_team(me: Me) -> Response:
    form = await me.form()
    members = [int(v) for v in form.getlist("admin_ids") if isinstance(v, str) and v.isdigit()]
    name = pages.text(form, "name")
    if not name:
        raise ParameterInvalid("A team needs a name", field="name")
    await me.db.write(lambda c: workspaces.create_team(c, me.workspace_id, name, members))
    return pages.redirect(me.request, "/inbox/settings#teams", flash=f"Team {name} created.")


async def _create_token(me: Me) -> Response:
    form = await me.form()
    name = pages.text(form, "name") or "inbox"
    issued = await me.db.write(
        lambda c: workspaces.create_token(c, me.workspace_id, me.admin_id, name[:100])
    )
    # Shown once: in this answer only (not a redirect, so it is never stored anywhere).
    data = await me.db.read(_settings, me.workspace_id)
    return me.page("settings.html", new_token=issued.token, **data)


async def _revoke_token(me: Me) -> Response:
    await me.form()
    token_id = ids.parse_id(me.request.path_params["id"]) or 0
    done = await me.db.write(lambda c: workspaces.revoke_token(c, me.workspace_id, token_id))
    return pages.redirect(
        me.request,
        "/inbox/settings#tokens",
        flash="Token revoked." if done else "That token was already revoked.",
    )


async def _create_subscription(me: Me) -> Response:
    form = await me.form()
    body = {
        "url": pages.text(form, "url"),
        "topics": [v for v in form.getlist("topics") if isinstance(v, str)],
    }
    if pages.text(form, "hub_secret"):
        body["hub_secret"] = pages.text(form, "hub_secret")
    payload = wire.parse(CreateSubscription, orjson.dumps(body))
    await me.db.write(lambda c: webhooks.create(c, me.workspace_id, payload))
    return pages.redirect(me.request, "/inbox/settings#webhooks", flash="Subscription created.")


async def _redeliver(me: Me) -> Response:
    await me.form()
    sub, notification = me.request.path_params["id"], me.request.path_params["notification"]
    await me.db.write(lambda c: webhooks.redeliver(c, me.workspace_id, sub, notification))
    return pages.redirect(
        me.request, "/inbox/settings#webhooks", flash="Notification queued to send again."
    )


routes = [
    Route("/inbox/settings", settings_page, methods=["GET"]),
    Route("/inbox/settings/types", action(_create_type, _back), methods=["POST"]),
    Route(
        "/inbox/settings/types/{id}/attributes",
        action(_create_attribute, _back),
        methods=["POST"],
    ),
    Route("/inbox/settings/types/{id}/states", action(_create_state, _back), methods=["POST"]),
    Route("/inbox/settings/teams", action(_create_team, _back), methods=["POST"]),
    Route("/inbox/settings/tokens", action(_create_token, _back), methods=["POST"]),
    Route("/inbox/settings/tokens/{id}/revoke", action(_revoke_token, _back), methods=["POST"]),
    Route("/inbox/settings/webhooks", action(_create_subscription, _back), methods=["POST"]),
    Route(
        "/inbox/settings/webhooks/{id}/redeliver/{notification}",
        action(_redeliver, _back),
        methods=["POST"],
    ),
]
