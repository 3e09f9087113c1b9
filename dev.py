#!/usr/bin/env python3
"""Fresh-machine entry points: `python3 dev.py serve`, `python3 dev.py test` and
`python3 dev.py bench`.

All create `.venv` next to this file on first use and install the project into it (again
whenever pyproject.toml changes), so a clean clone needs nothing but Python 3.11+.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def ensure_env(extras: str) -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"Ticketry needs Python 3.11 or newer (this is {sys.version.split()[0]})")
    stamp = VENV / ".installed"
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    have = stamp.read_text() if stamp.exists() else ""
    if want in have.split():
        return
    if not (BIN / "python").exists():
        print("creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print(f"installing ticketry{extras} into .venv ...", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-e", f".{extras}"], check=True, cwd=ROOT)
    stamp.write_text(f"{have}\n{want}".strip())


def serve(args: list[str]) -> int:
    ensure_env("")
    return subprocess.call([str(BIN / "ticketry"), "serve", *args], cwd=os.getcwd())


def test(args: list[str]) -> int:
    ensure_env("[test]")
    py = str(BIN / "python")
    for name, command in (
        ("ruff check", [py, "-m", "ruff", "check", "src", "tests", "bench"]),
        ("ruff format --check", [py, "-m", "ruff", "format", "--check", "src", "tests", "bench"]),
        ("mypy", [py, "-m", "mypy"]),
    ):
        print(f"== {name}", flush=True)
        failed = subprocess.call(command, cwd=ROOT)
        if failed:
            return failed
    print("== pytest (SQLite, and PostgreSQL when TICKETRY_TEST_POSTGRES_URL is set)", flush=True)
    code = subprocess.call([py, "-m", "pytest", *args], cwd=ROOT)
    if code == 5:
        print("no tests were collected", flush=True)
        return 0
    return code


def bench(args: list[str]) -> int:
    """The benchmark suite (bench/run.py); needs `wrk` (apt-get install wrk)."""
    ensure_env("")
    return subprocess.call([str(BIN / "python"), str(ROOT / "bench" / "run.py"), *args], cwd=ROOT)


def main() -> int:
    commands = {"serve": serve, "test": test, "bench": bench}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(
            "usage: python3 dev.py serve [--host H] [--port P] | test [pytest args]"
            " | bench [--tickets N] [--db sqlite|postgresql|both] [--duration S] [--quick]"
        )
        return 2
    return commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
