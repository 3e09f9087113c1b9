"""Ticket attribute values: checked against the ticket type's attribute definitions,
stored keyed by attribute id, and shown keyed by attribute name.

As in Polar's custom fields, the type's attribute set is the schema: `validate_values`
checks a client's `ticket_attributes` (keyed by name) against it and returns values keyed
by attribute id, ready to merge into `tickets.attributes` (JSON, keys `str(id)`).

Decisions where Intercom's spec is silent:
* integer: a JSON integer, a float with no fraction, or a numeric string ("42"); never a
  boolean. decimal: any JSON number or numeric string, stored as a float. boolean: JSON
  true/false only.
* datetime: UNIX seconds (int, or a numeric string) or an ISO-8601 string; stored as int
  seconds and shown as int seconds, like every Intercom timestamp.
* list: the option id (the spec: "the guid of the list item"); the exact label of a live
  option is accepted too and stored as its id, so a value read back from a ticket can be
  sent again. With `allow_multiple_values`, a list of those. Shown as the option label
  (a list of labels when multiple), also for options archived since.
* files: a URL string, a `file_attribute`-like object with a `url`, or a list of those;
  stored and shown as a list of `{"type": "upload", name, url, content_type, filesize,
  width, height}`; more than one only with `allow_multiple_values`.
* `null` (and "" or [] on create) clears a value; a required attribute must be non-empty.
"""

from __future__ import annotations

import math
import mimetypes
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from ticketry.db.database import Row
from ticketry.errors import ParameterInvalid
from ticketry.kit import ids
from ticketry.ticket_types.queries import TypeData, list_options

STRING_MAX = 65_535
INT_LIMIT = 2**63
FILES_MAX = 10
LIST_VALUES_MAX = 100


class _Bad(Exception):
    """A value of the wrong shape; becomes a ParameterInvalid naming the attribute."""


def _is_number_text(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return value.strip().lower() not in ("nan", "inf", "-inf", "+inf", "infinity", "-infinity")


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise _Bad("must be a string")
    if len(value) > STRING_MAX:
        raise _Bad(f"is longer than {STRING_MAX:,} characters")
    return value


def _numeral(value: str) -> bool:
    """A signed ASCII integer short enough to parse (int() refuses 4,300+ digits)."""
    digits = value.strip().lstrip("+-")
    return ids.is_digits(digits) and len(digits) <= 40


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        raise _Bad("must be an integer")
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    elif isinstance(value, str) and _numeral(value):
        value = int(value.strip())
    if not isinstance(value, int):
        raise _Bad("must be an integer")
    if not -INT_LIMIT < value < INT_LIMIT:
        raise _Bad("is out of range")
    return value


def _decimal(value: Any) -> float:
    if isinstance(value, bool):
        raise _Bad("must be a number")
    if isinstance(value, str) and _is_number_text(value):
        value = float(value)
    if not isinstance(value, int | float) or not math.isfinite(value):
        raise _Bad("must be a number")
    return float(value)


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Bad("must be true or false")
    return value


def _datetime(value: Any) -> int:
    if isinstance(value, str) and not _numeral(value):
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
        except ValueError:
            raise _Bad("must be UNIX seconds or an ISO-8601 date-time") from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return int(parsed.timestamp())
    try:
        seconds = _integer(value)
    except _Bad:
        raise _Bad("must be UNIX seconds or an ISO-8601 date-time") from None
    if not 0 <= seconds < 253_402_300_800:  # up to 9999-12-31
        raise _Bad("is not a valid date-time")
    return seconds


def _option_id(value: Any, options: list[dict[str, Any]]) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise _Bad("must be a list option id")
    live = [o for o in options if not o.get("archived")]
    for o in live:
        if o["id"] == value:
            return o["id"]
    for o in live:
        if o["label"] == value:
            return o["id"]
    if any(o["id"] == value or o["label"] == value for o in options):
        raise _Bad(f"option {value!r} is archived")
    raise _Bad(f"has no option {value!r}")


def _list(value: Any, options: dict[str, Any]) -> str | list[str]:
    choices = options.get("list_options", [])
    if not options.get("allow_multiple_values"):
        return _option_id(value, choices)
    items = value if isinstance(value, list) else [value]
    if len(items) > LIST_VALUES_MAX:
        raise _Bad(f"takes at most {LIST_VALUES_MAX} options")
    return list(dict.fromkeys(_option_id(v, choices) for v in items))


def _file(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        value = {"url": value}
    if not isinstance(value, dict) or not isinstance(value.get("url"), str):
        raise _Bad("must be a file URL or an object with a url")
    url = value["url"].strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 2048:
        raise _Bad("must hold http(s) URLs")
    name = value.get("name")
    if name is None:
        name = unquote(parts.path.rsplit("/", 1)[-1]) or parts.netloc
    content_type = value.get("content_type")
    if content_type is None:
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if not isinstance(name, str) or not isinstance(content_type, str):
        raise _Bad("file name and content_type must be strings")
    out: dict[str, Any] = {
        "type": "upload",
        "name": name[:255],
        "url": url,
        "content_type": content_type[:255],
    }
    for key in ("filesize", "width", "height", "id"):
        n = value.get(key)
        if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 0):
            raise _Bad(f"file {key} must be a non-negative integer")
        out[key] = n
    if out["id"] is None:
        del out["id"]
    return out


def _files(value: Any, options: dict[str, Any]) -> list[dict[str, Any]]:
    items = value if isinstance(value, list) else [value]
    limit = FILES_MAX if options.get("allow_multiple_values") else 1
    if len(items) > limit:
        raise _Bad("takes one file" if limit == 1 else f"takes at most {limit} files")
    return [_file(v) for v in items]


_SCALARS = {
    "string": _string,
    "integer": _integer,
    "decimal": _decimal,
    "boolean": _boolean,
    "datetime": _datetime,
}


def normalise(attr: Row, options: dict[str, Any], value: Any) -> Any:
    """One attribute's value in stored form (None clears it); raises `_Bad`."""
    if value is None:
        return None
    data_type = attr["data_type"]
    if data_type == "list":
        return _list(value, options)
    if data_type == "files":
        return _files(value, options)
    return _SCALARS[data_type](value)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def validate_values(
    type_data: TypeData,
    values: dict[str, Any] | None,
    *,
    creating: bool,
    by_contact: bool = False,
    field: str = "ticket_attributes",
) -> dict[int, Any]:
    """Check a client's attribute values (keyed by name) for this ticket type and return
    them normalised, keyed by attribute id. `field` is the body key errors name
    (`attributes` on conversation convert). Raises 400 `parameter_invalid`."""
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise ParameterInvalid(f"{field} must be an object keyed by attribute name", field=field)
    unknown = [name for name in values if name not in type_data.by_name]
    if unknown:
        # wording of Intercom's change_type example (2.16)
        raise ParameterInvalid(
            "Extra attributes provided that are not found on ticket type: " + ", ".join(unknown),
            field=f"{field}.{unknown[0]}",
        )
    out: dict[int, Any] = {}
    for name, value in values.items():
        attr = type_data.by_name[name]
        if attr["archived"]:
            raise ParameterInvalid(
                f"Ticket attribute {name} is archived and cannot be set", field=f"{field}.{name}"
            )
        try:
            out[attr["id"]] = normalise(attr, type_data.options.get(attr["id"], {}), value)
        except _Bad as exc:
            raise ParameterInvalid(
                f"Ticket attribute {name} ({attr['data_type']}) {exc}", field=f"{field}.{name}"
            ) from None
    if creating:
        missing = [
            a["name"]
            for a in type_data.attributes
            if not a["archived"]
            and (a["required_to_create"] or (by_contact and a["required_to_create_for_contacts"]))
            and _empty(out.get(a["id"]))
        ]
        if missing:
            raise ParameterInvalid(
                "Missing required ticket attributes: " + ", ".join(missing),
                field=f"{field}.{missing[0]}",
            )
    return out


def _shown(attr: Row, options: dict[str, Any], value: Any) -> Any:
    if value is None or attr["data_type"] != "list":
        return value
    labels = {o["id"]: o["label"] for o in options.get("list_options", [])}
    if isinstance(value, list):
        return [labels.get(v, v) for v in value]
    return labels.get(value, value)


def render_values(type_data: TypeData, stored: dict[str, Any]) -> dict[str, Any]:
    """The wire `ticket_attributes`: every live attribute by name, in order, unset ones
    `null` (Intercom: `"_default_description_": null`); an archived attribute only when
    the ticket still holds a value for it."""
    out: dict[str, Any] = {}
    for attr in type_data.attributes:
        value = stored.get(str(attr["id"]))
        if attr["archived"] and value is None:
            continue
        out[attr["name"]] = _shown(attr, type_data.options.get(attr["id"], {}), value)
    return out


def _text(attr: Row, value: Any) -> str:
    if attr["data_type"] == "boolean":
        return "true" if value else "false"
    return str(value)


def updated_attribute_data(attr: Row, new_value: Any) -> dict[str, Any]:
    """The 2.14+ `ticket_part.updated_attribute_data` for a change to `new_value` (the
    stored form). The value's `id` is the option id for lists, the file ids for files
    (Intercom: `"id": [2], "label": ["photo.png"]`; ours only when the client sent ids;
    joined with commas for a multi-value list) and the value as text otherwise; `label`
    is what a person reads (ISO-8601 UTC for datetimes, "" when cleared)."""
    head = {"type": "attribute", "id": str(attr["id"]), "label": attr["name"]}
    data_type = attr["data_type"]
    value: dict[str, Any] = {"type": "value"}
    if data_type == "files":
        files = new_value or []
        value["id"] = [f["id"] for f in files if "id" in f]
        value["label"] = [f["name"] for f in files]
    elif new_value is None:
        value["id"] = None
        value["label"] = ""
    elif data_type == "list":
        labels: dict[str, str] = {o["id"]: o["label"] for o in list_options(attr)}
        if isinstance(new_value, list):
            value["id"] = ",".join(new_value)
            value["label"] = ", ".join(str(labels.get(v, v)) for v in new_value)
        else:
            value["id"] = new_value
            value["label"] = labels.get(new_value, new_value)
    else:
        value["id"] = _text(attr, new_value)
        value["label"] = (
            datetime.fromtimestamp(new_value, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            if data_type == "datetime"
            else value["id"]
        )
    return {"attribute": head, "value": value}
