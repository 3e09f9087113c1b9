"""Benchmark orchestration (`python3 dev.py bench`): per database, a fresh seeded database,
one `ticketry serve` process driven over loopback by wrk one operation at a time, the bare
ASGI ceiling measured alongside, and the results written to bench/results/latest.{json,md}.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import databases, report, sample, wrk  # noqa: E402
from bench.ops import Operation, Workload  # noqa: E402

# Throughput runs use 8 connections: enough to keep one server process busy while its
# database work overlaps network I/O, few enough that wrk (1 thread) leaves the server
# its own core. Searches also run with 1 connection so their p99 is the query's own time,
# not time spent queued behind 7 other requests.
CONNECTIONS = 8
QUICK_TICKETS = 20_000
QUICK_DURATION = 3.0
WARMUP_S = 1.0
PREFLIGHT = 8
VERSION = "2.14"
START_TIMEOUT_S = 120


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def memory_mb(pid: int) -> dict[str, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            fields[key] = int(value.split()[0]) / 1024
    return {"peak_mb": round(fields["VmHWM"], 1), "rss_mb": round(fields["VmRSS"], 1)}


def call(base: str, headers: dict[str, str], req: wrk.Request) -> tuple[int, bytes]:
    data = orjson.dumps(req.body) if req.body is not None else None
    request = urllib.request.Request(base + req.path, data=data, headers=headers, method=req.method)
    try:
        with urllib.request.urlopen(request, timeout=60) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@contextmanager
def process(cmd: list[str], log: Path, ready_url: str, headers: dict[str, str]) -> Iterator[int]:
    """Start a server subprocess, wait until `ready_url` answers 200, stop it afterwards."""
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"{cmd[0]} exited ({proc.returncode}):\n{log.read_text()[-3000:]}"
                )
            try:
                status, _ = call(ready_url, headers, wrk.Request("GET", ""))
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{cmd[0]} did not answer within {START_TIMEOUT_S} s")
            time.sleep(0.2)
        yield proc.pid
        if proc.poll() is not None:
            raise RuntimeError(f"server died during the run:\n{log.read_text()[-3000:]}")
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


@dataclass
class Driver:
    """Runs operations against one server with wrk and collects their figures."""

    wrk_bin: str
    base: str
    headers: dict[str, str]
    lua: Path  # where the generated scripts go
    duration: float

    def measure(
        self, name: str, requests: list[wrk.Request], conns: int, walk: bool = False
    ) -> wrk.Result:
        """An unrecorded warm-up run, then the measured one."""
        path = self.lua / f"{abs(hash((name, conns))):x}.lua"
        path.write_text(wrk.script(requests, self.headers, walk=walk))
        wrk.run(self.wrk_bin, self.base, path, connections=conns, duration=WARMUP_S)
        return wrk.run(self.wrk_bin, self.base, path, connections=conns, duration=self.duration)

    def operation(self, op: Operation, pid: int) -> dict[str, Any]:
        out: dict[str, Any] = {"name": op.name, "kind": op.kind, "target": op.target}
        print(f"  {op.name} ...", end="", flush=True)
        # Up to 8 variants spread over the list, one at a time first: a request that fails
        # alone would fail under load too, and this way the report shows why.
        counts = []
        for req in op.requests[:: max(1, len(op.requests) // PREFLIGHT)][:PREFLIGHT]:
            status, body = call(self.base, self.headers, req)
            if not 200 <= status < 300:
                out.update(
                    failed=True,
                    errors=1,
                    first_error=f"{status} {body[:400].decode(errors='replace')}",
                )
                print(f" FAILED before load: {out['first_error']}", flush=True)
                return out
            if op.is_search:
                counts.append(orjson.loads(body).get("total_count") or 0)
        if counts:
            out["matches"] = statistics.median(counts)
        runs = [("c8", CONNECTIONS)] + ([("c1", 1)] if op.is_search else [])
        errors = 0
        for key, conns in runs:
            try:
                res = self.measure(op.name, op.requests, conns, walk=op.walk)
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                out.update(failed=True, errors=errors + 1, first_error=str(exc)[:400])
                print(f" FAILED: {exc}", flush=True)
                return out
            out[key] = {
                "rps": round(res.rps, 1),
                "p50_ms": round(res.p50_ms, 3),
                "p99_ms": round(res.p99_ms, 3),
                "mean_ms": round(res.mean_ms, 3),
                "max_ms": round(res.max_ms, 3),
                "requests": res.requests,
                "errors": res.errors,
                "error_detail": res.error_detail,
            }
            if op.walk:
                out[key]["next_page_requests"] = res.next_pages
            if res.requests == 0:  # nothing finished inside the run: a stall, not a figure
                res.errors += 1
                res.first_error = res.first_error or f"no request completed in {self.duration} s"
            if op.walk and res.requests and not res.next_pages:
                res.errors += 1
                res.first_error = res.first_error or "the paging walk never got a pages.next"
            errors += res.errors
            if res.first_error and "first_error" not in out:
                out["first_error"] = res.first_error
        out["errors"] = errors
        out["failed"] = errors > 0
        out.update(memory_mb(pid))
        c8, c1 = out["c8"], out.get("c1")
        line = f" {c8['rps']:,.0f} req/s p50 {c8['p50_ms']:.2f} p99 {c8['p99_ms']:.2f} ms"
        if c1:
            line += f"; 1 conn p50 {c1['p50_ms']:.2f} p99 {c1['p99_ms']:.2f} ms"
        if op.walk:
            line += f"; {c8['next_page_requests']:,} requests followed pages.next"
        print(line + (f"; ERRORS {errors}: {out.get('first_error')}" if errors else ""), flush=True)
        return out


MIXED = "GET /tickets/{id} during the heaviest search"


def mixed(
    driver: Driver, get: Operation, heavy: Operation, heavy_name: str, pid: int
) -> dict[str, Any]:
    """`GET /tickets/{id}` on CONNECTIONS - 1 connections while one more connection runs
    the slowest search of the pass back to back for the whole run: its p99 says whether a
    point read waits behind another request's query (a shared thread or pool)."""
    print(f"  {MIXED} ({heavy_name}) ...", end="", flush=True)
    path = driver.lua / f"{abs(hash(('mixed', heavy_name))):x}.lua"
    path.write_text(wrk.script(heavy.requests, driver.headers))
    background: dict[str, Any] = {}

    def search() -> None:
        try:
            background["result"] = wrk.run(
                driver.wrk_bin,
                driver.base,
                path,
                connections=1,
                duration=WARMUP_S + driver.duration + 1,
            )
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            background["error"] = str(exc)[:400]

    thread = threading.Thread(target=search, daemon=True)
    thread.start()
    time.sleep(0.3)  # the search is running before the first GET
    res = driver.measure(MIXED, get.requests, CONNECTIONS - 1)
    thread.join()
    heavy_res = background.get("result")
    errors = res.errors + (heavy_res.errors if heavy_res else 1)
    out: dict[str, Any] = {
        "name": MIXED,
        "kind": "mixed",
        "target": "mixed",
        "search": heavy_name,
        "c8": {
            "rps": round(res.rps, 1),
            "p50_ms": round(res.p50_ms, 3),
            "p99_ms": round(res.p99_ms, 3),
            "mean_ms": round(res.mean_ms, 3),
            "max_ms": round(res.max_ms, 3),
            "requests": res.requests,
            "errors": res.errors,
            "error_detail": res.error_detail,
        },
        "search_requests": heavy_res.requests if heavy_res else 0,
        "search_p50_ms": round(heavy_res.p50_ms, 3) if heavy_res else None,
        "errors": errors,
        "failed": errors > 0,
    }
    if errors:
        out["first_error"] = res.first_error or background.get("error") or "search errors"
    out.update(memory_mb(pid))
    print(
        f" {res.rps:,.0f} req/s p50 {res.p50_ms:.2f} p99 {res.p99_ms:.2f} ms; "
        f"{out['search_requests']} searches alongside",
        flush=True,
    )
    return out


def ceiling(driver: Driver, port: int, log: Path) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.ceiling", "--port", str(port)]
    with process(cmd, log, driver.base, driver.headers):
        get = [wrk.Request("GET", "/tickets/1")]
        c8 = driver.measure("ceiling", get, CONNECTIONS)
        c1 = driver.measure("ceiling", get, 1)
    print(f"  ceiling: {c8.rps:,.0f} req/s; 1 conn p50 {c1.p50_ms:.2f} ms", flush=True)
    return {
        k: {
            "rps": round(r.rps, 1),
            "p50_ms": round(r.p50_ms, 3),
            "p99_ms": round(r.p99_ms, 3),
            "errors": r.errors,
        }
        for k, r in (("c8", c8), ("c1", c1))
    }


def scale_out(
    driver: Driver, cmd: list[str], op: Operation, workers: int, kind: str
) -> dict[str, Any]:
    """`op` against `ticketry serve --workers N` (several processes on one database), with
    CONNECTIONS connections per process."""
    port = free_port()
    driver.base = f"http://127.0.0.1:{port}"
    cmd = [*cmd[: cmd.index("--port") + 1], str(port), *cmd[cmd.index("--port") + 2 :]]
    conns = CONNECTIONS * workers
    log = databases.TMP / f"server-{kind}-workers-{workers}.log"
    print(f"  {op.name}, {workers} processes, {conns} connections ...", end="", flush=True)
    with process([*cmd, "--workers", str(workers)], log, driver.base + "/me", driver.headers):
        res = driver.measure(f"{op.name} x{workers}", op.requests, conns)
    print(f" {res.rps:,.0f} req/s p50 {res.p50_ms:.2f} p99 {res.p99_ms:.2f} ms", flush=True)
    return {
        "workers": workers,
        "connections": conns,
        "rps": round(res.rps, 1),
        "p50_ms": round(res.p50_ms, 3),
        "p99_ms": round(res.p99_ms, 3),
        "errors": res.errors,
    }


def bench_pass(kind: str, args: argparse.Namespace, wrk_bin: str, lua: Path) -> dict[str, Any]:
    reused = args.database_url
    if reused:
        print(f"== {kind}: the database at --database-url, as it is", flush=True)
    else:
        print(f"== {kind}: fresh database, {args.tickets:,} tickets", flush=True)
    with contextlib.nullcontext(reused) if reused else databases.fresh(kind) as url:
        if reused:
            migrate_s, seed_s, seeded = 0.0, 0.0, {}
            data = sample.load(url)
            token = databases.new_token(url, data.workspace_id, data.admin_ids[0])
        else:
            migrate_s = databases.migrate(url)
            seeded, seed_s = databases.seed(url, args.tickets)
            print(f"  seeded in {seed_s:,.1f} s", flush=True)
            token = databases.find_token(seeded)
            data = sample.load(url)
        work = Workload(data)
        core, searches = work.core(), work.searches()
        if args.only:
            wanted = args.only.split("|")
            core = [o for o in core if any(w in o.name for w in wanted)]
            searches = [o for o in searches if any(w in o.name for w in wanted)]
        headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Intercom-Version": VERSION,
        }
        port = free_port()
        driver = Driver(wrk_bin, f"http://127.0.0.1:{port}", headers, lua, args.duration)
        ceil = ceiling(driver, port, databases.TMP / f"ceiling-{kind}.log")
        port = free_port()
        driver.base = f"http://127.0.0.1:{port}"
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
        results: dict[str, dict[str, Any]] = {}
        with process(
            cmd, databases.TMP / f"server-{kind}.log", driver.base + "/me", headers
        ) as pid:
            # Reads and searches first, writes last: searches see exactly the seeded data.
            reads = [o for o in core if o.kind == "read"]
            writes = [o for o in core if o.kind == "write"]
            for op in [*reads, *searches]:
                results[op.name] = driver.operation(op, pid)
            get = next((o for o in reads if o.name == "GET /tickets/{id}"), None)
            timed = [
                (r["c1"]["p50_ms"], o)
                for o in searches
                if (r := results[o.name]).get("c1") and not r.get("failed")
            ]
            if get is not None and timed:
                heavy = max(timed, key=lambda t: t[0])[1]
                results[MIXED] = mixed(driver, get, heavy, heavy.name, pid)
            for op in writes:
                results[op.name] = driver.operation(op, pid)
            memory = memory_mb(pid)
        scale = []
        if kind == "postgresql" and args.workers:
            get = next((o for o in reads if o.name == "GET /tickets/{id}"), None)
            if get is not None:
                scale = [scale_out(driver, cmd, get, n, kind) for n in args.workers]
        return {
            "db": kind,
            "engine": databases.versions(url),
            "tickets": data.ticket_count,
            "migrate_seconds": round(migrate_s, 2),
            "seed_seconds": round(seed_s, 2),
            "seed_report": {k: seeded.get(k) for k in ("rows", "rows_per_second", "counts")},
            "ceiling": ceil,
            "memory": memory,
            "results": [
                results[name]
                for name in [*(o.name for o in [*core, *searches]), MIXED]
                if name in results
            ],
            "scale": scale,
        }


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="dev.py bench", description=__doc__)
    p.add_argument(
        "--tickets", type=int, help="tickets to seed (default 1,000,000; --quick 20,000)"
    )
    p.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    p.add_argument(
        "--database-url",
        help="measure this already seeded database instead of a fresh one (its writes stay"
        " in it; give --db to match its kind)",
    )
    p.add_argument("--duration", type=float, help="seconds per wrk run (default 10; --quick 3)")
    p.add_argument("--quick", action="store_true", help="20,000 tickets and 3 s runs")
    p.add_argument(
        "--only",
        help="run only operations whose name contains this text (several: separated by |)",
    )
    p.add_argument(
        "--workers",
        help="PostgreSQL only: after the single-process run, GET /tickets/{id} against "
        "`ticketry serve --workers N` for each N in this comma-separated list (e.g. 1,2,4)",
    )
    args = p.parse_args(argv)
    try:
        args.workers = [int(n) for n in args.workers.split(",")] if args.workers else []
    except ValueError:
        p.error("--workers takes process counts separated by commas, e.g. 1,2,4")
    if any(n < 1 for n in args.workers):
        p.error("--workers counts must be at least 1")
    if args.database_url:
        from ticketry.db.database import dialect_of

        if args.db == "both":
            args.db = dialect_of(args.database_url)
        elif dialect_of(args.database_url) != args.db:
            p.error(f"--database-url is not a {args.db} database")
    args.tickets = args.tickets or (QUICK_TICKETS if args.quick else 1_000_000)
    args.duration = args.duration or (QUICK_DURATION if args.quick else 10.0)
    return args


def _stop(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    wrk_bin = shutil.which("wrk")
    if wrk_bin is None:
        print("install wrk: apt-get install wrk", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _stop)  # so cleanup (finally blocks) runs on kill too
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    run: dict[str, Any] = {
        "machine": report.machine(),
        "config": {
            "tickets": args.tickets,
            "duration": args.duration,
            "connections": CONNECTIONS,
            "warmup_seconds": WARMUP_S,
            "intercom_version": VERSION,
            "wrk_threads": 1,
            "wrk_timeout_seconds": wrk.TIMEOUT_S,
        },
        "passes": [],
    }
    load, cpus = run["machine"]["load_average"][0], run["machine"]["nproc"] or 1
    if load > cpus / 2:
        print(
            f"warning: load average {load} on {cpus} CPUs: other work will lower and "
            "blur these figures",
            file=sys.stderr,
        )
    databases.TMP.mkdir(parents=True, exist_ok=True)
    broken: list[str] = []
    try:
        with tempfile.TemporaryDirectory(prefix="ticketry-bench-lua-") as lua:
            for kind in kinds:
                try:
                    run["passes"].append(bench_pass(kind, args, wrk_bin, Path(lua)))
                except (RuntimeError, LookupError, OSError, subprocess.SubprocessError) as exc:
                    # One database failing (seed, server start) still lets the other run.
                    print(f"FAILED {kind} pass: {exc}", file=sys.stderr, flush=True)
                    broken.append(f"{kind}: {str(exc)[:2000]}")
    except KeyboardInterrupt as exc:
        print(
            f"\ninterrupted ({exc or 'Ctrl-C'}); servers stopped, databases removed",
            file=sys.stderr,
        )
        return 130
    run["failed_passes"] = broken
    run["targets"] = report.targets(run["passes"])
    print()
    print(report.write(run))
    failed = [(p["db"], r) for p in run["passes"] for r in p["results"] if r.get("failed")]
    for db, r in failed:
        print(
            f"FAILED {db} {r['name']}: {r['errors']} errors; first: {r.get('first_error')}",
            file=sys.stderr,
        )
    if failed or broken:
        print(
            f"\n{len(failed)} operation(s) and {len(broken)} database pass(es) failed: "
            "the figures above are not valid",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
