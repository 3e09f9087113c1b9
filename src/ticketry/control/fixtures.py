"""Declarative test data (`ticketry fixtures load FILE`, `TicketryWorkspace.load()`): a YAML
or JSON document of ticket types with their attributes and custom states, contacts,
companies, tags and tickets, made through the same HTTP API a client uses.

Objects refer to each other by name (a ticket's `type`, `contact` email or external id,
`state` label, `tags`), so a document reads like the data it makes. The document is
checked whole, and every reference resolved, before the first call.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError

VERSION = "2.16"  # the calls are made in one version; the workspace's data is the same


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Attribute(_Doc):
    name: str
    data_type: str = "string"
    description: str | None = None
    options: list[str] | None = None  # a list attribute's choices
    required_to_create: bool | None = None
    multiline: bool | None = None


class State(_Doc):
    category: str
    internal_label: str
    external_label: str | None = None


class TicketType(_Doc):
    name: str
    category: str = "Customer"
    description: str | None = None
    attributes: list[Attribute] = Field(default_factory=list)
    states: list[State] = Field(default_factory=list)


class Contact(_Doc):
    email: str | None = None
    external_id: str | None = None
    name: str | None = None
    role: str = "user"


class Company(_Doc):
    company_id: str
    name: str | None = None
    contacts: list[str] = Field(default_factory=list)  # emails or external ids


class Ticket(_Doc):
    type: str
    contact: str  # email or external id
    title: str | None = None
    description: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    state: str | None = None  # a state's internal label or a category
    tags: list[str] = Field(default_factory=list)


class Fixtures(_Doc):
    ticket_types: list[TicketType] = Field(default_factory=list)
    contacts: list[Contact] = Field(default_factory=list)
    companies: list[Company] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    tickets: list[Ticket] = Field(default_factory=list)


class FixtureError(ValueError):
    pass


def read(path: Path) -> Fixtures:
    text = path.read_bytes()
    try:
        if path.suffix.lower() == ".json":
            raw = orjson.loads(text)
        else:
            import yaml  # type: ignore[import-untyped]

            raw = yaml.safe_load(text)
    except Exception as exc:
        raise FixtureError(
            f"{path}: not valid {path.suffix.lstrip('.') or 'YAML'}: {exc}"
        ) from None
    return parse(raw or {})


def parse(raw: Any) -> Fixtures:
    try:
        doc = Fixtures.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in err["loc"])
        raise FixtureError(f"{where}: {err['msg']}") from None
    _check_references(doc)
    return doc


def _contact_keys(c: Contact) -> list[str]:
    return [k for k in (c.email, c.external_id) if k]


def _check_references(doc: Fixtures) -> None:
    types = {t.name: t for t in doc.ticket_types}
    contacts = {k for c in doc.contacts for k in _contact_keys(c)}
    for i, c in enumerate(doc.contacts):
        if not _contact_keys(c):
            raise FixtureError(f"contacts.{i}: needs an email or an external_id")
    for i, co in enumerate(doc.companies):
        for ref in co.contacts:
            if ref not in contacts:
                raise FixtureError(f"companies.{i}.contacts: no contact {ref!r}")
    for i, t in enumerate(doc.tickets):
        kind = types.get(t.type)
        if kind is None:
            raise FixtureError(f"tickets.{i}.type: no ticket type named {t.type!r}")
        if t.contact not in contacts:
            raise FixtureError(f"tickets.{i}.contact: no contact {t.contact!r}")
        for tag in t.tags:
            if tag not in doc.tags:
                raise FixtureError(f"tickets.{i}.tags: no tag {tag!r} (list it under tags)")
        labels = {s.internal_label for s in kind.states}
        categories = {"submitted", "in_progress", "waiting_on_customer", "resolved"}
        if t.state is not None and t.state not in labels | categories:
            raise FixtureError(f"tickets.{i}.state: {t.state!r} is no state of {t.type!r}")


def _ok(resp: httpx.Response) -> Any:
    if resp.status_code != 200:
        try:
            message = resp.json()["errors"][0]["message"]
        except (ValueError, KeyError, IndexError, TypeError):
            message = resp.text[:200]
        raise FixtureError(f"{resp.request.method} {resp.request.url.path}: {message}")
    return resp.json()


def load(client: httpx.Client, doc: Fixtures) -> dict[str, Any]:
    """Make the document's objects in the client's workspace (its `Intercom-Version` is
    set here); their ids by name."""
    client.headers["Intercom-Version"] = VERSION
    me = _ok(client.get("/me"))
    admin = str(me["id"])
    made: dict[str, Any] = {
        "ticket_types": {},
        "contacts": {},
        "companies": {},
        "tags": {},
        "tickets": [],
    }
    defaults: dict[str, str] = {}  # category -> the workspace's first state of it
    for s in _ok(client.get("/ticket_states"))["data"]:
        defaults.setdefault(s["category"], s["id"])
    states: dict[tuple[str, str], str] = {}  # (type, label) -> custom state id
    for t in doc.ticket_types:
        body = {"name": t.name, "category": t.category, "description": t.description or t.name}
        kind = _ok(client.post("/ticket_types", json=body))
        made["ticket_types"][t.name] = kind["id"]
        for a in t.attributes:
            spec: dict[str, Any] = {
                "name": a.name,
                "description": a.description or a.name,
                "data_type": a.data_type,
            }
            if a.options:
                spec["list_items"] = ",".join(a.options)
            for flag in ("required_to_create", "multiline"):
                if getattr(a, flag) is not None:
                    spec[flag] = getattr(a, flag)
            _ok(client.post(f"/ticket_types/{kind['id']}/attributes", json=spec))
        for s in t.states:
            state = _ok(
                client.post(
                    "/ticketry/ticket_states",
                    json={
                        "category": s.category,
                        "internal_label": s.internal_label,
                        "external_label": s.external_label or s.internal_label,
                        "ticket_type_ids": [kind["id"]],
                    },
                )
            )
            states[(t.name, s.internal_label)] = state["id"]
    contacts: dict[str, str] = {}
    for c in doc.contacts:
        body = {k: v for k, v in c.model_dump().items() if v is not None}
        contact = _ok(client.post("/contacts", json=body))
        for key in _contact_keys(c):
            contacts[key] = contact["id"]
        made["contacts"][_contact_keys(c)[0]] = contact["id"]
    for co in doc.companies:
        company = _ok(
            client.post(
                "/companies", json={"company_id": co.company_id, "name": co.name or co.company_id}
            )
        )
        made["companies"][co.company_id] = company["id"]
        for ref in co.contacts:
            _ok(client.post(f"/contacts/{contacts[ref]}/companies", json={"id": company["id"]}))
    for name in doc.tags:
        made["tags"][name] = _ok(client.post("/tags", json={"name": name}))["id"]
    for tk in doc.tickets:
        values = dict(tk.attributes)
        if tk.title is not None:
            values["_default_title_"] = tk.title
        if tk.description is not None:
            values["_default_description_"] = tk.description
        ticket = _ok(
            client.post(
                "/tickets",
                json={
                    "ticket_type_id": made["ticket_types"][tk.type],
                    "contacts": [{"id": contacts[tk.contact]}],
                    "ticket_attributes": values,
                },
            )
        )
        if tk.state is not None:
            state_id = states.get((tk.type, tk.state)) or defaults.get(tk.state)
            _ok(
                client.put(
                    f"/tickets/{ticket['id']}",
                    json={"ticket_state_id": state_id, "admin_id": admin},
                )
            )
        for tag in tk.tags:
            _ok(
                client.post(
                    f"/tickets/{ticket['id']}/tags",
                    json={"id": made["tags"][tag], "admin_id": admin},
                )
            )
        made["tickets"].append(ticket["id"])
    return made
