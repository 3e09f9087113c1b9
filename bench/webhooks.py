"""Webhook delivery under write load (`python bench/webhooks.py`): what it costs the API and
how long a notification takes from commit to the receiver.

Per database: a fresh database seeded with `--tickets` tickets, one `ticketry serve`
process, and a real HTTP receiver in this process that answers 200 at once.

1. Cost: wrk drives each write operation (`POST /tickets`, `PUT /tickets/{id}`, an admin
   note) at 8 connections, alternately without any subscription and with one subscribed
   to every ticket topic, `--rounds` times each; the figure is the throughput with the
   subscription as a share of the throughput without (target: at least 90 %). The
   backlog of notifications is drained after each run, and the server's CPU time per
   write (notifications included) is reported beside it: a figure other load on the
   machine does not move.
2. Latency: writes paced at `--rate` per second (creates and notes, alternately) for
   `--duration` seconds from an asyncio client; for each write, the time from its
   response (the commit is acknowledged) to the arrival of its notification at the
   receiver (`ticket.created` matched by ticket id, `ticket.note.created` by part id).
   Target: p99 under 1 s at 200 writes per second.

Figures go to bench/results/webhooks.{json,md}; both clocks are this process's monotonic
clock, so commit and arrival times compare directly.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import orjson

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import databases, report, sample, wrk  # noqa: E402
from bench.ops import Operation, Workload  # noqa: E402
from bench.run import (  # noqa: E402
    CONNECTIONS,
    VERSION,
    WARMUP_S,
    Driver,
    call,
    free_port,
    memory_mb,
    process,
)

TICKET_TOPICS = [
    "ticket.created",
    "ticket.state.updated",
    "ticket.note.created",
    "ticket.admin.assigned",
    "ticket.team.assigned",
    "ticket.contact.attached",
    "ticket.contact.detached",
    "ticket.attribute.updated",
    "ticket.admin.replied",
    "ticket.contact.replied",
    "ticket.closed",
    "ticket.resolved",
]
RESULTS = ROOT / "bench" / "results"
QUIET_S = 2.0  # the backlog is drained when nothing arrives for this long


class Receiver:
    """Records each notification's arrival time by the key of the write that made it."""

    def __init__(self) -> None:
        self.count = 0
        self.arrived: dict[str, float] = {}
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                at = time.monotonic()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                note = orjson.loads(body)
                item = note["data"]["item"]
                key = None
                if note["topic"] == "ticket.created":
                    key = f"ticket:{item['id']}"
                elif note["topic"] == "ticket.note.created":
                    key = f"part:{item['ticket_part']['id']}"
                with receiver._lock:
                    receiver.count += 1
                    if key is not None:
                        receiver.arrived.setdefault(key, at)

            def log_message(self, *_args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hook"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def drain(self, timeout: float = 300) -> None:
        """Wait until notifications stop arriving."""
        deadline = time.monotonic() + timeout
        last = -1
        while time.monotonic() < deadline:
            with self._lock:
                count = self.count
            if count == last:
                return
            last = count
            time.sleep(QUIET_S)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _subscribe(base: str, headers: dict[str, str], url: str, topics: list[str]) -> str:
    body = {"service_type": "web", "url": url, "topics": topics}
    status, out = call(base, headers, wrk.Request("POST", "/subscriptions", body))
    if status != 200:
        raise RuntimeError(f"subscribing failed: {status} {out[:300]!r}")
    return str(orjson.loads(out)["id"])


def _unsubscribe(base: str, headers: dict[str, str], sub_id: str) -> None:
    call(base, headers, wrk.Request("DELETE", f"/subscriptions/{sub_id}"))


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the server process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _run(driver: Driver, op: Operation, pid: int, receiver: Receiver) -> tuple[float, float]:
    """A warm-up and a measured wrk run, then the backlog drained: the measured
    requests per second, and the server's CPU milliseconds per write (all of it, the
    notifications those writes made included)."""
    path = driver.lua / f"webhooks-{abs(hash(op.name)):x}.lua"
    path.write_text(wrk.script(op.requests, driver.headers))
    before = cpu_seconds(pid)
    warm = wrk.run(driver.wrk_bin, driver.base, path, connections=CONNECTIONS, duration=WARMUP_S)
    res = wrk.run(
        driver.wrk_bin, driver.base, path, connections=CONNECTIONS, duration=driver.duration
    )
    receiver.drain()
    writes = warm.requests + res.requests
    return res.rps, (cpu_seconds(pid) - before) * 1000 / max(writes, 1)


def cost(
    driver: Driver, work: Workload, receiver: Receiver, args: argparse.Namespace, pid: int
) -> list[dict[str, Any]]:
    out = []
    rounds = args.rounds
    for op in (o for o in work.core() if o.kind == "write" and args.only in o.name):
        without: list[tuple[float, float]] = []
        with_sub: list[tuple[float, float]] = []
        for _ in range(rounds):
            receiver.drain()
            without.append(_run(driver, op, pid, receiver))
            sub_id = _subscribe(driver.base, driver.headers, receiver.url, TICKET_TOPICS)
            with_sub.append(_run(driver, op, pid, receiver))
            _unsubscribe(driver.base, driver.headers, sub_id)
        a = statistics.mean(r for r, _ in without)
        b = statistics.mean(r for r, _ in with_sub)
        cpu_a = statistics.mean(c for _, c in without)
        cpu_b = statistics.mean(c for _, c in with_sub)
        share = b / a if a else 0.0
        print(
            f"  {op.name}: {a:,.0f}/s without, {b:,.0f}/s with a subscription "
            f"({share:.1%}); server CPU per write {cpu_a:.2f} -> {cpu_b:.2f} ms",
            flush=True,
        )
        out.append(
            {
                "name": op.name,
                "rps_without": round(a, 1),
                "rps_with": round(b, 1),
                "share": round(share, 4),
                "cpu_ms_without": round(cpu_a, 3),
                "cpu_ms_with": round(cpu_b, 3),
                "cpu_share": round(cpu_a / cpu_b, 4) if cpu_b else 0.0,
                "runs_without": [round(r, 1) for r, _ in without],
                "runs_with": [round(r, 1) for r, _ in with_sub],
            }
        )
    return out


async def _paced(
    base: str,
    headers: dict[str, str],
    work: Workload,
    rate: float,
    duration: float,
) -> tuple[dict[str, float], int, float]:
    """Writes at `rate` per second; the response time of each by its notification key."""
    creates = next(o for o in work.core() if o.name == "POST /tickets").requests
    notes = next(o for o in work.core() if "reply" in o.name).requests
    committed: dict[str, float] = {}
    errors = 0
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=30) as c:

        async def one(i: int) -> None:
            nonlocal errors
            req = creates[i % len(creates)] if i % 2 == 0 else notes[i % len(notes)]
            try:
                resp = await c.request(req.method, req.path, content=orjson.dumps(req.body))
            except httpx.HTTPError:  # counted, not fatal: the figure says how many
                errors += 1
                return
            at = time.monotonic()
            if resp.status_code != 200:
                errors += 1
                return
            body = resp.json()
            key = f"ticket:{body['id']}" if i % 2 == 0 else f"part:{body['id']}"
            committed[key] = at

        start = time.monotonic()
        tasks = []
        total = int(rate * duration)
        for i in range(total):
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i)))
        await asyncio.gather(*tasks)
        elapsed = time.monotonic() - start
    return committed, errors, elapsed


def latency(
    driver: Driver, work: Workload, receiver: Receiver, rate: float, duration: float
) -> dict[str, Any]:
    sub_id = _subscribe(
        driver.base, driver.headers, receiver.url, ["ticket.created", "ticket.note.created"]
    )
    committed, errors, elapsed = asyncio.run(
        _paced(driver.base, driver.headers, work, rate, duration)
    )
    receiver.drain(timeout=60)
    _unsubscribe(driver.base, driver.headers, sub_id)
    waits = sorted(
        (receiver.arrived[k] - t) * 1000 for k, t in committed.items() if k in receiver.arrived
    )
    missing = len(committed) - len(waits)
    p = statistics.quantiles(waits, n=100) if len(waits) >= 2 else [0.0] * 99
    out = {
        "rate_asked": rate,
        "writes": len(committed),
        "writes_per_second": round(len(committed) / elapsed, 1),
        "write_errors": errors,
        "notifications_missing": missing,
        "p50_ms": round(p[49], 1),
        "p99_ms": round(p[98], 1),
        "max_ms": round(waits[-1], 1) if waits else None,
    }
    print(
        f"  latency at {out['writes_per_second']:,.0f} writes/s: p50 {out['p50_ms']} ms, "
        f"p99 {out['p99_ms']} ms, max {out['max_ms']} ms, {missing} missing, "
        f"{errors} write errors",
        flush=True,
    )
    return out


def bench_pass(kind: str, args: argparse.Namespace, wrk_bin: str, lua: Path) -> dict[str, Any]:
    print(f"== {kind}: fresh database, {args.tickets:,} tickets", flush=True)
    with databases.fresh(kind) as url:
        databases.migrate(url)
        seeded, _ = databases.seed(url, args.tickets)
        token = databases.find_token(seeded)
        work = Workload(sample.load(url))
        headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Intercom-Version": VERSION,
        }
        port = free_port()
        driver = Driver(wrk_bin, f"http://127.0.0.1:{port}", headers, lua, args.duration)
        cmd = [
            databases.ticketry_bin(),
            "--database-url",
            url,
            "serve",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ]
        receiver = Receiver()
        try:
            with process(
                cmd, databases.TMP / f"webhooks-{kind}.log", driver.base + "/me", headers
            ) as pid:
                costs = cost(driver, work, receiver, args, pid)
                lat = latency(driver, work, receiver, args.rate, args.duration)
                memory = memory_mb(pid)
        finally:
            receiver.close()
        return {
            "db": kind,
            "engine": databases.versions(url),
            "cost": costs,
            "latency": lat,
            "memory": memory,
        }


def markdown(run: dict[str, Any]) -> str:
    m = run["machine"]
    lines = [
        "# Webhook delivery under write load",
        "",
        f"`python bench/webhooks.py` on {m.get('cpu') or 'this machine'}, {m['nproc']} CPUs; "
        f"{run['config']['tickets']:,} seeded tickets, {run['config']['duration']} s runs, "
        f"{run['config']['rounds']} rounds per cost figure, one server process.",
        "",
        "| | " + " | ".join(p["db"] for p in run["passes"]) + " |",
        "| --- |" + " ---: |" * len(run["passes"]),
    ]
    names = [c["name"] for c in run["passes"][0]["cost"]] if run["passes"] else []
    for name in names:
        cells = []
        for p in run["passes"]:
            c = next(x for x in p["cost"] if x["name"] == name)
            cells.append(
                f"{c['rps_without']:,.0f} → {c['rps_with']:,.0f}/s ({c['share']:.0%}); "
                f"CPU {c['cpu_ms_without']:.2f} → {c['cpu_ms_with']:.2f} ms/write"
            )
        lines.append(f"| {name}: without → with a subscription | " + " | ".join(cells) + " |")
    lat_cells = []
    for p in run["passes"]:
        lat = p["latency"]
        lat_cells.append(
            f"p50 {lat['p50_ms']} ms, p99 {lat['p99_ms']} ms at {lat['writes_per_second']:,.0f}"
            f" writes/s ({lat['notifications_missing']} missing)"
        )
    lines.append("| commit → receiver | " + " | ".join(lat_cells) + " |")
    lines.append(
        "| server peak memory | "
        + " | ".join(f"{p['memory']['peak_mb']} MB" for p in run["passes"])
        + " |"
    )
    lines += ["", "Targets:", ""]
    for t in run["targets"]:
        lines.append(f"- {t['db']}: {t['what']}: {t['figure']} — **{t['verdict']}**")
    return "\n".join(lines) + "\n"


def targets(passes: list[dict[str, Any]], rate: float) -> list[dict[str, Any]]:
    out = []
    for p in passes:
        worst = min(p["cost"], key=lambda c: c["share"])
        out.append(
            {
                "db": p["db"],
                "what": "write throughput with a subscription, worst operation, ≥ 90 %",
                "figure": f"{worst['share']:.1%} ({worst['name']}; by server CPU per write "
                f"{worst['cpu_share']:.1%})",
                "verdict": "PASS" if worst["share"] >= 0.9 else "MISS",
            }
        )
        lat = p["latency"]
        ok = (
            lat["p99_ms"] < 1000
            and lat["notifications_missing"] == 0
            and lat["writes_per_second"] >= rate * 0.95
        )
        out.append(
            {
                "db": p["db"],
                "what": f"commit → receiver p99 < 1 s at {rate:.0f} writes/s",
                "figure": f"{lat['p99_ms']} ms at {lat['writes_per_second']:,.0f} writes/s",
                "verdict": "PASS" if ok else "MISS",
            }
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--only", default="", help="write operations whose name has this")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    wrk_bin = shutil.which("wrk")
    if wrk_bin is None:
        print("install wrk: apt-get install wrk", file=sys.stderr)
        return 2
    databases.TMP.mkdir(parents=True, exist_ok=True)
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    run: dict[str, Any] = {
        "machine": report.machine(),
        "config": {
            "tickets": args.tickets,
            "duration": args.duration,
            "rounds": args.rounds,
            "rate": args.rate,
        },
        "passes": [],
    }
    with tempfile.TemporaryDirectory(prefix="ticketry-bench-lua-") as lua:
        for kind in kinds:
            run["passes"].append(bench_pass(kind, args, wrk_bin, Path(lua)))
    run["targets"] = targets(run["passes"], args.rate)
    (RESULTS / "webhooks.json").write_bytes(orjson.dumps(run, option=orjson.OPT_INDENT_2))
    text = markdown(run)
    (RESULTS / "webhooks.md").write_text(text)
    print()
    print(text)
    return 0 if all(t["verdict"] == "PASS" for t in run["targets"]) else 1


if __name__ == "__main__":
    sys.exit(main())
