"""Walking 10,000 matching tickets 150 at a time while other clients create, update and reply
to tickets: every ticket that existed before the walk comes back exactly once, and
`pages` (page numbers, total_count, next) stays truthful throughout."""

from __future__ import annotations

import random
import threading
from typing import Any

from sqlalchemy import func, select

from tests.conftest import Api, Server, make_api
from ticketry.seed.run import seed
from ticketry.tables import tickets

TICKETS = 10_000
PER_PAGE = 150
WRITERS = 3
# Matches every ticket whatever the writers do to it (state, open, attributes), so the walk
# must return each pre-existing ticket exactly once: the page order is by id, which no
# update changes, and new tickets get higher ids, so they sort before the first page.
QUERY = {
    "operator": "AND",
    "value": [
        {"field": "created_at", "operator": ">", "value": "0"},
        {
            "operator": "OR",
            "value": [
                {"field": "open", "operator": "=", "value": True},
                {"field": "open", "operator": "=", "value": False},
            ],
        },
    ],
}


class Writers:
    """Threads that keep changing the workspace through the API until told to stop."""

    def __init__(self, server: Server, report: dict[str, Any]) -> None:
        self.server = server
        self.report = report
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.created: list[str] = []
        self.touched: set[int] = set()
        self.errors: list[str] = []
        self.ops = 0
        first, last = int(report["tickets"]["first_id"]), int(report["tickets"]["last_id"])
        self.ids = range(first, last + 1)
        self.integer_attr = {
            t["id"]: next(a["name"] for a in t["attributes"] if a["data_type"] == "integer")
            for t in report["ticket_types"]
        }
        self.threads = [
            threading.Thread(target=self._run, args=(seed_,), daemon=True)
            for seed_ in range(WRITERS)
        ]

    def __enter__(self) -> Writers:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(30)

    def _check(self, resp: Any, what: str) -> Any:
        if resp.status_code != 200:
            with self.lock:
                self.errors.append(f"{what}: {resp.status_code} {resp.text[:300]}")
            return None
        return resp.json()

    def _run(self, seed_: int) -> None:
        rnd = random.Random(seed_)
        admin = self.report["admin_ids"][seed_ % len(self.report["admin_ids"])]
        types = [t["id"] for t in self.report["ticket_types"]]
        contacts = self.report["contact_ids_sample"]
        with make_api(self.server, self.report["token"]) as api:
            while not self.stop.is_set():
                ticket_id = rnd.choice(self.ids)
                url = f"/tickets/{ticket_id}"
                kind = rnd.choice(("create", "state", "attribute", "reply"))
                if kind == "create":
                    made = self._check(
                        api.post(
                            "/tickets",
                            json={
                                "ticket_type_id": rnd.choice(types),
                                "contacts": [{"id": rnd.choice(contacts)}],
                                "ticket_attributes": {"_default_title_": "Written mid-walk"},
                            },
                            contract=False,
                        ),
                        "create",
                    )
                    if made:
                        with self.lock:
                            self.created.append(made["id"])
                elif kind == "state":
                    state = rnd.choice(("in_progress", "waiting_on_customer", "resolved"))
                    self._check(
                        api.put(url, json={"state": state}, version="2.11", contract=False),
                        "state",
                    )
                elif kind == "attribute":
                    current = self._check(api.get(url, contract=False), "get")
                    if current:
                        name = self.integer_attr[current["ticket_type"]["id"]]
                        body = {"ticket_attributes": {name: rnd.randint(0, 10**6),
                                                      "_default_title_": f"Edited {seed_}"}}  # fmt: skip
                        self._check(api.put(url, json=body, contract=False), "attribute")
                else:
                    note: dict[str, Any] = {"message_type": "note", "type": "admin", "admin_id": admin,
                            "body": "Looking into it"}  # fmt: skip
                    self._check(api.post(f"{url}/reply", json=note, contract=False), "reply")
                with self.lock:
                    self.ops += 1
                    self.touched.add(ticket_id)


def page(api: Api, after: str | None, contract: bool = False) -> dict[str, Any]:
    pagination: dict[str, Any] = {"per_page": PER_PAGE}
    if after is not None:
        pagination["starting_after"] = after
    resp = api.post(
        "/tickets/search", json={"query": QUERY, "pagination": pagination}, contract=contract
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_paging_10000_tickets_under_concurrent_writes(server: Server) -> None:
    report = seed(server.database_url, tickets=TICKETS, seed=11)
    workspace_id = int(report["workspace_id"])
    existing = set(range(int(report["tickets"]["first_id"]), int(report["tickets"]["last_id"]) + 1))
    count = select(func.count()).where(tickets.c.workspace_id == workspace_id)
    assert server.tx(lambda c: c.scalar(count)) == TICKETS == len(existing)

    with make_api(server, report["token"]) as api:
        first = page(api, None, contract=True)
        assert first["total_count"] == TICKETS
        assert first["pages"]["page"] == 1
        assert first["pages"]["total_pages"] == -(-TICKETS // PER_PAGE)
        seen = [int(t["id"]) for t in first["tickets"]]
        pages = [first]
        with Writers(server, report) as writers:
            while "next" in pages[-1]["pages"]:
                nxt = pages[-1]["pages"]["next"]
                assert nxt["per_page"] == PER_PAGE
                pages.append(page(api, nxt["starting_after"]))
                seen += [int(t["id"]) for t in pages[-1]["tickets"]]
        assert not writers.errors, writers.errors[:5]
        # the writers really wrote meanwhile, on tickets still ahead of the walk too
        assert writers.ops >= 20 and writers.created, writers.ops
        assert any(t < seen[len(seen) // 2] for t in writers.touched)

        assert len(seen) == len(set(seen)), "a ticket came back twice"
        assert set(seen) == existing, (len(existing - set(seen)), len(set(seen) - existing))
        assert seen == sorted(seen, reverse=True)
        assert [p["pages"]["page"] for p in pages] == list(range(1, len(pages) + 1))
        assert len(pages) == -(-TICKETS // PER_PAGE)
        for p in pages[:-1]:  # `next` exactly while more remain: only full pages have one
            assert len(p["tickets"]) == PER_PAGE and "next" in p["pages"]
        assert len(pages[-1]["tickets"]) == (TICKETS % PER_PAGE or PER_PAGE)
        # total_count follows the creates, never the updates (which keep every ticket in)
        counts = [p["total_count"] for p in pages]
        assert counts == sorted(counts) and counts[-1] <= TICKETS + len(writers.created)
        after = page(api, None)
        assert after["total_count"] == TICKETS + len(writers.created)
        assert {t["id"] for t in after["tickets"]} >= set(writers.created[-10:])
