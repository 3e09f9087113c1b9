"""The OpenAPI contract oracle itself: it accepts Intercom's own example payloads, rejects
corrupted ones with a pointer to the fault, maps versions and paths, and sees all traffic."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import update

from tests import contract
from tests.conftest import Server, Workspace, make_api, make_workspace
from ticketry.tables import admins


@pytest.fixture(autouse=True)
def _spec() -> Path:
    return contract.require()


def examples(version: str) -> list[tuple[str, str, str, int, str, Any]]:
    """(method, path template, operationId, status, name, body) for every response example
    in the reference's verbatim dump of the spec."""
    folder = contract.spec_dir() or contract.REPO_ROOT.parent / "shared" / "intercom-openapi"
    source = folder.parent / "reference" / f"spec-examples-{version}.json"
    if not source.is_file():
        pytest.skip(f"spec examples not found at {source}")
    ops = orjson.loads(source.read_bytes())["operations"]
    return [
        (op["method"], op["path"], op["operationId"], int(status), name, body)
        for op in ops
        for status, bodies in op["responses"].items()
        for name, body in bodies.items()
    ]


def concrete(template: str) -> str:
    return template.replace("{", "x").replace("}", "")


def check(version: str, method: str, path: str, body: Any, status: int = 200) -> bool:
    return contract.check(method, path, status, orjson.dumps(body), version)


def example(version: str, operation_id: str, status: int = 200) -> Any:
    for _, _, op_id, code, _, body in examples(version):
        if op_id == operation_id and code == status:
            return copy.deepcopy(body)
    raise LookupError(operation_id)


# The 2.16 change_type example returns a 2.11-style ticket (`ticket_state` a string plus the
# label fields) although 2.16 makes ticket_state an object: a copy-paste in the example, not
# the real 2.16 shape (reference §10.3), so the oracle must reject it.
KNOWN_BAD_EXAMPLES = {("2.16", "changeTicketType", 200)}


@pytest.mark.parametrize("version", ["2.11", "2.16"])
def test_every_ticket_example_validates(version: str) -> None:
    checked = set()
    for method, template, op_id, status, name, body in examples(version):
        if (version, op_id, status) in KNOWN_BAD_EXAMPLES:
            with pytest.raises(AssertionError, match="/ticket_state"):
                check(version, method, concrete(template), body, status)
            continue
        assert check(version, method, concrete(template), body, status), (op_id, name)
        checked.add(op_id)
    # Several operations per file, not just one lucky shape.
    assert {
        "getTicket",
        "updateTicket",
        "searchTickets",
        "replyTicket",
        "listTicketTypes",
    } < checked
    assert ("createTicket" in checked) and ("attachTagToTicket" in checked)


def test_wrong_type_fails_with_pointer_version_and_operation() -> None:
    ticket = example("2.11", "getTicket")
    ticket["ticket_parts"]["ticket_parts"][0]["author"]["type"] = "robot"
    with pytest.raises(AssertionError) as failed:
        check("2.11", "GET", "/tickets/631", ticket)
    message = str(failed.value)
    assert "Intercom 2.11 getTicket (GET /tickets/{ticket_id}) 200" in message
    assert "at /ticket_parts/ticket_parts/0/author/type" in message
    assert "'robot' is not one of" in message

    ticket = example("2.11", "getTicket")
    ticket["id"] = 631
    with pytest.raises(AssertionError, match=r"at /id: 631 is not of type 'string'"):
        check("2.11", "GET", "/tickets/631", ticket)


def test_missing_required_field_fails_in_2_11_only() -> None:
    ticket = example("2.11", "getTicket")
    del ticket["ticket_id"]
    with pytest.raises(AssertionError, match=r"at \(root\): 'ticket_id' is a required property"):
        check("2.11", "GET", "/tickets/631", ticket)
    # 2.11 is the outlier that marks ticket fields required; 2.16 does not.
    ticket = example("2.16", "getTicket")
    del ticket["ticket_id"]
    assert check("2.16", "GET", "/tickets/631", ticket)


def test_ticket_state_shape_follows_the_version() -> None:
    ticket = example("2.16", "getTicket")
    state = ticket["ticket_state"]
    ticket["ticket_state"] = "submitted"
    with pytest.raises(AssertionError, match=r"2\.16 getTicket .* at /ticket_state: 'submitted'"):
        check("2.16", "GET", "/tickets/631", ticket)
    old = example("2.11", "getTicket")
    old["ticket_state"] = state
    with pytest.raises(AssertionError, match=r"2\.11 getTicket .* at /ticket_state"):
        check("2.11", "GET", "/tickets/631", old)
    # The assignee ids became integers in 2.16.
    ticket = example("2.16", "getTicket")
    ticket["admin_assignee_id"] = "0"
    with pytest.raises(AssertionError, match="at /admin_assignee_id"):
        check("2.16", "GET", "/tickets/631", ticket)


def test_nullable_fields_accept_null() -> None:
    ticket = example("2.16", "getTicket")
    ticket["previous_ticket_state_id"] = None
    ticket["contacts"]["contacts"][0]["external_id"] = None
    assert check("2.16", "GET", "/tickets/631", ticket)
    ticket["open"] = None  # not nullable
    with pytest.raises(AssertionError, match="at /open: None is not of type 'boolean'"):
        check("2.16", "GET", "/tickets/631", ticket)


def test_patched_spec_defects_describe_the_real_lists() -> None:
    # §10.1: the real ticket type list is {"type": "list", "data": [...]} in every version,
    # and the items are still held to the ticket_type schema after the patch.
    listed = example("2.11", "listTicketTypes")
    assert listed["type"] == "list"
    assert check("2.11", "GET", "/ticket_types", listed)
    assert check("2.9", "GET", "/ticket_types", listed)
    listed["data"][0]["ticket_type_attributes"]["data"][0]["order"] = "first"
    with pytest.raises(AssertionError, match="at /data/0/ticket_type_attributes/data/0/order"):
        check("2.11", "GET", "/ticket_types", listed)
    listed = example("2.11", "listTicketTypes")
    listed["type"] = "ticket_type_attributes.list"  # the 2.11 file's wrong enum
    with pytest.raises(AssertionError, match="at /type"):
        check("2.11", "GET", "/ticket_types", listed)
    # 2.11 state parts carry no body, other parts no ticket_state (§3.5).
    part = {"type": "ticket_part", "id": "1", "part_type": "assignment", "created_at": 1}
    ticket = example("2.11", "getTicket")
    ticket["ticket_parts"]["ticket_parts"] = [part]
    assert check("2.11", "GET", "/tickets/631", ticket)


def test_every_spec_defect_patch_applies() -> None:
    # A patch asserts its defect is present; loading every file proves none went stale.
    for version in contract.FILES:
        schemas = contract.load(version).doc["components"]["schemas"]
        assert "data" in schemas["ticket_type_attribute_list"]["properties"]
        assert schemas["ticket_type_attribute"]["properties"]["input_options"]["nullable"]
    # A file that no longer has a defect (here: one already patched) is reported, not patched.
    fixed = copy.deepcopy(contract.load("2.11").doc["components"]["schemas"])
    with pytest.raises(AssertionError, match=r"no longer applies to 2\.11\.yaml ticket_type_list"):
        contract._patch("2.11", fixed)


def test_error_statuses_and_bodies() -> None:
    error = {"type": "error.list", "request_id": None, "errors": [{"code": "not_found"}]}
    # getTicket documents no 404; an undocumented failure is held to the error schema.
    assert check("2.14", "GET", "/tickets/1", error, 404)
    with pytest.raises(AssertionError, match=r"getTicket .* 404: .* 'errors' is a required"):
        check("2.14", "GET", "/tickets/1", {"type": "error.list", "detail": "nope"}, 404)
    with pytest.raises(AssertionError, match="documents no 201 response"):
        check("2.14", "POST", "/tickets", example("2.16", "createTicket"), 201)
    with pytest.raises(AssertionError, match="body is not JSON"):
        contract.check("GET", "/tickets/1", 200, b"<html>", "2.14")
    assert not contract.check("DELETE", "/tags/5", 200, b"", "2.14")  # empty body: nothing


def test_version_mapping() -> None:
    assert contract.version_file("Unstable") == "Preview"
    assert contract.version_file("unstable") == "Preview"
    assert contract.version_file("Preview") == "Preview"
    assert contract.version_file("2.11") == "2.11"
    assert contract.version_file(None) == "2.14"
    assert contract.version_file(None, default="2.11") == "2.11"
    assert contract.version_file("2.16", default="2.11") == "2.16"
    for no_file in ("1.0", "2.8", "3.0", ""):
        assert contract.version_file(no_file) is None
    # The header picks the schema: a 2.16 ticket is wrong for a header-less 2.11 workspace.
    ticket = example("2.16", "getTicket")
    assert contract.check("GET", "/tickets/1", 200, orjson.dumps(ticket), "Unstable")
    assert contract.check("GET", "/tickets/1", 200, orjson.dumps(ticket), None, "2.16")
    with pytest.raises(AssertionError, match=r"Intercom 2\.11 getTicket"):
        contract.check("GET", "/tickets/1", 200, orjson.dumps(ticket), None, "2.11")
    assert not contract.check("GET", "/tickets/1", 200, orjson.dumps(ticket), "2.8")


# Every ticket operation of reference §1.1: (operationId, method, wire path, first version).
TICKET_OPS = [
    ("createTicket", "POST", "/tickets", "2.9"),
    ("getTicket", "GET", "/tickets/123", "2.9"),
    ("updateTicket", "PUT", "/tickets/123", "2.9"),
    ("replyTicket", "POST", "/tickets/123/reply", "2.9"),
    ("listTicketTypes", "GET", "/ticket_types", "2.9"),
    ("createTicketType", "POST", "/ticket_types", "2.9"),
    ("getTicketType", "GET", "/ticket_types/7", "2.9"),
    ("updateTicketType", "PUT", "/ticket_types/7", "2.9"),
    ("createTicketTypeAttribute", "POST", "/ticket_types/7/attributes", "2.9"),
    ("updateTicketTypeAttribute", "PUT", "/ticket_types/7/attributes/9", "2.9"),
    ("searchTickets", "POST", "/tickets/search", "2.10"),
    ("attachTagToTicket", "POST", "/tickets/123/tags", "2.10"),
    ("detachTagFromTicket", "DELETE", "/tickets/123/tags/4", "2.10"),
    ("convertConversationToTicket", "POST", "/conversations/55/convert", "2.10"),
    ("listTicketStates", "GET", "/ticket_states", "2.12"),
    ("deleteTicket", "DELETE", "/tickets/123", "2.13"),
    ("enqueueCreateTicket", "POST", "/tickets/enqueue", "2.14"),
    ("jobsStatus", "GET", "/jobs/status/20", "2.14"),
    ("changeTicketType", "POST", "/tickets/123/change_type", "2.16"),
    ("linkConversationToTicket", "POST", "/tickets/123/linked_conversations", "2.16"),
    ("unlinkConversationFromTicket", "DELETE", "/tickets/123/linked_conversations/77", "2.16"),
]


@pytest.mark.parametrize("version", ["2.9", "2.11", "2.12", "2.14", "2.16", "Preview"])
def test_ticket_paths_match_their_operations(version: str) -> None:
    order = contract.FILES
    for op_id, method, path, since in TICKET_OPS:
        op = contract.match(version, method, path)
        if order.index(version) < order.index(since):
            assert op is None, (version, method, path, op)
        else:
            assert op is not None, (version, method, path)
            assert op.operation_id == op_id, (version, method, path, op.operation_id)
    # Query strings and a trailing slash do not change the operation.
    assert contract.match(version, "GET", "/tickets/123?x=1").operation_id == "getTicket"
    assert contract.match(version, "GET", "/tickets/123/").operation_id == "getTicket"
    assert contract.match(version, "PATCH", "/tickets/123") is None
    assert contract.match(version, "GET", "/tickets/123/nope") is None


def test_param_names_differ_but_matching_is_structural() -> None:
    templates = {
        v: contract.match(v, "DELETE", "/tickets/1/tags/2").template for v in ("2.10", "2.11")
    }
    assert templates == {
        "2.10": "/tickets/{ticket_id}/tags/{id}",
        "2.11": "/tickets/{ticket_id}/tags/{tag_id}",
    }
    # A literal segment beats a parameter: /tickets/search is not getTicket-like.
    assert contract.match("2.14", "POST", "/tickets/enqueue").operation_id == "enqueueCreateTicket"


def test_schema_conversion() -> None:
    ref = contract.to_json_schema({"$ref": "#/components/schemas/x", "nullable": True})
    assert ref == {"anyOf": [{"$ref": "#/components/schemas/x"}, {"type": "null"}]}
    enum = contract.to_json_schema({"type": "string", "enum": ["a"], "nullable": True})
    assert enum == {"type": ["string", "null"], "enum": ["a", None]}
    typed_ref = contract.to_json_schema(
        {"type": "object", "nullable": True, "allOf": [{"$ref": "#/r"}], "x-tags": ["T"]}
    )
    assert typed_ref == {
        "anyOf": [{"type": "object", "allOf": [{"$ref": "#/r"}]}, {"type": "null"}]
    }
    props = contract.to_json_schema(
        {
            "type": "object",
            "properties": {"description": {"type": "string", "format": "uri", "example": "x"}},
            "oneOf": [{"required": ["description"]}],
            "discriminator": {"propertyName": "type"},
        }
    )
    assert props == {
        "type": "object",
        "properties": {"description": {"type": "string"}},
        "anyOf": [{"required": ["description"]}],
    }


def test_validated_responses_are_recorded() -> None:
    before = contract.COUNTS["2.16"]
    check("2.16", "GET", "/tickets/9", example("2.16", "getTicket"))
    assert contract.COUNTS["2.16"] == before + 1
    assert ("2.16", "GET", "/tickets/{ticket_id}", 200) in contract.VALIDATED
    assert "2.16: " in contract.summary()


def test_spec_folder_missing_skips_locally_and_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(contract.SPEC_ENV, str(tmp_path))
    assert contract.spec_dir() is None
    assert "oracle OFF" in contract.summary()
    monkeypatch.setattr(contract, "IN_CI", False)
    with pytest.raises(pytest.skip.Exception, match=str(tmp_path)):
        contract.require()
    assert not contract.check("GET", "/tickets/1", 200, b"{}", None)
    monkeypatch.setattr(contract, "IN_CI", True)
    with pytest.raises(pytest.fail.Exception, match="CI requires it"):
        contract.require()
    with pytest.raises(pytest.fail.Exception):
        contract.check("GET", "/tickets/1", 200, b"{}", None)


# -- the oracle on live traffic -------------------------------------------------------------


@pytest.fixture
def old_workspace(server: Server) -> Iterator[Workspace]:
    """A workspace answering header-less calls in 2.11, whose admin has an avatar (an object
    in 2.11, a URL string in 2.14)."""
    ws = make_workspace(server, "Old", default_version="2.11")
    url = "https://example.com/ada.png"
    server.tx(
        lambda c: c.execute(update(admins).where(admins.c.id == ws.admin_id).values(avatar_url=url))
    )
    yield ws


def test_api_client_validates_in_the_workspace_default(server: Server, old_workspace) -> None:
    with make_api(server, old_workspace.token) as client:
        assert client.default_version == "2.11"
        before = contract.COUNTS["2.11"]
        assert isinstance(client.get("/admins").json()["admins"][0]["avatar"], dict)
        assert contract.COUNTS["2.11"] == before + 1
        # Validated as 2.14 instead, the 2.11 avatar object is caught.
        client.default_version = "2.14"
        with pytest.raises(AssertionError, match=r"2\.14 listAdmins .* at /admins/0/avatar"):
            client.get("/admins")
        before = dict(contract.COUNTS)
        assert client.get("/admins", contract=False).status_code == 200
        assert dict(contract.COUNTS) == before


def test_sdk_traffic_is_validated(server: Server, sdk, old_workspace) -> None:
    from intercom import Intercom

    before = contract.COUNTS["2.14"]
    assert sdk.admins.list().admins
    assert contract.COUNTS["2.14"] == before + 1
    # An SDK client whose hook expects 2.14 against the 2.11 workspace: the hook raises.
    hook = contract.httpx_hook("2.14")
    with httpx.Client(timeout=30, event_hooks={"response": [hook]}) as http:
        old = Intercom(token=old_workspace.token, base_url=server.url, httpx_client=http)
        with pytest.raises(AssertionError, match=r"2\.14 listAdmins .* at /admins/0/avatar"):
            old.admins.list()
