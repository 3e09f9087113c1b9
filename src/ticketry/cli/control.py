"""`ticketry control ...`: the test kit's control API from the command line.

These talk to a running server over HTTP (faults, the request log, snapshots and clocks
live in the server process), as the token's workspace: `--url` (TICKETRY_URL, default
http://127.0.0.1:8000) and `--token` (TICKETRY_TOKEN). Each prints the answer as JSON.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

import httpx
import orjson

from ticketry.errors import ApiError

DEFAULT_URL = "http://127.0.0.1:8000"


def _target(args: argparse.Namespace) -> tuple[str, str]:
    url = (args.url or os.environ.get("TICKETRY_URL") or DEFAULT_URL).rstrip("/")
    token = args.token or os.environ.get("TICKETRY_TOKEN")
    if not token:
        raise ValueError("give the workspace's access token with --token or TICKETRY_TOKEN")
    return url, token


def _call(args: argparse.Namespace, method: str, path: str, **kwargs: Any) -> None:
    url, token = _target(args)
    try:
        resp = httpx.request(
            method,
            f"{url}/ticketry/{path}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
            **kwargs,
        )
    except httpx.TransportError as exc:
        raise ApiError(f"cannot reach {url}: {exc}") from None
    if resp.status_code != 200:
        try:
            message = resp.json()["errors"][0]["message"]
        except (ValueError, KeyError, IndexError, TypeError):
            message = resp.text[:200]
        if resp.status_code == 404 and path.split("/")[0] in ("reset", "faults", "clock"):
            message += " (is the server running with --test-kit?)"
        raise ApiError(f"{resp.status_code}: {message}")
    print(orjson.dumps(resp.json(), option=orjson.OPT_INDENT_2).decode())


def reset(args: argparse.Namespace) -> None:
    _call(args, "POST", "reset")


def snapshot(args: argparse.Namespace) -> None:
    _call(args, "POST", "snapshots", json={"name": args.name})


def snapshots(args: argparse.Namespace) -> None:
    _call(args, "GET", "snapshots")


def restore(args: argparse.Namespace) -> None:
    _call(args, "POST", f"snapshots/{args.snapshot_id}/restore")


def snapshot_delete(args: argparse.Namespace) -> None:
    _call(args, "DELETE", f"snapshots/{args.snapshot_id}")


def fault(args: argparse.Namespace) -> None:
    spec: dict[str, Any] = {"path": args.path, "times": args.times}
    for key in ("method", "status", "latency_ms", "retry_after"):
        if getattr(args, key) is not None:
            spec[key] = getattr(args, key)
    _call(args, "POST", "faults", json=spec)


def faults(args: argparse.Namespace) -> None:
    _call(args, "DELETE" if args.clear else "GET", "faults")


def fault_delete(args: argparse.Namespace) -> None:
    _call(args, "DELETE", f"faults/{args.fault_id}")


def clock(args: argparse.Namespace) -> None:
    if args.real:
        _call(args, "DELETE", "clock")
    elif args.now is not None:
        _call(args, "PUT", "clock", json={"now": args.now})
    elif args.advance is not None:
        _call(args, "PUT", "clock", json={"advance": args.advance})
    else:
        _call(args, "GET", "clock")


def requests(args: argparse.Namespace) -> None:
    _call(args, "GET", "requests", params={"limit": args.limit})


def fixtures_load(args: argparse.Namespace) -> None:
    from ticketry.control import fixtures

    doc = fixtures.read(Path(args.file))  # checked whole before anything is made
    url, token = _target(args)
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
            made = fixtures.load(client, doc)
    except httpx.TransportError as exc:
        raise ApiError(f"cannot reach {url}: {exc}") from None
    except fixtures.FixtureError as exc:
        raise ApiError(str(exc)) from None
    print(orjson.dumps(made, option=orjson.OPT_INDENT_2).decode())


def register(sub: Any) -> None:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--url", help=f"the server (TICKETRY_URL, default {DEFAULT_URL})")
    parent.add_argument("--token", help="the workspace's access token (TICKETRY_TOKEN)")
    ctl = sub.add_parser(
        "control", help="the test kit's control API of a running server (--test-kit)"
    ).add_subparsers(dest="control", required=True)

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return ctl.add_parser(name, help=help, parents=[parent])

    command("reset", "delete every object of the workspace").set_defaults(func=reset)
    p = command("snapshot", "take a snapshot of the workspace")
    p.add_argument("--name")
    p.set_defaults(func=snapshot)
    command("snapshots", "list the workspace's snapshots").set_defaults(func=snapshots)
    p = command("restore", "restore a snapshot")
    p.add_argument("snapshot_id")
    p.set_defaults(func=restore)
    p = command("snapshot-delete", "forget a snapshot")
    p.add_argument("snapshot_id")
    p.set_defaults(func=snapshot_delete)
    p = command("fault", "make the next matching requests fail (or wait)")
    p.add_argument("--path", required=True, help='a glob such as "/tickets/*"')
    p.add_argument("--status", type=int, help="the HTTP status to answer (none: latency only)")
    p.add_argument("--method")
    p.add_argument("--times", type=int, default=1)
    p.add_argument("--latency-ms", type=int)
    p.add_argument("--retry-after", type=int)
    p.set_defaults(func=fault)
    p = command("faults", "list the pending faults")
    p.add_argument("--clear", action="store_true", help="delete them all")
    p.set_defaults(func=faults)
    p = command("fault-delete", "delete one fault")
    p.add_argument("fault_id")
    p.set_defaults(func=fault_delete)
    p = command("clock", "show, freeze, advance or release the workspace's clock")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--now", type=int, help="freeze at this UNIX time")
    group.add_argument("--advance", type=int, help="move forward this many seconds")
    group.add_argument("--real", action="store_true", help="back to real time")
    p.set_defaults(func=clock)
    p = command("requests", "what the workspace's clients sent, newest first")
    p.add_argument("--limit", type=int, default=20)
    p.set_defaults(func=requests)

    fx = sub.add_parser("fixtures", help="declarative test data").add_subparsers(
        dest="fixtures", required=True
    )
    p = fx.add_parser(
        "load",
        parents=[parent],
        help="make the ticket types, states, contacts, companies, tags and tickets of a "
        "YAML or JSON file in the token's workspace (over the API of a running server)",
    )
    p.add_argument("file")
    p.set_defaults(func=fixtures_load)
