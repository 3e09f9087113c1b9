"""Auth, the error envelope, Intercom-Version handling, admins and teams over real HTTP."""

from __future__ import annotations

import time

import pytest

from tests.conftest import AUTH_CACHE_SECONDS, Server, Workspace, make_api, make_workspace
from tests.helpers import assert_error
from ticketry.workspaces import service as ws_service


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer nope", "Basic abc", "Bearer tkt_definitely-not-a-real-token"],
)
def test_bad_or_missing_token_is_401(server: Server, header: str | None) -> None:
    headers = {"Authorization": header} if header is not None else {}
    with make_api(server, None) as client:
        resp = client.get("/me", headers=headers)
    err = assert_error(resp, 401, "unauthorized")
    assert err["message"] == "Access Token Invalid"


def test_revoked_token_is_401(server: Server, workspace: Workspace) -> None:
    issued = server.tx(lambda c: ws_service.create_token(c, workspace.id, workspace.admin_id))
    unused = server.tx(lambda c: ws_service.create_token(c, workspace.id, workspace.admin_id))
    with make_api(server, issued.token) as client:
        assert client.get("/me").status_code == 200  # now cached by the server
        server.tx(lambda c: ws_service.revoke_token(c, workspace.id, issued.id))
        server.tx(lambda c: ws_service.revoke_token(c, workspace.id, unused.id))
        # a token the server never saw is refused at once; a cached one once its entry expires
        with make_api(server, unused.token) as other:
            assert_error(other.get("/me"), 401, "unauthorized")
        time.sleep(AUTH_CACHE_SECONDS + 0.1)
        assert_error(client.get("/me"), 401, "unauthorized")


def test_tokens_are_stored_only_as_hashes(server: Server, workspace: Workspace) -> None:
    from sqlalchemy import select

    from ticketry.tables import access_tokens

    rows = server.tx(lambda c: c.all(select(access_tokens)))
    for row in rows:
        assert workspace.token not in [str(v) for v in dict(row).values()]


def test_me_answers_with_the_tokens_admin(api, workspace: Workspace) -> None:
    me = api.get("/me").json()
    assert me["type"] == "admin"
    assert me["id"] == str(workspace.admin_id)
    assert me["email"] == workspace.admin_email
    assert me["app"]["type"] == "app"
    assert me["app"]["id_code"] == workspace.id_code


def test_admins_list_and_get(api, server: Server, workspace: Workspace) -> None:
    other = server.tx(lambda c: ws_service.create_admin(c, workspace.id, "Bo", "bo@example.com"))
    team = server.tx(
        lambda c: ws_service.create_team(
            c, workspace.id, "Tier 2", [workspace.admin_id, other["id"]]
        )
    )
    listed = api.get("/admins").json()
    assert listed["type"] == "admin.list"
    assert [a["id"] for a in listed["admins"]] == [str(workspace.admin_id), str(other["id"])]
    got = api.get(f"/admins/{other['id']}").json()
    assert got["name"] == "Bo"
    assert got["team_ids"] == [team["id"]]
    assert_error(api.get("/admins/999999"), 404, "admin_not_found")
    assert_error(api.get("/admins/abc"), 404, "admin_not_found")


def test_teams_list_and_get(api, server: Server, workspace: Workspace) -> None:
    team = server.tx(
        lambda c: ws_service.create_team(c, workspace.id, "Billing", [workspace.admin_id])
    )
    listed = api.get("/teams").json()
    assert listed == {"type": "team.list", "teams": [api.get(f"/teams/{team['id']}").json()]}
    assert listed["teams"][0]["admin_ids"] == [workspace.admin_id]
    assert_error(api.get("/teams/424242"), 404, "team_not_found")


def test_workspace_isolation_for_admins_and_teams(server: Server, workspace: Workspace) -> None:
    other = make_workspace(server, "Other")
    team = server.tx(lambda c: ws_service.create_team(c, other.id, "Theirs", []))
    with make_api(server, workspace.token) as client:
        assert_error(client.get(f"/admins/{other.admin_id}"), 404, "admin_not_found")
        assert_error(client.get(f"/teams/{team['id']}"), 404, "team_not_found")
        ids = [a["id"] for a in client.get("/admins").json()["admins"]]
        assert str(other.admin_id) not in ids


@pytest.mark.parametrize(
    "value", ["1.0", "2.9", "2.11", "2.14", "2.16", "Preview", "Unstable", "unstable"]
)
def test_every_known_version_is_accepted(api, value: str) -> None:
    assert api.get("/me", version=value).status_code == 200


@pytest.mark.parametrize("value", ["3.0", "2.17", "latest", "2", ""])
def test_unknown_version_is_400(api, value: str) -> None:
    assert_error(
        api.get("/me", version=value), 400, "intercom_version_invalid", field="Intercom-Version"
    )


def test_version_shapes_differ(api, server: Server, workspace: Workspace) -> None:
    from sqlalchemy import update

    from ticketry.tables import admins

    assert api.get("/admins", version="2.11").json()["admins"][0]["avatar"] is None
    url = "https://example.com/ada.png"
    server.tx(
        lambda c: c.execute(
            update(admins).where(admins.c.id == workspace.admin_id).values(avatar_url=url)
        )
    )
    assert api.get("/admins", version="2.11").json()["admins"][0]["avatar"] == {"image_url": url}
    assert api.get("/admins", version="2.14").json()["admins"][0]["avatar"] == url
    assert "away_status_reason_id" in api.get("/admins", version="2.14").json()["admins"][0]
    assert "away_status_reason_id" not in api.get("/admins", version="2.13").json()["admins"][0]


def test_workspace_default_version_applies_without_header(server: Server) -> None:
    ws = make_workspace(server, "Old", default_version="2.11")
    with make_api(server, ws.token) as client:
        assert "away_status_reason_id" not in client.get("/admins").json()["admins"][0]
        assert "away_status_reason_id" in client.get("/admins", version="2.14").json()["admins"][0]


def test_unknown_route_and_wrong_method(api) -> None:
    assert_error(api.get("/no/such/thing"), 404, "not_found")
    err = assert_error(api.delete("/admins"), 405, "method_not_allowed")
    assert "GET" in err["message"]


def test_sdk_lists_admins_and_identifies(sdk, workspace: Workspace) -> None:
    me = sdk.admins.identify()
    assert me.id == str(workspace.admin_id)
    assert me.email == workspace.admin_email
    admins = sdk.admins.list()
    assert [a.id for a in admins.admins] == [str(workspace.admin_id)]
