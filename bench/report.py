"""Results out: the machine description, targets (PASS/MISS), bench/results/latest.json and
the Markdown table in bench/results/latest.md (also printed).
"""

from __future__ import annotations

import os
import platform
import subprocess
import time
from pathlib import Path
from typing import Any

import orjson

RESULTS = Path(__file__).resolve().parent / "results"

# The targets of "speed, round two": GET share of the ceiling and creates per second by
# database, search p99 (1 connection) by kind, point searches' p50, a GET's p99 while the
# heaviest search runs, server memory.
GET_SHARE = {"sqlite": 0.30, "postgresql": 0.15}
CREATE_RPS = {"sqlite": 1000, "postgresql": 800}
EQ_P99_MS = 50
ANDOR_P99_MS = 150
POINT_P50_MS = 2
MIXED_P99_MS = 20  # GET /tickets/{id} while the heaviest search runs
POINT_SEARCHES = ("search id =", "search contact_ids =")
MEMORY_MB = 250


def machine() -> dict[str, Any]:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration, ValueError):
        mem_kb = 0
    try:
        wrk = subprocess.run(
            ["wrk", "--version"], capture_output=True, text=True, timeout=10, check=False
        ).stdout.splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        wrk = "?"
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "wrk": " ".join(wrk.split()[:2]),
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def targets(passes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each target checked on each database pass: {name, db, value, goal, ok}."""
    out: list[dict[str, Any]] = []

    def check(name: str, db: str, value: float | None, goal: str, ok: bool) -> None:
        out.append({"target": name, "db": db, "value": value, "goal": goal, "ok": ok})

    for p in passes:
        db, ceiling = p["db"], p["ceiling"]["c8"]["rps"]
        for r in p["results"]:
            c8, c1 = r.get("c8"), r.get("c1")
            if r.get("failed") and r.get("target") in ("eq", "andor"):
                # no figure to judge: an operation that failed under load misses its target
                check(f"{r['name']} p99 (1 conn)", db, None, "completes", False)
                continue
            if r["name"] == "GET /tickets/{id}" and c8:
                share, goal = (c8["rps"] / ceiling if ceiling else 0), GET_SHARE[db]
                check(
                    "GET share of ceiling",
                    db,
                    round(share * 100, 1),
                    f"≥{goal * 100:.0f} %",
                    share >= goal,
                )
            if r.get("target") == "mixed" and c8:
                check(
                    "GET p99 during the heaviest search (8 conn)",
                    db,
                    round(c8["p99_ms"], 1),
                    f"<{MIXED_P99_MS} ms",
                    c8["p99_ms"] < MIXED_P99_MS,
                )
            if r["name"] == "POST /tickets" and c8:
                goal = CREATE_RPS[db]
                check("POST /tickets", db, round(c8["rps"]), f"≥{goal:,}/s", c8["rps"] >= goal)
            if r["name"] in POINT_SEARCHES and c1:
                check(
                    f"{r['name']} p50 (1 conn)",
                    db,
                    round(c1["p50_ms"], 2),
                    f"<{POINT_P50_MS} ms",
                    c1["p50_ms"] < POINT_P50_MS,
                )
            if r.get("target") in ("eq", "andor") and c1:
                limit = EQ_P99_MS if r["target"] == "eq" else ANDOR_P99_MS
                check(
                    f"{r['name']} p99 (1 conn)",
                    db,
                    round(c1["p99_ms"], 1),
                    f"<{limit} ms",
                    c1["p99_ms"] < limit,
                )
        peak = p["memory"]["peak_mb"]
        check("server peak memory (VmHWM)", db, peak, f"<{MEMORY_MB} MB", peak < MEMORY_MB)
    return out


def _n(value: float | None, digits: int = 1) -> str:
    if value is None:
        return ""
    return f"{value:,.{digits}f}" if digits else f"{value:,.0f}"


def _seed_rows(p: dict[str, Any]) -> str:
    rows = (p.get("seed_report") or {}).get("rows")
    return f", {rows:,} rows, {rows / p['seed_seconds']:,.0f} rows/s" if rows else ""


def _row(r: dict[str, Any], ceiling: dict[str, Any]) -> str:
    c8, c1 = r.get("c8") or {}, r.get("c1") or {}
    share = f"{100 * c8['rps'] / ceiling['c8']['rps']:.1f} %" if c8 and ceiling["c8"]["rps"] else ""
    c1x = f"{c1['p50_ms'] / ceiling['c1']['p50_ms']:.1f}×" if c1 and ceiling["c1"]["p50_ms"] else ""
    errors = r.get("errors", 0)
    cells = [
        r["name"] + (f" ({r['search']})" if r.get("search") else ""),
        _n(c8.get("rps"), 1 if c8 and c8["rps"] < 10 else 0),
        share,
        _n(c8.get("p50_ms"), 2),
        _n(c8.get("p99_ms"), 2),
        _n(c1.get("p50_ms"), 2),
        _n(c1.get("p99_ms"), 2),
        c1x,
        "/".join(str(c.get("requests", "")) for c in (c8, c1) if c),
        _n(r.get("matches"), 0) if r.get("matches") is not None else "",
        str(errors) if not r.get("failed") else f"**FAILED** {errors}",
        _n(r.get("rss_mb"), 0),
    ]
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def markdown(run: dict[str, Any]) -> str:
    m, cfg = run["machine"], run["config"]
    lines = [
        "# Ticketry benchmark",
        "",
        f"- date: {m['date']}; {m['nproc']} CPUs ({m['cpu']}), {m['memory_gb']} GB RAM, {m['os']}",
        f"- load average at start {m['load_average']}",
        f"- Python {m['python']}, {m['wrk']}; " + ", ".join(p["engine"] for p in run["passes"]),
        f"- {cfg['tickets']:,} seeded tickets; {cfg['duration']} s per operation per connection "
        f"count; wrk 1 thread, {cfg['connections']} connections for throughput and 1 for "
        "latency; one `ticketry serve` process",
        "",
    ]
    for p in run["passes"]:
        c = p["ceiling"]
        lines += [
            f"## {p['engine']}",
            "",
            f"seed {p['seed_seconds']:,.1f} s{_seed_rows(p)} ({p['tickets']:,} tickets in the "
            "workspace at start); "
            f"ceiling (bare ASGI app, same uvicorn): {c['c8']['rps']:,.0f} req/s at "
            f"{cfg['connections']} connections, p50 {c['c1']['p50_ms']:.2f} ms at 1; server "
            f"peak memory {p['memory']['peak_mb']:.0f} MB, RSS at end {p['memory']['rss_mb']:.0f} MB",
            "",
            f"| operation | req/s ({cfg['connections']}c) | of ceiling | p50 ms | p99 ms "
            "| p50 ms (1c) | p99 ms (1c) | p50 vs ceiling (1c) | requests (8c/1c) "
            "| matches (median) | errors | RSS MB |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        lines += [_row(r, c) for r in p["results"]]
        lines.append("")
        if p.get("scale"):
            lines += [
                f"Scale-out, `ticketry serve --workers N` (`GET /tickets/{{id}}`, "
                f"{cfg['connections']} connections per process, one wrk thread):",
                "",
                "| processes | connections | req/s | per process | of ceiling | p50 ms | p99 ms "
                "| errors |",
                "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            ]
            for w in p["scale"]:
                share = 100 * w["rps"] / c["c8"]["rps"] if c["c8"]["rps"] else 0
                lines.append(
                    f"| {w['workers']} | {w['connections']} | {w['rps']:,.0f} "
                    f"| {w['rps'] / w['workers']:,.0f} | {share:.1f} % | {w['p50_ms']:.2f} "
                    f"| {w['p99_ms']:.2f} | {w['errors']} |"
                )
            lines.append("")
    lines += [
        "## Targets",
        "",
        "| target | db | measured | goal | result |",
        "| --- | --- | ---: | --- | --- |",
    ]
    for t in run["targets"]:
        verdict = "PASS" if t["ok"] else "**MISS**"
        lines.append(f"| {t['target']} | {t['db']} | {t['value']} | {t['goal']} | {verdict} |")
    failed = [
        f"{p['db']}: {r['name']}" for p in run["passes"] for r in p["results"] if r.get("failed")
    ]
    for broken in run.get("failed_passes", []):
        lines += ["", f"**Database pass FAILED:** {broken}"]
    if failed:
        lines += [
            "",
            "**Operations with errors (non-2xx, socket errors or timeouts):** " + "; ".join(failed),
        ]
    return "\n".join(lines) + "\n"


def write(run: dict[str, Any]) -> str:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_bytes(orjson.dumps(run, option=orjson.OPT_INDENT_2))
    text = markdown(run)
    (RESULTS / "latest.md").write_text(text)
    return text
