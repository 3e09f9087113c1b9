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
