"""`ticketry admin set-password` and `ticketry workspace show-secret`: what the browser
inbox and the portal need that no API call sets."""

from __future__ import annotations

import argparse
import getpass
import secrets
import sys

from ticketry.cli.commands import emit, in_transaction
from ticketry.db.database import Conn
from ticketry.inbox import accounts
from ticketry.web import passwords, sessions
from ticketry.workspaces import service as ws


def read_password(args: argparse.Namespace) -> tuple[str, bool]:
    """The new password and whether it was generated: `--generate`, else a prompt on a
    terminal (asked twice), else the first line of standard input. Never an argument,
    which other users of the machine could read in the process list."""
    if getattr(args, "generate", False):
        return secrets.token_urlsafe(12), True
    if sys.stdin.isatty():
        first = getpass.getpass("New password: ")
        if getpass.getpass("Again: ") != first:
            raise ValueError("the two passwords differ")
        return first, False
    return sys.stdin.readline().rstrip("\r\n"), False


def set_password(conn: Conn, workspace_ref: str | None, admin_id: int, password: str) -> None:
    workspace_id = ws.find_workspace(conn, workspace_ref)["id"]
    accounts.set_password(conn, workspace_id, admin_id, passwords.hash_password(password))


def admin_set_password(args: argparse.Namespace) -> None:
    password, generated = read_password(args)
    passwords.check_strength(password)
    in_transaction(args, lambda c: set_password(c, args.workspace, args.admin, password))
    text = f"password set for admin {args.admin}; sign in at / with the admin's email"
    if generated:
        text += f"\npassword (shown once): {password}"
    emit(
        args,
        {"id": str(args.admin), **({"password": password} if generated else {})},
        text,
    )


def workspace_show_secret(args: argparse.Namespace) -> None:
    def run(c: Conn) -> tuple[int, str]:
        workspace_id = ws.find_workspace(c, args.workspace)["id"]
        return workspace_id, sessions.identity_secret(c, workspace_id)

    workspace_id, secret = in_transaction(args, run)
    emit(
        args,
        {"workspace_id": str(workspace_id), "identity_secret": secret},
        f"identity verification secret of workspace {workspace_id}: {secret}\n"
        "Keep it on your server: portal links are signed with it (see the README, "
        '"The customer portal").',
    )


def register(
    adm: argparse._SubParsersAction,  # type: ignore[type-arg]
    wsp: argparse._SubParsersAction,  # type: ignore[type-arg]
    with_workspace: object,
) -> None:
    assert callable(with_workspace)
    p = with_workspace(
        adm.add_parser(
            "set-password",
            help="set an admin's inbox password (prompted, or the first line of stdin)",
        )
    )
    p.add_argument("--admin", type=int, required=True, help="the admin's id")
    p.add_argument("--generate", action="store_true", help="make a random one and print it")
    p.set_defaults(func=admin_set_password)
    p = with_workspace(
        wsp.add_parser("show-secret", help="the identity verification secret for portal links")
    )
    p.set_defaults(func=workspace_show_secret)
