"""Creating and reading workspaces, admins, teams and access tokens.

These are set up by operators through the CLI (Intercom's API cannot create them); the
functions take a connection inside the caller's transaction and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, insert, select

from ticketry.db.database import Conn, Row
from ticketry.errors import Conflict, NotFound, ParameterInvalid
from ticketry.kit import auth, ids, versions
from ticketry.tables import access_tokens, admins, team_members, teams, workspaces


def create_workspace(conn: Conn, name: str, default_version: str = versions.DEFAULT.name) -> Row:
    version = versions.parse(default_version)
    if version == versions.get("Unstable"):
        version = versions.PREVIEW
    row = conn.one(
        insert(workspaces)
        .values(
            id_code=ids.workspace_code(),
            name=name,
            default_version=version.name,
            created_at=ids.now(),
        )
        .returning(*workspaces.c)
    )
    assert row is not None
    _on_workspace_created(conn, row["id"])
    return row


def _on_workspace_created(conn: Conn, workspace_id: int) -> None:
    """Seed what every workspace starts with (the default ticket states)."""
    from ticketry.ticket_states.service import create_default_states

    create_default_states(conn, workspace_id)


def get_workspace(conn: Conn, workspace_id: int) -> Row:
    row = conn.one(select(workspaces).where(workspaces.c.id == workspace_id))
    if row is None:
        raise NotFound(f"Workspace {workspace_id} not found")
    return row


def find_workspace(conn: Conn, ref: str | None) -> Row:
    """A workspace by id or id_code; with no ref, the only workspace if there is one."""
    if ref is None:
        rows = conn.all(select(workspaces).order_by(workspaces.c.id).limit(2))
        if len(rows) != 1:
            raise NotFound(
                f"Name a workspace with --workspace (there are {'none' if not rows else 'several'})"
            )
        return rows[0]
    cond = workspaces.c.id_code == ref
    if (ident := ids.parse_id(ref)) is not None:
        cond = cond | (workspaces.c.id == ident)
    row = conn.one(select(workspaces).where(cond))
    if row is None:
        raise NotFound(f"Workspace {ref} not found")
    return row


def set_default_version(conn: Conn, workspace_id: int, version_name: str) -> None:
    version = versions.parse(version_name)
    conn.execute(
        workspaces.update()
        .where(workspaces.c.id == workspace_id)
        .values(default_version=version.name)
    )


# Any constant: the transaction-scoped PostgreSQL advisory lock that serialises handing out
# admin and team ids (SQLite's single writer already does).
_ASSIGNEE_ID_LOCK = 0x7469636B6574


def _next_assignee_id(conn: Conn) -> int:
    """Admins and teams share one id space: `assignee_id` on a ticket update may name
    either, so an id must never mean both. Two processes creating an admin and a team at
    once would read the same maximum, so the read is serialised."""
    if conn.dialect == "postgresql":
        conn.execute("SELECT pg_advisory_xact_lock(%(key)s)", {"key": _ASSIGNEE_ID_LOCK})
    row = conn.one(
        select(
            select(func.coalesce(func.max(admins.c.id), 0)).scalar_subquery().label("a"),
            select(func.coalesce(func.max(teams.c.id), 0)).scalar_subquery().label("t"),
        )
    )
    assert row is not None
    return int(max(row["a"] or 0, row["t"] or 0)) + 1


def create_admin(
    conn: Conn, workspace_id: int, name: str, email: str, job_title: str | None = None
) -> Row:
    if "@" not in email:
        raise ParameterInvalid("email must be an email address", field="email")
    if conn.one(
        select(admins.c.id).where(admins.c.workspace_id == workspace_id, admins.c.email == email)
    ):
        raise Conflict(f"An admin with email {email} already exists")
    return conn.one(
        insert(admins)
        .values(
            id=_next_assignee_id(conn),
            workspace_id=workspace_id,
            name=name,
            email=email,
            job_title=job_title,
            away_mode_enabled=False,
            away_mode_reassign=False,
            has_inbox_seat=True,
            created_at=ids.now(),
        )
        .returning(*admins.c)
    )


def create_team(conn: Conn, workspace_id: int, name: str, admin_ids: list[int]) -> Row:
    if conn.one(
        select(teams.c.id).where(teams.c.workspace_id == workspace_id, teams.c.name == name)
    ):
        raise Conflict(f"A team named {name} already exists")
    found = (
        {
            r["id"]
            for r in conn.all(
                select(admins.c.id).where(
                    admins.c.workspace_id == workspace_id, admins.c.id.in_(admin_ids)
                )
            )
        }
        if admin_ids
        else set()
    )
    missing = [a for a in admin_ids if a not in found]
    if missing:
        raise NotFound(f"Admin {missing[0]} not found", code="admin_not_found")
    team_id = conn.scalar(
        insert(teams)
        .values(
            id=_next_assignee_id(conn), workspace_id=workspace_id, name=name, created_at=ids.now()
        )
        .returning(teams.c.id)
    )
    for admin_id in dict.fromkeys(admin_ids):
        conn.execute(
            insert(team_members).values(
                team_id=team_id, admin_id=admin_id, workspace_id=workspace_id
            )
        )
    return conn.one(select(teams).where(teams.c.id == team_id))


@dataclass(frozen=True)
class IssuedToken:
    id: int
    token: str  # shown once; only its hash is stored


def create_token(
    conn: Conn, workspace_id: int, admin_id: int, name: str = "default", token: str | None = None
) -> IssuedToken:
    """A new token for the admin; `token` gives its value (the bootstrap token), else a
    random one is made."""
    if (
        conn.one(
            select(admins.c.id).where(
                admins.c.workspace_id == workspace_id, admins.c.id == admin_id
            )
        )
        is None
    ):
        raise NotFound(f"Admin {admin_id} not found", code="admin_not_found")
    if token is None:
        token = auth.new_token()
    else:
        auth.check_chosen_token(token)
        if conn.one(
            select(access_tokens.c.id).where(access_tokens.c.token_hash == auth.token_hash(token))
        ):
            raise Conflict("That token is already in use")
    token_id = conn.scalar(
        insert(access_tokens)
        .values(
            workspace_id=workspace_id,
            admin_id=admin_id,
            name=name,
            token_hash=auth.token_hash(token),
            created_at=ids.now(),
        )
        .returning(access_tokens.c.id)
    )
    return IssuedToken(token_id, token)


def revoke_token(conn: Conn, workspace_id: int, token_id: int) -> bool:
    return (
        conn.execute(
            access_tokens.update()
            .where(
                access_tokens.c.workspace_id == workspace_id,
                access_tokens.c.id == token_id,
                access_tokens.c.revoked_at.is_(None),
            )
            .values(revoked_at=ids.now())
        )
        == 1
    )


def is_empty(conn: Conn) -> bool:
    return conn.one(select(workspaces.c.id).limit(1)) is None


@dataclass(frozen=True)
class Bootstrap:
    workspace: Row
    admin: Row
    token: IssuedToken


def bootstrap(
    conn: Conn,
    name: str = "My workspace",
    admin_name: str = "Admin",
    admin_email: str = "admin@example.com",
    token: str | None = None,
) -> Bootstrap:
    """A first workspace, admin and token, as `ticketry serve` makes on an empty database;
    `token` (TICKETRY_BOOTSTRAP_TOKEN, `serve --token`) makes the token a known value."""
    ws = create_workspace(conn, name)
    admin = create_admin(conn, ws["id"], admin_name, admin_email)
    return Bootstrap(ws, admin, create_token(conn, ws["id"], admin["id"], "bootstrap", token))
