"""Request payloads: a strict-but-forgiving base model and Intercom-style validation errors.

Bodies are validated straight from bytes with Pydantic v2. Intercom's own examples send
integers where the schema says string ids (`"admin_id": 991267829`), so id fields accept
both and become strings. Keys a payload does not know are ignored, as Intercom ignores
them, so an integration written for another API version keeps working.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

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


def parse(model: type[M], body: bytes) -> M:
    """Validate a JSON body (empty counts as `{}`) into `model`, or raise an ApiError."""
    try:
        return model.model_validate_json(body or b"{}")
    except ValidationError as exc:
        raise validation_error(exc) from None
