"""A support workflow driven end to end by Intercom's official Python SDK."""

from __future__ import annotations

import time

import pytest
from intercom.core.api_error import ApiError
from intercom.types import (
    AdminReplyTicketRequest,
    ContactReplyTicketEmailRequest,
    ContactReplyTicketIntercomUserIdRequest,
    CreateContactRequestWithEmail,
    CreateOrUpdateTagRequest,
    CreateTicketRequestContactsItemEmail,
    CreateTicketRequestContactsItemId,
    CreateTicketTypeRequest,
)

from tests.conftest import Server, Workspace
from ticketry.workspaces import service as ws_service


def test_support_workflow(sdk, server: Server, workspace: Workspace) -> None:
    team = server.tx(
        lambda c: ws_service.create_team(c, workspace.id, "Escalations", [workspace.admin_id])
    )
    mate = server.tx(lambda c: ws_service.create_admin(c, workspace.id, "Sam", "sam@example.com"))

    bug = sdk.ticket_types.create(
        request=CreateTicketTypeRequest(
            name="Bug report", description="Something is broken", category="Customer", icon="🐞"
        )
    )
    assert bug.name == "Bug report" and bug.category == "Customer"
    severity = sdk.ticket_types.attributes.create(
        bug.id,
        name="Severity",
        description="How bad",
        data_type="list",
        list_items="Low,Medium,High",
        required_to_create=True,
    )
    sdk.ticket_types.attributes.create(
        bug.id, name="Browser", description="Which browser", data_type="string"
    )
    high = next(o for o in severity.input_options["list_options"] if o["label"] == "High")

    ann = sdk.contacts.create(
        request=CreateContactRequestWithEmail(email="ann@example.com", name="Ann")
    )
    assert sdk.contacts.find(ann.id).email == "ann@example.com"

    # python-intercom 5.0.1 lost `ticket_attributes` on create: it goes in as an extra key.
    ticket = sdk.tickets.create(
        ticket_type_id=bug.id,
        contacts=[CreateTicketRequestContactsItemId(id=ann.id)],
        request_options={
            "additional_body_parameters": {
                "ticket_attributes": {
                    "_default_title_": "Checkout fails",
                    "Severity": high["id"],
                    "Browser": "Firefox",
                }
            }
        },
    )
    assert ticket.ticket_attributes["_default_title_"] == "Checkout fails"
    assert ticket.ticket_state.category == "submitted"
    with pytest.raises(ApiError) as missing:
        sdk.tickets.create(
            ticket_type_id=bug.id,
            contacts=[CreateTicketRequestContactsItemEmail(email="b@example.com")],
        )
    assert missing.value.status_code == 400

    sdk.tickets.reply(
        ticket.id,
        request=AdminReplyTicketRequest(
            message_type="comment", admin_id=str(workspace.admin_id), body="Looking into it"
        ),
    )
    sdk.tickets.reply(
        ticket.id,
        request=ContactReplyTicketIntercomUserIdRequest(intercom_user_id=ann.id, body="Thanks!"),
    )
    sdk.tickets.reply(
        ticket.id, request=ContactReplyTicketEmailRequest(email="ann@example.com", body="Any news?")
    )
    note = sdk.tickets.reply(
        ticket.id,
        request=AdminReplyTicketRequest(
            message_type="note", admin_id=str(workspace.admin_id), body="Repro on staging"
        ),
    )
    assert note.part_type == "note" and note.body == "<p>Repro on staging</p>"

    states = {s.category: s.id for s in sdk.ticket_states.list_ticket_states().data}
    moved = sdk.tickets.update(
        ticket.id,
        ticket_state_id=states["in_progress"],
        admin_id=workspace.admin_id,
        assignee_id=str(mate["id"]),
    )
    assert moved.ticket_state.category == "in_progress"
    assert moved.admin_assignee_id == str(mate["id"])
    moved = sdk.tickets.update(ticket.id, assignee_id=str(team["id"]))
    assert moved.team_assignee_id == str(team["id"])

    tag = sdk.tags.create(request=CreateOrUpdateTagRequest(name="checkout"))
    applied = sdk.tags.tag_ticket(ticket.id, tag_id=tag.id, admin_id=str(workspace.admin_id))
    assert applied.name == "checkout" and applied.applied_by.id == str(workspace.admin_id)

    until = int(time.time()) + 86400
    snoozed = sdk.tickets.update(
        ticket.id, snoozed_until=until, ticket_state_id=states["waiting_on_customer"]
    )
    assert snoozed.snoozed_until == until
    assert snoozed.ticket_state.external_label == "Waiting on you"
    sdk.tags.untag_ticket(ticket.id, tag.id, admin_id=str(workspace.admin_id))
    resolved = sdk.tickets.update(ticket.id, ticket_state_id=states["resolved"])
    assert resolved.open is False

    kinds = [p.part_type for p in sdk.tickets.get(ticket.id).ticket_parts.ticket_parts]
    assert kinds[:1] == ["ticket_state_updated_by_admin"]
    for expected in ("comment", "note", "assignment", "snoozed", "close"):
        assert expected in kinds
    assert kinds.count("comment") == 3

    deleted = sdk.tickets.delete_ticket(ticket.id)
    assert deleted.deleted is True and deleted.id == ticket.id
    with pytest.raises(ApiError) as gone:
        sdk.tickets.get(ticket.id)
    assert gone.value.status_code == 404
