"""The small things of a seeded workspace, made through the real services so their rules
and defaults apply: the workspace, teammates, teams, tags, ticket types with attributes,
custom states and an access token.

Seeding an existing workspace again reuses what an earlier seed made (matched by admin
email, team, tag and type name, attribute name, state label) and creates what is missing,
so appended tickets share the same types and attributes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import false, select

from ticketry.db.database import Conn
from ticketry.errors import ParameterInvalid
from ticketry.seed import catalogue
from ticketry.seed.catalogue import TypeSpec
from ticketry.tables import admins, teams, ticket_states, ticket_types
from ticketry.tags import service as tags_service
from ticketry.tags.schemas import TagWrite
from ticketry.ticket_states import queries as state_queries
from ticketry.ticket_states import service as state_service
from ticketry.ticket_types import queries as type_queries
from ticketry.ticket_types import service as type_service
from ticketry.ticket_types.queries import TypeData
from ticketry.workspaces import service as ws


@dataclass(slots=True)
class SeededType:
    spec: TypeSpec
    data: TypeData  # rows as plain dicts, so a plan can cross a process boundary
    states: list[dict[str, Any]]  # the states a ticket of this type may take


@dataclass(slots=True)
class Setup:
    workspace: dict[str, Any]
    token: str
    admin_ids: list[int]
    team_members: dict[int, list[int]]  # team id -> member admin ids
    tag_ids: list[int]
    types: list[SeededType]
    submitted_state_id: int
    custom_state_ids: list[int]


def _admin_email(name: str) -> str:
    return name.lower().replace(" ", ".") + "@" + catalogue.ADMIN_DOMAIN


def _admins(conn: Conn, workspace_id: int) -> list[int]:
    out = []
    for name, job_title in catalogue.ADMINS:
        email = _admin_email(name)
        found = conn.scalar(
            select(admins.c.id).where(
                admins.c.workspace_id == workspace_id, admins.c.email == email
            )
        )
        if found is None:
            found = ws.create_admin(conn, workspace_id, name, email, job_title)["id"]
        out.append(int(found))
    return out


def _teams(conn: Conn, workspace_id: int, admin_ids: list[int]) -> dict[int, list[int]]:
    out = {}
    for name, members in catalogue.TEAMS:
        member_ids = [admin_ids[i] for i in members]
        found = conn.scalar(
            select(teams.c.id).where(teams.c.workspace_id == workspace_id, teams.c.name == name)
        )
        if found is None:
            found = ws.create_team(conn, workspace_id, name, member_ids)["id"]
        out[int(found)] = member_ids
    return out


def _tags(conn: Conn, workspace_id: int) -> list[int]:
    return [
        int(tags_service.save_tag(conn, workspace_id, TagWrite(name=name))["id"])
        for name in catalogue.TAGS
    ]


def _type(conn: Conn, workspace_id: int, spec: TypeSpec) -> int:
    type_id = conn.scalar(
        select(ticket_types.c.id)
        .where(
            ticket_types.c.workspace_id == workspace_id,
            ticket_types.c.name == spec.name,
            ticket_types.c.category == spec.category,
            ticket_types.c.archived == false(),
        )
        .order_by(ticket_types.c.id)
    )
    if type_id is None:
        type_id = type_service.create_type(
            conn,
            workspace_id,
            name=spec.name,
            description=spec.description,
            category=spec.category,
            icon=spec.icon,
        )
    existing = {a["name"]: a for a in type_queries.attributes_of(conn, workspace_id, type_id)}
    for attr in spec.attributes:
        found = existing.get(attr.name)
        if found is not None:
            if found["data_type"] != attr.data_type or found["archived"]:
                raise ParameterInvalid(
                    f"Ticket type {spec.name!r} already has an attribute {attr.name!r} that is "
                    f"{'archived' if found['archived'] else found['data_type']}; "
                    f"seeding needs a live {attr.data_type}",
                    field="ticket_type_attributes",
                )
            continue
        fields: dict[str, Any] = {
            "name": attr.name,
            "description": f"{attr.name} ({attr.data_type})",
            "data_type": attr.data_type,
        }
        if attr.data_type == "list":
            fields["list_items"] = ",".join(attr.options)
            fields["allow_multiple_values"] = attr.multiple
        type_service.create_attribute(conn, workspace_id, type_id, fields)
    return int(type_id)


def _custom_states(conn: Conn, workspace_id: int, type_ids: dict[str, int]) -> list[int]:
    rows = conn.all(
        select(ticket_states).where(
            ticket_states.c.workspace_id == workspace_id, ticket_states.c.is_default == false()
        )
    )
    out = []
    for category, internal, external, type_names in catalogue.CUSTOM_STATES:
        found = next(
            (r for r in rows if r["category"] == category and r["internal_label"] == internal),
            None,
        )
        if found is None:
            found = state_service.create_state(
                conn, workspace_id, category, internal, external, [type_ids[n] for n in type_names]
            )
        out.append(int(found["id"]))
    return out


def _plain(data: TypeData) -> TypeData:
    row = dict(data.row)
    return TypeData.of(row, [dict(a) for a in data.attributes])


def prepare(conn: Conn, workspace_ref: str | None, tickets: int) -> Setup:
    """Create (or find) everything tickets refer to, in the caller's transaction."""
    if workspace_ref is None:
        workspace = ws.create_workspace(conn, f"Seeded {tickets}")
    else:
        workspace = ws.find_workspace(conn, workspace_ref)
    workspace_id = int(workspace["id"])
    admin_ids = _admins(conn, workspace_id)
    team_members = _teams(conn, workspace_id, admin_ids)
    tag_ids = _tags(conn, workspace_id)
    type_ids = {spec.name: _type(conn, workspace_id, spec) for spec in catalogue.TYPES}
    custom_state_ids = _custom_states(conn, workspace_id, type_ids)
    loaded = type_queries.load_types(conn, workspace_id, type_ids.values())
    offered = state_queries.states_by_type(conn, workspace_id)
    types = [
        SeededType(spec, _plain(loaded[type_ids[spec.name]]), [dict(s) for s in offered[tid]])
        for spec in catalogue.TYPES
        for tid in [type_ids[spec.name]]
    ]
    token = ws.create_token(conn, workspace_id, admin_ids[0], "seed").token
    return Setup(
        workspace=dict(workspace),
        token=token,
        admin_ids=admin_ids,
        team_members=team_members,
        tag_ids=tag_ids,
        types=types,
        submitted_state_id=int(state_queries.default_state(conn, workspace_id, "submitted")["id"]),
        custom_state_ids=custom_state_ids,
    )
