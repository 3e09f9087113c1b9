"""`assignee_id` names an admin or a team, so admin and team ids must never coincide, in any
workspace: these tests make their own admins and teams and do not depend on what other
tests created before them (the database is shared by the whole session).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tests.conftest import Server, Workspace, make_api, make_workspace
from tests.helpers import assert_error
from tests.ticket_fixtures import make_contact, make_ticket, make_type
from ticketry.tables import admins, teams
from ticketry.workspaces import service as ws_service

CATCH_UP_LIMIT = 5000  # far more admins or teams than a test session creates


def people(server: Server, ws: Workspace, tag: str) -> tuple[list[int], list[int]]:
    """Admins and teams of `ws`, made in alternation until their ids interleave: a scheme
    that numbered admins and teams separately would give one of these teams an admin's id
    (or the other way round), whatever the database held before."""

    def run(conn: Any) -> tuple[list[int], list[int]]:
        made_admins: list[int] = [ws.admin_id]
        made_teams: list[int] = []
        n = 0

        def admin() -> int:
            nonlocal n
            n += 1
            email = f"{tag}-{n}@example.com"
            made_admins.append(ws_service.create_admin(conn, ws.id, f"A{n}", email)["id"])
            return made_admins[-1]

        def team() -> int:
            nonlocal n
            n += 1
            made_teams.append(
                ws_service.create_team(conn, ws.id, f"{tag} {n}", [ws.admin_id])["id"]
            )
            return made_teams[-1]

        admin()
        team()
        admin()
        team()
        while made_teams[-1] < made_admins[-1] and n < CATCH_UP_LIMIT:
            team()
        while made_admins[-1] < made_teams[-1] and n < CATCH_UP_LIMIT:
            admin()
        team()
        return made_admins, made_teams

    return server.tx(run)


def all_ids(server: Server) -> tuple[set[int], set[int]]:
    def run(conn: Any) -> tuple[set[int], set[int]]:
        return (
            {r["id"] for r in conn.all(select(admins.c.id))},
            {r["id"] for r in conn.all(select(teams.c.id))},
        )

    return server.tx(run)


def test_admin_and_team_ids_never_coincide(server: Server) -> None:
    first = make_workspace(server, "Ids one")
    second = make_workspace(server, "Ids two")
    a1, t1 = people(server, first, "one")
    a2, t2 = people(server, second, "two")
    mine = set(a1) | set(a2)
    assert not mine & (set(t1) | set(t2))
    # nor with any admin or team anywhere in the database, in any workspace
    every_admin, every_team = all_ids(server)
    assert not every_admin & every_team, sorted(every_admin & every_team)[:10]


def test_assignee_id_assigns_the_admin_or_the_team_it_names(server: Server) -> None:
    ws = make_workspace(server, "Assignees")
    other = make_workspace(server, "Elsewhere")
    my_admins, my_teams = people(server, ws, "me")
    their_admins, their_teams = people(server, other, "them")
    with make_api(server, ws.token) as api:
        ticket_type = make_type(api, "Bug")
        contact = make_contact(api, "gus@example.com")
        ticket = make_ticket(api, ticket_type["id"], contact["id"])
        url = f"/tickets/{ticket['id']}"

        def assign(assignee: int, version: str = "2.16") -> dict[str, Any]:
            resp = api.put(url, json={"assignee_id": str(assignee)}, version=version)
            assert resp.status_code == 200, resp.text
            return resp.json()

        for admin_id in my_admins:
            body = assign(admin_id)
            assert body["admin_assignee_id"] == admin_id, admin_id
            assert body["ticket_parts"]["ticket_parts"][-1]["assigned_to"] == {
                "type": "admin",
                "id": str(admin_id),
            }
        for team_id in my_teams:
            body = assign(team_id)
            assert body["team_assignee_id"] == team_id, team_id
            assert body["ticket_parts"]["ticket_parts"][-1]["assigned_to"] == {
                "type": "team",
                "id": str(team_id),
            }
        # the last team assignment kept the last admin assignee: they are separate fields
        assert body["admin_assignee_id"] == my_admins[-1]
        # search tells them apart too
        found = api.post(
            "/tickets/search",
            json={
                "query": {"field": "team_assignee_id", "operator": "=", "value": str(my_teams[-1])}
            },
        ).json()
        assert [t["id"] for t in found["tickets"]] == [ticket["id"]]
        for field, value in (
            ("admin_assignee_id", my_teams[-1]),
            ("team_assignee_id", my_admins[-1]),
        ):
            found = api.post(
                "/tickets/search",
                json={"query": {"field": field, "operator": "=", "value": str(value)}},
            ).json()
            assert found["total_count"] == 0, (field, value)

        # another workspace's admins and teams are no assignees here
        for foreign in (their_admins[-1], their_teams[-1]):
            assert_error(
                api.put(url, json={"assignee_id": str(foreign)}),
                404,
                "assignee_not_found",
                field="assignee_id",
            )
        # on create, a team id is not an admin assignee nor an admin id a team assignee
        for kind, wrong in (("admin", my_teams[-1]), ("team", my_admins[-1])):
            assert_error(
                api.post(
                    "/tickets",
                    json={
                        "ticket_type_id": ticket_type["id"],
                        "contacts": [{"id": contact["id"]}],
                        "assignment": {f"{kind}_assignee_id": str(wrong)},
                    },
                ),
                404,
                "assignee_not_found",
                field=f"assignment.{kind}_assignee_id",
            )


def test_an_admin_and_a_team_made_at_once_get_different_ids(
    server: Server, workspace: Workspace
) -> None:
    """Two transactions at once (two processes, in production): the second waits for the
    first's id instead of reading the same maximum."""
    import threading

    from ticketry.db.database import Database
    from ticketry.settings import Settings

    other = Database(Settings(database_url=server.database_url))
    first_made = threading.Event()
    release = threading.Event()
    got: dict[str, int] = {}

    def make_admin() -> None:
        with server.db.transaction() as conn:
            got["admin"] = ws_service.create_admin(conn, workspace.id, "Race", "race@example.com")[
                "id"
            ]
            first_made.set()
            release.wait(5)  # hold the transaction open while the team is being made

    def make_team() -> None:
        first_made.wait(5)
        with other.transaction() as conn:
            got["team"] = ws_service.create_team(conn, workspace.id, "Race team", [])["id"]

    try:
        threads = [threading.Thread(target=make_admin), threading.Thread(target=make_team)]
        for t in threads:
            t.start()
        first_made.wait(5)
        threads[1].join(0.5)  # on PostgreSQL the team waits for the admin's commit
        release.set()
        for t in threads:
            t.join(10)
    finally:
        other.close()
    assert got["admin"] != got["team"]
