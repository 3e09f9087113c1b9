"""Ticket text from templates: titles, descriptions and reply bodies for realistic
substring search (see `catalogue` for the words and how selective they are)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ticketry.seed import catalogue as words

_LISTS: dict[str, tuple[str, ...]] = {
    "feature": words.FEATURES,
    "platform": words.PLATFORMS,
    "symptom": words.SYMPTOMS,
    "action": words.ACTIONS,
    "release": words.RELEASES,
    "document": words.DOCUMENTS,
    "billing_field": words.BILLING_FIELDS,
    "plan": words.PLANS,
    "risk": words.RISKS,
    "component": words.COMPONENTS,
    "region": words.REGIONS,
    "company": words.COMPANIES,
}
Template = tuple[tuple[str, str], ...]  # (literal, key) pairs; key "" ends the template


def _compile(text: str) -> Template:
    chunks = text.split("{")
    literals, keys = [chunks[0]], []
    for chunk in chunks[1:]:
        key, _, literal = chunk.partition("}")
        keys.append(key)
        literals.append(literal)
    keys.append("")
    return tuple(zip(literals, keys, strict=True))


def _compiled(texts: tuple[str, ...]) -> tuple[Template, ...]:
    return tuple(_compile(t) for t in texts)


TITLES = {kind: _compiled(texts) for kind, texts in words.TITLES.items()}
SENTENCES = _compiled(words.SENTENCES)
USER_COMMENTS = _compiled(words.USER_COMMENTS)
ADMIN_COMMENTS = _compiled(words.ADMIN_COMMENTS)
NOTES = _compiled(words.NOTES)
_BODIES = {"user": USER_COMMENTS, "comment": ADMIN_COMMENTS, "note": NOTES}
# Half of a rare word's appearances are in titles, half in descriptions.
RARE_SHARE = len(words.RARE) * words.RARE_RATE / 2


def _draw(key: str, r: Callable[[], float]) -> str:
    if key == "code":
        return f"E{1000 + int(r() * 9000)}"
    if key == "order":
        return f"ORD-{100_000 + int(r() * 900_000)}"
    choices = _LISTS[key]
    return choices[int(r() * len(choices))]


def pick(key: str, picks: dict[str, str], r: Callable[[], float]) -> str:
    """The ticket's word for `key`: drawn once, so title, description, replies and
    attributes of one ticket agree (one error code, one order number)."""
    value = picks.get(key)
    if value is None:
        value = picks[key] = _draw(key, r)
    return value


def _fill(template: Template, picks: dict[str, str], r: Callable[[], float]) -> str:
    out = []
    for literal, key in template:
        out.append(literal)
        if key:
            out.append(picks.get(key) or pick(key, picks, r))
    return "".join(out)


def one(items: tuple[Any, ...] | list[Any], r: Callable[[], float]) -> Any:
    return items[int(r() * len(items))]


def title(kind: str, picks: dict[str, str], r: Callable[[], float]) -> str:
    text = _fill(one(TITLES[kind], r), picks, r)
    if r() < RARE_SHARE:
        text += f" ({one(words.RARE, r)})"
    return text


def description(picks: dict[str, str], r: Callable[[], float]) -> str | None:
    """One to three sentences; one ticket in ten has none."""
    if r() < 0.1:
        return None
    text = " ".join(_fill(one(SENTENCES, r), picks, r) for _ in range(1 + int(r() * 3)))
    if r() < RARE_SHARE:
        text += f" The customer calls it the {one(words.RARE, r)} problem."
    return text


def body(kind: str, picks: dict[str, str], r: Callable[[], float]) -> str:
    """A reply body (`user`, `comment` or `note`) as the HTML the reply service stores."""
    return "<p>" + _fill(one(_BODIES[kind], r), picks, r) + "</p>"
