"""One seed run: the small things through the services, then the bulk rows, all in one
transaction, and a report of what a benchmark needs to know about the result."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from ticketry.db import migrate
from ticketry.kit import ids
from ticketry.seed.generate import COLUMNS, Plan
from ticketry.seed.load import open_loader
from ticketry.seed.pipeline import produced
from ticketry.seed.setup import Setup, prepare
from ticketry.tickets import counts as ticket_counts

CONTACT_SAMPLE = 20
ID = COLUMNS["contacts"].index("id")


def default_contacts(tickets: int) -> int:
    return max(10, tickets // 5)


def seed(
    url: str,
    *,
    tickets: int,
    contacts: int | None = None,
    workspace: str | None = None,
    seed: int = 1,
    batch_size: int = 5_000,
    parallel: bool | None = None,
    rebuild: bool | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, Any]:
    """Seed `tickets` tickets (and `contacts` contacts) into a new workspace, or append
    them to `workspace` (id or id_code). Returns the report `ticketry seed --json` prints.

    `parallel` makes rows in a second process (default: for large seeds); `rebuild` drops
    secondary indexes for the load and builds them again after (default: when the new
    tickets outnumber the existing ones four to one)."""
    if tickets < 1:
        raise ValueError("--tickets must be at least 1")
    if contacts is not None and contacts < 1:
        raise ValueError("--contacts must be at least 1")
    started = time.perf_counter()
    migrate.upgrade(url)
    loader = open_loader(url, rebuild)
    counts: Counter[str] = Counter()
    try:
        setup = prepare(loader.conn, workspace, tickets)
        first_number, first_id = loader.reserve(setup.workspace["id"], tickets)
        prepared = time.perf_counter()
        plan = Plan(
            seed=seed,
            workspace_id=int(setup.workspace["id"]),
            now=ids.now(),
            tickets=tickets,
            contacts=contacts if contacts is not None else default_contacts(tickets),
            first_number=first_number,
            first_ticket_id=first_id,
            setup=setup,
            batch_size=batch_size,
        )
        loader.begin_bulk(first_id, tickets)
        sample: list[str] = []
        for chunk in produced(plan, parallel):
            for table, rows in chunk:
                loader.write(table, rows)
                counts[table] += len(rows)
                if table == "contacts" and len(sample) < CONTACT_SAMPLE:
                    sample += [r[ID] for r in rows[: CONTACT_SAMPLE - len(sample)]]
                elif table == "tickets" and progress is not None:
                    progress("tickets", counts["tickets"])
        loaded = time.perf_counter()
        # The bulk rows bypass the change path that keeps the search counters.
        ticket_counts.rebuild(loader.conn, plan.workspace_id)
        phases = {
            "setup": round(prepared - started, 2),
            "rows": round(loaded - prepared, 2),
            "counts": round(time.perf_counter() - loaded, 2),
            **loader.finish(),
        }
    finally:
        loader.close()
    seconds = time.perf_counter() - started
    return {**report(setup, plan, dict(counts), sample, seconds), "phase_seconds": phases}


def report(
    setup: Setup, plan: Plan, counts: dict[str, int], sample: list[str], seconds: float
) -> dict[str, Any]:
    rows = sum(counts.values())
    states: dict[str, list[str]] = {}
    for t in setup.types:
        for s in t.states:
            ids_ = states.setdefault(s["category"], [])
            if str(s["id"]) not in ids_:
                ids_.append(str(s["id"]))
    return {
        "workspace_id": str(setup.workspace["id"]),
        "id_code": setup.workspace["id_code"],
        "admin_id": str(setup.admin_ids[0]),
        "token": setup.token,
        "tickets": {
            "first_ticket_id": str(plan.first_number),
            "last_ticket_id": str(plan.first_number + plan.tickets - 1),
            "first_id": str(plan.first_ticket_id),
            "last_id": str(plan.first_ticket_id + plan.tickets - 1),
        },
        "counts": counts,
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds) if seconds else None,
        "ticket_types": [
            {
                "id": str(t.data.row["id"]),
                "name": t.data.row["name"],
                "category": t.data.row["category"],
                "attributes": [
                    {
                        "id": str(a["id"]),
                        "name": a["name"],
                        "data_type": a["data_type"],
                        "list_options": [
                            {"id": o["id"], "label": o["label"]}
                            for o in t.data.options.get(a["id"], {}).get("list_options", [])
                            if not o.get("archived")
                        ],
                    }
                    for a in t.data.attributes
                    if not a["is_default"]
                ],
            }
            for t in setup.types
        ],
        "admin_ids": [str(a) for a in setup.admin_ids],
        "team_ids": [str(t) for t in setup.team_members],
        "tag_ids": [str(t) for t in setup.tag_ids],
        "contact_ids_sample": sample,
        "state_ids": states,
        "custom_state_ids": [str(s) for s in setup.custom_state_ids],
    }
