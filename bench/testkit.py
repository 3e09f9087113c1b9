"""The test kit's own costs (`.venv/bin/python bench/testkit.py`): a new workspace, and
reset, snapshot and restore of a workspace holding 1,000 tickets, on SQLite and PostgreSQL.

One `ticketry serve --test-kit` process per database (SQLite with synchronous=NORMAL, as
the pytest plugin runs it), driven over loopback by one keep-alive client; each figure is
the wall-clock time of the HTTP call as a test would see it. Targets: a workspace under
20 ms, reset and restore under 200 ms. Results go to bench/results/testkit.json.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import orjson

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import databases  # noqa: E402

TARGETS_MS = {"new workspace": 20.0, "reset": 200.0, "restore": 200.0}


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(url: str, token: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TICKETRY_SQLITE_SYNCHRONOUS": "NORMAL", "TICKETRY_DATABASE_URL": url}
    proc = subprocess.Popen(
        [
            databases.ticketry_bin(),
            "serve",
            "--test-kit",
            "--token",
            token,
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/me", timeout=1)
            return proc
        except httpx.TransportError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("ticketry serve did not start")


def _timed(client: httpx.Client, method: str, path: str, **kwargs: Any) -> float:
    start = time.perf_counter()
    resp = client.request(method, path, **kwargs)
    elapsed = (time.perf_counter() - start) * 1000
    if resp.status_code != 200:
        raise RuntimeError(f"{method} {path}: {resp.status_code} {resp.text[:300]}")
    return elapsed


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 2),
        "max_ms": round(ordered[-1], 2),
    }


def _populate(client: httpx.Client, tickets: int) -> dict[str, int]:
    admin = client.get("/me").json()["id"]
    kind = client.post(
        "/ticket_types", json={"name": "Bug", "description": "b", "category": "Customer"}
    ).json()
    client.post(
        f"/ticket_types/{kind['id']}/attributes",
        json={"name": "Seats", "description": "s", "data_type": "integer"},
    )
    contacts = [
        client.post("/contacts", json={"email": f"c{n}@example.com"}).json()["id"]
        for n in range(20)
    ]
    tag = client.post("/tags", json={"name": "vip"}).json()["id"]
    for n in range(tickets):
        t = client.post(
            "/tickets",
            json={
                "ticket_type_id": kind["id"],
                "contacts": [{"id": contacts[n % 20]}],
                "ticket_attributes": {"_default_title_": f"Ticket {n}", "Seats": n},
            },
        ).json()
        if n % 4 == 0:
            client.post(
                f"/tickets/{t['id']}/reply",
                json={
                    "type": "admin",
                    "message_type": "note",
                    "admin_id": admin,
                    "body": f"note {n}",
                },
            )
        if n % 10 == 0:
            client.post(f"/tickets/{t['id']}/tags", json={"id": tag, "admin_id": admin})
    return {"tickets": tickets, "contacts": 20}


def run(kind: str, tickets: int, rounds: int) -> dict[str, Any]:
    token = "tkt_bench_" + secrets.token_urlsafe(16)
    with databases.fresh(kind) as url:
        databases.migrate(url)
        port = _port()
        proc = _serve(url, token, port)
        base = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(
                base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120
            ) as boot:
                made = []
                for _ in range(max(rounds * 5, 50)):
                    start = time.perf_counter()
                    resp = boot.post("/ticketry/workspaces", json={"name": "bench"})
                    made.append((time.perf_counter() - start) * 1000)
                    assert resp.status_code == 200, resp.text
                ws_token = resp.json()["token"]
            with httpx.Client(
                base_url=base, headers={"Authorization": f"Bearer {ws_token}"}, timeout=120
            ) as c:
                start = time.perf_counter()
                shape = _populate(c, tickets)
                populate_s = time.perf_counter() - start
                snaps, resets, restores_full, restores_empty = [], [], [], []
                for _ in range(rounds):
                    start = time.perf_counter()
                    snap = c.post("/ticketry/snapshots").json()
                    snaps.append((time.perf_counter() - start) * 1000)
                for _ in range(rounds):
                    restores_full.append(
                        _timed(c, "POST", f"/ticketry/snapshots/{snap['id']}/restore")
                    )
                    resets.append(_timed(c, "POST", "/ticketry/reset"))
                    restores_empty.append(
                        _timed(c, "POST", f"/ticketry/snapshots/{snap['id']}/restore")
                    )
                count = c.post(
                    "/tickets/search",
                    json={
                        "query": {"field": "created_at", "operator": ">", "value": "0"},
                        "pagination": {"per_page": 1},
                    },
                ).json()
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(20)
        return {
            "database": databases.versions(url),
            "workspace": shape,
            "tickets_after_restore": count.get("total_count"),
            "populate_seconds": round(populate_s, 1),
            "new workspace": _stats(made),
            "snapshot": _stats(snaps),
            "reset": _stats(resets),
            "restore": _stats(restores_full),
            "restore into an empty workspace": _stats(restores_empty),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    results = {k: run(k, args.tickets, args.rounds) for k in kinds}
    out = ROOT / "bench" / "results" / "testkit.json"
    out.write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2))
    missed = False
    for kind, r in results.items():
        print(f"{kind} ({r['database']}), {r['workspace']['tickets']} tickets:")
        for name in (
            "new workspace",
            "snapshot",
            "reset",
            "restore",
            "restore into an empty workspace",
        ):
            s = r[name]
            target = TARGETS_MS.get(name.split(" into")[0] if name != "new workspace" else name)
            verdict = ""
            if target is not None:
                ok = s["median_ms"] < target
                missed |= not ok
                verdict = f"  target < {target:.0f} ms: {'PASS' if ok else 'MISS'} (median)"
            print(
                f"  {name:34} median {s['median_ms']:8.2f} ms  p95 {s['p95_ms']:8.2f} ms{verdict}"
            )
    print(f"written to {out.relative_to(ROOT)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
