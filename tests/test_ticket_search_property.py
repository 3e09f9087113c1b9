"""A property test of POST /tickets/search: random queries (single filters, AND/OR groups two
deep) over a random but seeded set of tickets, each answered by the server on both databases
and by a plain Python reading of the documented semantics, written here from scratch."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Api, Server, make_api, make_workspace
from tests.ticket_fixtures import add_attribute, make_contact, make_ticket, make_type
from ticketry.workspaces import service as ws_service

BASE = 1_650_000_000
TICKETS = 18
TITLES = ["Login broken", "login BROKEN again", "Checkout 50%_off", "a_b", "back\\slash",
          "Error 500 on save", "100% Done", "ab", None]  # fmt: skip
DESCRIPTIONS = ["Card declined", "card DECLINED twice", "50% off", "x_y", None, None]
NOTES = ["alpha", "Alpha beta", "gamma_1", "%", None]
STATES = ["submitted", "in_progress", "waiting_on_customer", "resolved"]
CATEGORY_TERMS = {"request": "Customer", "task": "Back-office", "tracker": "Tracker"}

# Field kinds: which operators each takes and how a query value is read.
EQ = ["=", "!=", "IN", "NIN"]
ORDERED = [*EQ, "<", "<=", ">", ">="]
TEXT = [*EQ, "~", "!~", "^", "$"]
NEGATIVE = {"!=": "=", "NIN": "IN", "!~": "~"}


@dataclass
class Field:
    name: str
    kind: str  # text | id | number | date | bool | category | state | assignee
    operators: list[str]


@dataclass
class World:
    api: Api
    records: list[dict[str, Any]]  # field name -> list of stored values (empty = null)
    fields: list[Field]
    pools: dict[str, list[Any]]  # field name -> values worth asking about
    attrs: dict[str, str]  # custom attribute name -> its search field


def _values(record: dict[str, Any], name: str, value: Any) -> None:
    record[name] = [] if value is None else list(value) if isinstance(value, list) else [value]


def build(server: Server) -> World:
    rnd = random.Random(20240611)
    ws = make_workspace(server, "Search property")

    def people(conn: Any) -> tuple[list[str], list[str]]:
        admins = [str(ws.admin_id)] + [
            str(ws_service.create_admin(conn, ws.id, n, f"{n}-{ws.id}@example.com")["id"])
            for n in ("bo", "cy")
        ]
        teams = [str(ws_service.create_team(conn, ws.id, n, [])["id"]) for n in ("T1", "T2")]
        return admins, teams

    admins, teams = server.tx(people)
    api = make_api(server, ws.token)
    types = [make_type(api, "Bug"), make_type(api, "Chore", category="Back-office"),
             make_type(api, "Outage", category="Tracker")]  # fmt: skip
    bug = types[0]["id"]
    spec: dict[str, tuple[str, dict[str, Any]]] = {"Note": ("string", {}), "Level": ("list", {"list_items": "A,B,C"}),
            "Tags": ("list", {"list_items": "x,y,z", "allow_multiple_values": True}),
            "Count": ("integer", {}), "Ratio": ("decimal", {}), "Flag": ("boolean", {}),
            "When": ("datetime", {})}  # fmt: skip
    attrs, options = {}, {}
    for name, (kind, extra) in spec.items():
        made = add_attribute(api, bug, name, kind, **extra)
        attrs[name] = made["id"]
        options[name] = [o["id"] for o in (made["input_options"] or {}).get("list_options", [])]
    contacts = [make_contact(api, f"p{i}@example.com")["id"] for i in range(3)]

    draws = {
        "Note": lambda: rnd.choice(NOTES),
        "Level": lambda: rnd.choice([*options["Level"], None]),
        "Tags": lambda: rnd.sample(options["Tags"], rnd.randint(0, 2)) or None,
        "Count": lambda: rnd.choice([-1, 0, 3, 3, 10, None]),
        "Ratio": lambda: rnd.choice([-0.5, 0, 1.5, 2.25, None]),
        "Flag": lambda: rnd.choice([True, False, None]),
        "When": lambda: rnd.choice([BASE + 100, BASE + 200, BASE + 200, None]),
    }
    made_ids = []
    custom: dict[str, dict[str, Any]] = {}
    for _ in range(TICKETS):
        ticket_type = rnd.choice([types[0], types[0], types[1], types[2]])
        values: dict[str, Any] = {"_default_title_": rnd.choice(TITLES),
                                  "_default_description_": rnd.choice(DESCRIPTIONS)}  # fmt: skip
        if ticket_type["id"] == bug:
            values |= {name: draw() for name, draw in draws.items()}
        assignment = {"admin_assignee_id": rnd.choice([*admins, None]),
                      "team_assignee_id": rnd.choice([*teams, None])}  # fmt: skip
        made = make_ticket(
            api, ticket_type["id"], rnd.choice(contacts),
            created_at=BASE + rnd.choice(range(0, 1000, 100)),
            ticket_attributes={k: v for k, v in values.items() if v is not None},
            assignment={k: v for k, v in assignment.items() if v is not None},
        )  # fmt: skip
        made_ids.append(made["id"])
        custom[made["id"]] = {n: values.get(n) for n in spec}
        url = f"/tickets/{made['id']}"
        change: dict[str, Any] = {}
        if rnd.random() < 0.6:
            change["state"] = rnd.choice(STATES[1:])
        if rnd.random() < 0.3:
            change["snoozed_until"] = BASE + rnd.choice([5000, 6000])
        if rnd.random() < 0.2:
            change["open"] = False
        if change:
            assert api.put(url, json=change, version="2.11").status_code == 200
        if rnd.random() < 0.4:
            reply = {"message_type": "note", "type": "admin", "admin_id": rnd.choice(admins[1:]),
                     "body": "noted"}  # fmt: skip
            assert api.post(f"{url}/reply", json=reply).status_code == 200

    records = []
    for ticket_id in made_ids:
        t = api.get(f"/tickets/{ticket_id}").json()
        parts = t["ticket_parts"]["ticket_parts"]
        record: dict[str, Any] = {"key": t["id"]}
        for name, value in [
            ("id", t["id"]),
            ("created_at", t["created_at"]),
            ("updated_at", t["updated_at"]),
            ("snoozed_until", t.get("snoozed_until")),
            ("title", t["ticket_attributes"]["_default_title_"]),
            ("description", t["ticket_attributes"]["_default_description_"]),
            ("category", t["category"]),
            ("ticket_type_id", t["ticket_type"]["id"]),
            ("contact_ids", [c["id"] for c in t["contacts"]["contacts"]]),
            ("teammate_ids", sorted({p["author"]["id"] for p in parts
                                     if p["author"]["type"] == "admin"})),
            ("admin_assignee_id", None if t["admin_assignee_id"] == "0" else t["admin_assignee_id"]),
            ("team_assignee_id", None if t["team_assignee_id"] == "0" else t["team_assignee_id"]),
            ("open", t["open"]),
            ("state", t["ticket_state"]["category"]),
        ]:  # fmt: skip
            _values(record, name, value)
        for name in spec:
            _values(record, f"ticket_attribute.{attrs[name]}", custom[ticket_id][name])
        records.append(record)

    def attr(name: str) -> str:
        return f"ticket_attribute.{attrs[name]}"

    fields = [
        Field("id", "id", EQ), Field("created_at", "date", ORDERED),
        Field("updated_at", "date", ORDERED), Field("snoozed_until", "date", ORDERED),
        Field("title", "text", TEXT), Field("description", "text", TEXT),
        Field("category", "category", EQ), Field("ticket_type_id", "id", EQ),
        Field("contact_ids", "id", EQ), Field("teammate_ids", "id", EQ),
        Field("admin_assignee_id", "assignee", EQ), Field("team_assignee_id", "assignee", EQ),
        Field("open", "bool", ["=", "!="]), Field("state", "state", EQ),
        Field(attr("Note"), "text", TEXT), Field(attr("Level"), "id", EQ),
        Field(attr("Tags"), "id", EQ), Field(attr("Count"), "number", ORDERED),
        Field(attr("Ratio"), "number", ORDERED), Field(attr("Flag"), "bool", ["=", "!="]),
        Field(attr("When"), "date", ORDERED),
    ]  # fmt: skip
    updated = sorted({r["updated_at"][0] for r in records})
    pools = {
        "id": [*made_ids[:6], "999999"],
        "created_at": [BASE - 1, BASE, BASE + 300, BASE + 900, BASE + 5000],
        "updated_at": [BASE, BASE + 500, updated[0], updated[-1], updated[-1] + 1],
        "snoozed_until": [BASE + 5000, BASE + 5999, BASE + 6000],
        "title": [t for t in TITLES if t] + ["", "zzz"],
        "description": [d for d in DESCRIPTIONS if d] + ["nope"],
        "category": ["request", "task", "tracker", "Customer", "Back-office"],
        "ticket_type_id": [t["id"] for t in types],
        "contact_ids": [*contacts, "0123456789abcdef01234567"],
        "teammate_ids": [*admins, "424242"],
        "admin_assignee_id": [*admins, "0"],
        "team_assignee_id": [*teams, "0"],
        "state": STATES,
        attr("Note"): [n for n in NOTES if n] + ["beta"],
        attr("Level"): options["Level"],
        attr("Tags"): options["Tags"],
        attr("Count"): [-1, 0, 3, 5, 10],
        attr("Ratio"): [-0.5, 0, 1.5, 2, 2.25],
        attr("When"): [BASE + 100, BASE + 150, BASE + 200],
    }
    return World(api, records, fields, pools, {name: attr(name) for name in spec})


@pytest.fixture(scope="module")
def world(server: Server) -> Iterator[World]:
    w = build(server)
    yield w
    w.api.close()


# -- the oracle: the documented semantics, in plain Python -----------------------------------


def read(kind: str, raw: Any) -> Any:
    """A query value as the server should read it."""
    if kind == "bool":
        return raw in (True, 1, "1", "true")
    if kind in ("date", "number"):
        return float(raw)
    if kind == "category":
        return CATEGORY_TERMS.get(raw.lower(), raw)
    if kind == "assignee":
        return None if str(raw) == "0" else str(raw)
    return str(raw)


def positive(kind: str, op: str, have: Any, want: Any) -> bool:
    if op == "=":
        return have == want
    if op in ("~", "^", "$"):
        text, part = have.lower(), want.lower()
        return (
            part in text
            if op == "~"
            else text.startswith(part)
            if op == "^"
            else text.endswith(part)
        )
    return {"<": have < want, "<=": have <= want, ">": have > want, ">=": have >= want}[op]


def matches(record: dict[str, Any], kinds: dict[str, str], node: dict[str, Any]) -> bool:
    if node["operator"] in ("AND", "OR"):
        results = [matches(record, kinds, child) for child in node["value"]]
        return all(results) if node["operator"] == "AND" else any(results)
    name, op, raw = node["field"], node["operator"], node["value"]
    kind, stored = kinds[name], record[name]  # stored: a list, empty for null
    if raw is None:
        return not stored if op == "=" else bool(stored)
    base = NEGATIVE.get(op, op)
    if base == "IN":
        wanted = [read(kind, v) for v in raw]
        hit = any(v in wanted for v in stored) or (None in wanted and not stored)
    else:
        want = read(kind, raw)
        # an assignee "0" (read as None) is nobody
        hit = not stored if want is None else any(positive(kind, base, v, want) for v in stored)
    return not hit if op in NEGATIVE else hit


# -- random queries ---------------------------------------------------------------------------


def shapes(kind: str, value: Any) -> st.SearchStrategy[Any]:
    """The spellings clients send for one value: ids as numbers, dates as digit strings,
    booleans as 1/0 (python-intercom) or strings, numbers as numeric strings."""
    options = [value]
    if kind in ("id", "assignee") and str(value).isdigit():
        options.append(int(value))
    if kind == "date":
        options.append(str(value))
    if kind == "number":
        options.append(str(value))
    if kind == "text" and isinstance(value, str) and value.isdigit():
        options.append(int(value))
    return st.sampled_from(options)


def text_values(pool: list[str]) -> st.SearchStrategy[str]:
    """Substrings of known texts (1-6 characters, any case) and the LIKE wildcards."""

    def cut(text: str) -> st.SearchStrategy[str]:
        return st.tuples(st.integers(0, len(text)), st.integers(1, 6), st.booleans()).map(
            lambda a: text[a[0] : a[0] + a[1]].upper() if a[2] else text[a[0] : a[0] + a[1]]
        )

    return st.one_of(st.sampled_from(pool), st.sampled_from(pool).flatmap(cut),
                     st.sampled_from(["%", "_", "\\", "0%", "B", "500"]))  # fmt: skip


def leaf_for(field: Field, op: str, pools: dict[str, list[Any]]) -> st.SearchStrategy[Any]:
    if field.kind == "bool":
        values: st.SearchStrategy[Any] = st.sampled_from([True, False, 1, 0, "true", "false"])
    else:
        values = st.sampled_from(pools[field.name]).flatmap(lambda v: shapes(field.kind, v))
    if op in ("IN", "NIN"):
        value: st.SearchStrategy[Any] = st.lists(values, min_size=1, max_size=3)
    elif op in ("~", "!~", "^", "$"):
        value = text_values(pools[field.name])
    elif op in ("=", "!=") and field.kind == "text":
        value = st.one_of(values, st.none(), text_values(pools[field.name]))
    elif op in ("=", "!="):
        value = st.one_of(values, st.none())
    else:
        value = values
    return value.map(lambda v: {"field": field.name, "operator": op, "value": v})


def pairs(world: World) -> list[tuple[Field, str]]:
    return [(f, op) for f in world.fields for op in f.operators]


def queries(world: World) -> st.SearchStrategy[dict[str, Any]]:
    # Drawn as (field, operator) pairs rather than a field then an operator, so that the
    # rarer pairs (an ordering operator on one attribute) come up about as often as any.
    leaf = st.sampled_from(pairs(world)).flatmap(lambda p: leaf_for(p[0], p[1], world.pools))

    def group(children: st.SearchStrategy[Any], most: int) -> st.SearchStrategy[Any]:
        return st.tuples(st.sampled_from(["AND", "OR"]), st.lists(children, min_size=1,
                         max_size=most)).map(lambda g: {"operator": g[0], "value": g[1]})  # fmt: skip

    inner = group(leaf, 4)
    return st.one_of(leaf, leaf, inner, group(st.one_of(leaf, inner), 3))


def leaves(node: dict[str, Any]) -> list[dict[str, Any]]:
    if node["operator"] in ("AND", "OR"):
        return [leaf for child in node["value"] for leaf in leaves(child)]
    return [node]


def check(world: World, query: dict[str, Any]) -> None:
    kinds = {f.name: f.kind for f in world.fields}
    expected = {r["key"] for r in world.records if matches(r, kinds, query)}
    resp = world.api.post(
        "/tickets/search", json={"query": query, "pagination": {"per_page": 150}}, contract=False
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    got = [t["id"] for t in body["tickets"]]
    assert body["total_count"] == len(got)
    assert set(got) == expected, {"query": query, "extra": set(got) - expected,
                                  "missing": expected - set(got)}  # fmt: skip


PROFILE = settings(
    deadline=None,
    derandomize=True,  # the same examples on every run and machine
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@settings(PROFILE, max_examples=80)
@given(data=st.data())
def test_search_agrees_with_a_plain_python_filter(world: World, data: st.DataObject) -> None:
    query = data.draw(queries(world), label="query")
    check(world, query)
    # Each filter of a group on its own too: a group can hide one filter's wrong answer.
    if query["operator"] in ("AND", "OR"):
        for leaf in leaves(query):
            check(world, leaf)


@settings(PROFILE, max_examples=2)
@given(data=st.data())
def test_every_field_and_operator_agrees(world: World, data: st.DataObject) -> None:
    """Random draws favour some (field, operator) pairs; here each pair gets a random value
    in every example, so none is left out."""
    for field, op in pairs(world):
        check(world, data.draw(leaf_for(field, op, world.pools), label=f"{field.name} {op}"))


def test_the_data_set_covers_every_kind_of_value(world: World) -> None:
    """Guards the property test against a seed that leaves a field all null or all set."""
    for name in ("title", "description", "snoozed_until", "admin_assignee_id",
                 "team_assignee_id", *world.attrs.values()):  # fmt: skip
        filled = [bool(r[name]) for r in world.records]
        assert any(filled) and not all(filled), name
    assert {s for r in world.records for s in r["state"]} == set(STATES)
    assert {o for r in world.records for o in r["open"]} == {True, False}
    assert len({c for r in world.records for c in r["category"]}) == 3
    assert any(len(r[world.attrs["Tags"]]) > 1 for r in world.records)
