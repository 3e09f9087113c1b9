"""Ticket type attributes over real HTTP and through the official SDK: data types, input
options, list option ids, the protected default attributes, and every rejection."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import Server, Workspace
from tests.helpers import assert_error
from tests.test_ticket_types import DEFAULTS, count, create_attr, create_type
from ticketry.tables import ticket_type_attributes


def attr_row(server: Server, attr_id: str) -> dict[str, Any]:
    return server.tx(
        lambda c: dict(
            c.one(select(ticket_type_attributes).where(ticket_type_attributes.c.id == int(attr_id)))
        )
    )


def test_create_matches_intercoms_example(api, workspace: Workspace) -> None:
    tt = create_type(api)
    body = {
        "name": "Attribute Title",
        "description": "Attribute Description",
        "data_type": "string",
        "required_to_create": False,
    }
    got = api.post(f"/ticket_types/{tt['id']}/attributes", json=body).json()
    assert got == {
        "type": "ticket_type_attribute",
        "id": got["id"],
        "workspace_id": workspace.id_code,
        "name": "Attribute Title",
        "description": "Attribute Description",
        "data_type": "string",
        "input_options": {"multiline": False},
        "order": 2,
        "required_to_create": False,
        "required_to_create_for_contacts": False,
        "visible_on_create": True,
        "visible_to_contacts": True,
        "default": False,
        "ticket_type_id": int(tt["id"]),
        "archived": False,
        "created_at": got["created_at"],
        "updated_at": got["created_at"],
    }
    listed = api.get(f"/ticket_types/{tt['id']}").json()["ticket_type_attributes"]["data"]
    assert [a["name"] for a in listed] == [*DEFAULTS, "Attribute Title"]


def test_each_data_type_and_its_input_options(api) -> None:
    tt = create_type(api)
    made = {
        "text": create_attr(api, tt["id"], name="text", data_type="string", multiline=True),
        "n": create_attr(api, tt["id"], name="n", data_type="integer"),
        "x": create_attr(api, tt["id"], name="x", data_type="decimal"),
        "b": create_attr(api, tt["id"], name="b", data_type="boolean"),
        "d": create_attr(api, tt["id"], name="d", data_type="datetime"),
        "f": create_attr(api, tt["id"], name="f", data_type="files", allow_multiple_values=True),
        "one": create_attr(api, tt["id"], name="one", data_type="files"),
        "p": create_attr(api, tt["id"], name="p", data_type="list", list_items="Low, Mid ,High"),
    }
    assert [a["order"] for a in made.values()] == list(range(2, 10))
    assert made["text"]["input_options"] == {"multiline": True}
    for key in ("n", "x", "b", "d"):
        assert made[key]["input_options"] is None
    assert made["f"]["input_options"] == {"allow_multiple_values": True}
    assert made["one"]["input_options"] == {"allow_multiple_values": False}
    options = made["p"]["input_options"]
    assert options["allow_multiple_values"] is False
    assert [(o["type"], o["label"], o["archived"]) for o in options["list_options"]] == [
        ("list_option", "Low", False),
        ("list_option", "Mid", False),
        ("list_option", "High", False),
    ]
    for o in options["list_options"]:
        uuid.UUID(o["id"])  # guids, as the spec describes list item ids
    assert {a["data_type"] for a in made.values()} == {
        "string", "integer", "decimal", "boolean", "datetime", "files", "list",
    }  # fmt: skip


def test_flags_are_stored_as_sent(api, server: Server) -> None:
    tt = create_type(api)
    got = create_attr(
        api,
        tt["id"],
        name="Severity",
        data_type="integer",
        required_to_create=True,
        required_to_create_for_contacts=True,
        visible_on_create=False,
        visible_to_contacts=False,
    )
    flags = ("required_to_create", "required_to_create_for_contacts")
    assert all(got[f] is True for f in flags)
    assert got["visible_on_create"] is False and got["visible_to_contacts"] is False
    row = attr_row(server, got["id"])
    assert bool(row["required_to_create"]) and not bool(row["visible_on_create"])
    assert row["position"] == 2 and row["is_default"] in (0, False)


def test_update_changes_only_what_was_sent(api) -> None:
    tt = create_type(api)
    made = create_attr(api, tt["id"], name="name", description="d", data_type="string")
    got = api.put(
        f"/ticket_types/{tt['id']}/attributes/{made['id']}",
        json={"description": "New Attribute Description"},
    ).json()
    assert got == {
        **made,
        "description": "New Attribute Description",
        "updated_at": got["updated_at"],
    }
    got = api.put(
        f"/ticket_types/{tt['id']}/attributes/{made['id']}",
        json={"name": "Renamed", "multiline": True, "visible_to_contacts": False},
    ).json()
    assert got["name"] == "Renamed" and got["input_options"] == {"multiline": True}
    assert got["visible_to_contacts"] is False and got["visible_on_create"] is True
    # renaming to its own name is no conflict
    same = api.put(f"/ticket_types/{tt['id']}/attributes/{made['id']}", json={"name": "Renamed"})
    assert same.status_code == 200


def test_list_options_keep_their_ids_and_archive_instead_of_vanishing(api) -> None:
    tt = create_type(api)
    made = create_attr(api, tt["id"], name="P", data_type="list", list_items="Low,Medium,High")
    ids = {o["label"]: o["id"] for o in made["input_options"]["list_options"]}
    url = f"/ticket_types/{tt['id']}/attributes/{made['id']}"
    got = api.put(url, json={"list_items": "High,Low,Urgent"}).json()
    options = got["input_options"]["list_options"]
    assert [(o["label"], o["archived"]) for o in options] == [
        ("High", False),
        ("Low", False),
        ("Urgent", False),
        ("Medium", True),
    ]
    assert options[0]["id"] == ids["High"] and options[1]["id"] == ids["Low"]
    assert options[2]["id"] not in ids.values()
    assert options[3]["id"] == ids["Medium"]
    back = api.put(url, json={"list_items": "Medium", "allow_multiple_values": True}).json()
    by_label = {o["label"]: o for o in back["input_options"]["list_options"]}
    assert by_label["Medium"] == {
        "type": "list_option",
        "id": ids["Medium"],
        "label": "Medium",
        "archived": False,
    }
    assert by_label["High"]["archived"] is True and by_label["Urgent"]["archived"] is True
    assert back["input_options"]["allow_multiple_values"] is True


def test_archived_attributes_stay_listed(api) -> None:
    tt = create_type(api)
    made = create_attr(api, tt["id"], name="Old", data_type="boolean")
    url = f"/ticket_types/{tt['id']}/attributes/{made['id']}"
    assert api.put(url, json={"archived": True}).json()["archived"] is True
    listed = api.get(f"/ticket_types/{tt['id']}").json()["ticket_type_attributes"]["data"]
    assert [(a["name"], a["archived"]) for a in listed] == [
        ("_default_title_", False),
        ("_default_description_", False),
        ("Old", True),
    ]
    assert api.put(url, json={"archived": False}).json()["archived"] is False


def test_default_attributes_are_protected(api, server: Server) -> None:
    tt = create_type(api)
    title = tt["ticket_type_attributes"]["data"][0]
    url = f"/ticket_types/{tt['id']}/attributes/{title['id']}"
    before = attr_row(server, title["id"])
    for body, field in (
        ({"name": "Title"}, "name"),
        ({"archived": True}, "archived"),
        ({"data_type": "list"}, "data_type"),
    ):
        err = assert_error(api.put(url, json=body), 400, "parameter_invalid", field=field)
        assert field in err["message"]
    assert attr_row(server, title["id"]) == before
    got = api.put(url, json={"description": "Short summary", "name": "_default_title_"}).json()
    assert got["description"] == "Short summary" and got["default"] is True


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"description": "", "data_type": "string"}, "parameter_not_found", "name"),
        ({"name": "A", "data_type": "string"}, "parameter_not_found", "description"),
        ({"name": "A", "description": ""}, "parameter_not_found", "data_type"),
        ({"name": "", "description": "", "data_type": "string"}, "parameter_invalid", "name"),
        ({"name": "A", "description": "", "data_type": "text"}, "parameter_invalid", "data_type"),
        (
            {"name": "A", "description": "", "data_type": "list"},
            "parameter_not_found",
            "list_items",
        ),
        (
            {"name": "A", "description": "", "data_type": "list", "list_items": " , "},
            "parameter_invalid",
            "list_items",
        ),
        (
            {"name": "A", "description": "", "data_type": "list", "list_items": "a,B,b"},
            "parameter_invalid",
            "list_items",
        ),
        (
            {"name": "A", "description": "", "data_type": "integer", "multiline": True},
            "parameter_invalid",
            "multiline",
        ),
        (
            {"name": "A", "description": "", "data_type": "string", "list_items": "a"},
            "parameter_invalid",
            "list_items",
        ),
        (
            {"name": "A", "description": "", "data_type": "boolean", "allow_multiple_values": True},
            "parameter_invalid",
            "allow_multiple_values",
        ),
        (
            {"name": "_DEFAULT_TITLE_", "description": "", "data_type": "string"},
            "parameter_invalid",
            "name",
        ),
        (
            {"name": "A", "description": "", "data_type": "string", "visible_on_create": "x"},
            "parameter_invalid",
            "visible_on_create",
        ),
    ],
)
def test_create_rejections_write_nothing(
    api, server: Server, workspace: Workspace, body: dict, code: str, field: str
) -> None:
    tt = create_type(api)
    err = assert_error(
        api.post(f"/ticket_types/{tt['id']}/attributes", json=body), 400, code, field=field
    )
    assert field in err["message"]
    assert count(server, ticket_type_attributes, workspace.id) == 2
    assert api.get(f"/ticket_types/{tt['id']}").json()["updated_at"] == tt["updated_at"]


def test_duplicate_names_are_refused_case_insensitively(api, server, workspace) -> None:
    tt = create_type(api)
    create_attr(api, tt["id"], name="Priority", data_type="string")
    other = create_attr(api, tt["id"], name="Impact", data_type="string")
    body = {"name": "priority", "description": "", "data_type": "integer"}
    err = assert_error(
        api.post(f"/ticket_types/{tt['id']}/attributes", json=body),
        400,
        "parameter_invalid",
        field="name",
    )
    assert "Priority" in err["message"]
    assert_error(
        api.put(f"/ticket_types/{tt['id']}/attributes/{other['id']}", json={"name": "PRIORITY"}),
        400,
        "parameter_invalid",
        field="name",
    )
    assert count(server, ticket_type_attributes, workspace.id) == 4
    assert attr_row(server, other["id"])["name"] == "Impact"
    # the same name on another type is fine
    create_attr(api, create_type(api)["id"], name="Priority", data_type="string")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"data_type": "integer"}, "data_type"),
        ({"name": None}, "name"),
        ({"archived": None}, "archived"),
        ({"list_items": "a,b"}, "list_items"),
        ({"allow_multiple_values": True}, "allow_multiple_values"),
        ({"description": "x" * 65_536}, "description"),
    ],
)
def test_update_rejections_change_nothing(api, server: Server, body: dict, field: str) -> None:
    tt = create_type(api)
    made = create_attr(api, tt["id"], name="Notes", data_type="string")
    before = attr_row(server, made["id"])
    err = assert_error(
        api.put(f"/ticket_types/{tt['id']}/attributes/{made['id']}", json=body),
        400,
        "parameter_invalid",
        field=field,
    )
    assert field in err["message"]
    assert attr_row(server, made["id"]) == before


def test_unknown_attribute_is_404(api) -> None:
    tt = create_type(api)
    other = create_type(api)
    foreign = other["ticket_type_attributes"]["data"][0]["id"]
    for attr_id in ("424242", "abc", foreign):
        assert_error(
            api.put(f"/ticket_types/{tt['id']}/attributes/{attr_id}", json={"name": "x"}),
            404,
            "not_found",
            field="attribute_id",
        )


def test_official_sdk_round_trip(sdk, workspace: Workspace) -> None:
    from intercom import CreateTicketTypeRequest

    created = sdk.ticket_types.create(
        request=CreateTicketTypeRequest(
            name="Customer Issue", description="Customer Report Template", category="Customer"
        )
    )
    assert created.type == "ticket_type" and created.category == "Customer"
    assert created.workspace_id == workspace.id_code
    assert [s.category for s in created.ticket_states.data] == [
        "submitted", "in_progress", "waiting_on_customer", "resolved",
    ]  # fmt: skip
    # the SDK's model names the list `ticket_type_attributes`; the real API sends `data`
    assert [a["name"] for a in created.ticket_type_attributes.data] == DEFAULTS
    listed = sdk.ticket_types.list()
    assert listed.type == "list" and [t.id for t in listed.data] == [created.id]
    got = sdk.ticket_types.get(ticket_type_id=created.id)
    assert got.name == "Customer Issue" and got.is_internal is False
    updated = sdk.ticket_types.update(created.id, name="Bug Report 2", category="Tracker")
    assert (updated.name, updated.category) == ("Bug Report 2", "Tracker")

    attr = sdk.ticket_types.attributes.create(
        created.id,
        name="Priority",
        description="How bad",
        data_type="list",
        list_items="Low,High",
        required_to_create=True,
    )
    assert attr.type == "ticket_type_attribute" and attr.ticket_type_id == int(created.id)
    assert attr.order == 2 and attr.required_to_create is True and attr.default is False
    assert [o["label"] for o in attr.input_options["list_options"]] == ["Low", "High"]
    changed = sdk.ticket_types.attributes.update(
        created.id, attr.id, description="Impact", archived=True
    )
    assert changed.description == "Impact" and changed.archived is True
    assert changed.name == "Priority"


@pytest.mark.parametrize("version", ["2.9", "2.10", "2.11", "2.12", "2.15", "2.16", "Preview"])
def test_attribute_shape_is_the_same_in_every_version(api, version: str) -> None:
    tt = create_type(api, version=version)
    made = create_attr(api, tt["id"], version=version, name="Seats", data_type="integer")
    got = api.put(
        f"/ticket_types/{tt['id']}/attributes/{made['id']}",
        json={"required_to_create": True},
        version=version,
    ).json()
    assert got == {**made, "required_to_create": True, "updated_at": got["updated_at"]}
    assert made["ticket_type_id"] == int(tt["id"]) and made["order"] == 2
    assert made["input_options"] is None
