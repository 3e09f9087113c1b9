"""The conversation and ticket lifecycle driven by Intercom's official Python SDK (2.14
shapes: it sends no version header): a contact writes in, an admin answers and manages
the conversation, converts it to a ticket, links a back-office ticket to another
conversation, and creates a ticket in the background through a job."""

from __future__ import annotations

import time

import httpx
import pytest
from intercom import (
    ConversationsManageRequestBody_Assignment,
    ConversationsManageRequestBody_Close,
    ConversationsManageRequestBody_Snoozed,
)
from intercom.conversations.types.create_conversation_request_from import (
    CreateConversationRequestFrom,
)
from intercom.core.api_error import ApiError
from intercom.types import (
    AdminReplyConversationRequest,
    ContactReplyIntercomUserIdRequest,
    CreateContactRequestWithEmail,
    CreateTicketRequestContactsItemId,
    CreateTicketTypeRequest,
)

from tests.conftest import Server, Workspace


def test_conversation_lifecycle_with_the_python_sdk(
    sdk, server: Server, workspace: Workspace
) -> None:
    admin = str(workspace.admin_id)
    eve = sdk.contacts.create(request=CreateContactRequestWithEmail(email="eve@example.com"))

    message = sdk.conversations.create(
        from_=CreateConversationRequestFrom(type="user", id=eve.id), body="My export is empty"
    )
    cid = message.conversation_id
    assert cid and message.body == "My export is empty"

    found = sdk.conversations.find(cid)
    assert found.state == "open" and found.source.body == "<p>My export is empty</p>"

    replied = sdk.conversations.reply(
        cid,
        request=AdminReplyConversationRequest(
            message_type="comment", admin_id=admin, body="Which export?"
        ),
    )
    assert [p.part_type for p in replied.conversation_parts.conversation_parts] == ["comment"]
    snoozed = sdk.conversations.manage(
        cid,
        request=ConversationsManageRequestBody_Snoozed(admin_id=admin, snoozed_until=4102444800),
    )
    assert snoozed.state == "snoozed"
    assigned = sdk.conversations.manage(
        cid,
        request=ConversationsManageRequestBody_Assignment(
            type="admin", admin_id=admin, assignee_id=admin
        ),
    )
    assert assigned.state == "open" and str(assigned.admin_assignee_id) == admin
    closed = sdk.conversations.manage(
        cid, request=ConversationsManageRequestBody_Close(admin_id=admin)
    )
    assert closed.state == "closed" and closed.open is False
    reopened = sdk.conversations.reply(
        cid,
        request=ContactReplyIntercomUserIdRequest(intercom_user_id=eve.id, body="The CSV one"),
    )
    assert reopened.state == "open"
    assert reopened.conversation_parts.conversation_parts[-1].part_type == "open"

    listed = sdk.conversations.list(per_page=1)
    assert cid in [c.id for c in listed]  # the SDK's pager follows pages.next

    with pytest.raises(ApiError) as missing:
        sdk.conversations.find("999999999")
    assert missing.value.status_code == 404

    support = sdk.ticket_types.create(
        request=CreateTicketTypeRequest(name="Export problem", category="Customer", icon="📦")
    )
    ticket = sdk.conversations.convert_to_ticket(int(cid), ticket_type_id=support.id)
    assert ticket is not None and ticket.id == cid and ticket.category == "Customer"
    assert ticket.ticket_parts.ticket_parts[0].part_type == "comment"

    # a back-office ticket for a second conversation (conversation_to_link_id, 2.14)
    second = sdk.conversations.create(
        from_=CreateConversationRequestFrom(type="user", id=eve.id), body="And refunds?"
    ).conversation_id
    office = sdk.ticket_types.create(
        request=CreateTicketTypeRequest(name="Refund review", category="Back-office", icon="💸")
    )
    linked = sdk.tickets.create(
        ticket_type_id=office.id,
        contacts=[CreateTicketRequestContactsItemId(id=eve.id)],
        conversation_to_link_id=second,
    )
    assert [(o.type, o.id) for o in linked.linked_objects.data] == [("conversation", second)]
    seen_from_conversation = sdk.conversations.find(second).linked_objects.data
    assert [(o.type, o.id, o.category) for o in seen_from_conversation] == [
        ("ticket", linked.id, "Back-office")
    ]

    # and one created in the background
    job = sdk.tickets.enqueue_create_ticket(
        ticket_type_id=support.id, contacts=[CreateTicketRequestContactsItemId(id=eve.id)]
    )
    assert job.status == "pending"
    deadline = time.monotonic() + 20
    while (status := sdk.jobs.status(job.id)).status == "pending":
        assert time.monotonic() < deadline, "the job did not run"
        time.sleep(0.1)
    assert status.status == "success" and status.resource_type == "ticket"
    made = sdk.tickets.get(status.resource_id)
    assert made.id == status.resource_id and made.contacts.contacts[0].id == eve.id

    # what the 2.16-only calls the SDK lacks see of the same data, over plain HTTP
    raw = httpx.get(
        f"{server.url}/tickets/{linked.id}",
        headers={"Authorization": f"Bearer {workspace.token}", "Intercom-Version": "2.16"},
    ).json()
    assert raw["linked_objects"]["data"] == [
        {"type": "conversation", "id": second, "category": None}
    ]
