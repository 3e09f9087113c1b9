"""The small ticket data set the field-by-field search tests read: six live tickets of three
categories with every kind of custom attribute, states, snoozes, replies, assignees, one
deleted ticket, and a twin workspace whose ticket matches everything ours do."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from tests.conftest import Api, Server, make_api, make_workspace
from tests.ticket_fixtures import add_attribute, make_contact, make_ticket, make_type
from ticketry.workspaces import service as ws_service

BASE = 1_700_000_000  # 2023-11-14T22:13:20Z
LIVE = frozenset({"checkout", "login", "slash", "refund", "outage", "untitled"})
BUGS = frozenset({"checkout", "login", "slash", "untitled"})


@dataclass
class Data:
    api: Api
    token: str
    refs: dict[str, str] = field(default_factory=dict)  # name -> id (tickets, attrs, people)
    names: dict[str, str] = field(default_factory=dict)  # ticket id -> name
    updates_from: int = 0  # no real update happened before this second

    def resolve(self, node: Any) -> Any:
        """`<name>` -> the id as a string, `<#name>` -> as an integer, `.<name>` in a field
        name -> the attribute id."""
        if isinstance(node, dict):
            return {k: self.resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [self.resolve(v) for v in node]
        if isinstance(node, str) and node.startswith("<#") and node.endswith(">"):
            return int(self.refs[node[2:-1]])
        if isinstance(node, str) and node.startswith("<") and node.endswith(">"):
            return self.refs[node[1:-1]]
        if isinstance(node, str) and node.startswith("ticket_attribute.<"):
            return "ticket_attribute." + self.refs[node.split("<", 1)[1].rstrip(">")]
        return node

    def found(self, query: Any, version: str | None = None, api: Api | None = None) -> set[str]:
        resp = (api or self.api).post(
            "/tickets/search",
            json={"query": self.resolve(query), "pagination": {"per_page": 150}},
            version=version,
        )
        assert resp.status_code == 200, resp.text
        body = resp.json()
        ids = [t["id"] for t in body["tickets"]]
        assert body["total_count"] == len(ids)
        assert ids == sorted(ids, key=int, reverse=True)  # newest first
        return {self.names.get(i, i) for i in ids}


def leaf(name: str, operator: str, value: Any) -> dict[str, Any]:
    return {"field": name, "operator": operator, "value": value}


def _put(api: Api, name: str, d: Data, body: dict[str, Any], version: str | None = None) -> None:
    resp = api.put(f"/tickets/{d.refs[name]}", json=body, version=version)
    assert resp.status_code == 200, resp.text


def _reply(api: Api, name: str, d: Data, body: dict[str, Any]) -> None:
    resp = api.post(f"/tickets/{d.refs[name]}/reply", json=body)
    assert resp.status_code == 200, resp.text


def build(server: Server) -> Data:
    ws = make_workspace(server, "Search fields")

    def people(conn: Any) -> tuple[int, int]:
        bo = ws_service.create_admin(conn, ws.id, "Bo Admin", f"bo-{ws.id}@example.com")["id"]
        crew = ws_service.create_team(conn, ws.id, "Billing", [bo])["id"]
        return bo, crew

    bo, crew = server.tx(people)
    api = make_api(server, ws.token)
    d = Data(api, ws.token, {"ada": str(ws.admin_id), "bo": str(bo), "crew": str(crew)})
    bug = make_type(api, "Bug")
    d.refs |= {"bug": bug["id"], "chore": make_type(api, "Chore", category="Back-office")["id"]}
    d.refs["tracker"] = make_type(api, "Outage", category="Tracker")["id"]
    attributes: list[tuple[str, str, dict[str, Any]]] = [
        ("Note", "string", {}),
        ("Priority", "list", {"list_items": "Low,Medium,High"}),
        ("Areas", "list", {"list_items": "UI,API", "allow_multiple_values": True}),
        ("Seats", "integer", {}),
        ("Cost", "decimal", {}),
        ("Urgent", "boolean", {}),
        ("Due", "datetime", {}),
        ("Shot", "files", {}),
    ]
    for name, kind, extra in attributes:
        attr = add_attribute(api, bug["id"], name, kind, **extra)
        d.refs[name] = attr["id"]
        for option in (attr.get("input_options") or {}).get("list_options", []):
            d.refs[option["label"]] = option["id"]
    for who in ("ann", "bob", "cy"):
        d.refs[who] = make_contact(api, f"{who}@example.com")["id"]

    def ticket(name: str, type_ref: str, contact: str, at: int, **attrs: Any) -> None:
        assignment = attrs.pop("assignment", None)
        extra: dict[str, Any] = {"assignment": assignment} if assignment else {}
        made = make_ticket(
            api, d.refs[type_ref], d.refs[contact], created_at=at, ticket_attributes=attrs, **extra
        )
        d.refs[name] = made["id"]
        d.names[made["id"]] = name

    title, desc = "_default_title_", "_default_description_"
    ticket("checkout", "bug", "ann", BASE, **{title: "Checkout 50%_off fails",
           desc: "Card DECLINED at checkout"}, Note="alpha", Priority="High", Areas=["UI", "API"],
           Seats=3, Cost=1.5, Urgent=True, Due=BASE + 1000,
           assignment={"admin_assignee_id": d.refs["ada"]})  # fmt: skip
    ticket("login", "bug", "bob", BASE + 100, **{title: "Login broken"}, Note="Gamma",
           Priority=d.refs["Low"], Areas=[d.refs["API"]], Seats=7, Cost=2, Urgent=False,
           Due="2023-11-14T22:46:40Z", assignment={"team_assignee_id": d.refs["crew"]})  # fmt: skip
    ticket("slash", "bug", "ann", BASE + 200, **{title: "back\\slash path", desc: "a_b c"},
           Seats="0", Cost=-0.5)  # fmt: skip
    ticket("refund", "chore", "bob", BASE + 300, **{title: "Refund order", desc: "100% refund"})
    ticket("outage", "tracker", "cy", BASE + 400, **{title: "EU outage",
           desc: "Outage in EU-west"}, assignment={"admin_assignee_id": d.refs["ada"],
           "team_assignee_id": d.refs["crew"]})  # fmt: skip
    ticket("untitled", "bug", "cy", BASE + 500, **{desc: "x"}, Seats=3, Due=str(BASE + 1000))
    ticket("doomed", "bug", "ann", BASE + 600, **{title: "Doomed ticket"}, Note="alpha", Seats=3)

    # Real updates from here on: updated_at becomes the wall clock.
    d.updates_from = int(time.time())
    _put(api, "login", d, {"ticket_attributes": {"Note": "Beta", "Seats": 10}})
    _put(api, "login", d, {"state": "in_progress", "snoozed_until": BASE + 6000}, "2.11")
    _reply(api, "login", d, {"message_type": "comment", "type": "admin", "admin_id": bo,
                             "body": "On it"})  # fmt: skip
    _put(api, "checkout", d, {"snoozed_until": BASE + 5000})
    _reply(api, "checkout", d, {"message_type": "comment", "type": "user",
                                "intercom_user_id": d.refs["ann"], "body": "Still broken"})  # fmt: skip
    _put(api, "refund", d, {"state": "resolved", "admin_id": str(bo), "assignee_id": str(bo)})
    _put(api, "outage", d, {"state": "waiting_on_customer"}, "2.11")
    _reply(api, "outage", d, {"message_type": "note", "type": "admin", "admin_id": str(bo),
                              "body": "Paging the on-call"})  # fmt: skip
    _put(api, "untitled", d, {"open": False})

    # A twin workspace whose ticket matches everything ours do: it must never show up.
    other = make_workspace(server, "Twin")
    with make_api(server, other.token) as theirs:
        twin_type = make_type(theirs, "Bug")
        twin_attr = add_attribute(theirs, twin_type["id"], "Note", "string")
        twin_contact = make_contact(theirs, "ann@example.com")
        twin = make_ticket(theirs, twin_type["id"], twin_contact["id"], created_at=BASE,
                           ticket_attributes={title: "Checkout 50%_off fails", "Note": "alpha"})  # fmt: skip
    d.refs |= {"twin": twin["id"], "twin_contact": twin_contact["id"], "twin_note": twin_attr["id"]}
    d.refs["twin_token"] = other.token
    # Deleted last: SQLite hands a deleted rowid to the next ticket created.
    deleted = api.delete(f"/tickets/{d.refs['doomed']}")
    assert deleted.status_code == 200, deleted.text
    return d


def all_but(*names: str) -> frozenset[str]:
    return LIVE - set(names)
