"""The server caches ticket types between requests; a change made by another process (here:
the test's own connection, as `ticketry` or a second server would) is seen at once."""

from __future__ import annotations

from tests.conftest import Api, Server, Workspace
from tests.ticket_fixtures import add_attribute, make_contact, make_ticket, make_type
from ticketry.ticket_types import service as type_service


def test_type_changes_elsewhere_are_seen(api: Api, server: Server, workspace: Workspace) -> None:
    ticket_type = make_type(api, "Cached")
    attr = add_attribute(api, ticket_type["id"], "Size", "integer")
    ticket = make_ticket(
        api,
        ticket_type["id"],
        make_contact(api, "c@example.com")["id"],
        ticket_attributes={"Size": 3},
    )
    url = f"/tickets/{ticket['id']}"
    assert api.get(url).json()["ticket_attributes"]["Size"] == 3  # now cached

    server.tx(
        lambda c: type_service.update_attribute(
            c, workspace.id, int(ticket_type["id"]), int(attr["id"]), {"name": "Seats"}
        )
    )
    again = api.get(url).json()
    assert again["ticket_attributes"].get("Seats") == 3 and "Size" not in again["ticket_attributes"]
    names = [a["name"] for a in again["ticket_type"]["ticket_type_attributes"]["data"]]
    assert "Seats" in names

    server.tx(
        lambda c: type_service.update_type(
            c, workspace.id, int(ticket_type["id"]), {"name": "Renamed"}
        )
    )
    assert api.get(url).json()["ticket_type"]["name"] == "Renamed"
    assert api.get(url, version="2.11").json()["ticket_type"]["name"] == "Renamed"
