"""Ticket states: `GET /ticket_states` (2.12+), the states a type offers, custom states made
through `POST /ticketry/ticket_states`, the service and the `ticketry state` CLI."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.conftest import Server, Workspace, make_api, make_workspace
from tests.helpers import assert_error
from tests.test_ticket_types import create_type
from ticketry.cli.main import main as cli
from ticketry.errors import ApiError
from ticketry.tables import ticket_states, ticket_type_states
from ticketry.ticket_states import queries, service

DEFAULT_LABELS = [
    ("submitted", "Submitted", "Submitted"),
    ("in_progress", "In progress", "In progress"),
    ("waiting_on_customer", "Waiting on customer", "Waiting on you"),
    ("resolved", "Resolved", "Resolved"),
]


def custom_state(api, type_ids: list[Any], **body: Any) -> dict[str, Any]:
    body = {
        "category": "submitted",
        "internal_label": "Admin label 1",
        "external_label": "User label",
        "ticket_type_ids": type_ids,
        **body,
    }
    resp = api.post("/ticketry/ticket_states", json=body)
    assert resp.status_code == 200, resp.text
    return resp.json()


def state_counts(server: Server, workspace_id: int) -> tuple[int, int]:
    def run(c: Any) -> tuple[int, int]:
        return (
            c.scalar(select(func.count()).where(ticket_states.c.workspace_id == workspace_id)),
            c.scalar(select(func.count()).where(ticket_type_states.c.workspace_id == workspace_id)),
        )

    return server.tx(run)


def test_list_matches_intercoms_example(api) -> None:
    a = create_type(api, category="Back-office")
    b = create_type(api, category="Back-office")
    c = create_type(api, category="Back-office")
    one = custom_state(api, [a["id"], int(b["id"])])
    two = custom_state(api, [c["id"]], internal_label="Admin label 2")
    got = api.get("/ticket_states", version="2.16").json()
    assert got["type"] == "list"
    data = got["data"]
    assert [(s["category"], s["internal_label"], s["external_label"]) for s in data] == [
        *DEFAULT_LABELS,
        ("submitted", "Admin label 1", "User label"),
        ("submitted", "Admin label 2", "User label"),
    ]
    assert list(data[0]) == [
        "type", "id", "category", "internal_label", "external_label", "ticket_types", "archived",
    ]  # fmt: skip
    assert data[0]["ticket_types"]["data"][0] == {
        "type": "ticket_type",
        "id": a["id"],
        "name": a["name"],
        "description": "",
        "icon": "🎟️",
        "archived": False,
        "is_internal": False,
        "category": "Back-office",
    }
    for state in data[:4]:
        assert [t["id"] for t in state["ticket_types"]["data"]] == [a["id"], b["id"], c["id"]]
    assert [t["id"] for t in data[4]["ticket_types"]["data"]] == [a["id"], b["id"]]
    assert [t["id"] for t in data[5]["ticket_types"]["data"]] == [c["id"]]
    assert data[4] == one and data[5] == two
    assert all(s["archived"] is False for s in data)


@pytest.mark.parametrize("version", ["2.12", "2.13", "2.14", "2.15", "2.16", "Preview"])
def test_list_in_every_version_that_has_it(api, version: str) -> None:
    create_type(api)
    got = api.get("/ticket_states", version=version).json()
    assert [s["category"] for s in got["data"]] == [c for c, _, _ in DEFAULT_LABELS]


@pytest.mark.parametrize("version", ["2.9", "2.10", "2.11"])
def test_list_before_2_12_is_not_there(api, version: str) -> None:
    assert_error(api.get("/ticket_states", version=version), 404, "intercom_version_invalid")


def test_types_offer_their_custom_states_only(api, server: Server, workspace: Workspace) -> None:
    linked = create_type(api)
    other = create_type(api)
    state = custom_state(api, [linked["id"]], category="in_progress", internal_label="With dev")
    got = api.get(f"/ticket_types/{linked['id']}", version="2.14").json()["ticket_states"]["data"]
    assert [s["internal_label"] for s in got] == [i for _, i, _ in DEFAULT_LABELS] + ["With dev"]
    assert got[-1] == {k: state[k] for k in got[-1]}
    theirs = api.get(f"/ticket_types/{other['id']}").json()["ticket_states"]["data"]
    assert len(theirs) == 4
    listed = {t["id"]: t for t in api.get("/ticket_types").json()["data"]}
    assert len(listed[linked["id"]]["ticket_states"]["data"]) == 5
    assert len(listed[other["id"]]["ticket_states"]["data"]) == 4

    ws, sid, tid, oid = workspace.id, int(state["id"]), int(linked["id"]), int(other["id"])
    assert server.tx(lambda c: queries.state_belongs_to_type(c, ws, sid, tid)) is True
    assert server.tx(lambda c: queries.state_belongs_to_type(c, ws, sid, oid)) is False
    default = server.tx(lambda c: queries.default_state(c, ws, "in_progress"))
    assert default["internal_label"] == "In progress" and default["id"] != sid
    assert server.tx(lambda c: queries.state_belongs_to_type(c, ws, default["id"], oid)) is True
    assert server.tx(lambda c: queries.get_state(c, ws, sid))["internal_label"] == "With dev"

    # archived: still listed (flagged), offered to no type any more
    server.tx(lambda c: service.update_state(c, ws, sid, archived=True))
    assert server.tx(lambda c: queries.state_belongs_to_type(c, ws, sid, tid)) is False
    assert len(api.get(f"/ticket_types/{linked['id']}").json()["ticket_states"]["data"]) == 4
    listed_states = api.get("/ticket_states").json()["data"]
    assert listed_states[-1]["id"] == state["id"] and listed_states[-1]["archived"] is True


def test_workspaces_never_see_each_others_states(api, server: Server, workspace) -> None:
    mine = create_type(api)
    custom_state(api, [mine["id"]])
    other = make_workspace(server, "Other")
    with make_api(server, other.token) as theirs:
        data = theirs.get("/ticket_states").json()["data"]
        assert len(data) == 4 and all(s["ticket_types"]["data"] == [] for s in data)
        # their workspace cannot link a state to my type
        before = state_counts(server, other.id)
        assert_error(
            theirs.post(
                "/ticketry/ticket_states",
                json={
                    "category": "resolved",
                    "internal_label": "x",
                    "external_label": "y",
                    "ticket_type_ids": [mine["id"]],
                },
            ),
            404,
            "not_found",
            field="ticket_type_ids",
        )
        assert state_counts(server, other.id) == before
    my_ids = {s["id"] for s in api.get("/ticket_states").json()["data"]}
    assert server.tx(lambda c: queries.get_state(c, other.id, int(min(my_ids)))) is None


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"category": "closed"}, 400, "parameter_invalid", "category"),
        ({"category": None}, 400, "parameter_not_found", "category"),
        ({"internal_label": None}, 400, "parameter_not_found", "internal_label"),
        ({"external_label": "  "}, 400, "parameter_invalid", "external_label"),
        ({"internal_label": "x" * 256}, 400, "parameter_invalid", "internal_label"),
        ({"ticket_type_ids": None}, 400, "parameter_not_found", "ticket_type_ids"),
        ({"ticket_type_ids": []}, 400, "parameter_not_found", "ticket_type_ids"),
        ({"ticket_type_ids": ["424242"]}, 404, "not_found", "ticket_type_ids"),
        ({"ticket_type_ids": ["abc"]}, 404, "not_found", "ticket_type_ids"),
        ({"ticket_type_ids": "1"}, 400, "parameter_invalid", "ticket_type_ids"),
    ],
)
def test_create_rejections_write_nothing(
    api, server: Server, workspace: Workspace, change: dict, status: int, code: str, field: str
) -> None:
    tt = create_type(api)
    body = {
        "category": "submitted",
        "internal_label": "a",
        "external_label": "b",
        "ticket_type_ids": [tt["id"]],
        **change,
    }
    before = state_counts(server, workspace.id)
    err = assert_error(api.post("/ticketry/ticket_states", json=body), status, code, field=field)
    assert field in err["message"] or "Ticket type" in err["message"]
    assert state_counts(server, workspace.id) == before


def test_update_state_service(api, server: Server, workspace: Workspace) -> None:
    a, b = create_type(api), create_type(api)
    state = custom_state(api, [a["id"]])
    ws, sid = workspace.id, int(state["id"])
    row = server.tx(
        lambda c: service.update_state(
            c, ws, sid, internal_label="Triage", ticket_type_ids=[int(b["id"])]
        )
    )
    assert (row["internal_label"], row["external_label"]) == ("Triage", "User label")
    detailed = server.tx(lambda c: queries.detailed(c, ws, sid))
    assert [t["id"] for t in detailed[1]] == [int(b["id"])]
    assert len(server.tx(lambda c: queries.states_for_type(c, ws, int(a["id"])))) == 4

    default_id = server.tx(lambda c: queries.default_state(c, ws, "submitted"))["id"]
    for kwargs, field in (
        ({"archived": True}, "archived"),
        ({"ticket_type_ids": [int(a["id"])]}, "ticket_type_ids"),
    ):
        with pytest.raises(ApiError) as caught:
            server.tx(lambda c, kw=kwargs: service.update_state(c, ws, default_id, **kw))
        assert (caught.value.status, caught.value.code, caught.value.field) == (
            400,
            "parameter_invalid",
            field,
        )
    relabelled = server.tx(
        lambda c: service.update_state(c, ws, default_id, external_label="Received")
    )
    assert relabelled["external_label"] == "Received"
    with pytest.raises(ApiError) as caught:
        server.tx(lambda c: service.update_state(c, ws, 424242, internal_label="x"))
    assert caught.value.status == 404


def test_cli_creates_updates_and_lists_states(
    api, server: Server, workspace: Workspace, capsys
) -> None:
    a, b = create_type(api), create_type(api)
    base = ["--database-url", server.database_url]
    where = ["--workspace", workspace.id_code]
    cli([
        *base, "state", "create", *where, "--category", "waiting_on_customer",
        "--internal-label", "Needs info", "--external-label", "Waiting on you",
        "--ticket-type", a["id"], "--ticket-type", b["id"], "--json",
    ])  # fmt: skip
    made = json.loads(capsys.readouterr().out)
    assert made["category"] == "waiting_on_customer" and made["archived"] is False
    assert [t["id"] for t in made["ticket_types"]["data"]] == [a["id"], b["id"]]
    assert made == api.get("/ticket_states").json()["data"][-1]

    cli([*base, "state", "update", *where, made["id"], "--archive", "--ticket-type", a["id"]])
    out = capsys.readouterr().out
    assert f"ticket state {made['id']} updated" in out and "(archived)" in out

    cli([*base, "state", "list", *where])
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 5 and lines[-1].startswith(f"{made['id']}\twaiting_on_customer")

    with pytest.raises(SystemExit) as exit_:
        cli([
            *base, "state", "create", *where, "--category", "resolved", "--internal-label",
            "x", "--external-label", "y", "--ticket-type", "424242",
        ])  # fmt: skip
    assert exit_.value.code == 1
    assert "Ticket type 424242 not found" in capsys.readouterr().err
    assert len(api.get("/ticket_states").json()["data"]) == 5


def test_official_sdk_lists_states(sdk, api) -> None:
    tt = create_type(api)
    custom_state(api, [tt["id"]], category="resolved", internal_label="Fixed")
    got = sdk.ticket_states.list_ticket_states()
    assert got.type == "list"
    assert [(s.category, s.internal_label) for s in got.data][-1] == ("resolved", "Fixed")
    assert all(s.type == "ticket_state" and s.archived is False for s in got.data)
    assert got.data[-1].ticket_types.data[0].id == tt["id"]
