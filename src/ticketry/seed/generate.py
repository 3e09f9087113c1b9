"""Seeded rows, made in memory and nowhere else: deterministic from a seed, yielded in
batches so that a million tickets never sit in memory at once.

Every row is what the services would have written for the same history: a ticket row as
`create_ticket` + `update_ticket` leave it, its contact link, its parts (the initial
submitted -> submitted part, assignments, replies, the state change and the close or
snooze that goes with it), its `ticket_values` from `search_values.rows_for`, and its tags.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from ticketry.seed import catalogue as words
from ticketry.seed import text
from ticketry.seed.setup import Setup
from ticketry.seed.values import TicketType, value
from ticketry.tables import metadata
from ticketry.tickets.search_values import rows_for

DAY = 86_400
SPAN = 730 * DAY  # tickets are spread over the past two years
CONTACT_LEAD = 90 * DAY  # the first contacts sign up a little before the first ticket
MAX_PARTS = 5
VIA_API = orjson.dumps({"via_api": True}).decode()  # every service part carries it
_MASK = (1 << 64) - 1
Row = dict[str, Any]
Rand = Callable[[], float]


TABLES = ("contacts", "tickets", "ticket_contacts", "ticket_parts", "ticket_values", "ticket_tags")
# The keys of each table's row dicts: every column but ticket_parts.id (the database's).
COLUMNS = {
    name: tuple(c.name for c in metadata.tables[name].c if (name, c.name) != ("ticket_parts", "id"))
    for name in TABLES
}


@dataclass(slots=True)
class Plan:
    """Everything the rows depend on. Ticket ids and numbers come reserved by the loader;
    part ids are left to the database."""

    seed: int
    workspace_id: int
    now: int
    tickets: int
    contacts: int
    first_number: int  # ticket_number of the first ticket (ticket_seq + 1)
    first_ticket_id: int
    setup: Setup
    batch_size: int = 5_000

    @property
    def salt(self) -> int:
        """Differs per workspace and per run, so contact ids of two runs never meet."""
        key = f"{self.seed}:{self.workspace_id}:{self.first_number}".encode()
        return int.from_bytes(hashlib.sha256(key).digest()[:8], "big")


@dataclass(slots=True)
class Batch:
    """Rows for a run of consecutive tickets, by table, in insert order."""

    tickets: list[Row] = field(default_factory=list)
    ticket_contacts: list[Row] = field(default_factory=list)
    ticket_parts: list[Row] = field(default_factory=list)
    ticket_values: list[Row] = field(default_factory=list)
    ticket_tags: list[Row] = field(default_factory=list)

    TABLES = ("tickets", "ticket_contacts", "ticket_parts", "ticket_values", "ticket_tags")


def _mix(x: int) -> int:
    """A bijection on 64-bit integers (splitmix64's finaliser): distinct in, distinct out."""
    x = (x * 0x9E3779B97F4A7C15) & _MASK
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & _MASK
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


# -- contacts --------------------------------------------------------------------------


class _Contacts:
    """Contact j's id and signup time, computed on demand (never stored)."""

    def __init__(self, plan: Plan) -> None:
        self.n = plan.contacts
        self.salt = plan.salt
        self.start = plan.now - SPAN - CONTACT_LEAD
        self.span = SPAN + CONTACT_LEAD - DAY
        self.step = max(1, self.span // self.n)

    def created(self, j: int, mixed: int) -> int:
        return self.start + j * self.span // self.n + mixed % self.step

    def ident(self, j: int) -> tuple[str, int, int]:
        """(24-hex id, created_at, mixed bits): time first, like `ids.hex_id`."""
        mixed = _mix((j + self.salt) & _MASK)
        created = self.created(j, mixed)
        return f"{created:08x}{mixed:016x}", created, mixed

    def upto(self, at: int) -> int:
        """How many contacts had signed up by `at` (at least one)."""
        return max(1, min(self.n, (at - self.start) * self.n // self.span))


def contact_batches(plan: Plan) -> Iterator[list[Row]]:
    """The plan's contacts, signing up over the two years and a bit before the tickets.
    Emails and external ids carry the contact's number (and, after a workspace's first
    seed, the run's first ticket number), so they are unique in the workspace."""
    book = _Contacts(plan)
    admins = plan.setup.admin_ids
    run = f"+r{plan.first_number}" if plan.first_number > 1 else ""
    for start in range(0, plan.contacts, plan.batch_size):
        r = random.Random(f"{plan.seed}:contacts:{start}").random
        rows = []
        for j in range(start, min(start + plan.batch_size, plan.contacts)):
            cid, created, mixed = book.ident(j)
            first = words.FIRST_NAMES[mixed % len(words.FIRST_NAMES)]
            last = words.LAST_NAMES[(mixed >> 8) % len(words.LAST_NAMES)]
            domain = words.EMAIL_DOMAINS[(mixed >> 16) % len(words.EMAIL_DOMAINS)]
            email = f"{first}.{last}{j}{run}@{domain}".lower()
            lead = r() < 0.15
            seen = created + int(r() * (plan.now - created))
            rows.append(
                {
                    "id": cid,
                    "workspace_id": plan.workspace_id,
                    "role": "lead" if lead else "user",
                    "external_id": None if lead else f"cus_{j:06d}{run.replace('+', '_')}",
                    "email": email,
                    "email_key": email,
                    "phone": f"+1 555 {mixed % 10_000:04d}" if r() < 0.3 else None,
                    "name": f"{first} {last}",
                    "avatar": None,
                    "owner_id": admins[int(r() * len(admins))] if r() < 0.4 else None,
                    "unsubscribed_from_emails": r() < 0.05,
                    "custom_attributes": "{}",
                    "signed_up_at": None if lead else created,
                    "last_seen_at": seen,
                    "created_at": created,
                    "updated_at": seen,
                }
            )
        yield rows


# -- tickets ---------------------------------------------------------------------------


class _Tickets:
    def __init__(self, plan: Plan) -> None:
        setup = plan.setup
        self.plan = plan
        self.ws = plan.workspace_id
        self.now = plan.now
        self.admins = setup.admin_ids
        self.teams = list(setup.team_members)
        self.members = setup.team_members
        self.tags = setup.tag_ids
        self.submitted = setup.submitted_state_id
        self.types = [TicketType.of(t, setup.submitted_state_id) for t in setup.types]
        # 100 slots in proportion to the type weights: one draw picks a type
        self.slots = [
            t for t in self.types for _ in range(round(t.seeded.spec.weight * 100))
        ] or self.types
        self.contacts = _Contacts(plan)
        self.start = plan.now - SPAN
        self.step = max(1, SPAN // plan.tickets)

    def batch(self, first: int, last: int) -> Batch:
        r = random.Random(f"{self.plan.seed}:tickets:{first}").random
        out = Batch()
        for i in range(first, last):
            self._ticket(i, r, out)
        return out

    def _ticket(self, i: int, r: Rand, out: Batch) -> None:
        plan, now = self.plan, self.now
        ticket_id = plan.first_ticket_id + i
        created = self.start + i * SPAN // plan.tickets + int(r() * self.step)
        age = now - created
        kind = self.slots[int(r() * len(self.slots))]
        picks: dict[str, str] = {}
        title = text.title(kind.seeded.spec.titles, picks, r)
        description = text.description(picks, r)
        stored: dict[str, Any] = {kind.title_key: title}
        if description is not None:
            stored[kind.description_key] = description
        for key, spec, options in kind.attributes:
            if r() < spec.fill:
                stored[key] = value(spec, options, created, picks, r)

        # Older tickets are mostly resolved; the last weeks hold most of the open ones.
        resolved_share = 0.88 if age > 45 * DAY else 0.2 + 0.68 * age / (45 * DAY)
        if r() < resolved_share:
            category = "resolved"
        else:
            u = r()
            category = (
                "submitted" if u < 0.3 else "in_progress" if u < 0.75 else "waiting_on_customer"
            )
        choices = kind.states.get(category)
        if not choices:  # the workspace archived every state of that category
            category, choices = "submitted", kind.states["submitted"]
        state_id = choices[int(r() * len(choices))]

        admin = team = None
        u = r()
        if u < 0.15:
            pass
        elif u < 0.55:
            admin = self.admins[int(r() * len(self.admins))]
        elif u < 0.70:
            team = self.teams[int(r() * len(self.teams))]
        else:
            team = self.teams[int(r() * len(self.teams))]
            admin = text.one(self.members[team], r)
        snoozed_until = None
        if category != "resolved" and r() < 0.08:
            snoozed_until = now + 3_600 + int(r() * 14 * DAY)

        j = int(r() * self.contacts.upto(created))
        contact_id = self.contacts.ident(j)[0]
        updated = self._parts(
            ticket_id,
            kind,
            created,
            category,
            admin,
            team,
            snoozed_until,
            contact_id,
            picks,
            r,
            out,
        )
        out.tickets.append(
            {
                "id": ticket_id,
                "workspace_id": self.ws,
                "ticket_number": plan.first_number + i,
                "ticket_type_id": kind.id,
                "ticket_state_id": state_id,
                "previous_ticket_state_id": self.submitted if category != "submitted" else None,
                "state": category,
                "category": kind.seeded.spec.category,
                "title": title,
                "description": description,
                "attributes": orjson.dumps(stored).decode(),
                "open": category != "resolved",
                "is_shared": kind.customer and r() < 0.3,
                "snoozed_until": snoozed_until,
                "admin_assignee_id": admin,
                "team_assignee_id": team,
                "company_id": None,
                "created_at": created,
                "updated_at": updated,
            }
        )
        out.ticket_contacts.append(
            {"ticket_id": ticket_id, "contact_id": contact_id, "workspace_id": self.ws}
        )
        out.ticket_values.extend(
            rows_for(self.ws, ticket_id, kind.seeded.data, stored, kind.attribute_ids)
        )
        u = r()
        count = 0 if u < 0.3 else 1 if u < 0.75 else 2
        for tag_id in dict.fromkeys(text.one(self.tags, r) for _ in range(count)):
            out.ticket_tags.append(
                {
                    "ticket_id": ticket_id,
                    "tag_id": tag_id,
                    "workspace_id": self.ws,
                    "applied_at": created + int(r() * (updated - created)),
                    "applied_by": self.admins[int(r() * len(self.admins))],
                }
            )

    def _part(
        self,
        out: Batch,
        ticket_id: int,
        part_type: str,
        author: tuple[str, str],
        at: int,
        body: str | None = None,
        states: tuple[str, str] | None = None,
        assigned_to: tuple[str, str] | None = None,
    ) -> None:
        out.ticket_parts.append(
            {
                "workspace_id": self.ws,
                "ticket_id": ticket_id,
                "part_type": part_type,
                "body": body,
                "author_type": author[0],
                "author_id": author[1],
                "previous_state": states[0] if states else None,
                "state": states[1] if states else None,
                "assigned_to_type": assigned_to[0] if assigned_to else None,
                "assigned_to_id": assigned_to[1] if assigned_to else None,
                "data": VIA_API,
                "created_at": at,
                "updated_at": at,
            }
        )

    def _parts(
        self,
        ticket_id: int,
        kind: TicketType,
        created: int,
        category: str,
        admin: int | None,
        team: int | None,
        snoozed_until: int | None,
        contact_id: str,
        picks: dict[str, str],
        r: Rand,
        out: Batch,
    ) -> int:
        """The ticket's history, oldest first; the time of its last part (`updated_at`)."""
        now = self.now
        creator = ("admin", str(self.admins[int(r() * len(self.admins))]))
        if admin is not None:
            worker = ("admin", str(admin))
        elif team is not None:
            worker = ("admin", str(text.one(self.members[team], r)))
        else:
            worker = creator
        required = (
            (admin is not None)
            + (team is not None)
            + (category != "submitted")
            + (category == "resolved")
            + (snoozed_until is not None)
        )
        total = min(MAX_PARTS, max(2 + int(r() * 4), 1 + required))
        gap = max(60, min(now - created, 14 * DAY) // total)
        at = created
        # Intercom starts every ticket's history with a submitted -> submitted state part.
        self._part(out, ticket_id, "ticket_state_updated_by_admin", creator, at,
                   states=("submitted", "submitted"))  # fmt: skip
        for assignee, ident in (("admin", admin), ("team", team)):
            if ident is not None:
                at = min(now, at + 60 + int(r() * gap))
                self._part(
                    out, ticket_id, "assignment", worker, at, assigned_to=(assignee, str(ident))
                )
        for n in range(total - 1 - required):
            at = min(now, at + 60 + int(r() * gap))
            u = r()
            if not kind.customer or u >= 0.8:  # replies.py: contacts cannot reply there
                self._part(out, ticket_id, "note", worker, at, text.body("note", picks, r))
            elif u < (0.7 if n == 0 else 0.4):
                self._part(out, ticket_id, "comment", ("user", contact_id), at,
                           text.body("user", picks, r))  # fmt: skip
            else:
                self._part(out, ticket_id, "comment", worker, at, text.body("comment", picks, r))
        if category != "submitted":
            at = min(now, at + 60 + int(r() * gap))
            self._part(out, ticket_id, "ticket_state_updated_by_admin", worker, at,
                       states=("submitted", category))  # fmt: skip
            if category == "resolved":  # update_ticket closes a ticket it resolves
                self._part(out, ticket_id, "close", worker, at)
        if snoozed_until is not None:
            at = min(now, at + 60 + int(r() * gap))
            self._part(out, ticket_id, "snoozed", worker, at)
        return at


def ticket_batches(plan: Plan) -> Iterator[Batch]:
    """The plan's tickets and everything hanging off them, `plan.batch_size` at a time.
    Ticket ids, numbers and `created_at` rise together, as they would in a real inbox."""
    maker = _Tickets(plan)
    for first in range(0, plan.tickets, plan.batch_size):
        yield maker.batch(first, min(first + plan.batch_size, plan.tickets))
