"""`total_count` of ticket search above and below 10,000 matches, on both databases: exact
up to 10,000; above, exact from the counters for one `=`/`IN` on a counted field (kept
right by every kind of ticket change), otherwise an estimate within the documented bounds;
the page itself exact either way."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from sqlalchemy import func, select, update

from tests.conftest import Api, Server, make_api
from ticketry.seed.run import seed
from ticketry.tables import ticket_counts, ticket_parts, ticket_values, tickets
from ticketry.tickets import counts

TICKETS = 10_400
STATES = ["submitted", "in_progress", "waiting_on_customer", "resolved"]


@pytest.fixture(scope="module")
def seeded(server: Server) -> dict[str, Any]:
    return seed(server.database_url, tickets=TICKETS, seed=5)


@pytest.fixture
def api(server: Server, seeded: dict[str, Any]) -> Any:
    with make_api(server, seeded["token"]) as client:
        yield client


def search(api: Api, query: dict[str, Any], per_page: int = 20) -> dict[str, Any]:
    resp = api.post("/tickets/search", json={"query": query, "pagination": {"per_page": per_page}})
    assert resp.status_code == 200, resp.text
    return resp.json()


def f(field: str, operator: str, value: Any) -> dict[str, Any]:
    return {"field": field, "operator": operator, "value": value}


def ticket_ids(server: Server, ws: int, *where: Any) -> list[int]:
    stmt = (
        select(tickets.c.id)
        .where(tickets.c.workspace_id == ws, *where)
        .order_by(tickets.c.id.desc())
    )
    return server.tx(lambda c: [r["id"] for r in c.all(stmt)])


def stored_counts(server: Server, ws: int) -> dict[tuple[str, str], int]:
    rows = server.tx(
        lambda c: c.all(select(ticket_counts).where(ticket_counts.c.workspace_id == ws))
    )
    return {(r["field"], r["value"]): r["count"] for r in rows if r["count"]}


def true_counts(server: Server, ws: int) -> dict[tuple[str, str], int]:
    rows = server.tx(lambda c: c.all(select(tickets).where(tickets.c.workspace_id == ws)))
    out: Counter[tuple[str, str]] = Counter()
    for row in rows:
        out[(counts.ALL, "")] += 1
        for field in counts.COUNTED:
            out[(field, counts.key(field, row[field]))] += 1
    return dict(out)


def test_exact_up_to_10000_matches(server: Server, seeded: dict[str, Any], api: Api) -> None:
    ws = int(seeded["workspace_id"])
    stmt = select(tickets.c.created_at, tickets.c.id).where(tickets.c.workspace_id == ws)
    rows = sorted((r["created_at"], r["id"]) for r in server.tx(lambda c: c.all(stmt)))
    assert len(rows) == TICKETS
    # `created_at` has no counter: 10,000 matches are counted exactly, and so are 10,001
    # in a workspace small enough for the estimate to count instead of sampling.
    for n in (1, 9_999, 10_000, 10_001):
        cut = rows[n - 1][0]
        matching = sorted((i for at, i in rows if at <= cut), reverse=True)
        assert len(matching) == n  # seeded creation times are distinct
        found = search(api, f("created_at", "<=", cut))
        assert found["total_count"] == n
        assert found["pages"]["total_pages"] == -(-n // 20)
        assert [int(t["id"]) for t in found["tickets"]] == matching[:20]
    few = ticket_ids(server, ws, tickets.c.state == "submitted")
    assert 0 < len(few) < 10_000
    assert search(api, f("state", "=", "submitted"))["total_count"] == len(few)


def test_counters_answer_above_10000_and_follow_every_change(
    server: Server, seeded: dict[str, Any], api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = int(seeded["workspace_id"])
    assert stored_counts(server, ws) == true_counts(server, ws)  # the seed counted them
    types = [t["id"] for t in seeded["ticket_types"]]
    every_type = f("ticket_type_id", "IN", types)
    every_state = f("state", "IN", STATES)

    assert search(api, every_type)["total_count"] == TICKETS
    assert search(api, every_state)["total_count"] == TICKETS

    # every kind of change to a counted column, through the API
    contact = seeded["contact_ids_sample"][0]
    made = api.post("/tickets", json={"ticket_type_id": types[0], "contacts": [{"id": contact}]})
    assert made.status_code == 200, made.text
    new_id = made.json()["id"]
    some = ticket_ids(server, ws)[100:104]
    admin, team = seeded["admin_ids"][1], seeded["team_ids"][0]
    changes = [
        (f"/tickets/{some[0]}", {"state": "in_progress"}, "2.11"),
        (f"/tickets/{some[1]}", {"open": False}, "2.14"),
        (f"/tickets/{some[2]}", {"assignee_id": admin, "admin_id": admin}, "2.14"),
        (f"/tickets/{some[3]}", {"assignee_id": team, "admin_id": admin}, "2.14"),
        (f"/tickets/{new_id}", {"state": "resolved"}, "2.11"),
    ]
    for url, body, version in changes:
        resp = api.put(url, json=body, version=version)
        assert resp.status_code == 200, resp.text
    gone = api.delete(f"/tickets/{some[0]}", version="2.16")
    assert gone.status_code == 200, gone.text
    # a type changing category moves all its tickets (the one bulk update)
    tracker = next(t["id"] for t in seeded["ticket_types"] if t["category"] == "Tracker")
    moved = api.put(f"/ticket_types/{tracker}", json={"category": "Back-office"})
    assert moved.status_code == 200, moved.text

    assert stored_counts(server, ws) == true_counts(server, ws)
    truth = true_counts(server, ws)
    assert search(api, every_type)["total_count"] == truth[(counts.ALL, "")] == TICKETS

    # Single values of this workspace hold fewer than 10,000 tickets: lower the threshold
    # (the server runs in this process) to read each of them from its counter.
    monkeypatch.setattr(counts, "EXACT_BELOW", 1_000)
    singles = [
        (f("open", "=", False), ("open", "0")),
        (f("category", "=", "task"), ("category", "Back-office")),
        (f("state", "=", "resolved"), ("state", "resolved")),
        (f("admin_assignee_id", "=", "0"), ("admin_assignee_id", "")),
        (f("team_assignee_id", "IN", ["0", team]), None),
    ]
    for query, key in singles:
        expected = (
            truth[key]
            if key is not None
            else truth[("team_assignee_id", "")] + truth[("team_assignee_id", team)]
        )
        assert expected > 1_000
        assert search(api, query)["total_count"] == expected, query
    # ...and it is the counter that answers: skew one, the answer follows
    server.tx(
        lambda c: c.execute(
            update(ticket_counts)
            .where(
                ticket_counts.c.workspace_id == ws,
                ticket_counts.c.field == "state",
                ticket_counts.c.value == "resolved",
            )
            .values(count=ticket_counts.c.count + 7)
        )
    )
    try:
        skewed = search(api, f("state", "=", "resolved"))["total_count"]
        assert skewed == truth[("state", "resolved")] + 7
    finally:
        server.tx(lambda c: counts.rebuild(c, ws))
    assert stored_counts(server, ws) == truth
    # the page itself is exact
    page = search(api, every_type, per_page=50)
    assert [int(t["id"]) for t in page["tickets"]] == ticket_ids(server, ws)[:50]
    assert "next" in page["pages"]


def test_estimate_above_10000_without_a_counter(
    server: Server, seeded: dict[str, Any], api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = int(seeded["workspace_id"])
    # Estimate in this workspace as in a big one: a lower threshold and sample (the server
    # runs in this process).
    monkeypatch.setattr(counts, "EXACT_BELOW", 1_000)
    monkeypatch.setattr(counts, "SAMPLE", 2_000)
    total = server.tx(lambda c: c.scalar(select(func.count()).where(tickets.c.workspace_id == ws)))
    created = sorted(
        server.tx(
            lambda c: [
                r["created_at"]
                for r in c.all(select(tickets.c.created_at).where(tickets.c.workspace_id == ws))
            ]
        )
    )
    middle = created[len(created) // 2]
    queries = [
        # mostly old tickets (the seed resolves old ones): the sample spans all ages
        (
            {"operator": "AND", "value": [f("open", "=", False), f("created_at", ">", "0")]},
            (tickets.c.open.is_(False), tickets.c.created_at > 0),
        ),
        (f("created_at", "<", middle), (tickets.c.created_at < middle,)),
        (f("title", "!~", "zzzz"), ()),
    ]
    for query, where in queries:
        truth = ticket_ids(server, ws, *where)
        assert len(truth) > 1_000
        found = search(api, query, per_page=30)
        assert 1_001 <= found["total_count"] <= total
        assert abs(found["total_count"] - len(truth)) <= 0.1 * len(truth), query
        # the page itself stays exact
        assert [int(t["id"]) for t in found["tickets"]] == truth[:30]
        assert "next" in found["pages"]


def test_linked_filters_exact_below_then_estimated(
    server: Server, seeded: dict[str, Any], api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One `=` on linked rows (a teammate, an attribute value), or one `~` (on SQLite read
    from the FTS index), counts its distinct tickets on that index up to the threshold and
    estimates above it; its page walks that index and stays exact, across pages."""
    ws = int(seeded["workspace_id"])
    monkeypatch.setattr(counts, "EXACT_BELOW", 1_000)
    monkeypatch.setattr(counts, "SAMPLE", 2_000)
    total = server.tx(lambda c: c.scalar(select(func.count()).where(tickets.c.workspace_id == ws)))
    boolean = next(
        a for t in seeded["ticket_types"] for a in t["attributes"] if a["data_type"] == "boolean"
    )
    queries = [
        (
            f("teammate_ids", "=", str(seeded["admin_ids"][0])),
            tickets.c.id.in_(
                select(ticket_parts.c.ticket_id).where(
                    ticket_parts.c.author_type == "admin",
                    ticket_parts.c.author_id == str(seeded["admin_ids"][0]),
                )
            ),
        ),
        (
            f(f"ticket_attribute.{boolean['id']}", "=", True),
            tickets.c.id.in_(
                select(ticket_values.c.ticket_id).where(
                    ticket_values.c.attribute_id == int(boolean["id"]),
                    ticket_values.c.number_value == 1,
                )
            ),
        ),
    ]
    # and a common word in titles (on SQLite answered from the FTS index in ticket order)
    titles = server.tx(
        lambda c: [
            r["title"] or ""
            for r in c.all(select(tickets.c.title).where(tickets.c.workspace_id == ws))
        ]
    )
    words = Counter(w for t in titles for w in {w.lower() for w in t.split()} if len(w) >= 4)
    common = next(w for w, n in words.most_common() if n > 1_000 and w.isalpha())
    queries.append(
        (f("title", "~", common), func.lower(tickets.c.title).contains(common, autoescape=True))
    )
    sizes = []
    for query, where in queries:
        truth = ticket_ids(server, ws, where)
        sizes.append(len(truth))
        found = search(api, query, per_page=50)
        if len(truth) <= 1_000:
            assert found["total_count"] == len(truth), query
        else:
            assert 1_001 <= found["total_count"] <= total, query
            assert abs(found["total_count"] - len(truth)) <= 0.1 * len(truth), query
        walked = [int(t["id"]) for t in found["tickets"]]
        for _ in range(3):  # the next pages continue exactly where the last one ended
            after = found["pages"].get("next")
            if after is None:
                break
            resp = api.post(
                "/tickets/search",
                json={"query": query, "pagination": {"per_page": 50, **after}},
            )
            assert resp.status_code == 200, resp.text
            found = resp.json()
            walked += [int(t["id"]) for t in found["tickets"]]
        assert walked == truth[: len(walked)], query
        assert len(walked) == min(len(truth), 200)
    assert max(sizes) > 1_000  # the estimate was exercised
    # Below the threshold every linked count is exact, as before.
    monkeypatch.setattr(counts, "EXACT_BELOW", 10_000)
    for query, where in queries:
        assert search(api, query)["total_count"] == len(ticket_ids(server, ws, where))
