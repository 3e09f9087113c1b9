"""`ticketry state create|update|list`: custom ticket states, which Intercom's API cannot make."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

import orjson

from ticketry.cli.commands import in_transaction
from ticketry.db.database import Conn, Row
from ticketry.ticket_states import queries, render, service
from ticketry.workspaces import service as ws


def _detailed(conn: Conn, workspace_id: int, state_id: int) -> dict[str, Any]:
    found = queries.detailed(conn, workspace_id, state_id)
    assert found is not None
    return render.ticket_state_detailed(*found)


def _line(state: dict[str, Any]) -> str:
    types = ",".join(t["id"] for t in state["ticket_types"]["data"]) or "-"
    flags = " (archived)" if state["archived"] else ""
    return (
        f"{state['id']}\t{state['category']}\t{state['internal_label']}\t"
        f"{state['external_label']}\ttypes {types}{flags}"
    )


def _print(args: argparse.Namespace, state: dict[str, Any], verb: str) -> None:
    if args.json:
        print(orjson.dumps(state).decode())
    else:
        print(f"ticket state {state['id']} {verb}: {_line(state)}")


def state_create(args: argparse.Namespace) -> None:
    def run(c: Conn) -> dict[str, Any]:
        workspace_id = ws.find_workspace(c, args.workspace)["id"]
        row: Row = service.create_state(
            c,
            workspace_id,
            args.category,
            args.internal_label,
            args.external_label,
            args.ticket_types,
        )
        return _detailed(c, workspace_id, row["id"])

    _print(args, in_transaction(args, run), "created")


def state_update(args: argparse.Namespace) -> None:
    def run(c: Conn) -> dict[str, Any]:
        workspace_id = ws.find_workspace(c, args.workspace)["id"]
        service.update_state(
            c,
            workspace_id,
            args.state_id,
            internal_label=args.internal_label,
            external_label=args.external_label,
            archived=args.archived,
            ticket_type_ids=args.ticket_types,
        )
        return _detailed(c, workspace_id, args.state_id)

    _print(args, in_transaction(args, run), "updated")


def state_list(args: argparse.Namespace) -> None:
    def run(c: Conn) -> list[dict[str, Any]]:
        workspace_id = ws.find_workspace(c, args.workspace)["id"]
        return render.ticket_state_list(queries.list_detailed(c, workspace_id))["data"]

    states = in_transaction(args, run)
    if args.json:
        print(orjson.dumps(states).decode())
        return
    for state in states:
        print(_line(state))


def register(sub: Any, with_workspace: Callable[..., Any]) -> None:
    st = sub.add_parser("state", help="ticket states (custom states per ticket type)")
    cmds = st.add_subparsers(dest="state", required=True)

    p = with_workspace(cmds.add_parser("create", help="create a custom ticket state"))
    p.add_argument("--category", required=True, choices=service.CATEGORIES)
    p.add_argument("--internal-label", required=True, help="the label teammates see")
    p.add_argument("--external-label", required=True, help="the label customers see")
    p.add_argument(
        "--ticket-type",
        type=int,
        action="append",
        required=True,
        dest="ticket_types",
        help="id of a ticket type the state applies to (repeat for more)",
    )
    p.set_defaults(func=state_create)

    p = with_workspace(cmds.add_parser("update", help="relabel, archive or relink a state"))
    p.add_argument("state_id", type=int)
    p.add_argument("--internal-label")
    p.add_argument("--external-label")
    archive = p.add_mutually_exclusive_group()
    archive.add_argument("--archive", action="store_const", const=True, dest="archived")
    archive.add_argument("--unarchive", action="store_const", const=False, dest="archived")
    p.add_argument(
        "--ticket-type",
        type=int,
        action="append",
        dest="ticket_types",
        help="replace the linked ticket types (repeat for more)",
    )
    p.set_defaults(func=state_update)

    p = with_workspace(cmds.add_parser("list", help="list ticket states and their types"))
    p.set_defaults(func=state_list)
