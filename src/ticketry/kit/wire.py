"""Request payloads: a strict-but-forgiving base model and Intercom-style validation errors.

Bodies are validated straight from bytes with Pydantic v2. Intercom's own examples send
integers where the schema says string ids (`"admin_id": 991267829`), so id fields accept
both and become strings. Keys a payload does not know are ignored, as Intercom ignores
them, so an integration written for another API version keeps working.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

import orjson
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, ValidationError

from ticketry.errors import ApiError, BadRequest, ParameterInvalid, ParameterNotFound


def _id(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("must be a string id")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    raise ValueError("must be a string id")


IdStr = Annotated[str, BeforeValidator(_id)]
MAX_TIMESTAMP = 253402300799  # 9999-12-31T23:59:59Z: later dates are refused, not overflowed
UnixTime = Annotated[StrictInt, Field(ge=0, le=MAX_TIMESTAMP)]
MAX_TEXT = 100_000  # characters in a message body or description (Intercom states none)
LongText = Annotated[str, Field(max_length=MAX_TEXT)]


class Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)


M = TypeVar("M", bound=BaseModel)


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def validation_error(exc: ValidationError) -> ApiError:
    """The first problem pydantic found, as Intercom would word it."""
    err = exc.errors(include_url=False)[0]
    kind, loc = err["type"], tuple(p for p in err["loc"] if not _is_union_tag(p))
    field = _loc(loc)
    if kind == "json_invalid":
        return BadRequest(f"Request body is not valid JSON: {err['msg']}", code="bad_request")
    if not field:
        return BadRequest("Request body must be a JSON object", code="bad_request")
    if kind == "missing":
        return ParameterNotFound(field)
    ctx_msg = err.get("ctx", {}).get("error")
    message = str(ctx_msg) if ctx_msg else err["msg"]
    return ParameterInvalid(f"{field} is invalid: {message}", field=field)


def _is_union_tag(part: Any) -> bool:
    # pydantic puts the union member's name into `loc` ("function-before[...]", "str")
    return isinstance(part, str) and (
        part.startswith(("function-", "lax-", "json-"))
        or part in ("str", "int", "float", "bool", "list")
    )


def _nul_path(value: Any, path: str = "") -> str | None:
    """Where a NUL character sits in a decoded JSON document, if anywhere."""
    if isinstance(value, str):
        return (path or "body") if "\x00" in value else None
    if isinstance(value, list):
        items: Any = ((f"{path}[{i}]", v) for i, v in enumerate(value))
    elif isinstance(value, dict):
        for key in value:
            if "\x00" in key:
                return path or "body"
        items = ((f"{path}.{k}" if path else k, v) for k, v in value.items())
    else:
        return None
    for sub_path, item in items:
        found = _nul_path(item, sub_path)
        if found is not None:
            return found
    return None


def _refuse_nul(body: bytes) -> None:
    # JSON can only carry NUL as the escape \u0000, so bodies without it skip the walk.
    if b"\\u0000" not in body:
        return
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError:
        return  # pydantic reports the syntax error
    path = _nul_path(doc)
    if path is not None:
        # Nothing stores NUL (PostgreSQL text cannot), so say so instead of failing later.
        raise ParameterInvalid(f"{path} must not contain NUL characters", field=path)


def parse(model: type[M], body: bytes) -> M:
    """Validate a JSON body (empty counts as `{}`) into `model`, or raise an ApiError."""
    _refuse_nul(body)
    try:
        return model.model_validate_json(body or b"{}")
    except ValidationError as exc:
        raise validation_error(exc) from None
