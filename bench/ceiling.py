"""The ceiling: a bare ASGI app answering every request with a pre-encoded ~1.5 KB
ticket-shaped JSON body, served by uvicorn exactly as `ticketry serve` runs (one process,
uvicorn's default loop and HTTP implementations, no server header, no access log).

Run as `python -m bench.ceiling --port P`; the benchmark reports every figure against it.
"""

from __future__ import annotations

import argparse
from typing import Any

import orjson

TICKET = {
    "type": "ticket",
    "id": "1295",
    "ticket_id": "1390",
    "ticket_attributes": {
        "_default_title_": "Checkout fails on the payment step",
        "_default_description_": "When I press pay, the page spins and nothing happens. "
        "It started this morning after the update; cards and PayPal both fail.",
        "Priority": "High",
        "Affected users": 42,
        "Reproducible": True,
    },
    "ticket_state": {
        "type": "ticket_state",
        "id": "7493",
        "category": "submitted",
        "internal_label": "Submitted",
        "external_label": "Submitted",
    },
    "ticket_type": {
        "type": "ticket_type",
        "id": "1234",
        "name": "Bug",
        "description": "A problem in the product",
        "icon": "\U0001f41e",
        "workspace_id": "this_is_an_id664_that_should_be_at_least_",
        "archived": False,
        "created_at": 1719492844,
        "updated_at": 1719492844,
        "is_internal": False,
        "ticket_type_attributes": {"type": "list", "data": []},
        "category": "Customer",
    },
    "contacts": {
        "type": "contact.list",
        "contacts": [
            {"type": "contact", "id": "667d61d98a68186f43bafe0e", "external_id": "70"},
        ],
    },
    "admin_assignee_id": "991267893",
    "team_assignee_id": "0",
    "created_at": 1719492844,
    "updated_at": 1719492846,
    "ticket_parts": {
        "type": "ticket_part.list",
        "ticket_parts": [
            {
                "type": "ticket_part",
                "id": "132",
                "part_type": "ticket_state_updated_by_admin",
                "ticket_state": "submitted",
                "previous_ticket_state": "submitted",
                "created_at": 1719492844,
                "updated_at": 1719492844,
                "author": {
                    "id": "991267893",
                    "type": "admin",
                    "name": "Ciaran",
                    "email": "admin@email.com",
                },
                "attachments": [],
                "redacted": False,
            }
        ],
        "total_count": 1,
    },
    "open": True,
    "linked_objects": {"type": "list", "data": [], "total_count": 0, "has_more": False},
    "category": "Customer",
    "is_shared": True,
    "ticket_state_internal_label": "Submitted",
    "ticket_state_external_label": "Submitted",
}

BODY = orjson.dumps(TICKET)
HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(BODY)).encode()),
]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    more = True
    while more:  # drain any request body, as a real handler would
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    from ticketry.kit.server import uvicorn_options
    from ticketry.settings import Settings

    # The same uvicorn.run arguments as `ticketry serve` (cli/commands.py: its HTTP
    # protocol with the limits and timeouts), plus the `--log-level warning` the benchmark
    # also passes to it.
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        workers=1,
        log_level="warning",
        **uvicorn_options(Settings.from_env()),
    )


if __name__ == "__main__":
    main()
