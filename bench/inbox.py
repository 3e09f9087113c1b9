"""The inbox list page at scale (`python3 bench/inbox.py --tickets 1000000`).

Per database: a fresh database seeded with `ticketry seed`, an admin password set with
`ticketry admin set-password`, one `ticketry serve` process, a signed-in client. Each view
of the inbox (the default open list, the other sidebar views, each filter, a text search,
the second page) is requested WARMUP times, then RUNS times one after the other; the
figure is the server's own time from the page's `Server-Timing` header (session check,
queries, template), with the client's round trip beside it. Results go to
bench/results/inbox.{json,md}.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import orjson

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import databases, report  # noqa: E402
from bench.run import free_port, process  # noqa: E402

WARMUP = 3
RUNS = 25
TARGET_MS = 200.0
RESULTS = ROOT / "bench" / "results"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_NEXT = re.compile(r'href="(/\?[^"]*after=[^"]+)" rel="next"')


def _server_ms(response: httpx.Response) -> float:
    timing = response.headers.get("server-timing", "")
    found = re.search(r"dur=([0-9.]+)", timing)
    if found is None:
        raise RuntimeError(f"no Server-Timing on {response.url}")
    return float(found.group(1))


def _measure(client: httpx.Client, path: str) -> dict[str, Any]:
    for _ in range(WARMUP):
        client.get(path).raise_for_status()
    server, total = [], []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(path)
        total.append((time.perf_counter() - start) * 1000)
        response.raise_for_status()
        server.append(_server_ms(response))
    server.sort()
    return {
        "path": path,
        "server_p50_ms": round(statistics.median(server), 1),
        "server_p95_ms": round(server[int(len(server) * 0.95) - 1], 1),
        "server_max_ms": round(server[-1], 1),
        "round_trip_p50_ms": round(statistics.median(total), 1),
    }


def _views(seeded: dict[str, Any]) -> list[tuple[str, str]]:
    first_type = seeded["ticket_types"][0]["id"]
    return [
        ("open tickets (the default view)", "/"),
        ("closed", "/?status=closed"),
        ("all", "/?status=all"),
        ("assigned to me", "/?assignee=me"),
        ("unassigned", "/?assignee=unassigned"),
        ("state in progress", "/?state=in_progress"),
        ("one ticket type", f"/?type={first_type}"),
        ("tagged (tag 1)", "/?tag=1"),
        ("title contains 'export'", "/?q=export"),
        ("open + type + assignee team", f"/?type={first_type}&assignee=team:2"),
    ]


@contextmanager
def signed_in(
    url: str, seeded: dict[str, Any], log_name: str
) -> Iterator[tuple[str, str, httpx.Client]]:
    """One `ticketry serve` on `url`, and a client signed in to its inbox as the seeded
    admin (its password set with `admin set-password --generate`): base URL, token, client."""
    proc = databases._ticketry(
        url,
        ["admin", "set-password", "--admin", seeded["admin_id"], "--generate", "--json"],
        timeout=60,
    )
    password = orjson.loads(proc.stdout.strip().splitlines()[-1])["password"]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [databases.ticketry_bin(), "--database-url", url, "serve", "--port", str(port)]
    cmd += ["--log-level", "warning"]
    token = seeded["token"]
    auth = {"Authorization": f"Bearer {token}"}
    log = RESULTS / "tmp" / log_name
    log.parent.mkdir(parents=True, exist_ok=True)
    with process(cmd, log, f"{base}/me", auth):
        email = httpx.get(f"{base}/me", headers=auth).json()["email"]
        with httpx.Client(base_url=base, timeout=60) as client:
            csrf = _CSRF.search(client.get("/signin").text)
            assert csrf is not None
            answer = client.post(
                "/signin",
                data={"csrf_token": csrf.group(1), "email": email, "password": password},
            )
            assert answer.status_code == 303, answer.text
            yield base, token, client


def run_one(kind: str, tickets: int) -> dict[str, Any]:
    with databases.fresh(kind) as url:
        databases.migrate(url)
        seeded, seed_s = databases.seed(url, tickets)
        print(f"{kind}: seeded {tickets:,} tickets in {seed_s:.0f} s", flush=True)
        with signed_in(url, seeded, f"inbox-{kind}.log") as (_base, _token, client):
            rows = []
            for name, path in _views(seeded):
                row = {"view": name, **_measure(client, path)}
                rows.append(row)
                print(f"  {name}: {row['server_p50_ms']} ms p50, {row['server_p95_ms']} p95")
            page_one = client.get("/")
            found = _NEXT.search(page_one.text)
            if found:
                path = found.group(1).replace("&amp;", "&")
                rows.append({"view": "open, second page", **_measure(client, path)})
            ticket_path = f"/inbox/tickets/{seeded['tickets']['last_ticket_id']}"
            rows.append({"view": "a ticket page", **_measure(client, ticket_path)})
        return {"database": kind, "tickets": tickets, "seed_seconds": round(seed_s), "views": rows}


def markdown(run: dict[str, Any]) -> str:
    lines = [
        "# Inbox list page at scale",
        "",
        f"{run['tickets']:,} tickets, one `ticketry serve` process, {RUNS} sequential requests",
        f"per view after {WARMUP} warm-up requests. Server time is the page's `Server-Timing`",
        "(session check, queries, template); target: under "
        f"{TARGET_MS:.0f} ms. Machine: {run['machine'].get('cpu', '?')}.",
        "",
        *view_table(run["passes"]),
    ]
    return "\n".join(lines) + "\n"


def view_table(passes: list[dict[str, Any]]) -> list[str]:
    """The markdown table of every pass's views, each marked against the target."""
    lines = [
        "| database | view | server p50 ms | server p95 ms | max | round trip p50 | target |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for p in passes:
        for v in p["views"]:
            ok = "PASS" if v["server_p95_ms"] < TARGET_MS else "MISS"
            lines.append(
                f"| {p['database']} | {v['view']} | {v['server_p50_ms']} | {v['server_p95_ms']}"
                f" | {v['server_max_ms']} | {v['round_trip_p50_ms']} | {ok} |"
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    run = {
        "tickets": args.tickets,
        "machine": report.machine(),
        "passes": [run_one(k, args.tickets) for k in kinds],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "inbox.json").write_bytes(orjson.dumps(run, option=orjson.OPT_INDENT_2))
    (RESULTS / "inbox.md").write_text(markdown(run))
    print(markdown(run))


if __name__ == "__main__":
    main()
