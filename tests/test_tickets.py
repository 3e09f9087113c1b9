"""Tickets over HTTP: create, read, update, delete, versions, and the parts they leave."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import Api, Server, Workspace, make_api, make_workspace
from tests.helpers import assert_error
from tests.ticket_fixtures import add_attribute, make_contact, make_ticket, make_type, part_types
from ticketry.tables import contacts, ticket_parts, tickets, workspaces
from ticketry.workspaces import service as ws_service


@pytest.fixture
def bug(api: Api) -> dict:
    ticket_type = make_type(api, "Bug")
    add_attribute(api, ticket_type["id"], "Priority", "list", list_items="Low,High")
    add_attribute(api, ticket_type["id"], "Seats", "integer")
    return api.get(f"/ticket_types/{ticket_type['id']}").json()


@pytest.fixture
def contact(api: Api) -> dict:
    return make_contact(api, "ann@example.com", external_id="ann-1", name="Ann")


def attr_by_name(ticket_type: dict, name: str) -> dict:
    return next(a for a in ticket_type["ticket_type_attributes"]["data"] if a["name"] == name)


def counts(server: Server, workspace: Workspace) -> tuple[int, int, int, int]:
    def run(conn):  # type: ignore[no-untyped-def]
        ws = workspace.id
        return (
            conn.scalar(
                select(func.count()).select_from(tickets).where(tickets.c.workspace_id == ws)
            ),
            conn.scalar(
                select(func.count())
                .select_from(ticket_parts)
                .where(ticket_parts.c.workspace_id == ws)
            ),
            conn.scalar(
                select(func.count()).select_from(contacts).where(contacts.c.workspace_id == ws)
            ),
            conn.scalar(select(workspaces.c.ticket_seq).where(workspaces.c.id == ws)),
        )

    return server.tx(run)


def test_create_and_get_in_2_14_shape(api: Api, bug: dict, contact: dict) -> None:
    high = attr_by_name(bug, "Priority")["input_options"]["list_options"][1]
    created = make_ticket(
        api,
        bug["id"],
        contact["id"],
        ticket_attributes={
            "_default_title_": "Login broken",
            "_default_description_": "Since Monday",
            "Priority": high["id"],
            "Seats": 3,
        },
    )
    assert created["type"] == "ticket"
    assert created["ticket_id"] == "1"
    assert created["category"] == "Customer"
    assert created["ticket_state"]["type"] == "ticket_state"
    assert created["ticket_state"]["category"] == "submitted"
    assert created["ticket_attributes"]["_default_title_"] == "Login broken"
    assert created["ticket_attributes"]["Seats"] == 3
    assert created["contacts"] == {
        "type": "contact.list",
        "contacts": [{"type": "contact", "id": contact["id"], "external_id": "ann-1"}],
    }
    assert created["admin_assignee_id"] == "0" and created["team_assignee_id"] == "0"
    assert created["open"] is True and created["is_shared"] is False
    assert "snoozed_until" not in created
    assert created["linked_objects"]["data"] == []
    assert part_types(created) == ["ticket_state_updated_by_admin"]
    first = created["ticket_parts"]["ticket_parts"][0]
    assert (first["previous_ticket_state"], first["ticket_state"]) == ("submitted", "submitted")
    assert created["ticket_type"]["id"] == bug["id"]
    assert "ticket_states" not in created["ticket_type"]
    assert api.get(f"/tickets/{created['id']}").json() == created


def test_ticket_numbers_are_per_workspace_sequences(
    api: Api, server: Server, bug: dict, contact: dict
) -> None:
    numbers = [make_ticket(api, bug["id"], contact["id"])["ticket_id"] for _ in range(3)]
    assert numbers == ["1", "2", "3"]
    other = make_workspace(server, "Other")
    with make_api(server, other.token) as client:
        t = make_type(client)
        c = make_contact(client, "zed@example.com")
        assert make_ticket(client, t["id"], c["id"])["ticket_id"] == "1"


def test_contact_by_external_id_and_new_email(api: Api, bug: dict, contact: dict) -> None:
    by_ext = api.post(
        "/tickets", json={"ticket_type_id": int(bug["id"]), "contacts": [{"external_id": "ann-1"}]}
    ).json()
    assert by_ext["contacts"]["contacts"][0]["id"] == contact["id"]
    by_email = api.post(
        "/tickets", json={"ticket_type_id": bug["id"], "contacts": [{"email": "new@example.com"}]}
    ).json()
    new_id = by_email["contacts"]["contacts"][0]["id"]
    lead = api.get(f"/contacts/{new_id}").json()
    assert (lead["email"], lead["role"]) == ("new@example.com", "lead")


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"contacts": [{"id": "x"}]}, 400, "parameter_not_found", "ticket_type_id"),
        (
            {"ticket_type_id": "999999", "contacts": [{"email": "a@b.co"}]},
            400,
            "parameter_invalid",
            "ticket_type_id",
        ),
        ({"ticket_type_id": "{type}", "contacts": []}, 400, "parameter_not_found", "contacts"),
        ({"ticket_type_id": "{type}"}, 400, "parameter_not_found", "contacts"),
        (
            {"ticket_type_id": "{type}", "contacts": [{"email": "a@b.co"}, {"email": "c@d.co"}]},
            400,
            "parameter_invalid",
            "contacts",
        ),
        ({"ticket_type_id": "{type}", "contacts": [{"id": "nope"}]}, 404, "not_found", None),
        (
            {
                "ticket_type_id": "{type}",
                "contacts": [{"email": "a@b.co"}],
                "ticket_attributes": {"Nope": 1},
            },
            400,
            "parameter_invalid",
            "ticket_attributes.Nope",
        ),
        (
            {
                "ticket_type_id": "{type}",
                "contacts": [{"email": "a@b.co"}],
                "ticket_attributes": {"Seats": "many"},
            },
            400,
            "parameter_invalid",
            "ticket_attributes.Seats",
        ),
        (
            {
                "ticket_type_id": "{type}",
                "contacts": [{"email": "a@b.co"}],
                "ticket_attributes": {"Priority": "not-an-option"},
            },
            400,
            "parameter_invalid",
            "ticket_attributes.Priority",
        ),
        (
            {
                "ticket_type_id": "{type}",
                "contacts": [{"email": "a@b.co"}],
                "created_at": "yesterday",
            },
            400,
            "parameter_invalid",
            "created_at",
        ),
        (
            {"ticket_type_id": "{type}", "contacts": [{"email": "a@b.co"}], "company_id": "nope"},
            404,
            "company_not_found",
            "company_id",
        ),
        (
            {
                "ticket_type_id": "{type}",
                "contacts": [{"email": "a@b.co"}],
                "assignment": {"admin_assignee_id": "424242"},
            },
            404,
            "assignee_not_found",
            "assignment.admin_assignee_id",
        ),
    ],
)
def test_create_rejections_write_nothing(
    api: Api,
    server: Server,
    workspace: Workspace,
    bug: dict,
    body: dict,
    status: int,
    code: str,
    field: str | None,
) -> None:
    body = {
        k: (v.replace("{type}", bug["id"]) if isinstance(v, str) else v) for k, v in body.items()
    }
    before = counts(server, workspace)
    assert_error(api.post("/tickets", json=body), status, code, field=field)
    assert counts(server, workspace) == before


def test_missing_required_attribute(
    api: Api, server: Server, workspace: Workspace, bug: dict
) -> None:
    add_attribute(api, bug["id"], "Order number", "string", required_to_create=True)
    before = counts(server, workspace)
    err = assert_error(
        api.post(
            "/tickets",
            json={"ticket_type_id": bug["id"], "contacts": [{"email": "new@example.com"}]},
        ),
        400,
        "parameter_invalid",
    )
    assert "Order number" in err["message"]
    assert counts(server, workspace) == before  # not even the lead was created


def test_malformed_json_and_non_object(api: Api) -> None:
    assert_error(
        api.post("/tickets", content=b"{nope", headers={"Content-Type": "application/json"}),
        400,
        "bad_request",
    )
    assert_error(api.post("/tickets", json=[1, 2]), 400, "bad_request")


def test_get_unknown_and_other_workspace_ticket(
    api: Api, server: Server, bug: dict, contact: dict
) -> None:
    assert_error(api.get("/tickets/999999"), 404, "ticket_not_found")
    assert_error(api.get("/tickets/abc"), 404, "ticket_not_found")
    ticket = make_ticket(api, bug["id"], contact["id"])
    other = make_workspace(server, "Other")
    with make_api(server, other.token) as client:
        assert_error(client.get(f"/tickets/{ticket['id']}"), 404, "ticket_not_found")
        assert_error(
            client.put(f"/tickets/{ticket['id']}", json={"open": False}), 404, "ticket_not_found"
        )
        assert_error(client.delete(f"/tickets/{ticket['id']}"), 404, "ticket_not_found")


def test_version_shapes(api: Api, bug: dict, contact: dict) -> None:
    ticket = make_ticket(api, bug["id"], contact["id"])
    url = f"/tickets/{ticket['id']}"
    v211 = api.get(url, version="2.11").json()
    assert v211["ticket_state"] == "submitted"
    assert v211["ticket_state_internal_label"] == "Submitted"
    assert v211["ticket_state_external_label"] == "Submitted"
    assert isinstance(v211["admin_assignee_id"], str)
    v29 = api.get(url, version="2.9").json()
    assert "category" not in v29 and "open" not in v29 and "linked_objects" not in v29
    v216 = api.get(url, version="2.16").json()
    assert v216["admin_assignee_id"] == 0 and v216["team_assignee_id"] == 0
    assert v216["previous_ticket_state_id"] is None
    assert v216["ticket_state"]["type"] == "ticket_state"
    preview = api.get(url, version="Unstable").json()
    assert preview == api.get(url, version="Preview").json()
    assert "previous_ticket_state_id" not in api.get(url, version="2.15").json()


def test_delete_needs_2_13_and_removes_everything(
    api: Api, server: Server, workspace: Workspace, bug: dict, contact: dict
) -> None:
    ticket = make_ticket(api, bug["id"], contact["id"])
    api.post(
        f"/tickets/{ticket['id']}/reply",
        json={"type": "admin", "message_type": "note", "admin_id": workspace.admin_id, "body": "x"},
    )
    assert_error(
        api.delete(f"/tickets/{ticket['id']}", version="2.12"), 404, "intercom_version_invalid"
    )
    resp = api.delete(f"/tickets/{ticket['id']}")
    assert resp.json() == {"id": ticket["id"], "object": "ticket", "deleted": True}
    assert_error(api.get(f"/tickets/{ticket['id']}"), 404, "ticket_not_found")
    assert_error(api.delete(f"/tickets/{ticket['id']}"), 404, "ticket_not_found")
    _, part_count, _, _ = counts(server, workspace)
    assert part_count == 0


def test_admin_and_team_ids_never_collide(server: Server, workspace: Workspace) -> None:
    team = server.tx(lambda c: ws_service.create_team(c, workspace.id, "Ops", []))
    admin = server.tx(lambda c: ws_service.create_admin(c, workspace.id, "Cy", "cy@example.com"))
    assert len({team["id"], admin["id"], workspace.admin_id}) == 3


def test_ids_of_deleted_tickets_are_never_reused(api: Api, bug: dict, contact: dict) -> None:
    newest = make_ticket(api, bug["id"], contact["id"])
    assert api.delete(f"/tickets/{newest['id']}").status_code == 200
    after = make_ticket(api, bug["id"], contact["id"])
    assert int(after["id"]) > int(newest["id"])
    assert int(after["ticket_id"]) > int(newest["ticket_id"])
    assert_error(api.get(f"/tickets/{newest['id']}"), 404, "ticket_not_found")
