"""Domain errors: each carries its HTTP status and Intercom error code, rendered by one handler."""

from __future__ import annotations


class ApiError(Exception):
    """An error the client sees as Intercom's `error.list` body."""

    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.field = field
        self.headers = headers or {}

    def as_error(self) -> dict[str, str]:
        err = {"code": self.code, "message": self.message}
        if self.field is not None:
            err["field"] = self.field
        return err


class BadRequest(ApiError):
    status = 400
    code = "bad_request"


class ParameterInvalid(ApiError):
    status = 400
    code = "parameter_invalid"


class ParameterNotFound(ApiError):
    """A required parameter is missing (Intercom: `<name> is a required parameter`)."""

    status = 400
    code = "parameter_not_found"

    def __init__(self, name: str, message: str | None = None) -> None:
        super().__init__(message or f"{name} is a required parameter", field=name)


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"

    def __init__(self) -> None:
        super().__init__("Access Token Invalid")


class NotFound(ApiError):
    status = 404
    code = "not_found"

    def __init__(
        self,
        message: str = "Resource Not Found",
        *,
        code: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message, code=code, field=field)


class MethodNotAllowed(ApiError):
    status = 405
    code = "method_not_allowed"


class Conflict(ApiError):
    status = 409
    code = "conflict"


class Internal(ApiError):
    status = 500
    code = "internal_error"
