"""Argument parsing for the `ticketry` command; each subcommand is a thin call into services."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Sequence

import psycopg
from sqlalchemy.exc import SQLAlchemyError

from ticketry.cli import commands, web
from ticketry.errors import ApiError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ticketry", description="A self-hostable server for Intercom's Tickets API."
    )
    parser.add_argument(
        "--database-url",
        help="overrides TICKETRY_DATABASE_URL "
        "(default sqlite:///ticketry.db in the current directory)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="migrate the database and serve the API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes (use PostgreSQL when more than one)",
    )
    serve.add_argument("--log-level", default="info")
    serve.add_argument(
        "--token",
        help="on an empty database, make this the first admin's access token "
        "(overrides TICKETRY_BOOTSTRAP_TOKEN; 16+ characters)",
    )
    serve.add_argument(
        "--test-kit",
        action="store_true",
        default=None,
        help="serve the /ticketry/ control API: reset, snapshots, faults, request log "
        "(same as TICKETRY_TEST_KIT=true; never in production)",
    )
    serve.set_defaults(func=commands.serve)

    db = sub.add_parser("db", help="database migrations").add_subparsers(dest="db", required=True)
    db.add_parser("upgrade", help="migrate to the newest schema").set_defaults(
        func=commands.db_upgrade
    )
    db.add_parser("current", help="show the schema revision").set_defaults(func=commands.db_current)

    def with_json(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--json", action="store_true", help="print JSON for scripts")
        return p

    def with_workspace(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--workspace", help="workspace id or id_code (default: the only one)")
        return with_json(p)

    ws = sub.add_parser("workspace", help="workspaces").add_subparsers(dest="ws", required=True)
    p = with_json(ws.add_parser("create", help="create a workspace"))
    p.add_argument("--name", required=True)
    p.add_argument(
        "--default-version",
        default="2.14",
        help="Intercom-Version used when a request sends none (default 2.14)",
    )
    p.set_defaults(func=commands.workspace_create)
    with_json(ws.add_parser("list", help="list workspaces")).set_defaults(
        func=commands.workspace_list
    )
    p = with_workspace(ws.add_parser("set-version", help="change the default Intercom-Version"))
    p.add_argument("version")
    p.set_defaults(func=commands.workspace_set_version)

    adm = sub.add_parser("admin", help="admins").add_subparsers(dest="adm", required=True)
    p = with_workspace(adm.add_parser("create", help="create an admin (teammate)"))
    p.add_argument("--name", required=True)
    p.add_argument("--email", required=True)
    p.add_argument("--job-title")
    p.add_argument(
        "--password",
        action="store_true",
        help="also set an inbox password (prompted, or the first line of stdin)",
    )
    p.add_argument(
        "--generate-password", action="store_true", help="also set a random inbox password"
    )
    p.set_defaults(func=commands.admin_create)
    web.register(adm, ws, with_workspace)

    team = sub.add_parser("team", help="teams").add_subparsers(dest="team", required=True)
    p = with_workspace(team.add_parser("create", help="create a team of admins"))
    p.add_argument("--name", required=True)
    p.add_argument(
        "--admin",
        type=int,
        action="append",
        default=[],
        dest="admins",
        help="admin id (repeat for more)",
    )
    p.set_defaults(func=commands.team_create)

    tok = sub.add_parser("token", help="access tokens").add_subparsers(dest="tok", required=True)
    p = with_workspace(tok.add_parser("create", help="create an access token (printed once)"))
    p.add_argument("--admin", type=int, required=True, help="the admin the token acts as")
    p.add_argument("--name", default="cli")
    p.set_defaults(func=commands.token_create)
    p = with_workspace(tok.add_parser("revoke", help="revoke an access token by its id"))
    p.add_argument("token_id", type=int)
    p.set_defaults(func=commands.token_revoke)

    commands.register_extra(sub, with_workspace)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except ApiError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        sys.exit(1)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    except (sqlite3.Error, psycopg.Error, SQLAlchemyError) as exc:
        # An unreachable server, a missing directory, a database not migrated yet.
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(
            f"error: database: {first} (is the database URL right, and migrated with"
            " `ticketry db upgrade`?)",
            file=sys.stderr,
        )
        sys.exit(1)
