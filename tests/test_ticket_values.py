"""Ticket attribute values: `validate_values`, `render_values` and `updated_attribute_data`
against ticket types stored in the real databases and loaded with `load_types`."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Server, Workspace, make_workspace
from ticketry.errors import ApiError
from ticketry.ticket_types import queries, service
from ticketry.ticket_types.queries import TypeData
from ticketry.ticket_types.values import render_values, updated_attribute_data, validate_values

ATTRIBUTES: list[dict[str, Any]] = [
    {"name": "Summary", "data_type": "string", "required_to_create": True},
    {"name": "Count", "data_type": "integer"},
    {"name": "Cost", "data_type": "decimal"},
    {"name": "Urgent", "data_type": "boolean", "required_to_create_for_contacts": True},
    {"name": "Due", "data_type": "datetime"},
    {"name": "Priority", "data_type": "list", "list_items": "Low,Medium,High"},
    {"name": "Areas", "data_type": "list", "list_items": "UI,API", "allow_multiple_values": True},
    {"name": "Photo", "data_type": "files"},
    {"name": "Logs", "data_type": "files", "allow_multiple_values": True},
    {"name": "Retired", "data_type": "string"},
]


def build_type(server: Server, workspace_id: int) -> TypeData:
    def run(c: Any) -> TypeData:
        type_id = service.create_type(c, workspace_id, name="Bug")
        for attr in ATTRIBUTES:
            attr_id = service.create_attribute(
                c, workspace_id, type_id, {"description": "", **attr}
            )
            if attr["name"] == "Retired":
                service.update_attribute(c, workspace_id, type_id, attr_id, {"archived": True})
        priority = queries.load_type(c, workspace_id, type_id).by_name["Priority"]
        # drop "Medium" from the list: its option is archived, not deleted
        service.update_attribute(
            c, workspace_id, type_id, priority["id"], {"list_items": "Low,High"}
        )
        return queries.load_types(c, workspace_id, [type_id])[type_id]

    return server.tx(run)


@pytest.fixture
def td(server: Server, workspace: Workspace) -> TypeData:
    return build_type(server, workspace.id)


def option(td: TypeData, attr: str, label: str) -> str:
    opts = td.options[td.by_name[attr]["id"]]["list_options"]
    return next(o["id"] for o in opts if o["label"] == label)


def aid(td: TypeData, name: str) -> int:
    return td.by_name[name]["id"]


def rejects(td: TypeData, values: Any, expect: str, *contains: str, **kw: Any) -> ApiError:
    kw.setdefault("creating", False)
    with pytest.raises(ApiError) as caught:
        validate_values(td, values, **kw)
    err = caught.value
    assert (err.status, err.code, err.field) == (400, "parameter_invalid", expect), err.message
    for text in contains:
        assert text in err.message
    return err


def test_load_types_indexes_attributes(server: Server, workspace: Workspace, td: TypeData) -> None:
    assert td.workspace_code == workspace.id_code
    assert [a["name"] for a in td.attributes] == [
        "_default_title_",
        "_default_description_",
        *[a["name"] for a in ATTRIBUTES],
    ]
    assert td.by_id[aid(td, "Count")]["data_type"] == "integer"
    other = build_type(server, workspace.id)
    both = server.tx(
        lambda c: queries.load_types(c, workspace.id, [td.row["id"], other.row["id"], 424242])
    )
    assert set(both) == {td.row["id"], other.row["id"]}
    assert [a["id"] for a in both[other.row["id"]].attributes] == [
        a["id"] for a in other.attributes
    ]
    assert server.tx(lambda c: queries.load_types(c, workspace.id, [])) == {}
    stranger = make_workspace(server, "Stranger")
    assert server.tx(lambda c: queries.load_types(c, stranger.id, [td.row["id"]])) == {}
    assert server.tx(lambda c: queries.get_type(c, stranger.id, td.row["id"])) is None


def test_every_type_normalises(td: TypeData) -> None:
    got = validate_values(
        td,
        {
            "_default_title_": "Login broken",
            "Summary": "s",
            "Count": "42",
            "Cost": "9.5",
            "Urgent": True,
            "Due": "2024-06-01T12:00:00Z",
            "Priority": option(td, "Priority", "High"),
            "Areas": ["API", option(td, "Areas", "UI"), "API"],
            "Photo": "https://files.example.com/a/shot%201.png",
            "Logs": [{"url": "https://x.example/log.txt", "filesize": 12, "id": 7}],
        },
        creating=True,
    )
    assert got == {
        aid(td, "_default_title_"): "Login broken",
        aid(td, "Summary"): "s",
        aid(td, "Count"): 42,
        aid(td, "Cost"): 9.5,
        aid(td, "Urgent"): True,
        aid(td, "Due"): 1717243200,
        aid(td, "Priority"): option(td, "Priority", "High"),
        aid(td, "Areas"): [option(td, "Areas", "API"), option(td, "Areas", "UI")],
        aid(td, "Photo"): [
            {
                "type": "upload",
                "name": "shot 1.png",
                "url": "https://files.example.com/a/shot%201.png",
                "content_type": "image/png",
                "filesize": None,
                "width": None,
                "height": None,
            }
        ],
        aid(td, "Logs"): [
            {
                "type": "upload",
                "name": "log.txt",
                "url": "https://x.example/log.txt",
                "content_type": "text/plain",
                "filesize": 12,
                "width": None,
                "height": None,
                "id": 7,
            }
        ],
    }
    assert validate_values(td, {"Count": 3.0, "Cost": 2, "Due": 1700000000}, creating=False) == {
        aid(td, "Count"): 3,
        aid(td, "Cost"): 2.0,
        aid(td, "Due"): 1700000000,
    }
    # a label read back from a ticket can be sent again
    assert validate_values(td, {"Priority": "Low"}, creating=False) == {
        aid(td, "Priority"): option(td, "Priority", "Low")
    }


def test_null_clears_and_nothing_is_fine_on_update(td: TypeData) -> None:
    assert validate_values(td, {"Count": None, "Photo": None}, creating=False) == {
        aid(td, "Count"): None,
        aid(td, "Photo"): None,
    }
    assert validate_values(td, {}, creating=False) == {}
    assert validate_values(td, None, creating=False) == {}


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("Summary", 5, "must be a string"),
        ("Summary", "x" * 65_536, "65,535"),
        ("Count", True, "integer"),
        ("Count", 1.5, "integer"),
        ("Count", "12a", "integer"),
        ("Count", 2**63, "out of range"),
        ("Cost", "cheap", "number"),
        ("Cost", False, "number"),
        ("Cost", "nan", "number"),
        ("Urgent", "true", "true or false"),
        ("Urgent", 1, "true or false"),
        ("Due", "next tuesday", "ISO-8601"),
        ("Due", -5, "not a valid date-time"),
        ("Due", True, "ISO-8601"),
        ("Priority", "Urgent", "no option"),
        ("Priority", "Medium", "archived"),
        ("Priority", ["Low"], "option id"),
        ("Areas", ["UI", "Nope"], "no option"),
        ("Photo", ["https://a.example/1.png", "https://a.example/2.png"], "one file"),
        ("Photo", "ftp://a.example/1.png", "http(s)"),
        ("Photo", {"name": "no url"}, "url"),
        ("Logs", [{"url": "https://a.example/1", "filesize": -1}], "filesize"),
        ("Logs", [1], "URL"),
    ],
)
def test_wrong_values_name_the_attribute(td: TypeData, name: str, value: Any, says: str) -> None:
    rejects(td, {name: value}, f"ticket_attributes.{name}", name, says)


def test_unknown_and_archived_attributes(td: TypeData) -> None:
    rejects(
        td,
        {"Summary": "x", "Severity": 1, "Impact": 2},
        "ticket_attributes.Severity",
        "Extra attributes provided that are not found on ticket type: Severity, Impact",
    )
    rejects(td, {"summary": "x"}, "ticket_attributes.summary", "summary")
    rejects(td, {"Retired": "x"}, "ticket_attributes.Retired", "Retired", "archived")
    rejects(td, ["Summary"], "ticket_attributes", "object")
    rejects(td, {"Nope": 1}, "attributes.Nope", "Nope", field="attributes")


def test_required_attributes_on_create(td: TypeData) -> None:
    rejects(
        td, {}, "ticket_attributes.Summary", "Missing required ticket attributes: Summary",
        creating=True,
    )  # fmt: skip
    rejects(td, {"Summary": ""}, "ticket_attributes.Summary", "Summary", creating=True)
    rejects(td, {"Summary": None}, "ticket_attributes.Summary", "Summary", creating=True)
    assert validate_values(td, {"Summary": "ok"}, creating=True) == {aid(td, "Summary"): "ok"}
    # contacts must also fill the attributes required for contacts
    rejects(
        td,
        {"Summary": "ok"},
        "ticket_attributes.Urgent",
        "Missing required ticket attributes: Urgent",
        creating=True,
        by_contact=True,
    )
    err = rejects(td, {}, "ticket_attributes.Summary", creating=True, by_contact=True)
    assert err.message == "Missing required ticket attributes: Summary, Urgent"
    assert validate_values(td, {"Summary": "ok", "Urgent": False}, creating=True, by_contact=True)
    # updates never demand required attributes
    assert validate_values(td, {"Count": 1}, creating=False) == {aid(td, "Count"): 1}


def test_render_values(td: TypeData) -> None:
    low, medium = option(td, "Priority", "Low"), option(td, "Priority", "Medium")
    stored = {
        str(aid(td, "_default_title_")): "Title",
        str(aid(td, "Count")): 4,
        str(aid(td, "Priority")): medium,  # archived since: still readable
        str(aid(td, "Areas")): [option(td, "Areas", "API")],
        str(aid(td, "Retired")): "kept",
    }
    got = render_values(td, stored)
    assert list(got) == [
        "_default_title_",
        "_default_description_",
        *[a["name"] for a in ATTRIBUTES],
    ]
    assert got["_default_title_"] == "Title" and got["_default_description_"] is None
    assert got["Count"] == 4 and got["Cost"] is None and got["Photo"] is None
    assert got["Priority"] == "Medium" and got["Areas"] == ["API"]
    assert got["Retired"] == "kept"
    assert "Retired" not in render_values(td, {})
    assert render_values(td, {str(aid(td, "Priority")): low})["Priority"] == "Low"
    # a round trip: what a ticket shows can be validated again
    shown = render_values(td, {str(aid(td, "Priority")): low, str(aid(td, "Count")): 4})
    again = validate_values(td, {"Priority": shown["Priority"], "Count": shown["Count"]},
                            creating=False)  # fmt: skip
    assert again == {aid(td, "Priority"): low, aid(td, "Count"): 4}


def test_updated_attribute_data(td: TypeData) -> None:
    def data(name: str, value: Any) -> dict[str, Any]:
        return updated_attribute_data(td.by_name[name], value)

    high = option(td, "Priority", "High")
    assert data("Priority", high) == {
        "attribute": {"type": "attribute", "id": str(aid(td, "Priority")), "label": "Priority"},
        "value": {"type": "value", "id": high, "label": "High"},
    }
    assert data("Summary", "hello")["value"] == {"type": "value", "id": "hello", "label": "hello"}
    assert data("Count", 3)["value"] == {"type": "value", "id": "3", "label": "3"}
    assert data("Urgent", False)["value"]["id"] == "false"
    assert data("Due", 1717243200)["value"] == {
        "type": "value",
        "id": "1717243200",
        "label": "2024-06-01T12:00:00Z",
    }
    assert data("Summary", None)["value"] == {"type": "value", "id": None, "label": ""}
    files = validate_values(
        td,
        {"Logs": [{"url": "https://a.example/1.txt", "id": 2}, "https://a.example/photo.png"]},
        creating=False,
    )[aid(td, "Logs")]
    assert data("Logs", files)["value"] == {
        "type": "value",
        "id": [2],
        "label": ["1.txt", "photo.png"],
    }
    assert data("Logs", None)["value"] == {"type": "value", "id": [], "label": []}
    areas = [option(td, "Areas", "UI"), option(td, "Areas", "API")]
    assert data("Areas", areas)["value"]["label"] == "UI, API"
