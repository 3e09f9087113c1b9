"""More of the ticket page's actions: files attributes, snooze and change of type.

A chosen file is checked and stored as `attachment_files` are, then set on the attribute with
`update_ticket` (what `PUT /tickets/{id}` calls) in the same write, so the attribute part,
event and webhook are the API's own. Snoozing is `update_ticket` with `snoozed_until`;
changing the type is `change_type` (`POST /tickets/{id}/change_type`).
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ticketry.db.database import Conn
from ticketry.errors import NotFound, ParameterInvalid, ParameterNotFound
from ticketry.inbox import ticket_page
from ticketry.inbox.web import Me, action
from ticketry.kit import ids
from ticketry.ticket_types.queries import allows_multiple, load_type
from ticketry.tickets import service, uploads
from ticketry.tickets.change_type import change_type
from ticketry.tickets.changes import locked_row, ticket_not_found
from ticketry.tickets.schemas import ChangeTicketType, UpdateTicket
from ticketry.web import pages


def _ticket_id(request: Request) -> int:
    found = ids.parse_id(request.path_params["id"])
    if found is None:
        raise NotFound("Ticket not found", code="ticket_not_found")
    return found


def _back(request: Request) -> str:
    return f"/inbox/tickets/{request.path_params['id']}"


def _update(conn: Conn, me: Me, ticket_id: int, payload: dict[str, Any]) -> None:
    update = UpdateTicket.model_validate({"admin_id": str(me.admin_id), **payload})
    service.update_ticket(
        conn, me.workspace_id, me.admin_id, ticket_id, update, ticket_page.VERSION
    )


def _files_attribute(
    conn: Conn, workspace_id: int, ticket_id: int, attr_id: int | None
) -> tuple[dict[str, Any], list[dict[str, Any]], bool]:
    """The ticket's files attribute `attr_id`, its current files, and whether it takes
    several."""
    row = locked_row(conn, workspace_id, ticket_id)
    if row is None:
        raise ticket_not_found()
    data = load_type(conn, workspace_id, row["ticket_type_id"])
    found = next(
        (
            a
            for a in (data.attributes if data else [])
            if a["id"] == attr_id and a["data_type"] == "files" and not a["archived"]
        ),
        None,
    )
    if found is None:
        raise ParameterInvalid("No such files attribute on this ticket", field="attribute_id")
    current = orjson.loads(row["attributes"]).get(str(found["id"])) or []
    return dict(found), list(current), allows_multiple(found)


async def _add_files(me: Me) -> Response:
    ticket_id = _ticket_id(me.request)
    attr_id = ids.parse_id(me.request.path_params["attr_id"])
    form = await me.form()
    chosen = await ticket_page.attachments(form, "files")
    if not chosen:
        raise ParameterNotFound("files", "Choose a file to add")
    checked = uploads.check_files(chosen)
    base_url = pages.base_url(me.request)

    def run(conn: Conn) -> None:
        attr, current, multiple = _files_attribute(conn, me.workspace_id, ticket_id, attr_id)
        stored = uploads.store(conn, me.workspace_id, ticket_id, base_url, checked, ids.now())
        value = [*current, *stored] if multiple else stored
        _update(conn, me, ticket_id, {"ticket_attributes": {attr["name"]: value}})

    await me.db.write(run)
    return pages.redirect(me.request, _back(me.request), flash="Files added.")


async def _remove_file(me: Me) -> Response:
    ticket_id = _ticket_id(me.request)
    attr_id = ids.parse_id(me.request.path_params["attr_id"])
    form = await me.form()
    url = pages.text(form, "url")

    def run(conn: Conn) -> None:
        attr, current, _ = _files_attribute(conn, me.workspace_id, ticket_id, attr_id)
        kept = [f for f in current if f.get("url") != url]
        if len(kept) == len(current):
            raise ParameterInvalid("That file is not on this attribute", field="url")
        _update(conn, me, ticket_id, {"ticket_attributes": {attr["name"]: kept or None}})

    await me.db.write(run)
    return pages.redirect(me.request, _back(me.request), flash="File removed.")


async def _snooze(me: Me) -> Response:
    ticket_id = _ticket_id(me.request)
    form = await me.form()
    until: int | None = None
    if pages.text(form, "unsnooze") != "true":
        until = ticket_page.datetime_input(pages.text(form, "snoozed_until"), "snoozed_until")
        if until is None:
            raise ParameterNotFound("snoozed_until")
    await me.db.write(_update, me, ticket_id, {"snoozed_until": until})
    return pages.redirect(
        me.request, _back(me.request), flash="Ticket snoozed." if until else "Ticket unsnoozed."
    )


async def _change_type(me: Me) -> Response:
    ticket_id = _ticket_id(me.request)
    form = await me.form()
    type_id, _, state_id = pages.text(form, "type_state").partition(":")
    if ids.parse_id(type_id) is None or ids.parse_id(state_id) is None:
        raise ParameterInvalid("Choose a ticket type and state", field="ticket_type_id")
    payload = ChangeTicketType(ticket_type_id=type_id, ticket_state_id=state_id)
    await me.db.write(change_type, me.workspace_id, me.admin_id, ticket_id, payload)
    return pages.redirect(me.request, _back(me.request), flash="Ticket type changed.")


_BASE = "/inbox/tickets/{id}"
routes = [
    Route(f"{_BASE}/files/{{attr_id}}", action(_add_files, _back), methods=["POST"]),
    Route(f"{_BASE}/files/{{attr_id}}/remove", action(_remove_file, _back), methods=["POST"]),
    Route(f"{_BASE}/snooze", action(_snooze, _back), methods=["POST"]),
    Route(f"{_BASE}/type", action(_change_type, _back), methods=["POST"]),
]
