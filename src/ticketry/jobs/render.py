"""The `job` wire object (Intercom 2.14+ `jobs`), the same in every version that has it.

Decision where Intercom says nothing: a failed job carries `errors`, the items of an
`error.list` (`code`, `message`, `field`?) saying why, since the `jobs` schema has no field
for it (it allows extra keys). A job being run is still `pending` on the wire: the spec's
statuses are pending, success and failed, and a job's work commits with its new status.
"""

from __future__ import annotations

from typing import Any

import orjson

from ticketry.db.database import Row
from ticketry.jobs.service import TICKET_CREATE

_RESOURCE_TYPES = {TICKET_CREATE: "ticket"}
_RESOURCE_PATHS = {TICKET_CREATE: "tickets"}


def job(row: Row, base_url: str) -> dict[str, Any]:
    status = row["status"] if row["status"] in ("success", "failed") else "pending"
    body: dict[str, Any] = {
        "type": "job",
        "id": str(row["id"]),
        "status": status,
        "url": f"{base_url}/jobs/status/{row['id']}",
        "resource_type": _RESOURCE_TYPES[row["kind"]],
        "resource_id": None,
        "resource_url": None,
    }
    if status == "success":
        body["resource_id"] = str(row["resource_id"])
        body["resource_url"] = f"{base_url}/{_RESOURCE_PATHS[row['kind']]}/{row['resource_id']}"
    elif status == "failed":
        body["errors"] = [orjson.loads(row["error"])]
    return body
