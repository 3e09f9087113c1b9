"""Changing a ticket's type (`POST /tickets/{id}/change_type`, Intercom 2.16+).

Intercom's rules (2.16 `changeTicketType`): the new type must be in the ticket's category;
a value carries over to the new type's attribute of the same name and data type; values in
`ticket_attributes` are checked against the new type and win over carried ones.

Decisions where Intercom says nothing:
* `ticket_state_id` is required (the 2.16 schema lists it and documents the 400 for its
  absence) and must be a state the new type offers: a default state or one linked to it.
* A carried value must suit the new attribute as a client value would: list values carry by
  option label (option ids belong to one attribute); a value the new attribute cannot take
  (an option it lacks, several values where it takes one, an archived attribute) is dropped.
* The new type's required-to-create attributes are not enforced: the ticket already exists.
* An archived type takes no tickets, by change as by create.
* History: one `ticket_type_updated_by_admin` part (named like Intercom's other admin-made
  ticket changes, `ticket_state_updated_by_admin` and `ticket_attribute_updated_by_admin`;
  the 2.16 example shows no part of its own); a new state also appends the state part, and
  opens or closes the ticket, as `PUT /tickets/{id}` does.
"""

from __future__ import annotations

from typing import Any

import orjson

from ticketry.db.database import Conn, Row
from ticketry.errors import NotFound, ParameterInvalid, ParameterNotFound
from ticketry.ticket_states import queries as states
from ticketry.ticket_types.queries import TypeData, allows_multiple, list_options, load_types
from ticketry.ticket_types.values import validate_values
from ticketry.tickets import changes, lookups, search_values
from ticketry.tickets.parts import Author
from ticketry.tickets.schemas import ChangeTicketType
from ticketry.tickets.service import defaults_to_columns, move_to_state

_META = {"via_api": True}


def change_type(
    conn: Conn, workspace_id: int, caller_admin: int, ticket_id: int, p: ChangeTicketType
) -> None:
    for name in ("ticket_type_id", "ticket_state_id"):
        if not getattr(p, name):
            raise ParameterNotFound(name)  # "" counts as not sent
    actor = Author("admin", str(caller_admin))
    # Intercom's change_type 404 is the generic one (2.16 example), not `ticket_not_found`.
    with changes.changing(conn, workspace_id, ticket_id, actor, not_found=NotFound()) as t:
        old, new = _types(conn, workspace_id, t.row, p.ticket_type_id)
        state = _state(conn, workspace_id, new, p.ticket_state_id)
        supplied = validate_values(new, p.ticket_attributes, creating=False)
        before = orjson.loads(t.row["attributes"])
        stored = _carried(old, new, before)
        stored.update((str(k), v) for k, v in supplied.items())
        stored = {k: v for k, v in stored.items() if v is not None}
        t.set(
            ticket_type_id=new.row["id"],
            category=new.row["category"],
            attributes=orjson.dumps(stored).decode(),
            **defaults_to_columns(new, stored),  # every type has title and description
        )
        # Drop the index rows of every old attribute (a search by one must no longer find
        # the ticket) and write the new type's.
        indexed = {*old.by_id, *new.by_id, *(int(k) for k in before)}
        search_values.write(conn, workspace_id, t.id, new, stored, indexed, replace=True)
        ids = {"previous_ticket_type_id": str(old.row["id"]), "ticket_type_id": str(new.row["id"])}
        t.part("ticket_type_updated_by_admin", data={**_META, **ids}, event_data=ids)
        if state["id"] != t.row["ticket_state_id"]:
            _move_to(t, state)


def _types(conn: Conn, workspace_id: int, row: Row, type_id: str) -> tuple[TypeData, TypeData]:
    """The ticket's type and the one it moves to, checked."""
    ident = lookups.as_int(type_id)
    if ident == row["ticket_type_id"]:
        raise ParameterInvalid("Cannot change to the same ticket type", field="ticket_type_id")
    wanted = [row["ticket_type_id"]] if ident is None else [row["ticket_type_id"], ident]
    found = load_types(conn, workspace_id, wanted)
    new = found.get(ident) if ident is not None else None
    if new is None:
        raise NotFound(f"Ticket type {type_id} not found", field="ticket_type_id")
    if new.row["archived"]:
        raise ParameterInvalid(f"Ticket type {type_id} is archived", field="ticket_type_id")
    if new.row["category"] != row["category"]:
        raise ParameterInvalid(
            f"Ticket type {type_id} is a {new.row['category']} type; a {row['category']} "
            "ticket can only change to another type of its category",
            field="ticket_type_id",
        )
    return found[row["ticket_type_id"]], new


def _state(conn: Conn, workspace_id: int, new: TypeData, state_id: str) -> Row:
    ident = lookups.as_int(state_id)
    if ident is None or not states.state_belongs_to_type(conn, workspace_id, ident, new.row["id"]):
        # wording of Intercom's example (2.16), also for an unknown or archived state
        raise ParameterInvalid(
            "Ticket custom state doesn't belong to the new ticket type", field="ticket_state_id"
        )
    found = states.get_state(conn, workspace_id, ident)
    assert found is not None  # states_for_type just returned it
    return found


def _carried(old: TypeData, new: TypeData, stored: dict[str, Any]) -> dict[str, Any]:
    """The old values the new type keeps, stored under its attribute ids."""
    out: dict[str, Any] = {}
    for attr in new.attributes:
        source = old.by_name.get(attr["name"])
        if source is None or source["data_type"] != attr["data_type"]:
            continue
        value = stored.get(str(source["id"]))
        if value is None:
            continue
        if attr["data_type"] == "list":
            value = _as_labels(source, value, multiple=allows_multiple(attr))
        try:
            kept = validate_values(new, {attr["name"]: value}, creating=False)
        except ParameterInvalid:
            continue  # the new attribute cannot hold it
        out[str(attr["id"])] = kept[attr["id"]]
    return out


def _as_labels(attr: Row, value: Any, *, multiple: bool) -> Any:
    labels = {o["id"]: o["label"] for o in list_options(attr)}
    if isinstance(value, list):
        shown = [labels.get(v, v) for v in value]
        return shown[0] if len(shown) == 1 and not multiple else shown
    return labels.get(value, value)


def _move_to(t: changes.TicketChange, state: Row) -> None:
    move_to_state(t, state, follow=True)
    if "open" in t.columns:
        if not t.columns["open"] and t.row["snoozed_until"] is not None:
            t.set(snoozed_until=None)  # closing also unsnoozes
        t.part("open" if t.columns["open"] else "close", data=_META)
