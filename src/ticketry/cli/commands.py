"""The `ticketry` subcommands. Each opens one transaction and calls service functions."""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from collections.abc import Callable
from typing import Any

import orjson

from ticketry.db.database import Conn, Database
from ticketry.kit import auth
from ticketry.settings import Settings
from ticketry.workspaces import service as ws


def settings_of(args: argparse.Namespace) -> Settings:
    return Settings.from_env(
        database_url=args.database_url,
        bootstrap_token=getattr(args, "token", None),
        test_kit=getattr(args, "test_kit", None),
    )


def in_transaction(args: argparse.Namespace, fn: Callable[[Conn], Any]) -> Any:
    db = Database(settings_of(args))
    try:
        with db.transaction() as conn:
            return fn(conn)
    finally:
        db.close()


def emit(args: argparse.Namespace, data: dict[str, Any], text: str) -> None:
    print(orjson.dumps(data).decode() if getattr(args, "json", False) else text)


def serve(args: argparse.Namespace) -> None:
    import uvicorn

    from ticketry.db import migrate
    from ticketry.kit.server import uvicorn_options

    settings = settings_of(args)
    chosen = settings.bootstrap_token
    if chosen is not None:
        auth.check_chosen_token(chosen)  # before anything is written
    migrate.upgrade(settings.database_url)
    from ticketry.inbox import accounts
    from ticketry.web import passwords

    password = secrets.token_urlsafe(12)
    password_hash = passwords.hash_password(password)

    def first_run(c: Conn) -> ws.Bootstrap | None:
        if not ws.is_empty(c):
            return None
        boot = ws.bootstrap(c, token=chosen)
        accounts.set_password(c, boot.workspace["id"], boot.admin["id"], password_hash)
        return boot

    boot = in_transaction(args, first_run)
    url = f"http://{args.host}:{args.port}"
    print(f"Ticketry is serving the Intercom Tickets API at {url}", flush=True)
    print(f"Database: {_redact(settings.database_url)}", flush=True)
    if boot is not None:
        print(
            f"Created workspace {boot.workspace['id_code']} and admin "
            f"{boot.admin['email']} (id {boot.admin['id']}).",
            flush=True,
        )
        if chosen is None:
            print(f"Access token (shown once, store it now): {boot.token.token}", flush=True)
            print(f'Try: curl -H "Authorization: Bearer {boot.token.token}" {url}/me', flush=True)
        else:
            print("Access token: the bootstrap token you gave (not echoed)", flush=True)
        print(
            f"Inbox: open {url}/ and sign in as {boot.admin['email']} with password "
            f"{password} (shown once; change it with "
            f"`ticketry admin set-password --admin {boot.admin['id']}`).",
            flush=True,
        )
    else:
        if chosen is not None:
            print(
                "The database already has a workspace: the bootstrap token was not used",
                flush=True,
            )
        else:
            print(
                "Create an access token with: ticketry token create --admin <admin id>",
                flush=True,
            )
        print(
            f"Inbox: open {url}/ and sign in with an admin's email and password "
            "(set one with `ticketry admin set-password --admin <admin id>`).",
            flush=True,
        )
    if settings.test_kit:
        print(f"Test kit on: the control API is at {url}/ticketry/", flush=True)
    os.environ["TICKETRY_DATABASE_URL"] = settings.database_url
    # The worker processes read their settings from the environment.
    if settings.test_kit:
        os.environ["TICKETRY_TEST_KIT"] = "true"
    if chosen is not None:
        os.environ["TICKETRY_BOOTSTRAP_TOKEN"] = chosen
    uvicorn.run(
        "ticketry.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        **uvicorn_options(settings),
    )


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}" if ":" in creds else url
    return url


def db_upgrade(args: argparse.Namespace) -> None:
    from ticketry.db import migrate  # alembic: imported only by the commands that migrate

    url = settings_of(args).database_url
    migrate.upgrade(url)
    print(f"database at revision {migrate.current(url)[0]}")


def db_current(args: argparse.Namespace) -> None:
    from ticketry.db import migrate

    rev, head = migrate.current(settings_of(args).database_url)
    state = "up to date" if rev == head else f"behind (newest is {head})"
    print(f"{rev or 'empty'} ({state})")


def _workspace_dict(row: Any) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "id_code": row["id_code"],
        "name": row["name"],
        "default_version": row["default_version"],
    }


def workspace_create(args: argparse.Namespace) -> None:
    row = in_transaction(args, lambda c: ws.create_workspace(c, args.name, args.default_version))
    emit(args, _workspace_dict(row), f"workspace {row['id']} ({row['id_code']}) created")


def workspace_list(args: argparse.Namespace) -> None:
    from sqlalchemy import select

    from ticketry.tables import workspaces

    rows = in_transaction(args, lambda c: c.all(select(workspaces).order_by(workspaces.c.id)))
    if args.json:
        print(orjson.dumps([_workspace_dict(r) for r in rows]).decode())
        return
    for r in rows:
        print(f"{r['id']}\t{r['id_code']}\t{r['default_version']}\t{r['name']}")


def workspace_set_version(args: argparse.Namespace) -> None:
    def run(c: Conn) -> Any:
        row = ws.find_workspace(c, args.workspace)
        ws.set_default_version(c, row["id"], args.version)
        return ws.get_workspace(c, row["id"])

    row = in_transaction(args, run)
    emit(
        args,
        _workspace_dict(row),
        f"workspace {row['id']} now defaults to {row['default_version']}",
    )


def admin_create(args: argparse.Namespace) -> None:
    from ticketry.cli import web
    from ticketry.inbox import accounts
    from ticketry.web import passwords

    password, generated = None, False
    if args.password or args.generate_password:
        args.generate = args.generate_password
        password, generated = web.read_password(args)
        password_hash = passwords.hash_password(password)  # refuses a weak one before creating

    def run(c: Conn) -> Any:
        row = ws.create_admin(
            c, ws.find_workspace(c, args.workspace)["id"], args.name, args.email, args.job_title
        )
        if password is not None:
            accounts.set_password(c, row["workspace_id"], row["id"], password_hash)
        return row

    row = in_transaction(args, run)
    shown = {"password": password} if generated else {}
    emit(
        args,
        {
            "id": str(row["id"]),
            "workspace_id": str(row["workspace_id"]),
            "name": row["name"],
            "email": row["email"],
            **shown,
        },
        f"admin {row['id']} ({row['email']}) created"
        + (f"\ninbox password (shown once): {password}" if generated else ""),
    )


def team_create(args: argparse.Namespace) -> None:
    def run(c: Conn) -> Any:
        return ws.create_team(c, ws.find_workspace(c, args.workspace)["id"], args.name, args.admins)

    row = in_transaction(args, run)
    emit(
        args,
        {"id": str(row["id"]), "name": row["name"], "admin_ids": args.admins},
        f"team {row['id']} ({row['name']}) created",
    )


def token_create(args: argparse.Namespace) -> None:
    def run(c: Conn) -> Any:
        return ws.create_token(c, ws.find_workspace(c, args.workspace)["id"], args.admin, args.name)

    issued = in_transaction(args, run)
    emit(args, {"id": str(issued.id), "token": issued.token}, issued.token)
    if not args.json:
        print("(shown once: only a hash is stored)", file=sys.stderr)


def token_revoke(args: argparse.Namespace) -> None:
    def run(c: Conn) -> bool:
        return ws.revoke_token(c, ws.find_workspace(c, args.workspace)["id"], args.token_id)

    if not in_transaction(args, run):
        print(f"error: no active token {args.token_id}", file=sys.stderr)
        sys.exit(1)
    emit(args, {"id": str(args.token_id), "revoked": True}, f"token {args.token_id} revoked")


def register_extra(sub: Any, with_workspace: Callable[..., Any]) -> None:
    """Subcommands owned by other domains (ticket states, seeding) hook in here."""
    from ticketry.cli import control, seed, states, webhooks

    states.register(sub, with_workspace)
    seed.register(sub)
    webhooks.register(sub, with_workspace)
    control.register(sub)
