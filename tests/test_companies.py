"""Companies over real HTTP and through the official SDK: create-or-update by company_id,
lookups, attaching them to contacts, contact counts, rejections and workspace isolation."""

from __future__ import annotations

from typing import Any

import pytest
from intercom import CreateOrUpdateCompanyRequest
from sqlalchemy import func, select

from tests.conftest import Server, Workspace, make_api, make_workspace
from tests.helpers import assert_error
from ticketry.tables import companies, contact_companies


def count_companies(server: Server, workspace_id: int) -> int:
    return server.tx(
        lambda c: c.scalar(
            select(func.count())
            .select_from(companies)
            .where(companies.c.workspace_id == workspace_id)
        )
    )


def create_contact(api: Any, **body: Any) -> dict[str, Any]:
    resp = api.post("/contacts", json=body)
    assert resp.status_code == 200, resp.text
    return resp.json()


def save(api: Any, **body: Any) -> dict[str, Any]:
    resp = api.post("/companies", json=body)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_create_answers_the_recorded_shape(api: Any, workspace: Workspace) -> None:
    got = save(api, company_id="company_remote_id", name="my company", remote_created_at=1374138000)
    # the recorded 2.14 example, with our ids and times
    assert got == {
        "type": "company",
        "company_id": "company_remote_id",
        "id": got["id"],
        "app_id": workspace.id_code,
        "name": "my company",
        "remote_created_at": 1374138000,
        "created_at": got["created_at"],
        "updated_at": got["created_at"],
        "monthly_spend": 0,
        "session_count": 0,
        "user_count": 0,
        "tags": {"type": "tag.list", "tags": []},
        "segments": {"type": "segment.list", "segments": []},
        "plan": {},
        "custom_attributes": {},
    }
    assert len(got["id"]) == 24


def test_every_field_and_the_plan(api: Any) -> None:
    got = save(
        api,
        company_id=6,  # an integer id is taken as its string
        name="Blue Sun",
        plan="Pro",
        size=100,
        website="https://www.intercom.com",
        industry="Software",
        custom_attributes={"paid_subscriber": "yes", "team_mates": "9", "gone": None},
        remote_created_at=1663597223,
        monthly_spend=155.98,  # Intercom truncates
    )
    assert got["company_id"] == "6"
    assert (got["size"], got["website"], got["industry"]) == (
        100,
        "https://www.intercom.com",
        "Software",
    )
    assert got["monthly_spend"] == 155
    assert got["plan"]["type"] == "plan" and got["plan"]["name"] == "Pro"
    assert got["plan"]["id"].isdigit()
    assert save(api, company_id="other", plan="Pro")["plan"] == got["plan"]  # stable id
    assert got["custom_attributes"] == {"paid_subscriber": "yes", "team_mates": "9"}


def test_same_company_id_updates(api: Any, server: Server, workspace: Workspace) -> None:
    first = save(
        api, company_id="acme", name="Acme", size=10, custom_attributes={"a": "1", "c": "3"}
    )
    second = save(
        api, company_id="acme", website="https://acme.test", custom_attributes={"b": "2", "c": None}
    )
    assert second["id"] == first["id"]
    assert (second["name"], second["size"], second["website"]) == ("Acme", 10, "https://acme.test")
    assert second["custom_attributes"] == {"a": "1", "b": "2"}  # merged; null removed "c"
    cleared = save(api, company_id="acme", size=None, custom_attributes=None)
    assert "size" not in cleared and cleared["custom_attributes"] == {}
    assert count_companies(server, workspace.id) == 1


def test_sdk_creates_and_finds(sdk: Any, server: Server, workspace: Workspace) -> None:
    made = sdk.companies.create_or_update(
        request=CreateOrUpdateCompanyRequest(company_id="sdk-co", name="Sdk Co", size=5)
    )
    assert made.id and made.company_id == "sdk-co" and made.size == 5
    assert sdk.companies.find(made.id).name == "Sdk Co"
    assert count_companies(server, workspace.id) == 1


@pytest.mark.parametrize(
    ("body", "code", "field", "contains"),
    [
        ({"test": "invalid"}, "bad_request", "test", "bad 'test' parameter"),
        ({"company_id": "x", "colour": "red"}, "bad_request", "colour", "bad 'colour' parameter"),
        ({}, "parameter_not_found", "company_id", "company_id is a required parameter"),
        ({"name": "No id"}, "parameter_not_found", "company_id", None),
        ({"company_id": "  "}, "parameter_invalid", "company_id", "blank"),
        ({"company_id": "c" * 256}, "parameter_invalid", "company_id", "at most 255"),
        ({"company_id": "x", "size": -1}, "parameter_invalid", "size", None),
        ({"company_id": "x", "size": "big"}, "parameter_invalid", "size", None),
        ({"company_id": "x", "monthly_spend": 2**31}, "parameter_invalid", "monthly_spend", None),
        ({"company_id": "x", "remote_created_at": "then"}, "parameter_invalid",
         "remote_created_at", None),
        ({"company_id": "x", "name": "a\x00b"}, "parameter_invalid", "name", "NUL"),
        ({"company_id": "x", "custom_attributes": {"deep": {"a": 1}}}, "parameter_invalid",
         "custom_attributes", "deep must be a string (or null to remove it)"),
        ({"company_id": "x", "custom_attributes": {"paid": True}}, "parameter_invalid",
         "custom_attributes", "paid must be a string"),
        ({"company_id": "x", "custom_attributes": "flat"}, "parameter_invalid",
         "custom_attributes", None),
    ],
)  # fmt: skip
def test_bad_bodies_are_rejected_and_write_nothing(
    api: Any,
    server: Server,
    workspace: Workspace,
    body: dict[str, Any],
    code: str,
    field: str,
    contains: str | None,
) -> None:
    assert_error(api.post("/companies", json=body), 400, code, field=field, contains=contains)
    assert count_companies(server, workspace.id) == 0


def test_a_rejected_update_changes_nothing(api: Any) -> None:
    made = save(api, company_id="keep", name="Keep")
    assert_error(api.post("/companies", json={"company_id": "keep", "name": "New", "x": 1}), 400,
                 "bad_request", field="x")  # fmt: skip
    assert api.get(f"/companies/{made['id']}").json()["name"] == "Keep"


def test_get_by_id_and_by_company_id(api: Any) -> None:
    made = save(api, company_id="find-me", name="Find Me")
    assert api.get(f"/companies/{made['id']}").json() == made
    # A lookup answers the company itself, as the real API does (and python-intercom's
    # retrieve() types it: company | list); the spec documents only a list here.
    by_company_id = api.get("/companies", params={"company_id": "find-me"}, contract=False)
    assert by_company_id.json() == made
    by_name = api.get("/companies", params={"name": "Find Me"}, contract=False)
    assert by_name.json()["id"] == made["id"]
    for resp in (
        api.get("/companies/" + "0" * 24),
        api.get("/companies/%00"),
        api.get("/companies", params={"company_id": "nope"}),
        api.get("/companies", params={"company_id": "a\x00"}),
        api.get("/companies", params={"name": "Nobody"}),
    ):
        err = assert_error(resp, 404, "company_not_found")
        assert err["message"] == "Company Not Found"


def test_list_pages_by_number(api: Any) -> None:
    ids = [save(api, company_id=f"co-{i}")["id"] for i in range(3)]
    # `next` is the next page's URL (python-intercom's OffsetPages.next is a string); the
    # spec's company_list borrows cursor_pages, whose `next` is an object.
    first = api.get("/companies", params={"per_page": 2}, contract=False).json()
    assert first["type"] == "list" and first["total_count"] == 3
    assert first["pages"] == {
        "type": "pages",
        "next": "/companies?page=2&per_page=2",
        "page": 1,
        "per_page": 2,
        "total_pages": 2,
    }
    second = api.get("/companies", params={"per_page": 2, "page": 2}).json()
    assert second["pages"]["next"] is None
    assert sorted(c["id"] for c in first["data"] + second["data"]) == sorted(ids)
    assert_error(api.get("/companies", params={"per_page": 61}), 400, "parameter_invalid",
                 field="per_page")  # fmt: skip
    assert_error(api.get("/companies", params={"page": 0}), 400, "parameter_invalid", field="page")


def test_user_count_counts_attached_contacts(api: Any) -> None:
    company = save(api, company_id="counted")
    for i in range(3):
        contact = api.post("/contacts", json={"email": f"u{i}@example.com"}).json()
        api.post(f"/contacts/{contact['id']}/companies", json={"id": company["id"]})
    assert api.get(f"/companies/{company['id']}").json()["user_count"] == 3
    assert save(api, company_id="counted")["user_count"] == 3
    assert api.get("/companies").json()["data"][0]["user_count"] == 3
    api.delete(f"/contacts/{contact['id']}")
    assert api.get(f"/companies/{company['id']}").json()["user_count"] == 2


def test_preview_carries_notes(api: Any) -> None:
    made = save(api, company_id="p")
    preview = api.get(f"/companies/{made['id']}", version="Preview").json()
    assert preview["notes"]["type"] == "note.list" and preview["notes"]["data"] == []
    assert "notes" not in api.get(f"/companies/{made['id']}", version="2.16").json()


def test_another_workspaces_companies_are_invisible(api: Any, server: Server) -> None:
    other = make_workspace(server, "Other")
    with make_api(server, other.token) as theirs:
        hidden = theirs.post(
            "/companies", json={"company_id": "shared-id", "name": "Theirs"}
        ).json()
    assert_error(api.get(f"/companies/{hidden['id']}"), 404, "company_not_found")
    assert_error(
        api.get("/companies", params={"company_id": "shared-id"}), 404, "company_not_found"
    )
    contact = api.post("/contacts", json={"email": "a@example.com"}).json()
    assert_error(
        api.post(f"/contacts/{contact['id']}/companies", json={"id": hidden["id"]}),
        404,
        "company_not_found",
    )
    mine = save(api, company_id="shared-id", name="Mine")  # the same company_id, a new company
    assert mine["id"] != hidden["id"]
    assert [c["id"] for c in api.get("/companies").json()["data"]] == [mine["id"]]
    with make_api(server, other.token) as theirs:
        assert theirs.get(f"/companies/{hidden['id']}").json()["name"] == "Theirs"


# -- a contact's companies -------------------------------------------------------------------------------


def test_attach_and_list_companies(api: Any, sdk: Any, server: Server) -> None:
    contact = create_contact(api, email="c@example.com")
    acme = api.post("/companies", json={"company_id": "acme", "name": "Acme"}).json()
    globex = sdk.companies.create_or_update(request={"company_id": "globex", "name": "Globex"})
    attached = api.post(f"/contacts/{contact['id']}/companies", json={"id": acme["id"]})
    assert attached.status_code == 200
    assert attached.json()["id"] == acme["id"] and attached.json()["user_count"] == 1
    again = api.post(f"/contacts/{contact['id']}/companies", json={"id": acme["id"]}).json()
    assert again["user_count"] == 1  # attaching twice is one link
    via_sdk = sdk.companies.attach_contact(contact["id"], company_id=globex.id)
    assert via_sdk.id == globex.id
    shown = api.get(f"/contacts/{contact['id']}").json()["companies"]
    assert shown["total_count"] == 2 and shown["has_more"] is False
    # both were attached within the same second here: then the company id orders them
    order = sorted([acme["id"], globex.id])
    assert shown["data"] == [{"type": "company", "id": i, "url": f"/companies/{i}"} for i in order]
    listed = api.get(f"/contacts/{contact['id']}/companies").json()
    assert [c["id"] for c in listed["data"]] == order
    assert listed["companies"] == listed["data"] and listed["total_count"] == 2
    assert listed["pages"] == {
        "type": "pages",
        "next": None,
        "page": 1,
        "per_page": 50,
        "total_pages": 1,
    }
    second = api.get(f"/contacts/{contact['id']}/companies", params={"per_page": 1}).json()
    assert second["pages"]["next"] == f"/contacts/{contact['id']}/companies?page=2&per_page=1"
    beyond = api.get(f"/contacts/{contact['id']}/companies", params={"page": 3}).json()
    assert beyond["data"] == [] and beyond["total_count"] == 2
    assert [c.id for c in sdk.contacts.list_attached_companies(contact["id"])] == order


def test_attach_rejections(api: Any, server: Server) -> None:
    contact = create_contact(api, email="c@example.com")
    company = api.post("/companies", json={"company_id": "acme"}).json()
    url = f"/contacts/{contact['id']}/companies"
    assert_error(api.post(url, json={}), 400, "parameter_not_found", field="id")
    assert_error(api.post(url, json={"id": "123"}), 404, "company_not_found", field="id")
    assert_error(
        api.post("/contacts/" + "f" * 24 + "/companies", json={"id": company["id"]}),
        404,
        "not_found",
    )
    assert_error(api.get("/contacts/" + "f" * 24 + "/companies"), 404, "not_found")
    links = server.tx(lambda c: c.all(select(contact_companies)))
    assert [r for r in links if r["contact_id"] == contact["id"]] == []


def test_more_than_ten_companies_say_has_more(api: Any) -> None:
    contact = create_contact(api, email="many@example.com")
    for i in range(11):
        company = api.post("/companies", json={"company_id": f"c{i}"}).json()
        api.post(f"/contacts/{contact['id']}/companies", json={"id": company["id"]})
    shown = api.get(f"/contacts/{contact['id']}").json()["companies"]
    assert (len(shown["data"]), shown["total_count"], shown["has_more"]) == (10, 11, True)
