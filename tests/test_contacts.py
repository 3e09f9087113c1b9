"""Contacts over real HTTP and through the official SDK: create, read, update, delete, list
pages, versions, the lookups ticket code uses, and every rejection."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from intercom import CreateContactRequestWithEmail, CreateContactRequestWithRole
from sqlalchemy import func, select

from tests.conftest import Server, Workspace, make_api, make_workspace
from tests.helpers import assert_error
from ticketry.contacts import queries, render, service
from ticketry.errors import NotFound, ParameterInvalid
from ticketry.tables import contacts
from ticketry.workspaces import service as ws_service

# The keys of the recorded 2.14 `POST /contacts` example, plus email_domain from the schema.
CONTACT_KEYS_2_14 = {
    "type", "id", "workspace_id", "external_id", "role", "email", "email_domain", "phone",
    "name", "avatar", "owner_id", "social_profiles", "has_hard_bounced", "marked_email_as_spam",
    "unsubscribed_from_emails", "created_at", "updated_at", "signed_up_at", "last_seen_at",
    "last_replied_at", "last_contacted_at", "last_email_opened_at", "last_email_clicked_at",
    "language_override", "browser", "browser_version", "browser_language", "os", "location",
    "android_app_name", "android_app_version", "android_device", "android_os_version",
    "android_sdk_version", "android_last_seen_at", "ios_app_name", "ios_app_version",
    "ios_device", "ios_os_version", "ios_sdk_version", "ios_last_seen_at", "custom_attributes",
    "tags", "notes", "companies", "opted_out_subscription_types", "opted_in_subscription_types",
    "utm_campaign", "utm_content", "utm_medium", "utm_source", "utm_term", "referrer",
    "enabled_push_messaging",
}  # fmt: skip


def count_contacts(server: Server, workspace_id: int) -> int:
    return server.tx(
        lambda c: c.scalar(
            select(func.count())
            .select_from(contacts)
            .where(contacts.c.workspace_id == workspace_id)
        )
    )


def create(api: Any, **body: Any) -> dict[str, Any]:
    resp = api.post("/contacts", json=body)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_create_answers_the_full_contact(api: Any, workspace: Workspace) -> None:
    got = create(api, email="Joe@Bloggs.com", name="Joe Bloggs", phone="+353871234567")
    assert set(got) == CONTACT_KEYS_2_14
    assert len(got["id"]) == 24 and int(got["id"], 16) >= 0
    assert got["type"] == "contact"
    assert got["role"] == "user"  # the default
    assert got["email"] == "Joe@Bloggs.com"
    assert got["email_domain"] == "Bloggs.com"
    assert got["workspace_id"] == workspace.id_code
    assert got["external_id"] is None and got["owner_id"] is None and got["avatar"] is None
    assert got["created_at"] == got["updated_at"] > 0
    assert got["custom_attributes"] == {}
    assert got["location"]["type"] == "location"
    assert got["tags"] == {
        "type": "list",
        "data": [],
        "url": f"/contacts/{got['id']}/tags",
        "total_count": 0,
        "has_more": False,
    }
    assert got["companies"]["url"] == f"/contacts/{got['id']}/companies"
    assert api.get(f"/contacts/{got['id']}").json() == got


def test_sdk_creates_and_finds_a_contact(sdk: Any, server: Server, workspace: Workspace) -> None:
    made = sdk.contacts.create(
        request=CreateContactRequestWithEmail(
            email="sdk@example.com", name="Sdk User", custom_attributes={"plan": "gold"}
        )
    )
    assert made.id and made.email == "sdk@example.com" and made.role == "user"
    found = sdk.contacts.find(made.id)
    assert (found.id, found.name, found.custom_attributes) == (
        made.id,
        "Sdk User",
        {"plan": "gold"},
    )
    lead = sdk.contacts.create(request=CreateContactRequestWithRole(role="lead"))
    assert lead.role == "lead" and lead.email == ""
    assert count_contacts(server, workspace.id) == 2


def test_every_writable_field_round_trips(api: Any, workspace: Workspace) -> None:
    got = create(
        api,
        role="lead",
        external_id=70,  # Intercom's examples send integer ids
        email="lead@example.com",
        phone="+1123456789",
        name="Lee",
        avatar="https://example.org/a.png",
        signed_up_at=1571672154,
        last_seen_at="1571672155",
        owner_id=str(workspace.admin_id),
        unsubscribed_from_emails=True,
        custom_attributes={"paid_subscriber": True, "monthly_spend": 155.5, "team_mates": 1},
    )
    assert got["role"] == "lead" and got["external_id"] == "70"
    assert got["avatar"] == {"type": "avatar", "image_url": "https://example.org/a.png"}
    assert (got["signed_up_at"], got["last_seen_at"]) == (1571672154, 1571672155)
    assert got["owner_id"] == workspace.admin_id  # an integer in 2.14
    assert got["unsubscribed_from_emails"] is True
    assert got["custom_attributes"]["monthly_spend"] == 155.5


def test_shapes_per_version(api: Any, workspace: Workspace) -> None:
    made = create(api, email="v@example.com", phone="+100", owner_id=workspace.admin_id)
    v216 = api.get(f"/contacts/{made['id']}", version="2.16").json()
    assert v216["owner_id"] == str(workspace.admin_id)  # a string from 2.16
    v211 = api.get(f"/contacts/{made['id']}", version="2.11").json()
    assert v211["formatted_phone"] == "+100" and "enabled_push_messaging" not in v211
    assert "formatted_phone" not in made
    v29 = api.get(f"/contacts/{made['id']}", version="2.9").json()
    assert set(v29) == CONTACT_KEYS_2_14 - {"enabled_push_messaging"}
    preview = api.get(f"/contacts/{made['id']}", version="Preview").json()
    assert preview["formatted_phone"] == "+100" and preview["owner_id"] == str(workspace.admin_id)


@pytest.mark.parametrize(
    ("body", "status", "code", "field", "contains"),
    [
        ({}, 400, "parameter_not_found", "email", "one of email, external_id or role"),
        ({"name": "No Identity"}, 400, "parameter_not_found", "email", "is required"),
        ({"role": None, "email": None}, 400, "parameter_not_found", "email", "is required"),
        ({"role": "admin"}, 400, "parameter_invalid", "role", "'user' or 'lead'"),
        ({"email": "not-an-email"}, 400, "parameter_invalid", "email", "not an email address"),
        ({"email": "a@b@c"}, 400, "parameter_invalid", "email", "not an email address"),
        ({"email": ""}, 400, "parameter_invalid", "email", "not an email address"),
        ({"email": 5}, 400, "parameter_invalid", "email", "email is invalid"),
        ({"external_id": "  "}, 400, "parameter_invalid", "external_id", "must not be blank"),
        ({"external_id": True}, 400, "parameter_invalid", "external_id", "string id"),
        ({"external_id": "x" * 256}, 400, "parameter_invalid", "external_id", "at most 255"),
        ({"role": "user", "name": "nul\x00"}, 400, "parameter_invalid", "name", "NUL"),
        ({"role": "user", "signed_up_at": -1}, 400, "parameter_invalid", "signed_up_at", None),
        ({"role": "user", "last_seen_at": "soon"}, 400, "parameter_invalid", "last_seen_at", None),
        ({"role": "user", "owner_id": "abc"}, 400, "parameter_invalid", "owner_id", "admin"),
        ({"role": "user", "owner_id": 999999}, 400, "parameter_invalid", "owner_id", "not an admin"),
        ({"role": "user", "unsubscribed_from_emails": "maybe"}, 400, "parameter_invalid",
         "unsubscribed_from_emails", None),
        ({"role": "user", "custom_attributes": ["x"]}, 400, "parameter_invalid",
         "custom_attributes", None),
        ({"role": "user", "custom_attributes": {"n": 2**64}}, 400, "parameter_invalid",
         "custom_attributes", "64-bit"),
        ({"role": "user", "custom_attributes": {"s": "a\x00"}}, 400, "parameter_invalid",
         "custom_attributes.s", "NUL"),
    ],
)  # fmt: skip
def test_bad_creates_are_rejected_and_write_nothing(
    api: Any,
    server: Server,
    workspace: Workspace,
    body: dict[str, Any],
    status: int,
    code: str,
    field: str,
    contains: str | None,
) -> None:
    assert_error(api.post("/contacts", json=body), status, code, field=field, contains=contains)
    assert count_contacts(server, workspace.id) == 0


def test_not_json_is_a_400(api: Any, server: Server, workspace: Workspace) -> None:
    assert_error(api.post("/contacts", content=b"{nope"), 400, "bad_request")
    assert_error(api.post("/contacts", json=[1]), 400, "bad_request")
    assert count_contacts(server, workspace.id) == 0


def test_duplicate_email_and_external_id_are_409(
    api: Any, server: Server, workspace: Workspace
) -> None:
    first = create(api, email="dup@example.com", external_id="ext-1")
    err = assert_error(
        api.post("/contacts", json={"email": "DUP@example.COM"}), 409, "conflict", field="email"
    )
    assert first["id"] in err["message"]
    assert_error(
        api.post("/contacts", json={"external_id": "ext-1", "email": "other@example.com"}),
        409,
        "conflict",
        field="external_id",
    )
    assert count_contacts(server, workspace.id) == 1
    # the same values in another workspace are fine
    other = make_workspace(server, "Other")
    with make_api(server, other.token) as client:
        assert client.post("/contacts", json={"email": "dup@example.com"}).status_code == 200


def test_update_changes_only_what_is_sent(api: Any, server: Server) -> None:
    made = create(
        api, email="u@example.com", name="Before", phone="+1", custom_attributes={"a": "1", "b": 2}
    )
    resp = api.put(
        f"/contacts/{made['id']}",
        json={
            "name": "After",
            "phone": None,
            "role": "lead",
            "custom_attributes": {"b": 3, "c": "x"},
        },
    )
    assert resp.status_code == 200, resp.text
    got = resp.json()
    assert (got["name"], got["phone"], got["role"], got["email"]) == (
        "After",
        None,
        "lead",
        "u@example.com",
    )
    assert got["custom_attributes"] == {"a": "1", "b": 3, "c": "x"}  # merged
    assert got["updated_at"] >= made["updated_at"] and got["created_at"] == made["created_at"]
    cleared = api.put(f"/contacts/{made['id']}", json={"custom_attributes": None}).json()
    assert cleared["custom_attributes"] == {}
    renamed = api.put(f"/contacts/{made['id']}", json={"email": "NEW@example.com"}).json()
    assert renamed["email"] == "NEW@example.com"
    row = server.tx(lambda c: c.one(select(contacts).where(contacts.c.id == made["id"])))
    assert row["email_key"] == "new@example.com"
    # a case change of its own email is not a conflict
    assert api.put(f"/contacts/{made['id']}", json={"email": "new@EXAMPLE.com"}).status_code == 200


def test_update_rejections_leave_the_contact_alone(api: Any, server: Server) -> None:
    taken = create(api, email="taken@example.com", external_id="taken")
    made = create(api, email="mine@example.com", name="Mine")
    before = api.get(f"/contacts/{made['id']}").json()
    url = f"/contacts/{made['id']}"
    assert_error(api.put(url, json={"email": "TAKEN@example.com"}), 409, "conflict", field="email")
    assert_error(
        api.put(url, json={"external_id": "taken", "name": "x"}),
        409,
        "conflict",
        field="external_id",
    )
    assert_error(api.put(url, json={"role": None}), 400, "parameter_invalid", field="role")
    assert_error(api.put(url, json={"email": "nope"}), 400, "parameter_invalid", field="email")
    assert_error(api.put(url, json={"owner_id": 4242}), 400, "parameter_invalid", field="owner_id")
    assert api.get(url).json() == before
    assert taken["id"] != made["id"]
    assert_error(api.put("/contacts/" + "0" * 24, json={"name": "x"}), 404, "not_found", field="id")


def test_delete_answers_the_reference_and_removes_it(api: Any, server: Server) -> None:
    made = create(api, email="gone@example.com", external_id="gone")
    resp = api.delete(f"/contacts/{made['id']}")
    assert resp.status_code == 200
    assert resp.json() == {
        "type": "contact",
        "id": made["id"],
        "external_id": "gone",
        "deleted": True,
    }
    assert_error(api.get(f"/contacts/{made['id']}"), 404, "not_found", contains="Contact not found")
    assert_error(api.delete(f"/contacts/{made['id']}"), 404, "not_found")
    assert server.tx(lambda c: c.one(select(contacts).where(contacts.c.id == made["id"]))) is None


def test_find_by_external_id_from_2_13(api: Any) -> None:
    made = create(api, external_id="ext/42 x", email="ext@example.com")
    got = api.get("/contacts/find_by_external_id/ext%2F42%20x", version="2.13")
    assert got.status_code == 200 and got.json()["id"] == made["id"]
    assert_error(
        api.get("/contacts/find_by_external_id/nope", version="2.14"),
        404,
        "not_found",
        field="external_id",
    )
    assert_error(
        api.get("/contacts/find_by_external_id/ext%2F42%20x", version="2.12"),
        404,
        "intercom_version_invalid",
    )


def test_odd_ids_are_404_not_500(api: Any) -> None:
    for bad in ("nope", "%00", "x" * 300, "5ba682d23d7cf92bef87bfd4"):
        assert_error(api.get(f"/contacts/{bad}"), 404, "not_found")
    assert_error(api.get("/contacts/find_by_external_id/a%00b"), 404, "not_found")


# -- listing ---------------------------------------------------------------------------------


def test_list_pages_walk_every_contact_once(api: Any) -> None:
    made = {create(api, email=f"p{i}@example.com")["id"] for i in range(7)}
    seen: list[str] = []
    cursor = None
    pages = []
    while True:
        params: dict[str, Any] = {"per_page": 3}
        if cursor:
            params["starting_after"] = cursor
        body = api.get("/contacts", params=params).json()
        assert body["type"] == "list" and body["total_count"] == 7
        pages.append(body["pages"])
        seen.extend(c["id"] for c in body["data"])
        cursor = body["pages"].get("next", {}).get("starting_after")
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 7 and set(seen) == made
    assert [p["page"] for p in pages] == [1, 2, 3]
    assert all(p["total_pages"] == 3 and p["per_page"] == 3 for p in pages)
    assert "next" in pages[0] and "next" in pages[1] and "next" not in pages[2]


def test_list_defaults_and_empty(api: Any) -> None:
    empty = api.get("/contacts").json()
    assert empty == {
        "type": "list",
        "data": [],
        "total_count": 0,
        "pages": {"type": "pages", "page": 1, "per_page": 50, "total_pages": 0},
    }
    create(api, email="one@example.com")
    one = api.get("/contacts").json()
    assert one["total_count"] == 1 and "next" not in one["pages"]


def test_sdk_list_follows_pages(sdk: Any, api: Any) -> None:
    ids = {create(api, email=f"s{i}@example.com")["id"] for i in range(5)}
    assert {c.id for c in sdk.contacts.list(per_page=2)} == ids


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"per_page": 0}, "per_page"),
        ({"per_page": 151}, "per_page"),
        ({"per_page": "ten"}, "per_page"),
        ({"starting_after": "garbage!"}, "starting_after"),
        ({"starting_after": "WzEsMiwzXQ"}, "starting_after"),  # [1,2,3]: wrong arity
        ({"starting_after": "WzIsImEiLCJiIl0"}, "starting_after"),  # [2,"a","b"]: wrong types
    ],
)
def test_bad_list_parameters_are_400(api: Any, params: dict[str, Any], field: str) -> None:
    assert_error(api.get("/contacts", params=params), 400, "parameter_invalid", field=field)


# -- isolation -------------------------------------------------------------------------------


def test_another_workspaces_contacts_are_invisible(api: Any, server: Server) -> None:
    other = make_workspace(server, "Other")
    with make_api(server, other.token) as theirs:
        hidden = theirs.post(
            "/contacts", json={"email": "b@example.com", "external_id": "b"}
        ).json()
    mine = create(api, email="a@example.com")
    url = f"/contacts/{hidden['id']}"
    assert_error(api.get(url), 404, "not_found")
    assert_error(api.put(url, json={"name": "x"}), 404, "not_found")
    assert_error(api.delete(url), 404, "not_found")
    assert_error(api.get("/contacts/find_by_external_id/b"), 404, "not_found")
    assert [c["id"] for c in api.get("/contacts").json()["data"]] == [mine["id"]]
    with make_api(server, other.token) as theirs:
        assert theirs.get(url).json()["name"] is None  # untouched


# -- what ticket code calls ------------------------------------------------------------------


def test_lookups_for_ticket_code(api: Any, server: Server, workspace: Workspace) -> None:
    a = create(api, email="Mixed@Example.com", external_id="ext-a")
    b = create(api, role="lead")
    ws = workspace.id

    def check(c: Any) -> None:
        assert queries.get_contact(c, ws, a["id"])["email"] == "Mixed@Example.com"
        assert queries.get_contact(c, ws, "missing") is None
        assert queries.find_by(c, ws, external_id="ext-a")["id"] == a["id"]
        assert queries.find_by(c, ws, email=" mixed@EXAMPLE.com ")["id"] == a["id"]
        assert queries.find_by(c, ws, id=b["id"])["id"] == b["id"]
        assert queries.find_by(c, ws) is None
        many = queries.get_many(c, ws, [a["id"], b["id"], "nope", a["id"]])
        assert set(many) == {a["id"], b["id"]}
        assert render.contact_reference(many[a["id"]]) == {
            "type": "contact",
            "id": a["id"],
            "external_id": "ext-a",
        }
        assert render.contact_reference(many[b["id"]])["external_id"] is None

    server.tx(check)


def test_resolve_contact(api: Any, server: Server, workspace: Workspace) -> None:
    known = create(api, email="known@example.com", external_id="k")
    ws = workspace.id

    def resolve(ref: dict[str, Any]) -> Any:
        return server.tx(lambda c: service.resolve_contact(c, ws, ref))

    assert resolve({"id": known["id"]})["id"] == known["id"]
    assert resolve({"external_id": "k"})["id"] == known["id"]
    assert resolve({"email": "KNOWN@example.com"})["id"] == known["id"]
    lead = resolve({"email": "New.Person@example.com"})
    assert (lead["role"], lead["email"], lead["email_key"]) == (
        "lead",
        "New.Person@example.com",
        "new.person@example.com",
    )
    assert resolve({"email": "new.person@example.com"})["id"] == lead["id"]  # not twice
    assert count_contacts(server, ws) == 2
    assert api.get(f"/contacts/{lead['id']}").json()["role"] == "lead"
    for ref, field in (({"id": "nope"}, "id"), ({"external_id": "nope"}, "external_id")):
        with pytest.raises(NotFound) as caught:
            resolve(ref)
        assert (caught.value.message, caught.value.field) == ("Contact not found", field)
    with pytest.raises(ParameterInvalid) as bad:
        resolve({"email": "not an email"})
    assert bad.value.field == "email"
    assert count_contacts(server, ws) == 2


def test_custom_attributes_are_stored_as_json(api: Any, server: Server) -> None:
    made = create(api, role="user", custom_attributes={"nested": {"a": [1, "two"]}, "n": None})
    row = server.tx(lambda c: c.one(select(contacts).where(contacts.c.id == made["id"])))
    assert orjson.loads(row["custom_attributes"]) == {"nested": {"a": [1, "two"]}, "n": None}


def test_owner_must_be_an_admin_of_this_workspace(
    api: Any, server: Server, workspace: Workspace
) -> None:
    other = make_workspace(server, "Other")
    assert_error(
        api.post("/contacts", json={"role": "user", "owner_id": other.admin_id}),
        400,
        "parameter_invalid",
        field="owner_id",
    )
    mine = server.tx(lambda c: ws_service.create_admin(c, workspace.id, "Bo", "bo@example.com"))
    assert create(api, role="user", owner_id=mine["id"])["owner_id"] == mine["id"]


def test_a_wrong_method_lists_the_allowed_ones(api: Any) -> None:
    err = assert_error(api.call("PATCH", "/contacts/" + "0" * 24), 405, "method_not_allowed")
    for method in ("GET", "PUT", "DELETE"):
        assert method in err["message"]
    err = assert_error(api.call("PUT", "/contacts"), 405, "method_not_allowed")
    assert "GET" in err["message"] and "POST" in err["message"]
