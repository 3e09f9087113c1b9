"""The OpenAPI contract oracle: every response the tests receive is checked against the
schema Intercom publishes for the `Intercom-Version` it was requested with.

`check(...)` maps a request to the spec operation, picks the response schema for the
status, and raises AssertionError (JSON pointer, version, operationId) on a mismatch.
Known defects of the published spec, where it contradicts the real API, are patched
(`SPEC_DEFECTS`); every validated (version, method, path template, status) is recorded.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import yaml
from jsonschema import Draft4Validator
from jsonschema.exceptions import ValidationError, best_match

SPEC_ENV = "TICKETRY_OPENAPI_DIR"
REPO_ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
DEFAULT_VERSION = "2.14"  # a workspace's default unless a test created it otherwise
FILES = ("2.9", "2.10", "2.11", "2.12", "2.13", "2.14", "2.15", "2.16", "Preview")
_METHODS = ("get", "put", "post", "delete", "patch")

# What the oracle has validated in this process: distinct operations and counts per version.
VALIDATED: set[tuple[str, str, str, int]] = set()
LOG: list[tuple[str, str, str, int]] = []  # every validation, in order (tests slice it)
COUNTS: Counter[str] = Counter()
_LOCK = threading.Lock()  # SDK hooks and the API client may run on different threads


def spec_dir() -> Path | None:
    configured = os.environ.get(SPEC_ENV)
    folder = Path(configured) if configured else REPO_ROOT.parent / "shared" / "intercom-openapi"
    return folder if (folder / "2.14.yaml").is_file() else None


def off_reason() -> str:
    configured = os.environ.get(SPEC_ENV)
    where = configured or str(REPO_ROOT.parent / "shared" / "intercom-openapi")
    return (
        f"OpenAPI contract oracle OFF: no Intercom spec files at {where}; "
        f"set {SPEC_ENV} to the folder holding <version>.yaml"
    )


def require() -> Path:
    """The spec folder; skips the caller without it (fails it under CI, where the oracle
    must never be silently off)."""
    folder = spec_dir()
    if folder is None:
        if IN_CI:
            pytest.fail(f"{off_reason()} (CI requires it)", pytrace=False)
        pytest.skip(off_reason())
    return folder


def version_file(header: str | None, default: str = DEFAULT_VERSION) -> str | None:
    """The spec file for a request's Intercom-Version header; None when nothing to validate
    (1.0..2.8 have no file, an invalid value is answered with a 400 the API tests check)."""
    name = (default if header is None else header).strip().lower()
    if name in ("preview", "unstable"):
        return "Preview"
    return next((v for v in FILES if v == name), None)


# -- schema conversion: OpenAPI 3.0 -> JSON Schema (draft 4) ---------------------------------

# Annotations with no effect on validation; formats are not asserted on purpose (Intercom
# labels integer timestamps `date-time`, ids `uuid` that are not).
_NOTES = ("description", "title", "example", "examples", "externalDocs", "xml", "default")
_DROP = frozenset((*_NOTES, "format", "discriminator", "readOnly", "writeOnly", "deprecated"))
_DATA = frozenset(("enum", "required"))  # values are data, not schemas


def to_json_schema(node: Any) -> Any:
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROP or key == "nullable" or key.startswith("x-"):
            continue
        if key == "properties":
            out[key] = {name: to_json_schema(sub) for name, sub in value.items()}
        elif key == "oneOf":
            # Intercom's oneOf branches are not mutually exclusive (optional fields, no
            # `required`, extra keys allowed), so a valid body often matches several; the
            # intended meaning is "one of these shapes", which is anyOf.
            out["anyOf"] = to_json_schema(value)
        elif key in _DATA:
            out[key] = value
        else:
            out[key] = to_json_schema(value)
    if "$ref" in out and len(out) > 1:
        # Draft 4 ignores siblings of $ref; OpenAPI writers mean "and".
        out = {"allOf": [{"$ref": out.pop("$ref")}], **out}
    if node.get("nullable") is True:
        out = _nullable(out)
    return out


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if "enum" in schema and None not in schema["enum"]:
        schema = {**schema, "enum": [*schema["enum"], None]}
    if any(k in schema for k in ("allOf", "anyOf", "$ref")):
        # `nullable` next to a $ref/allOf: the referenced schema itself does not allow null.
        return {"anyOf": [schema, {"type": "null"}]}
    kind = schema.get("type")
    if isinstance(kind, str):
        return {**schema, "type": [kind, "null"]}
    return schema  # untyped: null already passes


# -- the spec, per version ------------------------------------------------------------------


@dataclass
class Operation:
    version: str
    method: str
    template: str
    operation_id: str
    responses: dict[str, Any]


@dataclass
class Spec:
    version: str
    doc: dict[str, Any]
    root: dict[str, Any]  # {"components": {"schemas": converted}}: what $refs resolve against
    routes: dict[tuple[str, int], list[tuple[tuple[str | None, ...], Operation]]]
    validators: dict[tuple[str, int], Draft4Validator | None] = field(default_factory=dict)


_LOADED: dict[str, Spec] = {}


def load(version: str) -> Spec:
    """The parsed spec for one version file, read at most once per process."""
    spec = _LOADED.get(version)
    if spec is not None:
        return spec
    with _LOCK:
        if version not in _LOADED:
            _LOADED[version] = _read(version)
    return _LOADED[version]


def _read(version: str) -> Spec:
    folder = require()
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(folder / f"{version}.yaml", "rb") as f:
        doc = yaml.load(f, Loader=loader)
    _patch(version, doc["components"]["schemas"])
    converted = {name: to_json_schema(s) for name, s in doc["components"]["schemas"].items()}
    routes: dict[tuple[str, int], list[tuple[tuple[str | None, ...], Operation]]] = {}
    for template, item in doc["paths"].items():
        pattern = tuple(None if s.startswith("{") else s for s in template.strip("/").split("/"))
        for method in _METHODS:
            op = item.get(method)
            if op is None:
                continue
            operation = Operation(
                version, method.upper(), template, op.get("operationId", ""), op["responses"]
            )
            routes.setdefault((method.upper(), len(pattern)), []).append((pattern, operation))
    # The most literal template wins: /tickets/search before /tickets/{id}.
    for candidates in routes.values():
        candidates.sort(key=lambda c: tuple(s is None for s in c[0]))
    return Spec(version, doc, {"components": {"schemas": converted}}, routes)


def match(version: str, method: str, path: str) -> Operation | None:
    """The operation of `version` that serves `method path`; segments are matched by
    structure (a `{param}` matches any one segment), since param names differ by version."""
    segments = path.split("?", 1)[0].strip("/").split("/")
    for pattern, op in load(version).routes.get((method.upper(), len(segments)), ()):
        if all(p is None or p == s for p, s in zip(pattern, segments, strict=True)):
            return op
    return None


def _response(spec: Spec, op: Operation, status: int) -> tuple[str, Any] | None:
    """(documented status key, response object) for a status: exact, `4XX`-style, default."""
    for key in (str(status), f"{str(status)[0]}XX", "default"):
        if key in op.responses:
            resp = op.responses[key]
            if "$ref" in resp:
                resp = _pointer(spec.doc, resp["$ref"])
            return key, resp
    return None


def _pointer(doc: dict[str, Any], ref: str) -> Any:
    node: Any = doc
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def validator(spec: Spec, op: Operation, status: int) -> Draft4Validator | None:
    """The compiled validator for a response; None when the spec gives no JSON schema.
    An undocumented error status is held to the spec's `error` schema: Intercom answers
    every failure with an error.list."""
    key = (f"{op.method} {op.template}", status)
    if key in spec.validators:
        return spec.validators[key]
    found = _response(spec, op, status)
    schema: Any = None
    if found is not None:
        content = (found[1].get("content") or {}).get("application/json") or {}
        schema = content.get("schema")
    elif status < 400:
        raise AssertionError(
            f"Intercom {spec.version} {op.operation_id} ({op.method} {op.template}) "
            f"documents no {status} response (documented: {', '.join(op.responses)})"
        )
    if schema is None and status >= 400:
        schema = {"$ref": "#/components/schemas/error"}
    compiled = None
    if schema is not None:
        compiled = Draft4Validator({"allOf": [to_json_schema(schema)], **spec.root})
    with _LOCK:
        spec.validators[key] = compiled
    return compiled


# -- checking responses ---------------------------------------------------------------------


def pointer(path: Iterable[Any]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _explain(error: ValidationError) -> str:
    # anyOf (nullable wrappers, oneOf) hides the real cause in its context: dig it out.
    while error.context:
        error = best_match(error.context)
    return f"at {pointer(error.absolute_path) or '(root)'}: {error.message[:300]}"


def check(
    method: str,
    path: str,
    status: int,
    body: bytes,
    version_header: str | None,
    default_version: str = DEFAULT_VERSION,
) -> bool:
    """Validates one response; True when it was checked, False when there was nothing to
    check (oracle off, version without a file, operation not in that version, no schema)."""
    if spec_dir() is None:
        if IN_CI:
            require()  # fails: under CI the oracle is never silently off
        return False
    version = version_file(version_header, default_version)
    if version is None or not body.strip():
        return False
    op = match(version, method, path)
    if op is None:
        return False
    spec = load(version)
    compiled = validator(spec, op, status)
    if compiled is None:
        return False
    where = f"Intercom {version} {op.operation_id} ({op.method} {op.template}) {status}"
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise AssertionError(f"{where}: body is not JSON: {body[:200]!r}") from None
    if next(compiled.iter_errors(data), None) is not None:
        error = best_match(compiled.iter_errors(data))
        raise AssertionError(f"{where}: response does not match the spec {_explain(error)}")
    with _LOCK:
        VALIDATED.add((version, op.method, op.template, status))
        LOG.append((version, op.method, op.template, status))
        COUNTS[version] += 1
    return True


def check_response(response: httpx.Response, default_version: str = DEFAULT_VERSION) -> bool:
    """`check` for an httpx response whose body has been read."""
    request = response.request
    return check(
        request.method,
        request.url.path,
        response.status_code,
        response.content,
        request.headers.get("intercom-version"),
        default_version,
    )


def httpx_hook(default_version: str = DEFAULT_VERSION) -> Callable[[httpx.Response], None]:
    """An httpx `response` event hook validating every response (for the SDK's client)."""

    def hook(response: httpx.Response) -> None:
        response.read()
        check_response(response, default_version)

    return hook


def summary() -> str:
    if spec_dir() is None:
        return off_reason()
    total = sum(COUNTS.values())
    per_version = ", ".join(f"{v}: {COUNTS[v]}" for v in FILES if COUNTS[v])
    return (
        f"OpenAPI contract: {total} responses validated ({per_version or 'none'}); "
        f"{len(VALIDATED)} distinct (version, operation, status)"
    )


# -- known defects of the published spec ----------------------------------------------------
# Each entry: the versions whose file has the defect, the schema, a patch making it describe
# what the real API sends (§ = reference intercom-tickets.md). A patch asserts the defect is
# there first, so a spec file that has fixed it fails loudly instead of being patched blindly.

_ALL = FILES
_TO_2_11 = ("2.9", "2.10", "2.11")


def _rename(schema: dict[str, Any], old: str, new: str) -> None:
    props = schema["properties"]
    assert old in props and new not in props
    props[new] = props.pop(old)
    if old in schema.get("required", ()):
        schema["required"] = [new if r == old else r for r in schema["required"]]


def _list_type(schema: dict[str, Any]) -> None:
    kind = schema["properties"]["type"]
    assert kind.get("enum") == ["ticket_type_attributes.list"]
    kind["enum"] = ["list"]


def _data_list(schema: dict[str, Any]) -> None:
    _rename(schema, "ticket_types", "data")


def _attribute_list(schema: dict[str, Any]) -> None:
    _rename(schema, "ticket_type_attributes", "data")


def _input_options(schema: dict[str, Any]) -> None:
    options = schema["properties"]["input_options"]
    assert options.get("type") == "object" and not options.get("nullable")
    options["nullable"] = True
    if "input_options" in schema.get("required", ()):
        schema["required"] = [r for r in schema["required"] if r != "input_options"]


def _optional(*names: str) -> Callable[[dict[str, Any]], None]:
    def fix(schema: dict[str, Any]) -> None:
        assert set(names) <= set(schema.get("required", ()))
        schema["required"] = [r for r in schema["required"] if r not in names]

    return fix


def _define_object(schema: dict[str, Any]) -> None:
    assert not schema
    schema["type"] = "object"


SPEC_DEFECTS: list[tuple[tuple[str, ...], str, Callable[[dict[str, Any]], None], str]] = [
    # §3.3/§10.1: 2.9-2.11 describe the ticket type list as {type, ticket_types}; every
    # example (and 2.12+'s corrected schema) is {"type": "list", "data": [...]}.
    (_TO_2_11, "ticket_type_list", _data_list, "ticket_types -> data"),
    # §3.4/§10.1: every version names the attribute list `ticket_type_attributes`; every
    # example, in every version, sends {"type": "list", "data": [...]}.
    (_ALL, "ticket_type_attribute_list", _attribute_list, "ticket_type_attributes -> data"),
    # §1.3/§10.16: 2.11 enumerates both list types as "ticket_type_attributes.list"; the
    # real value is "list".
    (("2.11",), "ticket_type_list", _list_type, "type enum -> list"),
    (("2.11",), "ticket_type_attribute_list", _list_type, "type enum -> list"),
    # §3.4/§2.N: input_options is `null` in the examples of every version, and the 2.11
    # update example omits it although 2.11 lists it as required.
    (_ALL, "ticket_type_attribute", _input_options, "input_options nullable, optional"),
    # §1.3/§3.5/§10.16: 2.11 requires `body` and `ticket_state` on every ticket part, but
    # state-change parts have no body and only they carry ticket_state (2.11's own examples).
    (("2.11",), "ticket_part", _optional("body", "ticket_state"), "body, ticket_state optional"),
    # §3.7/§9 Tags: applied_at/applied_by only come with a tagging operation; 2.11 requires
    # them on every tag, yet its own GET /tags example has neither.
    (("2.11",), "tag", _optional("applied_at", "applied_by"), "applied_at/by optional"),
    # Not in the reference: 2.9-2.11 $ref `custom_attributes` (conversation, ...) without
    # defining it, which would crash validation; 2.12+ define it as an object.
    (_TO_2_11, "custom_attributes", _define_object, "define the missing schema"),
]


def _patch(version: str, schemas: dict[str, Any]) -> None:
    for versions, name, fix, what in SPEC_DEFECTS:
        if version in versions:
            try:
                fix(schemas.setdefault(name, {}))
            except (AssertionError, KeyError):
                raise AssertionError(
                    f"spec defect patch no longer applies to {version}.yaml {name}: {what}; "
                    "the file changed, review SPEC_DEFECTS"
                ) from None
