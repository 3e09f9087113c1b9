"""`POST /tickets/enqueue` and `GET /jobs/status/{id}` (2.14+): a job is checked like a
create, stored, run once by a server process's worker in the transaction that marks it done,
and survives a killed server."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from intercom.types import CreateTicketRequestContactsItemId
from sqlalchemy import func, select

from tests.conftest import Api, Server, Workspace, make_api, make_workspace
from tests.helpers import assert_error
from tests.processes import ServerProcess, own_database
from tests.ticket_fixtures import add_attribute, make_contact, make_type, part_types
from ticketry.contacts import service as contacts_service
from ticketry.db.database import Conn
from ticketry.jobs import service as jobs_service
from ticketry.kit.versions import V2_14
from ticketry.tables import events, jobs, tickets
from ticketry.tickets.schemas import CreateTicket


def wait_for_job(api: Api, job_id: str, timeout: float = 20) -> dict[str, Any]:
    """Poll until the job is no longer pending (or the time is up); its last status."""
    deadline = time.monotonic() + timeout
    while True:
        resp = api.get(f"/jobs/status/{job_id}")
        assert resp.status_code == 200, resp.text
        body = resp.json()
        if body["status"] != "pending" or time.monotonic() > deadline:
            return body
        time.sleep(0.05)


def count(server: Server, table: Any, workspace: Workspace, *where: Any) -> int:
    return server.tx(
        lambda c: c.scalar(
            select(func.count())
            .select_from(table)
            .where(table.c.workspace_id == workspace.id, *where)
        )
    )


def job_row(server: Server, job_id: str) -> dict[str, Any]:
    return dict(server.tx(lambda c: c.one(select(jobs).where(jobs.c.id == int(job_id)))))


@pytest.fixture
def setup(api: Api) -> dict[str, Any]:
    bug = make_type(api, "Bug")
    add_attribute(api, bug["id"], "Severity", "integer")
    contact = make_contact(api, "jo@example.com")
    return {"type": bug, "contact": contact}


def test_enqueue_then_poll_to_success(
    api: Api, server: Server, workspace: Workspace, setup: dict[str, Any]
) -> None:
    admin = str(workspace.admin_id)
    resp = api.post(
        "/tickets/enqueue",
        json={
            "ticket_type_id": setup["type"]["id"],
            "contacts": [{"id": setup["contact"]["id"]}],
            "ticket_attributes": {"_default_title_": "Queued", "Severity": 3},
            "assignment": {"admin_assignee_id": admin},
        },
    )
    assert resp.status_code == 200, resp.text
    job = resp.json()
    assert job == {
        "type": "job",
        "id": job["id"],
        "status": "pending",
        "url": f"{server.url}/jobs/status/{job['id']}",
        "resource_type": "ticket",
        "resource_id": None,
        "resource_url": None,
    }

    done = wait_for_job(api, job["id"])
    assert done["status"] == "success", done
    ticket_id = done["resource_id"]
    assert done["resource_url"] == f"{server.url}/tickets/{ticket_id}"
    assert done["url"] == job["url"] and "errors" not in done

    ticket = api.get(f"/tickets/{ticket_id}").json()
    assert ticket["ticket_attributes"]["_default_title_"] == "Queued"
    assert ticket["ticket_attributes"]["Severity"] == 3
    assert ticket["contacts"]["contacts"][0]["id"] == setup["contact"]["id"]
    assert ticket["admin_assignee_id"] == admin
    assert part_types(ticket) == ["ticket_state_updated_by_admin", "assignment"]
    topics = server.tx(
        lambda c: [
            (r["topic"], r["actor_type"], r["actor_id"])
            for r in c.all(
                select(events)
                .where(events.c.object_type == "ticket", events.c.object_id == ticket_id)
                .order_by(events.c.seq)
            )
        ]
    )
    assert topics == [
        ("ticket.created", "admin", admin),
        ("ticket.contact.attached", "admin", admin),
        ("ticket.admin.assigned", "admin", admin),
    ]
    row = job_row(server, job["id"])
    assert (row["status"], row["attempts"], row["error"]) == ("success", 1, None)


def test_the_official_sdk_enqueues_and_polls(sdk: Any, setup: dict[str, Any]) -> None:
    job = sdk.tickets.enqueue_create_ticket(
        ticket_type_id=setup["type"]["id"],
        contacts=[CreateTicketRequestContactsItemId(id=setup["contact"]["id"])],
        # python-intercom 5.0.1 has no ticket_attributes argument
        request_options={
            "additional_body_parameters": {"ticket_attributes": {"_default_title_": "Via SDK"}}
        },
    )
    assert job.type == "job" and job.status == "pending" and job.resource_id is None
    deadline = time.monotonic() + 20
    while (status := sdk.jobs.status(job_id=job.id)).status == "pending":
        assert time.monotonic() < deadline, "job still pending"
        time.sleep(0.05)
    assert status.status == "success" and status.resource_type == "ticket"
    ticket = sdk.tickets.get(ticket_id=status.resource_id)
    assert ticket.ticket_attributes["_default_title_"] == "Via SDK"


def test_refusals_match_post_tickets_and_enqueue_nothing(
    api: Api, server: Server, workspace: Workspace, setup: dict[str, Any]
) -> None:
    type_id, contact_id = setup["type"]["id"], setup["contact"]["id"]
    archived = make_type(api, "Old")
    assert api.put(f"/ticket_types/{archived['id']}", json={"archived": True}).status_code == 200
    strict = make_type(api, "Strict")
    add_attribute(api, strict["id"], "Reason", "string", required_to_create=True)
    ok = {"ticket_type_id": type_id, "contacts": [{"id": contact_id}]}
    bodies: list[Any] = [
        {**ok, "ticket_type_id": "999999"},
        {**ok, "ticket_type_id": "not-a-number"},
        {**ok, "ticket_type_id": archived["id"]},
        {"contacts": [{"id": contact_id}]},
        {**ok, "contacts": []},
        {**ok, "contacts": [{"id": contact_id}, {"email": "two@example.com"}]},
        {**ok, "contacts": [{"id": contact_id, "email": "jo@example.com"}]},
        {**ok, "contacts": [{"id": "ffffffffffffffffffffffff"}]},
        {**ok, "contacts": [{"external_id": "nobody"}]},
        {**ok, "contacts": [{"email": "not an email"}]},
        {**ok, "ticket_attributes": {"Severity": "high"}},
        {**ok, "ticket_attributes": {"No such attribute": 1}},
        {**ok, "ticket_type_id": strict["id"]},
        {**ok, "assignment": {"admin_assignee_id": "999999"}},
        {**ok, "assignment": {"team_assignee_id": "999999"}},
        {**ok, "company_id": "no-such-company"},
        {**ok, "conversation_to_link_id": "123"},
        {**ok, "created_at": -5},
        [ok],
    ]
    for body in bodies:
        created = api.post("/tickets", json=body)
        assert 400 <= created.status_code < 500, (body, created.text)
        expected = created.json()["errors"][0]
        queued = api.post("/tickets/enqueue", json=body)
        got = assert_error(queued, created.status_code, expected["code"])
        assert got.get("field") == expected.get("field"), (body, got, expected)
    not_json = api.post("/tickets/enqueue", content=b"{nope", contract=False)
    assert_error(not_json, 400, "bad_request")
    assert count(server, jobs, workspace) == 0
    assert count(server, tickets, workspace) == 0


def test_a_job_refused_at_run_time_ends_failed(
    api: Api, server: Server, workspace: Workspace, setup: dict[str, Any]
) -> None:
    request = CreateTicket.model_validate(
        {"ticket_type_id": setup["type"]["id"], "contacts": [{"id": setup["contact"]["id"]}]}
    )

    def enqueue_then_delete_the_contact(conn: Conn) -> int:
        # The check passes, then the contact goes before any worker can see the job.
        job = jobs_service.enqueue_ticket(conn, workspace.id, workspace.admin_id, request, V2_14)
        contacts_service.delete_contact(
            conn, workspace.id, workspace.admin_id, setup["contact"]["id"]
        )
        return int(job["id"])

    job_id = server.tx(enqueue_then_delete_the_contact)
    done = wait_for_job(api, str(job_id))
    assert done["status"] == "failed", done
    assert done["errors"] == [{"code": "not_found", "message": "Contact not found", "field": "id"}]
    assert done["resource_id"] is None and done["resource_url"] is None
    assert count(server, tickets, workspace) == 0
    assert job_row(server, str(job_id))["attempts"] == 1


def test_a_job_that_breaks_is_undone_and_retried_later(
    server: Server, workspace: Workspace
) -> None:
    # A kind this server does not know (as a newer server's job would be): its run raises
    # something that is no ApiError, so it is tried again after a pause, not failed at once.
    job = server.tx(lambda c: jobs_service.insert(c, workspace.id, "ticket.merge", {}))
    try:
        deadline = time.monotonic() + 20
        while (row := job_row(server, str(job["id"])))["attempts"] == 0:
            assert time.monotonic() < deadline, "the job was never tried"
            time.sleep(0.05)
        assert row["status"] == "pending" and row["run_after"] >= row["created_at"] + 2
        assert '"code":"internal_error"' in row["error"] and "ticket.merge" in row["error"]
    finally:
        server.tx(lambda c: c.execute(jobs.delete().where(jobs.c.id == job["id"])))


def test_unknown_ids_are_404(api: Api, server: Server, setup: dict[str, Any]) -> None:
    for job_id in ("999999999", "abc", "-1", "1.5", "9" * 40):
        assert_error(api.get(f"/jobs/status/{job_id}"), 404, "job_not_found")
    # another workspace's job is not this workspace's
    other = make_workspace(server, "Other")
    with make_api(server, other.token) as other_api:
        theirs_type = make_type(other_api, "Theirs")
        theirs_contact = make_contact(other_api, "them@example.com")
        job = other_api.post(
            "/tickets/enqueue",
            json={"ticket_type_id": theirs_type["id"], "contacts": [{"id": theirs_contact["id"]}]},
        ).json()
        assert wait_for_job(other_api, job["id"])["status"] == "success"
    assert_error(api.get(f"/jobs/status/{job['id']}"), 404, "job_not_found", contains="Job")


def test_versions_before_2_14_have_no_jobs(api: Api, setup: dict[str, Any]) -> None:
    body = {"ticket_type_id": setup["type"]["id"], "contacts": [{"id": setup["contact"]["id"]}]}
    for version in ("2.9", "2.13"):
        resp = api.post("/tickets/enqueue", json=body, version=version)
        assert_error(resp, 404, "intercom_version_invalid")
        assert_error(api.get("/jobs/status/1", version=version), 404, "intercom_version_invalid")
    for version in ("2.14", "2.15", "2.16", "Preview"):
        job = api.post("/tickets/enqueue", json=body, version=version)
        assert job.status_code == 200, job.text
        status = api.get(f"/jobs/status/{job.json()['id']}", version=version)
        assert status.status_code == 200, status.text
    assert api.get("/tickets/enqueue").status_code == 404  # no such ticket, not a job


# -- other server processes -----------------------------------------------------------------


@pytest.fixture
def lone(server: Server, tmp_path: Path) -> Iterator[Server]:
    """A second database of the test's kind, migrated, that no server runs yet (the session
    server's worker would take its jobs otherwise)."""
    with own_database(server.backend, tmp_path) as own:
        yield own


def _client(process: ServerProcess, workspace: Workspace) -> Api:
    return Api(
        base_url=process.url, headers={"Authorization": f"Bearer {workspace.token}"}, timeout=30
    )


def _enqueue_directly(
    lone: Server, workspace: Workspace, body: dict[str, Any], n: int
) -> list[str]:
    """n pending jobs, stored through the service as enqueue stores them."""
    request = CreateTicket.model_validate(body)

    def run(conn: Conn) -> list[str]:
        return [
            str(
                jobs_service.enqueue_ticket(conn, workspace.id, workspace.admin_id, request, V2_14)[
                    "id"
                ]
            )
            for _ in range(n)
        ]

    return lone.tx(run)


def _prepare(lone: Server, process: ServerProcess) -> tuple[Workspace, dict[str, Any]]:
    workspace = make_workspace(lone)
    with _client(process, workspace) as api:
        bug = make_type(api, "Bug")
        contact = make_contact(api, "far@example.com")
    return workspace, {"ticket_type_id": bug["id"], "contacts": [{"id": contact["id"]}]}


def test_a_job_survives_a_killed_server(lone: Server) -> None:
    public = "https://tickets.example.com"
    first = ServerProcess(lone.database_url, env={"TICKETRY_PUBLIC_URL": public + "/"}).start()
    second = ServerProcess(lone.database_url, env={"TICKETRY_PUBLIC_URL": public})
    try:
        workspace, body = _prepare(lone, first)
        with _client(first, workspace) as api:
            resp = api.post("/tickets/enqueue", json=body)
        assert resp.status_code == 200, resp.text
        first.kill()  # SIGKILL: its worker may or may not have got to the job
        accepted = resp.json()["id"]
        assert resp.json()["url"] == f"{public}/jobs/status/{accepted}"
        # Accepted while no server runs: only a new process's poll can find it.
        [stored] = _enqueue_directly(lone, workspace, body, 1)
        assert job_row(lone, stored)["status"] == "pending"

        second.start()
        with _client(second, workspace) as api:
            done = [wait_for_job(api, job_id) for job_id in (accepted, stored)]
        assert [d["status"] for d in done] == ["success", "success"], done
        made = {d["resource_id"] for d in done}
        assert len(made) == 2
        assert done[1]["resource_url"] == f"{public}/tickets/{done[1]['resource_id']}"
        assert count(lone, tickets, workspace) == 2
        assert count(lone, events, workspace, events.c.topic == "ticket.created") == 2
    finally:
        first.kill()
        second.stop()


def test_two_servers_never_run_one_job_twice(lone: Server) -> None:
    servers = [ServerProcess(lone.database_url).start(), ServerProcess(lone.database_url)]
    try:
        servers[1].start()
        workspace, body = _prepare(lone, servers[0])
        # Stored in one transaction, so both workers find all of them at once.
        ids = _enqueue_directly(lone, workspace, body, 40)
        clients = [_client(s, workspace) for s in servers]
        for i in range(20):  # and some through each server, which wakes its own worker
            resp = clients[i % 2].post("/tickets/enqueue", json=body)
            assert resp.status_code == 200, resp.text
            ids.append(resp.json()["id"])
        done = [wait_for_job(clients[i % 2], job_id) for i, job_id in enumerate(ids)]
        for client in clients:
            client.close()
        assert {d["status"] for d in done} == {"success"}
        assert len({d["resource_id"] for d in done}) == len(ids) == 60
        assert count(lone, tickets, workspace) == 60
        assert count(lone, events, workspace, events.c.topic == "ticket.created") == 60
        attempts = lone.tx(lambda c: [r["attempts"] for r in c.all(select(jobs.c.attempts))])
        assert attempts == [1] * 60
    finally:
        for s in servers:
            s.stop()


def test_no_token_no_jobs(server: Server) -> None:
    with make_api(server, None) as anonymous:
        assert_error(anonymous.get("/jobs/status/1"), 401, "unauthorized")
        assert_error(anonymous.post("/tickets/enqueue", json={}), 401, "unauthorized")
