"""Writing companies: `POST /companies` creates or updates by the customer's company_id."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import update

from ticketry.companies import queries
from ticketry.companies.schemas import CompanyWrite
from ticketry.db.database import Conn, Row
from ticketry.db.sql import insert_ignoring_conflicts
from ticketry.errors import BadRequest, ParameterNotFound
from ticketry.kit import ids
from ticketry.tables import companies


def _attributes(stored: dict[str, Any], sent: dict[str, Any] | None) -> str:
    """Sent keys merged into the stored ones; a null value removes its key, and
    `custom_attributes: null` removes them all."""
    if sent is None:
        return "{}"
    merged = {**stored, **sent}
    return orjson.dumps({k: v for k, v in merged.items() if v is not None}).decode()


def create_or_update(conn: Conn, workspace_id: int, payload: CompanyWrite) -> Row:
    for key in payload.model_extra or {}:
        raise BadRequest(f"bad '{key}' parameter", field=key)
    if payload.company_id is None:
        raise ParameterNotFound("company_id")
    sent = payload.model_fields_set - {"company_id", "custom_attributes"}
    values: dict[str, Any] = {key: getattr(payload, key) for key in sent}
    now = ids.now()
    # ON CONFLICT DO NOTHING, then update: two requests racing to create the same
    # company_id both succeed, the second as an update.
    inserted = conn.execute(
        insert_ignoring_conflicts(
            conn.dialect,
            companies,
            id=ids.hex_id(),
            workspace_id=workspace_id,
            company_id=payload.company_id,
            custom_attributes=_attributes({}, payload.custom_attributes),
            created_at=now,
            updated_at=now,
            **values,
        )
    )
    row = queries.find_by_company_id(conn, workspace_id, payload.company_id)
    assert row is not None  # just inserted, or there already
    if inserted:
        return row
    if "custom_attributes" in payload.model_fields_set:
        stored = orjson.loads(row["custom_attributes"] or "{}")
        values["custom_attributes"] = _attributes(stored, payload.custom_attributes)
    conn.execute(
        update(companies)
        .where(companies.c.workspace_id == workspace_id, companies.c.id == row["id"])
        .values(updated_at=now, **values)
    )
    return queries.get_company(conn, workspace_id, row["id"])
