"""Human ticket numbers stay unique when many clients, on several servers, create at once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import uvicorn

from tests.conftest import Api, Server, Workspace, _free_port, make_api
from tests.ticket_fixtures import make_contact, make_type
from ticketry.app import create_app
from ticketry.settings import Settings


def test_concurrent_creates_on_two_servers(api: Api, server: Server, workspace: Workspace) -> None:
    # A second server on the same database stands in for a second process behind a
    # load balancer: its own connections, its own event loop.
    port = _free_port()
    second = uvicorn.Server(
        uvicorn.Config(
            create_app(Settings(database_url=server.database_url)),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=second.run, daemon=True)
    thread.start()
    while not second.started:
        thread.join(0.02)
    try:
        ticket_type = make_type(api)
        contact = make_contact(api, "many@example.com")
        urls = [server.url, f"http://127.0.0.1:{port}"]

        def create(i: int) -> str:
            with make_api(server, workspace.token) as client:
                client.base_url = urls[i % 2]  # type: ignore[assignment]
                resp = client.post(
                    "/tickets",
                    json={"ticket_type_id": ticket_type["id"], "contacts": [{"id": contact["id"]}]},
                )
                assert resp.status_code == 200, resp.text
                return resp.json()["ticket_id"]

        with ThreadPoolExecutor(8) as pool:
            numbers = list(pool.map(create, range(60)))
        assert sorted(numbers, key=int) == [str(n) for n in range(1, 61)]
    finally:
        second.should_exit = True
        thread.join(10)


def test_failing_writes_in_a_busy_moment_leave_no_trace(
    api: Api, server: Server, workspace: Workspace
) -> None:
    # Concurrent writes share commits on SQLite (group commit); a rejected one must be
    # rolled back alone, and every accepted one must be there.
    ticket_type = make_type(api)
    contact = make_contact(api, "busy@example.com")

    def create(i: int) -> tuple[int, dict]:
        attrs = {"_default_title_": f"t{i}"} if i % 2 else {"No such attribute": i}
        with make_api(server, workspace.token) as client:
            resp = client.post(
                "/tickets",
                json={
                    "ticket_type_id": ticket_type["id"],
                    "contacts": [{"id": contact["id"]}],
                    "ticket_attributes": attrs,
                },
            )
            return resp.status_code, resp.json()

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(create, range(40)))
    accepted = [body for status, body in results if status == 200]
    assert len(accepted) == 20
    assert all(status == 400 for status, _ in results if status != 200)
    assert sorted(int(b["ticket_id"]) for b in accepted) == list(range(1, 21))
    found = api.post(
        "/tickets/search",
        json={"query": {"field": "ticket_type_id", "operator": "=", "value": ticket_type["id"]}},
    ).json()
    assert found["total_count"] == 20
    assert {t["ticket_attributes"]["_default_title_"] for t in found["tickets"]} == {
        b["ticket_attributes"]["_default_title_"] for b in accepted
    }
