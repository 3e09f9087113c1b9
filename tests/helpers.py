"""Assertions shared by the API tests."""

from __future__ import annotations

import uuid


def assert_error(
    resp, status: int, code: str, *, field: str | None = None, contains: str | None = None
) -> dict:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"] == "application/json"
    body = resp.json()
    assert body["type"] == "error.list"
    uuid.UUID(body["request_id"])
    assert resp.headers["x-request-id"] == body["request_id"]
    err = body["errors"][0]
    assert err["code"] == code, body
    assert err["message"]
    if field is not None:
        assert err.get("field") == field, body
    if contains is not None:
        assert contains in err["message"], body
    assert "detail" not in body
    return err
