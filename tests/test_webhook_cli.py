"""`ticketry webhook create|list|delete|deliveries` against the session server's database:
a subscription made on the command line is delivered to by the running server."""

from __future__ import annotations

from tests.conftest import Server, make_api, make_workspace
from tests.test_cli import failed, ok, ok_json, run
from tests.ticket_fixtures import make_contact, make_ticket, make_type
from tests.webhook_receiver import Receiver


def test_webhook_commands(server: Server) -> None:
    cli_ws = make_workspace(server, "Hooks CLI")
    url, ws = server.database_url, str(cli_ws.id)
    receiver = Receiver()
    try:
        sub = ok_json(
            run(
                url,
                f"webhook create {receiver.url} --workspace {ws} --topic ticket.created"
                " --hub-secret k --api-version 2.16 --json",
            )
        )
        assert sub["type"] == "notification_subscription" and sub["api_version"] == "2.16"
        assert sub["topics"] == ["ticket.created"] and sub["hub_secret"] == "k"
        assert sub["id"] in ok(run(url, f"webhook list --workspace {ws}"))
        failed(run(url, f"webhook create ftp://x --workspace {ws} --topic ticket.created"), "url")
        with make_api(server, cli_ws.token) as api:
            bug = make_type(api, "Bug")
            contact = make_contact(api, "cli@example.com")
            make_ticket(api, bug["id"], contact["id"])
        [got] = receiver.wait(1)
        for _ in range(100):
            log = ok_json(run(url, f"webhook deliveries {sub['id']} --workspace {ws} --json"))
            if log and log[0]["status"] == "delivered":
                break
        assert [d["notification_id"] for d in log] == [got.json["id"]]
        assert log[0]["status"] == "delivered"
        ok(run(url, f"webhook delete {sub['id']} --workspace {ws}"))
        assert ok_json(run(url, f"webhook list --workspace {ws} --json")) == []
        failed(run(url, f"webhook delete {sub['id']} --workspace {ws}"), "Subscription Not Found")
    finally:
        receiver.close()
