"""The inbox's conversation list at scale (`python3 bench/inbox_conversations.py
--conversations 20000`).

Per database: a fresh database seeded with `ticketry seed` (a workspace, an admin, a few
tickets), an admin password, one `ticketry serve` process. Conversations are made through
the API (`POST /conversations` from 50 contacts, 8 at a time); every third is assigned to
the admin and every fifth closed, through `POST /conversations/{id}/parts`. Then each list
view and a conversation page are measured as `bench/inbox.py` measures the ticket list: the
server's own time from `Server-Timing`. Results go to bench/results/inbox_conversations.{json,md}.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import orjson

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import databases, report  # noqa: E402
from bench.inbox import RUNS, TARGET_MS, WARMUP, _measure, signed_in, view_table  # noqa: E402

RESULTS = ROOT / "bench" / "results"
THREADS = 8
CONTACTS = 50


def _make(base: str, token: str, admin_id: str, count: int) -> float:
    """Make `count` conversations through the API; the seconds it took."""
    headers = {"Authorization": f"Bearer {token}", "Intercom-Version": "2.16"}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as api:
        contacts = [
            api.post("/contacts", json={"role": "user", "email": f"c{n}@bench.example"}).json()[
                "id"
            ]
            for n in range(CONTACTS)
        ]

    def one(n: int) -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=60) as api:
            for i in range(n, count, THREADS):
                body = {"from": {"type": "user", "id": contacts[i % CONTACTS]}}
                made = api.post("/conversations", json={**body, "body": f"Question {i}"})
                made.raise_for_status()
                cid = made.json()["conversation_id"]
                if i % 3 == 0:
                    api.post(
                        f"/conversations/{cid}/parts",
                        json={
                            "message_type": "assignment",
                            "type": "admin",
                            "admin_id": admin_id,
                            "assignee_id": admin_id,
                        },
                    ).raise_for_status()
                if i % 5 == 0:
                    api.post(
                        f"/conversations/{cid}/parts",
                        json={"message_type": "close", "admin_id": admin_id},
                    ).raise_for_status()

    start = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(one, range(THREADS)))
    return time.perf_counter() - start


VIEWS = [
    ("open (the default view)", "/inbox/conversations"),
    ("closed", "/inbox/conversations?status=closed"),
    ("all", "/inbox/conversations?status=all"),
    ("assigned to me", "/inbox/conversations?assignee=me"),
    ("unassigned", "/inbox/conversations?assignee=unassigned"),
]


def run_one(kind: str, count: int) -> dict[str, Any]:
    with databases.fresh(kind) as url:
        databases.migrate(url)
        seeded, _ = databases.seed(url, 100)
        with signed_in(url, seeded, f"inbox-conversations-{kind}.log") as (base, token, client):
            made_s = _make(base, token, str(seeded["admin_id"]), count)
            print(f"{kind}: made {count:,} conversations in {made_s:.0f} s", flush=True)
            rows = []
            for name, path in VIEWS:
                row = {"view": name, **_measure(client, path)}
                rows.append(row)
                print(f"  {name}: {row['server_p50_ms']} ms p50, {row['server_p95_ms']} p95")
            first = client.get("/inbox/conversations?status=all").text
            marker = 'rel="next"'
            if marker in first:
                end = first.index(marker) - 2
                path = first[first.rindex('href="', 0, end) + 6 : end].replace("&amp;", "&")
                rows.append({"view": "all, second page", **_measure(client, path)})
            found = first.index('href="/inbox/conversations/') + 6
            page = first[found : first.index('"', found)]
            rows.append({"view": "a conversation page", **_measure(client, page)})
        return {"database": kind, "conversations": count, "views": rows}


def markdown(run: dict[str, Any]) -> str:
    lines = [
        "# Inbox conversation list",
        "",
        f"{run['conversations']:,} conversations, one `ticketry serve` process, {RUNS} sequential",
        f"requests per view after {WARMUP} warm-up requests. Server time is the page's",
        f"`Server-Timing`; target: under {TARGET_MS:.0f} ms. Machine: "
        f"{run['machine'].get('cpu', '?')}.",
        "",
        *view_table(run["passes"]),
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversations", type=int, default=20_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    run = {
        "conversations": args.conversations,
        "machine": report.machine(),
        "passes": [run_one(k, args.conversations) for k in kinds],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = orjson.dumps(run, option=orjson.OPT_INDENT_2)
    (RESULTS / "inbox_conversations.json").write_bytes(out)
    (RESULTS / "inbox_conversations.md").write_text(markdown(run))
    print(markdown(run))


if __name__ == "__main__":
    main()
