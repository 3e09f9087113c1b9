"""`ticketry seed`: fill a workspace with realistic tickets for search and load benchmarks."""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from collections.abc import Callable
from typing import Any

import orjson

from ticketry.cli.commands import settings_of
from ticketry.seed.run import seed

PROGRESS_EVERY = 100_000


def _progress(started: float) -> Callable[[str, int], None]:
    def show(kind: str, done: int) -> None:
        if done % PROGRESS_EVERY == 0:
            print(f"  {done:,} {kind} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)

    return show


def seed_command(args: argparse.Namespace) -> None:
    import psycopg

    url = settings_of(args).database_url
    try:
        result = seed(
            url,
            tickets=args.tickets,
            contacts=args.contacts,
            workspace=args.workspace,
            seed=args.seed,
            progress=None if args.json else _progress(time.perf_counter()),
        )
    except (sqlite3.DatabaseError, psycopg.DatabaseError) as exc:
        # e.g. a contact the workspace already has with a seeded email or external_id
        print(f"error: the seed failed and wrote nothing: {exc}", file=sys.stderr)
        sys.exit(1)
    if args.json:
        print(orjson.dumps(result).decode())
        return
    print(_summary(result))


def _summary(r: dict[str, Any]) -> str:
    counts = ", ".join(f"{table} {n:,}" for table, n in r["counts"].items())
    return "\n".join(
        [
            f"Seeded workspace {r['workspace_id']} ({r['id_code']}): tickets "
            f"{r['tickets']['first_ticket_id']}..{r['tickets']['last_ticket_id']} "
            f"in {r['seconds']:.1f} s ({r['rows_per_second']:,} rows/s)",
            f"Rows: {counts}",
            f"Access token for admin {r['admin_id']} (shown once, store it now): {r['token']}",
            "Use --json for every id a benchmark needs.",
        ]
    )


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def register(sub: Any) -> None:
    p = sub.add_parser(
        "seed",
        help="fill a workspace with realistic tickets (a million in minutes) for benchmarks",
    )
    p.add_argument("--tickets", type=_positive, required=True, help="how many tickets to add")
    p.add_argument(
        "--workspace",
        help="append to this workspace (id or id_code); default: a new workspace 'Seeded N'",
    )
    p.add_argument(
        "--contacts", type=_positive, help="contacts to add (default: tickets / 5, at least 10)"
    )
    p.add_argument(
        "--seed", type=int, default=1, help="random seed: the same seed gives the same data"
    )
    p.add_argument("--json", action="store_true", help="print a JSON report for scripts")
    p.set_defaults(func=seed_command)
