"""HTTP handlers of the control API under /ticketry/ (served only with the test kit on).

Every call is authenticated by an access token and acts on that token's workspace only;
creating a workspace takes the server's bootstrap token.
"""

from __future__ import annotations

import hmac
import time
from typing import Any

import orjson
from starlette.responses import Response

from ticketry.control import clock, data
from ticketry.control.schemas import CreateFault, CreateSnapshot, CreateWorkspace, SetClock
from ticketry.control.state import Fault, Kit, Logged, Snapshot
from ticketry.errors import ApiError, NotFound, ParameterInvalid
from ticketry.kit import auth, ids
from ticketry.kit.http import Ctx, json, resource
from ticketry.workspaces import service as ws_service


class Forbidden(ApiError):
    status = 403
    code = "forbidden"


def _kit(ctx: Ctx) -> Kit:
    kit: Kit = ctx.request.app.state.kit
    return kit


def _forget_cached(ctx: Ctx) -> None:
    # Cached ticket types are checked against their row's revision, which a restore can
    # move back to a value the cache holds for other content: drop them.
    ctx.db.cache.pop("types", None)


# -- workspaces -------------------------------------------------------------------------


def _new_workspace(conn: Any, name: str, version: str | None) -> dict[str, Any]:
    data.relaxed(conn)
    ws = ws_service.create_workspace(conn, name, version or "2.14")
    admin = ws_service.create_admin(
        conn, ws["id"], "Test Admin", f"admin-{ws['id_code']}@example.com"
    )
    issued = ws_service.create_token(conn, ws["id"], admin["id"], "test kit")
    return {
        "type": "workspace",
        "id": str(ws["id"]),
        "id_code": ws["id_code"],
        "name": ws["name"],
        "default_version": ws["default_version"],
        "admin_id": str(admin["id"]),
        "admin_email": admin["email"],
        "token": issued.token,
    }


async def create_workspace(ctx: Ctx) -> Response:
    chosen = ctx.request.app.state.settings.bootstrap_token
    given = auth.bearer(ctx.request.headers.get("authorization")) or ""
    if chosen is None or not hmac.compare_digest(given.encode(), chosen.encode()):
        raise Forbidden("Only the server's bootstrap token may create workspaces")
    payload = await ctx.body(CreateWorkspace)
    return json(await ctx.db.write(_new_workspace, payload.name, payload.default_version))


# -- reset and snapshots ----------------------------------------------------------------


async def reset(ctx: Ctx) -> Response:
    await ctx.db.write(data.reset, ctx.workspace_id)
    _forget_cached(ctx)
    kit = _kit(ctx)
    kit.clear_faults(ctx.workspace_id)
    kit.clear_requests(ctx.workspace_id)
    kit.clocks.pop(ctx.workspace_id, None)
    return json({"type": "reset", "workspace_id": str(ctx.workspace_id)})


def _snapshot(snap: Snapshot) -> dict[str, Any]:
    return {
        "type": "snapshot",
        "id": str(snap.id),
        "name": snap.name,
        "created_at": snap.created_at,
    }


def _find_snapshot(ctx: Ctx) -> Snapshot:
    found = ctx.int_param("id", NotFound("Snapshot not found"))
    snap = _kit(ctx).snapshots.get(ctx.workspace_id, {}).get(found)
    if snap is None:
        raise NotFound("Snapshot not found")
    return snap


async def create_snapshot(ctx: Ctx) -> Response:
    payload = await ctx.body(CreateSnapshot)
    tables = await ctx.db.read(data.dump, ctx.workspace_id)
    return json(_snapshot(_kit(ctx).add_snapshot(ctx.workspace_id, payload.name, tables)))


async def list_snapshots(ctx: Ctx) -> Response:
    snaps = _kit(ctx).snapshots.get(ctx.workspace_id, {}).values()
    return json({"type": "list", "data": [_snapshot(s) for s in snaps]})


async def restore_snapshot(ctx: Ctx) -> Response:
    snap = _find_snapshot(ctx)
    await ctx.db.write(data.load, ctx.workspace_id, snap.data)
    _forget_cached(ctx)
    return json(_snapshot(snap))


async def delete_snapshot(ctx: Ctx) -> Response:
    snap = _find_snapshot(ctx)
    del _kit(ctx).snapshots[ctx.workspace_id][snap.id]
    return json({**_snapshot(snap), "deleted": True})


# -- faults -------------------------------------------------------------------------------


def _fault(fault: Fault) -> dict[str, Any]:
    return {
        "type": "fault",
        "id": str(fault.id),
        "method": fault.method,
        "path": fault.path,
        "status": fault.status,
        "times": fault.times,
        "latency_ms": fault.latency_ms,
        "retry_after": fault.retry_after,
        "created_at": fault.created_at,
    }


async def create_fault(ctx: Ctx) -> Response:
    spec = await ctx.body(CreateFault)
    return json(_fault(_kit(ctx).add_fault(ctx.workspace_id, **spec.model_dump())))


async def list_faults(ctx: Ctx) -> Response:
    return json({"type": "list", "data": [_fault(f) for f in _kit(ctx).faults(ctx.workspace_id)]})


async def clear_faults(ctx: Ctx) -> Response:
    _kit(ctx).clear_faults(ctx.workspace_id)
    return json({"type": "list", "data": []})


async def delete_fault(ctx: Ctx) -> Response:
    fault_id = ctx.int_param("id", NotFound("Fault not found"))
    if not _kit(ctx).remove_fault(ctx.workspace_id, fault_id):
        raise NotFound("Fault not found")
    return json({"type": "fault", "id": str(fault_id), "deleted": True})


# -- the clock -------------------------------------------------------------------------


def _clock(now: int, frozen: bool) -> dict[str, Any]:
    return {"type": "clock", "now": now, "frozen": frozen}


async def get_clock(ctx: Ctx) -> Response:
    frozen = _kit(ctx).clocks.get(ctx.workspace_id)
    return json(_clock(frozen if frozen is not None else int(time.time()), frozen is not None))


async def set_clock(ctx: Ctx) -> Response:
    payload = await ctx.body(SetClock)
    kit = _kit(ctx)
    if (payload.now is None) == (payload.advance is None):
        raise ParameterInvalid("Send either now or advance, not both", field="now")
    before = kit.clocks.get(ctx.workspace_id, int(time.time()))
    at = payload.now if payload.now is not None else before + (payload.advance or 0)
    kit.clocks[ctx.workspace_id] = at
    token = ids.FROZEN.set(at)
    try:
        await ctx.db.write(clock.moved, ctx.workspace_id, at, at - before)
    finally:
        ids.FROZEN.reset(token)
    ctx.request.app.state.jobs.wake()
    ctx.request.app.state.webhooks.wake()
    return json(_clock(at, True))


async def real_clock(ctx: Ctx) -> Response:
    _kit(ctx).clocks.pop(ctx.workspace_id, None)
    return json(_clock(int(time.time()), False))


# -- the request log ----------------------------------------------------------------------


def _body(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return raw.decode("utf-8", "replace")


def _logged(entry: Logged) -> dict[str, Any]:
    return {
        "type": "request",
        "method": entry.method,
        "path": entry.path,
        "query": entry.query,
        "status": entry.status,
        "intercom_version": entry.intercom_version,
        "body": _body(entry.body),
        "created_at": entry.created_at,
    }


async def list_requests(ctx: Ctx) -> Response:
    kit = _kit(ctx)
    limit = ctx.query_int("limit", 50, 1, kit.log_size)
    return json(
        {"type": "list", "data": [_logged(e) for e in kit.requests(ctx.workspace_id, limit)]}
    )


async def clear_requests(ctx: Ctx) -> Response:
    _kit(ctx).clear_requests(ctx.workspace_id)
    return json({"type": "list", "data": []})


routes = [
    resource("/ticketry/workspaces", POST=create_workspace),
    resource("/ticketry/reset", POST=reset),
    resource("/ticketry/snapshots", GET=list_snapshots, POST=create_snapshot),
    resource("/ticketry/snapshots/{id}", DELETE=delete_snapshot),
    resource("/ticketry/snapshots/{id}/restore", POST=restore_snapshot),
    resource("/ticketry/faults", GET=list_faults, POST=create_fault, DELETE=clear_faults),
    resource("/ticketry/faults/{id}", DELETE=delete_fault),
    resource("/ticketry/requests", GET=list_requests, DELETE=clear_requests),
    resource("/ticketry/clock", GET=get_clock, PUT=set_clock, DELETE=real_clock),
]
