"""`ticketry fixtures load FILE` (and `TicketryWorkspace.load`): declarative test data made
through the API, checked whole before anything is made."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import Api, Server, Workspace
from tests.kit_fixtures import kit_api, kit_server, kit_ws, ok
from ticketry.cli.main import main
from ticketry.tables import ticket_tags
from ticketry.testing import TicketryWorkspace

__all__ = ["kit_api", "kit_server", "kit_ws"]

DESK = Path(__file__).parent / "data" / "desk.yaml"


@pytest.mark.parametrize("kit_server", ["sqlite"], indirect=True)
def test_fixtures_load_makes_every_kind_of_object(
    capsys: pytest.CaptureFixture[str], kit_api: Api, kit_server: Server, kit_ws: Workspace
) -> None:
    main(["fixtures", "load", str(DESK), "--url", kit_server.url, "--token", kit_ws.token])
    made = json.loads(capsys.readouterr().out)
    assert sorted(made["ticket_types"]) == ["Bug", "Outage"]
    assert sorted(made["tags"]) == ["billing", "vip"]
    first, second, third = (
        ok(kit_api.get(f"/tickets/{i}", version="2.16")) for i in made["tickets"]
    )
    assert first["ticket_attributes"]["_default_title_"] == "Checkout fails"
    assert first["ticket_attributes"]["Severity"] == "High"
    assert first["ticket_attributes"]["Seats"] == 12
    assert first["ticket_state"]["internal_label"] == "With engineering"
    tagged = kit_server.tx(
        lambda c: c.all(
            select(ticket_tags.c.ticket_id, ticket_tags.c.tag_id).where(
                ticket_tags.c.workspace_id == kit_ws.id
            )
        )
    )
    assert [(str(r[0]), str(r[1])) for r in tagged] == [(first["id"], made["tags"]["vip"])]
    assert second["ticket_state"]["category"] == "resolved"
    assert third["category"] == "Tracker"
    bob = ok(kit_api.get(f"/contacts/{made['contacts']['crm-42']}"))
    assert bob["external_id"] == "crm-42" and bob["name"] == "Bob"
    acme = ok(kit_api.get(f"/companies/{made['companies']['acme']}"))
    assert acme["user_count"] == 2


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"tickets": [{"type": "Nope", "contact": "x"}]}, "tickets.0.type: no ticket type"),
        (
            {"ticket_types": [{"name": "Bug"}], "tickets": [{"type": "Bug", "contact": "x"}]},
            "tickets.0.contact: no contact 'x'",
        ),
        ({"contacts": [{"name": "Nobody"}]}, "contacts.0: needs an email or an external_id"),
        ({"tags": "vip"}, "tags:"),
        ({"ticket": []}, "ticket: Extra inputs are not permitted"),
    ],
)
@pytest.mark.parametrize("kit_server", ["sqlite"], indirect=True)
def test_a_bad_document_makes_nothing(
    capsys: pytest.CaptureFixture[str],
    kit_api: Api,
    kit_server: Server,
    kit_ws: Workspace,
    tmp_path: Path,
    doc: dict,
    message: str,
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"ticket_types": [{"name": "Made first?"}], **doc}))
    with pytest.raises(SystemExit) as exited:
        main(["fixtures", "load", str(path), "--url", kit_server.url, "--token", kit_ws.token])
    assert exited.value.code == 2
    assert message in capsys.readouterr().err
    assert ok(kit_api.get("/ticket_types"))["data"] == []


def test_a_workspace_handle_loads_fixtures(ticketry_workspace: TicketryWorkspace) -> None:
    made = ticketry_workspace.load(DESK)
    assert len(made["tickets"]) == 3
    with ticketry_workspace.http() as client:
        assert client.get("/tags").json()["data"] != []
