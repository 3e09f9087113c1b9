"""`ticketry webhook create|list|delete|deliveries`: the Subscriptions API's service from
the command line (the worker in a running server sends what they queue)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

import orjson

from ticketry.cli.commands import emit, in_transaction
from ticketry.db.database import Conn
from ticketry.kit import wire
from ticketry.webhooks import render, service
from ticketry.webhooks.schemas import CreateSubscription
from ticketry.workspaces import service as ws


def _workspace(c: Conn, args: argparse.Namespace) -> int:
    return int(ws.find_workspace(c, args.workspace)["id"])


def webhook_create(args: argparse.Namespace) -> None:
    body: dict[str, Any] = {"url": args.url, "topics": args.topics or []}
    if args.hub_secret:
        body["hub_secret"] = args.hub_secret
    if args.api_version:
        body["api_version"] = args.api_version
    payload = wire.parse(CreateSubscription, orjson.dumps(body))
    sub = in_transaction(
        args, lambda c: render.subscription(service.create(c, _workspace(c, args), payload))
    )
    emit(args, sub, f"subscription {sub['id']} created: {sub['url']} {' '.join(sub['topics'])}")


def webhook_list(args: argparse.Namespace) -> None:
    subs = in_transaction(
        args, lambda c: [render.subscription(r) for r in service.listed(c, _workspace(c, args))]
    )
    if args.json:
        print(orjson.dumps(subs).decode())
        return
    for s in subs:
        state = "active" if s["active"] else "inactive"
        print(f"{s['id']}\t{state}\t{s['api_version']}\t{s['url']}\t{' '.join(s['topics'])}")


def webhook_delete(args: argparse.Namespace) -> None:
    in_transaction(args, lambda c: service.remove(c, _workspace(c, args), args.subscription_id))
    emit(args, {"id": args.subscription_id, "deleted": True}, f"{args.subscription_id} deleted")


def webhook_deliveries(args: argparse.Namespace) -> None:
    rows = in_transaction(
        args,
        lambda c: [
            render.delivery(r)
            for r in service.log(c, _workspace(c, args), args.subscription_id, args.limit, None)
        ],
    )
    if args.json:
        print(orjson.dumps(rows).decode())
        return
    for d in rows:
        print(
            f"{d['notification_id']}\t{d['topic']}\t{d['status']}\tattempts {d['attempts']}"
            f"\tlast {d['last_response_status'] or '-'}"
        )


def register(sub: Any, with_workspace: Callable[..., Any]) -> None:
    wh = sub.add_parser("webhook", help="webhook subscriptions and their delivery log")
    cmds = wh.add_subparsers(dest="webhook", required=True)

    p = with_workspace(cmds.add_parser("create", help="subscribe a URL to topics"))
    p.add_argument("url")
    p.add_argument(
        "--topic", action="append", dest="topics", help="a topic to send (repeat for more)"
    )
    p.add_argument("--hub-secret", help="key that signs each notification")
    p.add_argument("--api-version", help="Intercom-Version of the items (default: workspace's)")
    p.set_defaults(func=webhook_create)

    p = with_workspace(cmds.add_parser("list", help="list subscriptions"))
    p.set_defaults(func=webhook_list)

    p = with_workspace(cmds.add_parser("delete", help="delete a subscription and its log"))
    p.add_argument("subscription_id")
    p.set_defaults(func=webhook_delete)

    p = with_workspace(cmds.add_parser("deliveries", help="a subscription's notifications"))
    p.add_argument("subscription_id")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=webhook_deliveries)
