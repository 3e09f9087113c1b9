"""What the workload needs from the seeded database: random existing tickets with their
field values, contacts, teammates, attribute definitions, default states and text words.

Read straight from the database the benchmark just seeded (not from the seed's JSON), so
request values follow the real distribution of the data and the bench keeps working
whatever else the seed command learns to print.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import func, select

from ticketry.db.database import Conn, Database
from ticketry.settings import Settings
from ticketry.tables import (
    admins,
    ticket_contacts,
    ticket_parts,
    ticket_states,
    ticket_type_attributes,
    ticket_values,
    tickets,
)

SAMPLE_TICKETS = 2000
_WORD = re.compile(r"[a-z]{4,}")


@dataclass
class Attribute:
    id: int
    name: str
    data_type: str
    required: bool
    options: list[str]  # live list option ids
    multiple: bool


@dataclass
class Sample:
    workspace_id: int
    ticket_count: int
    tickets: list[dict[str, Any]]
    contacts: dict[int, list[str]]  # ticket id -> contact ids
    teammates: dict[int, list[int]]  # ticket id -> admin authors
    values: dict[int, dict[int, Any]]  # ticket id -> {attribute id: text or number value}
    admin_ids: list[int]
    type_id: int  # the ticket type with the most custom attributes
    attributes: list[Attribute]  # that type's custom (non-default) attributes
    default_states: list[dict[str, Any]]
    title_words: Counter[str] = field(default_factory=Counter)
    description_words: Counter[str] = field(default_factory=Counter)

    def pick(self, rng: random.Random) -> dict[str, Any]:
        return rng.choice(self.tickets)

    def attribute(self, data_type: str) -> Attribute | None:
        return next((a for a in self.attributes if a.data_type == data_type), None)


def _workspace(conn: Conn) -> tuple[int, int]:
    row = conn.one(
        select(tickets.c.workspace_id, func.count().label("n"))
        .group_by(tickets.c.workspace_id)
        .order_by(func.count().desc())
        .limit(1)
    )
    if row is None:
        raise RuntimeError("the seeded database has no tickets")
    return int(row["workspace_id"]), int(row["n"])


def _random_tickets(conn: Conn, ws: int, rng: random.Random) -> list[dict[str, Any]]:
    bounds = conn.one(
        select(func.min(tickets.c.id).label("lo"), func.max(tickets.c.id).label("hi")).where(
            tickets.c.workspace_id == ws
        )
    )
    assert bounds is not None
    lo, hi = int(bounds["lo"]), int(bounds["hi"])
    ids = sorted({rng.randint(lo, hi) for _ in range(SAMPLE_TICKETS * 2)})
    rows: list[dict[str, Any]] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows += [
            dict(r)
            for r in conn.all(
                select(tickets).where(tickets.c.workspace_id == ws, tickets.c.id.in_(chunk))
            )
        ]
    rng.shuffle(rows)
    return rows[:SAMPLE_TICKETS]


def _grouped(conn: Conn, stmt: Any, key: str, value: str) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = {}
    for r in conn.all(stmt):
        out.setdefault(int(r[key]), []).append(r[value])
    return out


def _attributes(conn: Conn, ws: int) -> tuple[int, list[Attribute]]:
    rows = conn.all(
        select(ticket_type_attributes).where(
            ticket_type_attributes.c.workspace_id == ws,
            ticket_type_attributes.c.is_default == False,  # noqa: E712
            ticket_type_attributes.c.archived == False,  # noqa: E712
        )
    )
    by_type: dict[int, list[Attribute]] = {}
    for r in rows:
        opts = orjson.loads(r["input_options"] or "{}") or {}
        by_type.setdefault(int(r["ticket_type_id"]), []).append(
            Attribute(
                id=int(r["id"]),
                name=r["name"],
                data_type=r["data_type"],
                required=bool(r["required_to_create"]),
                options=[o["id"] for o in opts.get("list_options", []) if not o.get("archived")],
                multiple=bool(opts.get("allow_multiple_values")),
            )
        )
    if not by_type:
        raise RuntimeError("the seeded workspace has no custom ticket attributes")
    type_id = max(by_type, key=lambda t: (len({a.data_type for a in by_type[t]}), -t))
    return type_id, by_type[type_id]


def _words(texts: list[str | None]) -> Counter[str]:
    """Document frequency of each word in `texts`."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(set(_WORD.findall((text or "").lower())))
    return counts


def load(database_url: str, seed: int = 7) -> Sample:
    rng = random.Random(seed)
    db = Database(Settings(database_url=database_url, pool_size=2))
    try:
        with db.transaction(write=False) as conn:
            ws, count = _workspace(conn)
            rows = _random_tickets(conn, ws, rng)
            ids = [r["id"] for r in rows]
            type_id, attributes = _attributes(conn, ws)
            return Sample(
                workspace_id=ws,
                ticket_count=count,
                tickets=rows,
                contacts=_grouped(
                    conn,
                    select(ticket_contacts).where(
                        ticket_contacts.c.workspace_id == ws, ticket_contacts.c.ticket_id.in_(ids)
                    ),
                    "ticket_id",
                    "contact_id",
                ),
                teammates=_grouped(
                    conn,
                    select(ticket_parts.c.ticket_id, ticket_parts.c.author_id).where(
                        ticket_parts.c.workspace_id == ws,
                        ticket_parts.c.ticket_id.in_(ids),
                        ticket_parts.c.author_type == "admin",
                    ),
                    "ticket_id",
                    "author_id",
                ),
                values=_values(conn, ws, ids),
                admin_ids=[
                    int(r["id"])
                    for r in conn.all(select(admins.c.id).where(admins.c.workspace_id == ws))
                ],
                type_id=type_id,
                attributes=attributes,
                default_states=[
                    dict(r)
                    for r in conn.all(
                        select(ticket_states).where(
                            ticket_states.c.workspace_id == ws,
                            ticket_states.c.is_default == True,  # noqa: E712
                            ticket_states.c.archived == False,  # noqa: E712
                        )
                    )
                ],
                title_words=_words([r["title"] for r in rows]),
                description_words=_words([r["description"] for r in rows]),
            )
    finally:
        db.close()


def _values(conn: Conn, ws: int, ids: list[int]) -> dict[int, dict[int, Any]]:
    out: dict[int, dict[int, Any]] = {}
    rows = conn.all(
        select(ticket_values).where(
            ticket_values.c.workspace_id == ws, ticket_values.c.ticket_id.in_(ids)
        )
    )
    for r in rows:
        value = r["text_value"] if r["text_value"] is not None else r["number_value"]
        out.setdefault(int(r["ticket_id"]), {})[int(r["attribute_id"])] = value
    return out
