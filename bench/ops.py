"""The benchmarked operations and their request variants, built from a sample of the
seeded data: ticket reads and writes, and one search per kind of filter.

Every operation carries many variants (random existing tickets, values drawn from real
rows) so a run measures the database, not one cached row. `target` names the latency goal a
search is held to: "eq" (equality on an indexed field, p99 < 50 ms) or "andor" (AND/OR with
a text `~`, p99 < 200 ms).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from bench.sample import Attribute, Sample
from bench.wrk import WALK_PAGES, Request

VARIANTS = 64
ID_VARIANTS = 256
PER_PAGE = 20
# Intercom's 2.14+ search docs name categories by these terms, not the display names.
CATEGORY_TERMS = {"Customer": "request", "Back-office": "task", "Tracker": "tracker"}


@dataclass(frozen=True)
class Operation:
    name: str
    kind: str  # "read" | "write" | "search"
    requests: list[Request]
    target: str | None = None
    walk: bool = False

    @property
    def is_search(self) -> bool:
        return self.kind == "search"


def _search(query: dict[str, Any]) -> Request:
    return Request(
        "POST", "/tickets/search", {"query": query, "pagination": {"per_page": PER_PAGE}}
    )


def _f(field: str, op: str, value: Any) -> dict[str, Any]:
    return {"field": field, "operator": op, "value": value}


def _and(*filters: dict[str, Any]) -> dict[str, Any]:
    return {"operator": "AND", "value": list(filters)}


def _or(*filters: dict[str, Any]) -> dict[str, Any]:
    return {"operator": "OR", "value": list(filters)}


def _value(attr: Attribute, rng: random.Random, words: list[str]) -> Any:
    if attr.data_type == "list":
        choice = rng.choice(attr.options)
        return [choice] if attr.multiple else choice
    if attr.data_type == "integer":
        return rng.randint(1, 1000)
    if attr.data_type == "decimal":
        return round(rng.uniform(0, 1000), 2)
    if attr.data_type == "boolean":
        return rng.random() < 0.5
    if attr.data_type == "datetime":
        return rng.randint(1_600_000_000, 1_760_000_000)
    if attr.data_type == "files":
        return "https://example.com/files/screenshot.png"
    return " ".join(rng.choices(words, k=3))


class Workload:
    """Builds the operations; one seeded RNG, so two runs send the same requests."""

    def __init__(self, sample: Sample, seed: int = 11) -> None:
        self.s = sample
        self.rng = random.Random(seed)
        self.title_vocab = [w for w, _ in sample.title_words.most_common(200)] or ["ticket"]
        self.desc_vocab = [w for w, _ in sample.description_words.most_common(400)] or ["ticket"]

    # -- helpers -------------------------------------------------------------------------

    def _tickets(self, n: int) -> list[dict[str, Any]]:
        return [self.s.pick(self.rng) for _ in range(n)]

    def _values_of(self, column: str, n: int = VARIANTS) -> list[Any]:
        found = [t[column] for t in self.s.tickets if t[column] is not None]
        return [self.rng.choice(found) for _ in range(n)] if found else []

    def _related(self, table: dict[int, list[Any]], n: int = VARIANTS) -> list[str]:
        found = [str(v) for vs in table.values() for v in vs]
        return [self.rng.choice(found) for _ in range(n)] if found else []

    def _attr_values(self, attr: Attribute) -> list[Any]:
        found = [v[attr.id] for v in self.s.values.values() if attr.id in v]
        return [self.rng.choice(found) for _ in range(VARIANTS)] if found else []

    def selective(self, counts: Any) -> list[str]:
        """Words on a handful of sampled tickets (~0.05-0.15% of tickets), else the rarest."""
        rare = [w for w, c in counts.items() if 1 <= c <= 3]
        if not rare:
            rare = [w for w, _ in counts.most_common()[-5:]]
        self.rng.shuffle(rare)
        return sorted(rare[:5]) or ["zzzz"]

    @staticmethod
    def unselective(counts: Any) -> list[str]:
        return [w for w, _ in counts.most_common(3)] or ["ticket"]

    # -- operations ----------------------------------------------------------------------

    def core(self) -> list[Operation]:
        s, rng = self.s, self.rng
        ids = [t["id"] for t in self._tickets(ID_VARIANTS)]
        contacts = self._related(s.contacts, ID_VARIANTS)
        creates = []
        for i in range(VARIANTS):
            attrs: dict[str, Any] = {
                "_default_title_": " ".join(rng.choices(self.title_vocab, k=4)).capitalize(),
                "_default_description_": " ".join(rng.choices(self.desc_vocab, k=14)),
            }
            for a in s.attributes:
                attrs[a.name] = _value(a, rng, self.desc_vocab)
            creates.append(
                Request(
                    "POST",
                    "/tickets",
                    {
                        "ticket_type_id": str(s.type_id),
                        "contacts": [{"id": contacts[i % len(contacts)]}],
                        "ticket_attributes": attrs,
                    },
                )
            )
        listed = s.attribute("list")
        # Half the updates move a ticket to another default state (valid for every type),
        # half set the list attribute on a ticket of the type that has it.
        own_type = [t["id"] for t in s.tickets if t["ticket_type_id"] == s.type_id]
        updates = []
        for i, tid in enumerate(ids):
            if i % 2 and listed is not None and own_type:
                value = _value(listed, rng, [])
                body: dict[str, Any] = {"ticket_attributes": {listed.name: value}}
                tid = rng.choice(own_type)
            else:
                body = {"ticket_state_id": str(rng.choice(s.default_states)["id"])}
            updates.append(Request("PUT", f"/tickets/{tid}", body))
        replies = [
            Request(
                "POST",
                f"/tickets/{tid}/reply",
                {
                    "type": "admin",
                    "message_type": "note",
                    "admin_id": str(rng.choice(s.admin_ids)),
                    "body": "<p>" + " ".join(rng.choices(self.desc_vocab, k=10)) + "</p>",
                },
            )
            for tid in ids
        ]
        return [
            Operation("GET /tickets/{id}", "read", [Request("GET", f"/tickets/{t}") for t in ids]),
            Operation("POST /tickets", "write", creates),
            Operation("PUT /tickets/{id}", "write", updates),
            Operation("POST /tickets/{id}/reply (note)", "write", replies),
        ]

    def searches(self) -> list[Operation]:
        s, rng = self.s, self.rng
        ops: list[Operation] = []

        # target: "eq" for a single-field filter (p99 under 50 ms at 1 connection), "andor"
        # for a combination (under 150 ms), as the speed targets name them.
        def add(name: str, queries: list[dict[str, Any]], target: str | None = None) -> None:
            if queries:
                ops.append(
                    Operation(f"search {name}", "search", [_search(q) for q in queries], target)
                )

        def eq(field: str, values: list[Any]) -> list[dict[str, Any]]:
            return [_f(field, "=", v) for v in values]

        add("state =", eq("state", self._values_of("state")), "eq")
        add("open =", eq("open", [bool(v) for v in self._values_of("open")]), "eq")
        add(
            "category =",
            eq("category", [CATEGORY_TERMS.get(v, v) for v in self._values_of("category")]),
            "eq",
        )
        for column in ("ticket_type_id", "admin_assignee_id", "team_assignee_id"):
            add(f"{column} =", eq(column, [str(v) for v in self._values_of(column)]), "eq")
        add("contact_ids =", eq("contact_ids", self._related(s.contacts)), "eq")
        add("teammate_ids =", eq("teammate_ids", self._related(s.teammates)), "eq")
        add("id =", eq("id", [str(t["id"]) for t in self._tickets(VARIANTS)]), "eq")
        add("created_at >", [_f("created_at", ">", v) for v in self._values_of("created_at")], "eq")
        add("updated_at <", [_f("updated_at", "<", v) for v in self._values_of("updated_at")], "eq")
        snoozed = self._values_of("snoozed_until")
        add("snoozed_until >", [_f("snoozed_until", ">", v - 1) for v in snoozed], "eq")

        for kind in ("list", "integer", "boolean"):
            attr = s.attribute(kind)
            if attr is None:
                continue
            values = self._attr_values(attr)
            if kind == "boolean":
                values = [bool(v) for v in values]
            elif kind == "integer":
                values = [int(v) for v in values]
            label = f"ticket_attribute.{{{kind}: {attr.name}}}"
            add(f"{label} =", eq(f"ticket_attribute.{attr.id}", values), "eq")
            if kind == "integer" and values:
                lo, hi = min(values), max(values)
                ranges = []
                for _ in range(VARIANTS):
                    a = rng.randint(lo, hi)
                    b = a + max(1, (hi - lo) // 20)
                    field = f"ticket_attribute.{attr.id}"
                    ranges.append(_and(_f(field, ">", a), _f(field, "<", b)))
                add(f"{label} > AND <", ranges, "andor")

        sel_t, sel_d = self.selective(s.title_words), self.selective(s.description_words)
        add("title ~ (selective)", [_f("title", "~", w) for w in sel_t], "eq")
        add(
            "title ~ (unselective)",
            [_f("title", "~", w) for w in self.unselective(s.title_words)],
            "eq",
        )
        add("description ~ (selective)", [_f("description", "~", w) for w in sel_d], "eq")
        add(
            "description ~ (unselective)",
            [_f("description", "~", w) for w in self.unselective(s.description_words)],
            "eq",
        )
        firsts = [(t["title"] or "").split(" ")[0] for t in self._tickets(VARIANTS)]
        add("title ^", [_f("title", "^", w) for w in firsts if w], "eq")

        states = self._values_of("state")
        add(
            "state = AND title ~",
            [_and(_f("state", "=", st), _f("title", "~", rng.choice(sel_t))) for st in states],
            "andor",
        )
        listed = s.attribute("list")
        if listed is not None:
            options = self._attr_values(listed) or listed.options
            add(
                "(state = AND title ~) OR (open = false AND ticket_attribute.{list} =)",
                [
                    _or(
                        _and(_f("state", "=", "submitted"), _f("title", "~", rng.choice(sel_t))),
                        _and(
                            _f("open", "=", False),
                            _f(f"ticket_attribute.{listed.id}", "=", rng.choice(options)),
                        ),
                    )
                    for _ in range(VARIANTS)
                ],
                "andor",
            )
        admins = [str(v) for v in self._values_of("admin_assignee_id")]
        teams = [str(v) for v in self._values_of("team_assignee_id")]
        if admins and teams:
            add(
                "admin_assignee_id = OR team_assignee_id =",
                [
                    _or(_f("admin_assignee_id", "=", a), _f("team_assignee_id", "=", t))
                    for a, t in zip(admins, teams, strict=False)
                ],
                "andor",
            )
        add(
            "state = AND ticket_type_id = AND open =",
            [
                _and(
                    _f("state", "=", t["state"]),
                    _f("ticket_type_id", "=", str(t["ticket_type_id"])),
                    _f("open", "=", bool(t["open"])),
                )
                for t in self._tickets(VARIANTS)
            ],
            "andor",
        )
        ops.append(
            Operation(
                f"search paging walk (open = true, {WALK_PAGES} pages)",
                "search",
                [_search(_f("open", "=", True))],
                walk=True,
            )
        )
        return ops
