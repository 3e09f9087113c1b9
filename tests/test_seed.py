"""`ticketry seed` on both databases: seeded rows are what the services would have written,
read back through the real HTTP API and the official SDK in several versions."""

from __future__ import annotations

import contextlib
import io
from collections import Counter
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import func, select

from tests import contract as oracle
from tests.conftest import Server, make_api, make_workspace
from ticketry.cli.main import main
from ticketry.seed.run import seed
from ticketry.tables import (
    admins,
    contacts,
    tags,
    teams,
    ticket_contacts,
    ticket_parts,
    ticket_tags,
    ticket_types,
    ticket_values,
    tickets,
    workspaces,
)
from ticketry.ticket_types.queries import load_types
from ticketry.tickets.search_values import rows_for

N = 300


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def seed_json(server: Server, *args: str) -> dict[str, Any]:
    code, out, err = run_cli("--database-url", server.database_url, "seed", "--json", *args)
    assert code == 0, err
    return orjson.loads(out)


def count(server: Server, table: Any, workspace_id: int) -> int:
    return server.tx(
        lambda c: c.scalar(
            select(func.count()).select_from(table).where(table.c.workspace_id == workspace_id)
        )
    )


@pytest.fixture(scope="module")
def seeded(server: Server) -> dict[str, Any]:
    return seed_json(server, "--tickets", str(N), "--seed", "7")


def ticket_rows(server: Server, workspace_id: int) -> list[dict[str, Any]]:
    return server.tx(
        lambda c: [
            dict(r)
            for r in c.all(
                select(tickets).where(tickets.c.workspace_id == workspace_id).order_by(tickets.c.id)
            )
        ]
    )


def test_report_and_counts(server: Server, seeded: dict[str, Any]) -> None:
    ws = int(seeded["workspace_id"])
    name = server.tx(lambda c: c.scalar(select(workspaces.c.name).where(workspaces.c.id == ws)))
    assert name == f"Seeded {N}"
    assert seeded["counts"]["tickets"] == count(server, tickets, ws) == N
    assert seeded["counts"]["ticket_contacts"] == count(server, ticket_contacts, ws) == N
    assert seeded["counts"]["contacts"] == count(server, contacts, ws) == N // 5
    for table in (ticket_parts, ticket_values, ticket_tags):
        assert seeded["counts"][table.name] == count(server, table, ws)
    assert count(server, admins, ws) == len(seeded["admin_ids"]) == 10
    assert count(server, teams, ws) == len(seeded["team_ids"]) == 3
    assert count(server, tags, ws) == len(seeded["tag_ids"]) == 20
    assert count(server, ticket_types, ws) == len(seeded["ticket_types"]) == 4
    assert sorted(t["category"] for t in seeded["ticket_types"]) == [
        "Back-office", "Customer", "Customer", "Tracker",
    ]  # fmt: skip
    for t in seeded["ticket_types"]:
        kinds = {a["data_type"] for a in t["attributes"]}
        assert kinds == {"string", "list", "integer", "decimal", "boolean", "datetime"}
        for a in t["attributes"]:
            assert (4 <= len(a["list_options"]) <= 6) == (a["data_type"] == "list")
    assert len(seeded["custom_state_ids"]) == 2
    assert set(seeded["state_ids"]) == {
        "submitted",
        "in_progress",
        "waiting_on_customer",
        "resolved",
    }
    assert len(seeded["contact_ids_sample"]) == 20
    assert seeded["seconds"] > 0 and seeded["rows"] == sum(seeded["counts"].values())
    seq = server.tx(
        lambda c: c.scalar(select(workspaces.c.ticket_seq).where(workspaces.c.id == ws))
    )
    assert seq == N


def test_ticket_rows_are_consistent(server: Server, seeded: dict[str, Any]) -> None:
    ws = int(seeded["workspace_id"])
    rows = ticket_rows(server, ws)
    assert [r["ticket_number"] for r in rows] == list(range(1, N + 1))
    parts = server.tx(
        lambda c: [
            dict(p)
            for p in c.all(
                select(ticket_parts)
                .where(ticket_parts.c.workspace_id == ws)
                .order_by(ticket_parts.c.ticket_id, ticket_parts.c.id)
            )
        ]
    )
    by_ticket: dict[int, list[dict[str, Any]]] = {}
    for p in parts:
        by_ticket.setdefault(p["ticket_id"], []).append(p)
    types = {int(t["id"]): t for t in seeded["ticket_types"]}
    loaded = server.tx(lambda c: load_types(c, ws, types))
    seen_states: Counter[str] = Counter()
    for row in rows:
        history = by_ticket[row["id"]]
        assert 2 <= len(history) <= 5
        first = history[0]
        assert (first["part_type"], first["author_type"]) == (
            "ticket_state_updated_by_admin",
            "admin",
        )
        assert (first["previous_state"], first["state"]) == ("submitted", "submitted")
        assert first["created_at"] == row["created_at"] <= row["updated_at"]
        assert row["updated_at"] == history[-1]["created_at"]
        assert [p["created_at"] for p in history] == sorted(p["created_at"] for p in history)
        assert row["category"] == types[row["ticket_type_id"]]["category"]
        assert bool(row["open"]) == (row["state"] != "resolved")
        changes = [p for p in history[1:] if p["part_type"] == "ticket_state_updated_by_admin"]
        if row["state"] == "submitted":
            assert changes == [] and row["previous_ticket_state_id"] is None
        else:
            assert [(p["previous_state"], p["state"]) for p in changes] == [
                ("submitted", row["state"])
            ]
            assert row["previous_ticket_state_id"] is not None
        assert ("close" in [p["part_type"] for p in history]) == (row["state"] == "resolved")
        assigned = {
            (p["assigned_to_type"], p["assigned_to_id"])
            for p in history
            if p["part_type"] == "assignment"
        }
        expected = {("admin", str(row["admin_assignee_id"]))} if row["admin_assignee_id"] else set()
        if row["team_assignee_id"]:
            expected.add(("team", str(row["team_assignee_id"])))
        assert assigned == expected
        if row["snoozed_until"] is not None:
            assert row["open"] and history[-1]["part_type"] == "snoozed"
        if row["category"] != "Customer":  # contacts cannot reply on back-office or trackers
            assert all(p["author_type"] == "admin" for p in history)
        data = loaded[row["ticket_type_id"]]
        stored = orjson.loads(row["attributes"])
        assert stored[str(data.by_name["_default_title_"]["id"])] == row["title"]
        assert stored.get(str(data.by_name["_default_description_"]["id"])) == row["description"]
        seen_states[row["state"]] += 1
    assert set(seen_states) == {"submitted", "in_progress", "waiting_on_customer", "resolved"}
    assert any(r["snoozed_until"] for r in rows)
    assert any(r["admin_assignee_id"] and r["team_assignee_id"] for r in rows)
    assert any(not r["admin_assignee_id"] and not r["team_assignee_id"] for r in rows)


def test_ticket_values_are_what_the_service_writes(server: Server, seeded: dict[str, Any]) -> None:
    ws = int(seeded["workspace_id"])
    rows = ticket_rows(server, ws)
    loaded = server.tx(lambda c: load_types(c, ws, {r["ticket_type_id"] for r in rows}))
    stored_rows = server.tx(
        lambda c: [
            dict(v) for v in c.all(select(ticket_values).where(ticket_values.c.workspace_id == ws))
        ]
    )

    def key(v: dict[str, Any]) -> tuple[Any, ...]:
        return (v["ticket_id"], v["attribute_id"], v["text_value"], v["number_value"])

    expected = []
    for row in rows:
        data = loaded[row["ticket_type_id"]]
        expected += rows_for(ws, row["id"], data, orjson.loads(row["attributes"]), data.by_id)
    assert sorted(map(key, stored_rows)) == sorted(map(key, expected))
    assert {v["workspace_id"] for v in stored_rows} == {ws}
    assert len(expected) > 3 * N  # most tickets carry most of their attributes


def sample_tickets(rows: list[dict[str, Any]], types: dict[int, str]) -> list[dict[str, Any]]:
    """A few tickets covering the shapes a response can take."""
    wanted = [
        lambda r: r["state"] == "resolved",
        lambda r: r["snoozed_until"] is not None,
        lambda r: r["admin_assignee_id"] and r["team_assignee_id"],
        lambda r: r["description"] is None,
        lambda r: types[r["ticket_type_id"]] == "Back-office",
        lambda r: types[r["ticket_type_id"]] == "Tracker",
        lambda r: r["state"] == "waiting_on_customer",
    ]
    return [next(r for r in rows if test(r)) for test in wanted] + [rows[0], rows[-1]]


def test_seeded_tickets_render_in_every_version(server: Server, seeded: dict[str, Any]) -> None:
    ws = int(seeded["workspace_id"])
    types = {int(t["id"]): t["category"] for t in seeded["ticket_types"]}
    parts = {
        r["ticket_id"]: r["n"]
        for r in server.tx(
            lambda c: c.all(
                select(ticket_parts.c.ticket_id, func.count().label("n"))
                .where(ticket_parts.c.workspace_id == ws)
                .group_by(ticket_parts.c.ticket_id)
            )
        )
    }
    with make_api(server, seeded["token"]) as api:
        for row in sample_tickets(ticket_rows(server, ws), types):
            for version in ("2.14", "2.11", "2.16"):
                resp = api.get(f"/tickets/{row['id']}", version=version)  # contract-checked
                assert resp.status_code == 200, resp.text
                body = resp.json()
                assert body["ticket_id"] == str(row["ticket_number"])
                assert body["ticket_attributes"]["_default_title_"] == row["title"]
                assert body["ticket_attributes"]["_default_description_"] == row["description"]
                assert body["ticket_parts"]["total_count"] == parts[row["id"]]
                assert body["contacts"]["contacts"][0]["id"]
                state = body["ticket_state"]
                category = state if version == "2.11" else state["category"]
                assert category == row["state"]
                assert body["open"] == (row["state"] != "resolved")
                assert body.get("snoozed_until") == row["snoozed_until"]
                if version == "2.16":
                    assert body["admin_assignee_id"] == (row["admin_assignee_id"] or 0)
                    prev = row["previous_ticket_state_id"]
                    assert body["previous_ticket_state_id"] == (str(prev) if prev else None)
                else:
                    assert body["team_assignee_id"] == str(row["team_assignee_id"] or 0)


def test_official_sdk_reads_seeded_tickets(server: Server, seeded: dict[str, Any]) -> None:
    from intercom import Intercom

    hooks = {"response": [oracle.httpx_hook(oracle.DEFAULT_VERSION)]}
    sdk = Intercom(
        token=seeded["token"],
        base_url=server.url,
        httpx_client=httpx.Client(timeout=30, event_hooks=hooks),
    )
    rows = ticket_rows(server, int(seeded["workspace_id"]))
    for row in (rows[0], rows[N // 2], rows[-1]):
        ticket = sdk.tickets.get(str(row["id"]))
        assert ticket.ticket_id == str(row["ticket_number"])
        assert ticket.ticket_state.category == row["state"]
        assert ticket.ticket_parts.ticket_parts[0].part_type == "ticket_state_updated_by_admin"
    types = sdk.ticket_types.list().data
    assert {t.name for t in types} == {t["name"] for t in seeded["ticket_types"]}


def fts_ids(server: Server, workspace_id: int, needle: str) -> set[int]:
    """Tickets of the workspace whose title contains `needle`, found by the text index."""
    if server.backend == "sqlite":
        # LIKE on an FTS5 trigram table is answered from the index
        sql = (
            "SELECT rowid AS id FROM tickets_fts WHERE title LIKE :q AND rowid IN "
            "(SELECT id FROM tickets WHERE workspace_id = :ws)"
        )
    else:
        sql = "SELECT id FROM tickets WHERE workspace_id = %(ws)s AND lower(title) LIKE %(q)s"
    q = f"%{needle.lower()}%"
    return {r["id"] for r in server.tx(lambda c: c.all(sql, {"ws": workspace_id, "q": q}))}


def test_text_search_finds_seeded_titles(server: Server, seeded: dict[str, Any]) -> None:
    ws = int(seeded["workspace_id"])
    rows = ticket_rows(server, ws)
    for needle in ("fails", "invoice", rows[5]["title"], rows[-1]["title"][3:15]):
        expected = {r["id"] for r in rows if needle.lower() in r["title"].lower()}
        assert expected, needle
        assert fts_ids(server, ws, needle) == expected, needle
    if server.backend == "sqlite":
        indexed = server.tx(lambda c: c.scalar("SELECT count(*) FROM tickets_fts_docsize"))
        total = server.tx(lambda c: c.scalar("SELECT count(*) FROM tickets"))
        assert indexed == total
    else:
        valid = server.tx(
            lambda c: c.all(
                "SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE c.relname LIKE 'ix_tickets_%%_trgm' AND i.indisvalid"
            )
        )
        assert {r["name"] for r in valid} == {
            "ix_tickets_title_trgm",
            "ix_tickets_description_trgm",
        }


def create_ticket(api: Any, seeded: dict[str, Any], title: str) -> dict[str, Any]:
    customer = next(t for t in seeded["ticket_types"] if t["category"] == "Customer")
    resp = api.post(
        "/tickets",
        json={
            "ticket_type_id": customer["id"],
            "contacts": [{"id": seeded["contact_ids_sample"][0]}],
            "ticket_attributes": {"_default_title_": title},
        },
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


def top_ids(server: Server) -> tuple[int, int]:
    return server.tx(
        lambda c: (
            c.scalar(select(func.max(tickets.c.id))),
            c.scalar(select(func.max(ticket_parts.c.id))),
        )
    )


def test_api_tickets_continue_after_a_seed_and_a_second_seed_appends(server: Server) -> None:
    first = seed_json(server, "--tickets", "40", "--seed", "3")
    ws = int(first["workspace_id"])
    top_ticket, top_part = top_ids(server)
    with make_api(server, first["token"]) as api:
        made = create_ticket(api, first, "Quokka checkout after seeding")
        assert made["ticket_id"] == "41"
        assert int(made["id"]) > int(first["tickets"]["last_id"]) and int(made["id"]) > top_ticket
        assert all(int(p["id"]) > top_part for p in made["ticket_parts"]["ticket_parts"])
        # the text index trigger is back: an API ticket is found like a seeded one
        assert fts_ids(server, ws, "quokka checkout") == {int(made["id"])}
        # the newest ticket deleted: its id and number are still never handed out again
        gone = create_ticket(api, first, "Deleted before the second seed")
        assert gone["ticket_id"] == "42"
        assert api.delete(f"/tickets/{gone['id']}").status_code == 200

        again = seed_json(server, "--tickets", "25", "--workspace", first["id_code"], "--seed", "3")
        assert again["workspace_id"] == first["workspace_id"]
        assert (again["tickets"]["first_ticket_id"], again["tickets"]["last_ticket_id"]) == (
            "43",
            "67",
        )
        assert int(again["tickets"]["first_id"]) > int(gone["id"])
        numbers = [r["ticket_number"] for r in ticket_rows(server, ws)]
        assert numbers == [*range(1, 42), *range(43, 68)]
        # what the first seed made is reused, not duplicated
        assert again["ticket_types"] == first["ticket_types"]
        assert (again["admin_ids"], again["team_ids"], again["tag_ids"]) == (
            first["admin_ids"], first["team_ids"], first["tag_ids"],
        )  # fmt: skip
        assert again["custom_state_ids"] == first["custom_state_ids"]
        assert count(server, ticket_types, ws) == 4 and count(server, admins, ws) == 10
        assert count(server, contacts, ws) == 20  # ten per seed, the minimum
        resp = api.get(f"/tickets/{again['tickets']['last_id']}", version="2.16")
        assert resp.status_code == 200 and resp.json()["ticket_id"] == "67"
        after = create_ticket(api, first, "After the second seed")
        assert after["ticket_id"] == "68" and int(after["id"]) > int(again["tickets"]["last_id"])


def shape(server: Server, workspace_id: int) -> list[tuple[Any, ...]]:
    """What a seed made, without what differs between workspaces (ids) or runs (the clock:
    times are kept relative to the first ticket)."""
    names = {
        r["id"]: r["name"]
        for r in server.tx(
            lambda c: c.all(
                select(ticket_types.c.id, ticket_types.c.name).where(
                    ticket_types.c.workspace_id == workspace_id
                )
            )
        )
    }
    rows = ticket_rows(server, workspace_id)
    start = rows[0]["created_at"]
    return [
        (r["title"], r["description"], r["state"], names[r["ticket_type_id"]],
         r["created_at"] - start, r["updated_at"] - start)
        for r in rows
    ]  # fmt: skip


def test_same_seed_same_data(server: Server) -> None:
    a = seed_json(server, "--tickets", "30", "--seed", "11")
    b = seed_json(server, "--tickets", "30", "--seed", "11")
    c = seed_json(server, "--tickets", "30", "--seed", "12")
    assert a["workspace_id"] != b["workspace_id"]
    assert shape(server, int(a["workspace_id"])) == shape(server, int(b["workspace_id"]))
    assert shape(server, int(a["workspace_id"])) != shape(server, int(c["workspace_id"]))
    assert not set(a["contact_ids_sample"]) & set(b["contact_ids_sample"])


def test_rows_made_in_a_second_process_are_the_same(server: Server) -> None:
    # Large seeds make their rows in a worker process; force it on a small one.
    here = seed(server.database_url, tickets=80, seed=5, parallel=False)
    there = seed(server.database_url, tickets=80, seed=5, parallel=True)
    assert here["counts"] == there["counts"]
    assert shape(server, int(here["workspace_id"])) == shape(server, int(there["workspace_id"]))


def workspace_count(server: Server) -> int:
    return server.tx(lambda c: c.scalar(select(func.count()).select_from(workspaces)))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tickets", "0"], "--tickets: must be at least 1"),
        (["--tickets", "ten"], "--tickets: invalid _positive value"),
        (["--tickets", "5", "--contacts", "0"], "--contacts: must be at least 1"),
        (["--contacts", "5"], "the following arguments are required: --tickets"),
    ],
)
def test_bad_arguments_are_refused(server: Server, args: list[str], message: str) -> None:
    before = workspace_count(server)
    code, out, err = run_cli("--database-url", server.database_url, "seed", *args)
    assert code == 2 and out == ""
    assert message in err
    assert workspace_count(server) == before


def test_unknown_workspace_is_refused(server: Server) -> None:
    before = workspace_count(server)
    code, out, err = run_cli(
        "--database-url", server.database_url, "seed", "--tickets", "5", "--workspace", "nope"
    )
    assert (code, out) == (1, "")
    assert err.strip() == "error: Workspace nope not found"
    assert workspace_count(server) == before


def test_a_refused_seed_writes_nothing(server: Server) -> None:
    from ticketry.ticket_types import service as types_service

    target = make_workspace(server)

    def clash(c: Any) -> None:
        type_id = types_service.create_type(c, target.id, name="Bug report", category="Customer")
        types_service.create_attribute(
            c, target.id, type_id, {"name": "Severity", "description": "", "data_type": "string"}
        )

    server.tx(clash)
    tables = (admins, teams, tags, ticket_types, contacts, tickets, ticket_parts, ticket_values)
    before = {t.name: count(server, t, target.id) for t in tables}
    code, out, err = run_cli(
        "--database-url",
        server.database_url,
        "seed",
        "--tickets",
        "5",
        "--workspace",
        target.id_code,
    )
    assert (code, out) == (1, "")
    assert "Severity" in err and "string" in err
    assert {t.name: count(server, t, target.id) for t in tables} == before
    seq = server.tx(
        lambda c: c.scalar(select(workspaces.c.ticket_seq).where(workspaces.c.id == target.id))
    )
    assert seq == 0


def test_text_report(server: Server) -> None:
    code, out, err = run_cli("--database-url", server.database_url, "seed", "--tickets", "12")
    assert code == 0, err
    assert "tickets 1..12" in out
    assert "Access token for admin" in out and "tkt_" in out


def schema_objects(server: Server) -> set[tuple[str, ...]]:
    """Every index, trigger and foreign key, as the database describes them."""
    if server.backend == "sqlite":
        sql = "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger')"
        return {tuple(r) for r in server.tx(lambda c: c.all(sql))}
    sql = (
        "SELECT indexname AS name, indexdef AS ddl FROM pg_indexes WHERE schemaname = 'public' "
        "UNION ALL SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND connamespace = 'public'::regnamespace "
        "UNION ALL SELECT c.relname, 'invalid' FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid WHERE NOT i.indisvalid"
    )
    return {(r["name"], r["ddl"]) for r in server.tx(lambda c: c.all(sql))}


@pytest.mark.parametrize("rebuild", [True, False])
def test_indexes_keys_and_triggers_come_back(server: Server, rebuild: bool) -> None:
    before = schema_objects(server)
    done = seed(server.database_url, tickets=60, seed=9, rebuild=rebuild)
    assert schema_objects(server) == before
    ws = int(done["workspace_id"])
    title = ticket_rows(server, ws)[-1]["title"]
    assert int(done["tickets"]["last_id"]) in fts_ids(server, ws, title)
    with make_api(server, done["token"]) as api:
        assert create_ticket(api, done, "Zugzwang in the export")["ticket_id"] == "61"
    assert len(fts_ids(server, ws, "zugzwang in the export")) == 1


def test_a_seed_that_fails_while_loading_leaves_nothing(server: Server) -> None:
    target = make_workspace(server)
    with make_api(server, target.token) as api:
        # the first run into a workspace gives its users external ids cus_000000, ...
        for j in range(10):
            resp = api.post("/contacts", json={"external_id": f"cus_{j:06d}"})
            assert resp.status_code == 200, resp.text
    before = schema_objects(server)
    tables = (admins, tags, ticket_types, contacts, tickets, ticket_parts, ticket_values)
    counts = {t.name: count(server, t, target.id) for t in tables}

    code, out, err = run_cli(
        "--database-url",
        server.database_url,
        "seed",
        "--tickets",
        "30",
        "--workspace",
        target.id_code,
    )
    assert (code, out) == (1, "")
    assert err.startswith("error: the seed failed and wrote nothing:") and "external_id" in err
    with pytest.raises(Exception, match="external_id"):
        seed(server.database_url, tickets=30, workspace=target.id_code, rebuild=True)

    assert {t.name: count(server, t, target.id) for t in tables} == counts
    assert schema_objects(server) == before
    seq = server.tx(
        lambda c: c.scalar(select(workspaces.c.ticket_seq).where(workspaces.c.id == target.id))
    )
    assert seq == 0
