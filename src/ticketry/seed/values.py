"""Custom attribute values for seeded tickets, in the stored form `validate_values`
returns, and the per-type indexes the ticket loop draws from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ticketry.seed import catalogue as words
from ticketry.seed import text
from ticketry.seed.catalogue import AttributeSpec
from ticketry.seed.setup import SeededType

DAY = 86_400
Rand = Callable[[], float]


@dataclass(slots=True)
class TicketType:
    """A seeded type, indexed for the per-ticket loop."""

    seeded: SeededType
    id: int
    title_key: str
    description_key: str
    # (stored key, attribute spec, live option ids) per custom attribute
    attributes: list[tuple[str, AttributeSpec, list[str]]]
    attribute_ids: list[int]
    states: dict[str, list[int]]  # category -> state ids offered to this type
    customer: bool

    @classmethod
    def of(cls, seeded: SeededType, submitted_state_id: int) -> TicketType:
        data = seeded.data
        attributes = []
        for spec in seeded.spec.attributes:
            attr = data.by_name[spec.name]
            options = data.options.get(attr["id"], {}).get("list_options", [])
            live = [o["id"] for o in options if not o.get("archived")]
            attributes.append((str(attr["id"]), spec, live))
        states: dict[str, list[int]] = {}
        for s in seeded.states:
            states.setdefault(s["category"], []).append(int(s["id"]))
        states.setdefault("submitted", [submitted_state_id])
        return cls(
            seeded,
            int(data.row["id"]),
            str(data.by_name["_default_title_"]["id"]),
            str(data.by_name["_default_description_"]["id"]),
            attributes,
            [int(data.by_name[spec.name]["id"]) for spec in seeded.spec.attributes],
            states,
            data.row["category"] == "Customer",
        )


def value(
    spec: AttributeSpec, options: list[str], created: int, picks: dict[str, str], r: Rand
) -> Any:
    """A value in stored form (what `validate_values` returns) for one attribute."""
    kind = spec.values
    if kind == "skewed":  # the first options are the common ones
        if spec.multiple:
            chosen = (options[int(len(options) * r() ** 1.5)] for _ in range(1 + int(r() * 3)))
            return list(dict.fromkeys(chosen))
        return options[int(len(options) * r() ** 1.5)]
    if kind == "error_code":
        return text.pick("code", picks, r)
    if kind == "invoice":
        return f"INV-{2024 + int(r() * 3)}-{int(r() * 100_000):05d}"
    if kind == "owner":
        return text.one(words.ADMINS, r)[0]
    if kind == "status_url":
        return f"https://status.example.com/incidents/{int(r() * 1_000_000)}"
    if kind == "heavy_tail":
        return min(100_000, int(1 / (r() + 0.00001)))
    if kind == "seats":
        return 1 + int(r() ** 2 * 500)
    if kind == "hours":
        return round(r() * 40, 1)
    if kind == "money":
        return round(10 + r() ** 2 * 5_000, 2)
    if kind == "revenue":
        return round(1_000 + r() ** 3 * 2_000_000, 2)
    if kind == "score":
        return round(r() * 10, 2)
    if kind == "mostly_true":
        return r() < 0.7
    if kind == "rarely_true":
        return r() < 0.15
    if kind == "before_created":
        return created - int(r() * 30 * DAY)
    if kind == "after_created":
        return created + int(r() * 45 * DAY)
    raise ValueError(f"unknown value kind {kind!r} for attribute {spec.name!r}")
