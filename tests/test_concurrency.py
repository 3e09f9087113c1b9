"""Concurrent conflicting changes to one ticket and one contact, through two server
processes on one database (SQLite and PostgreSQL): every acknowledged change lands, each
leaves exactly one part and one event, the search index holds no duplicates, no 500s.

Each scenario runs several rounds on fresh tickets; in a round, every request waits at a
barrier and then all are sent at once, alternating between the two processes.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from tests.conftest import Server, Workspace, make_workspace
from tests.processes import ServerProcess, own_database, serving
from ticketry.db.database import Database
from ticketry.tables import events, ticket_parts, ticket_tags, ticket_values, tickets

ROUNDS = 8


@dataclass
class Cluster:
    servers: list[ServerProcess]
    db: Database
    workspace: Workspace
    type_id: str
    attributes: dict[str, int]  # name -> id
    tag_id: str
    contact_id: str

    def client(self, i: int) -> httpx.Client:
        return httpx.Client(
            base_url=self.servers[i % len(self.servers)].url,
            headers={"Authorization": f"Bearer {self.workspace.token}"},
            timeout=60,
        )

    def new_ticket(self) -> str:
        with self.client(0) as c:
            resp = c.post(
                "/tickets",
                json={"ticket_type_id": self.type_id, "contacts": [{"id": self.contact_id}]},
            )
        assert resp.status_code == 200, resp.text
        return str(resp.json()["id"])

    def get(self, ticket_id: str) -> dict:
        with self.client(1) as c:
            resp = c.get(f"/tickets/{ticket_id}")
        assert resp.status_code == 200, resp.text
        return resp.json()

    def scalar(self, stmt: Any) -> Any:
        with self.db.transaction(write=False) as conn:
            return conn.scalar(stmt)

    def rows(self, stmt: Any) -> list:
        with self.db.transaction(write=False) as conn:
            return conn.all(stmt)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def cluster(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    with own_database(request.param, tmp_path_factory.mktemp("concurrency")) as own:
        url, db = own.database_url, own.db
        workspace = make_workspace(Server(request.param, "", url, db))
        with serving(url, count=2) as servers:
            headers = {"Authorization": f"Bearer {workspace.token}"}
            with httpx.Client(base_url=servers[0].url, headers=headers, timeout=30) as c:
                tt = c.post("/ticket_types", json={"name": "Form", "category": "Customer"})
                type_id = tt.json()["id"]
                attributes = {}
                for name in ("A", "B", "C", "D"):
                    attr = c.post(
                        f"/ticket_types/{type_id}/attributes",
                        json={"name": name, "description": name, "data_type": "string"},
                    )
                    attributes[name] = int(attr.json()["id"])
                tag = c.post("/tags", json={"name": "urgent"}).json()
                contact = c.post("/contacts", json={"email": "race@example.com"}).json()
            yield Cluster(servers, db, workspace, type_id, attributes, tag["id"], contact["id"])


def fire(cluster: Cluster, calls: list[tuple[str, str, dict | None]]) -> list[httpx.Response]:
    """Send every (method, path, body) at the same moment, alternating processes."""
    clients = [cluster.client(i) for i in range(len(calls))]
    for c in clients:
        c.get("/me")  # open the connection before the barrier
    barrier = threading.Barrier(len(calls))
    results: list[httpx.Response | BaseException | None] = [None] * len(calls)

    def run(i: int) -> None:
        method, path, body = calls[i]
        barrier.wait()
        try:
            results[i] = clients[i].request(method, path, json=body)
        except BaseException as exc:  # reported below, not lost in the thread
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for c in clients:
        c.close()
    out = []
    for r in results:
        assert isinstance(r, httpx.Response), r
        assert r.status_code == 200, r.text  # no 500, no conflict: every change lands
        out.append(r)
    return out


def part_counts(ticket: dict) -> Counter[str]:
    return Counter(p["part_type"] for p in ticket["ticket_parts"]["ticket_parts"])


def assert_one_event_per_part(cluster: Cluster, ticket_id: str) -> Counter[str]:
    """Every part of the ticket has exactly one event; the topics, counted."""
    part_ids = {
        r["id"]
        for r in cluster.rows(
            select(ticket_parts.c.id).where(ticket_parts.c.ticket_id == int(ticket_id))
        )
    }
    found = cluster.rows(
        select(events.c.part_id, events.c.topic).where(
            events.c.object_type == "ticket", events.c.object_id == ticket_id
        )
    )
    with_part = Counter(r["part_id"] for r in found if r["part_id"] is not None)
    assert set(with_part) == part_ids
    assert set(with_part.values()) == {1}
    return Counter(r["topic"] for r in found)


def index_rows(cluster: Cluster, ticket_id: str) -> list:
    return cluster.rows(
        select(ticket_values.c.attribute_id, ticket_values.c.text_value).where(
            ticket_values.c.ticket_id == int(ticket_id)
        )
    )


def test_different_attributes_all_land(cluster: Cluster) -> None:
    for r in range(ROUNDS):
        ticket_id = cluster.new_ticket()
        sent = {name: f"{name}-{r}-{uuid.uuid4().hex[:6]}" for name in cluster.attributes}
        fire(
            cluster,
            [
                ("PUT", f"/tickets/{ticket_id}", {"ticket_attributes": {n: v}})
                for n, v in sent.items()
            ],
        )
        ticket = cluster.get(ticket_id)
        for name, value in sent.items():
            assert ticket["ticket_attributes"][name] == value
        assert part_counts(ticket)["ticket_attribute_updated_by_admin"] == len(sent)
        rows = index_rows(cluster, ticket_id)
        assert sorted((row["attribute_id"], row["text_value"]) for row in rows) == sorted(
            (cluster.attributes[n], v) for n, v in sent.items()
        )
        topics = assert_one_event_per_part(cluster, ticket_id)
        assert topics["ticket.attribute.updated"] == len(sent)


def test_same_attribute_last_writer_wins_cleanly(cluster: Cluster) -> None:
    attr_id = cluster.attributes["A"]
    for r in range(ROUNDS):
        ticket_id = cluster.new_ticket()
        values = [f"same-{r}-{i}" for i in range(4)]
        fire(
            cluster,
            [("PUT", f"/tickets/{ticket_id}", {"ticket_attributes": {"A": v}}) for v in values],
        )
        ticket = cluster.get(ticket_id)
        final = ticket["ticket_attributes"]["A"]
        assert final in values
        assert part_counts(ticket)["ticket_attribute_updated_by_admin"] == len(values)
        # one index row, holding the value the ticket has: no stale match for a search
        assert [
            (row["attribute_id"], row["text_value"]) for row in index_rows(cluster, ticket_id)
        ] == [(attr_id, final)]
        with cluster.client(0) as c:
            for value in values:
                found = c.post(
                    "/tickets/search",
                    json={
                        "query": {
                            "field": f"ticket_attribute.{attr_id}",
                            "operator": "=",
                            "value": value,
                        }
                    },
                ).json()
                ids = [t["id"] for t in found["tickets"]]
                assert (ticket_id in ids) == (value == final)
        assert_one_event_per_part(cluster, ticket_id)


def test_close_twice_closes_once(cluster: Cluster) -> None:
    for _ in range(ROUNDS):
        ticket_id = cluster.new_ticket()
        fire(cluster, [("PUT", f"/tickets/{ticket_id}", {"open": False})] * 2)
        ticket = cluster.get(ticket_id)
        assert ticket["open"] is False
        assert part_counts(ticket)["close"] == 1
        assert assert_one_event_per_part(cluster, ticket_id)["ticket.closed"] == 1


def test_tag_three_times_is_idempotent(cluster: Cluster) -> None:
    body = {"id": cluster.tag_id, "admin_id": str(cluster.workspace.admin_id)}
    for _ in range(ROUNDS):
        ticket_id = cluster.new_ticket()
        answers = fire(cluster, [("POST", f"/tickets/{ticket_id}/tags", body)] * 3)
        assert {a.json()["id"] for a in answers} == {cluster.tag_id}
        count = cluster.scalar(
            select(func.count())
            .select_from(ticket_tags)
            .where(ticket_tags.c.ticket_id == int(ticket_id))
        )
        assert count == 1
        topics = assert_one_event_per_part(cluster, ticket_id)
        assert topics["ticket.tag.created"] == 1


def test_reply_while_updating(cluster: Cluster) -> None:
    admin = str(cluster.workspace.admin_id)
    for r in range(ROUNDS):
        ticket_id = cluster.new_ticket()
        calls: list[tuple[str, str, dict | None]] = [
            (
                "POST",
                f"/tickets/{ticket_id}/reply",
                {
                    "type": "admin",
                    "message_type": "note",
                    "admin_id": admin,
                    "body": f"note {r} one",
                },
            ),
            ("PUT", f"/tickets/{ticket_id}", {"ticket_attributes": {"B": f"b{r}"}}),
            (
                "POST",
                f"/tickets/{ticket_id}/reply",
                {
                    "type": "admin",
                    "message_type": "note",
                    "admin_id": admin,
                    "body": f"note {r} two",
                },
            ),
            ("PUT", f"/tickets/{ticket_id}", {"ticket_attributes": {"C": f"c{r}"}, "open": False}),
        ]
        fire(cluster, calls)
        ticket = cluster.get(ticket_id)
        counts = part_counts(ticket)
        assert counts["note"] == 2 and counts["ticket_attribute_updated_by_admin"] == 2
        assert counts["close"] == 1
        bodies = {
            p["body"] for p in ticket["ticket_parts"]["ticket_parts"] if p["part_type"] == "note"
        }
        assert bodies == {f"<p>note {r} one</p>", f"<p>note {r} two</p>"}
        assert ticket["ticket_attributes"]["B"] == f"b{r}"
        assert ticket["ticket_attributes"]["C"] == f"c{r}"
        assert_one_event_per_part(cluster, ticket_id)


def test_contact_custom_attributes_all_land(cluster: Cluster) -> None:
    for r in range(ROUNDS):
        with cluster.client(0) as c:
            contact = c.post(
                "/contacts", json={"email": f"c{r}-{uuid.uuid4().hex[:6]}@example.com"}
            ).json()
        sent = {f"k{i}": f"v{r}-{i}" for i in range(4)}
        fire(
            cluster,
            [
                ("PUT", f"/contacts/{contact['id']}", {"custom_attributes": {k: v}})
                for k, v in sent.items()
            ],
        )
        with cluster.client(1) as c:
            stored = c.get(f"/contacts/{contact['id']}").json()["custom_attributes"]
        assert {k: stored.get(k) for k in sent} == sent
        topics = Counter(
            row["topic"]
            for row in cluster.rows(
                select(events.c.topic).where(
                    events.c.object_type == "contact", events.c.object_id == contact["id"]
                )
            )
        )
        assert topics == Counter({"contact.user.created": 1, "contact.user.updated": 4})


def test_creates_on_both_processes_get_consecutive_numbers(cluster: Cluster) -> None:
    """Tickets created at once through both processes: each gets the next number of the
    workspace, none twice, none skipped, and none keeps its provisional number."""
    for _ in range(ROUNDS // 2):
        body = {"ticket_type_id": cluster.type_id, "contacts": [{"id": cluster.contact_id}]}
        made = fire(cluster, [("POST", "/tickets", body) for _ in range(6)])
        created = [r.json() for r in made]
        for ticket in created:  # each answer shows the number it was given
            assert cluster.get(ticket["id"])["ticket_id"] == ticket["ticket_id"]
    numbers = sorted(
        row["ticket_number"]
        for row in cluster.rows(
            select(tickets.c.ticket_number).where(tickets.c.workspace_id == cluster.workspace.id)
        )
    )
    assert numbers == list(range(1, len(numbers) + 1))


def test_event_numbers_are_gapless_per_workspace(cluster: Cluster) -> None:
    """After all the races above: the workspace's events are numbered 1..n, once each."""
    seqs = [
        row["seq"]
        for row in cluster.rows(
            select(events.c.seq)
            .where(events.c.workspace_id == cluster.workspace.id)
            .order_by(events.c.seq)
        )
    ]
    assert seqs == list(range(1, len(seqs) + 1))
