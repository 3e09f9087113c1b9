"""Handles on a test server and its workspaces, over HTTP only, so they work the same for
a server the plugin started and for one already running elsewhere (CI, a container)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx


class ControlError(RuntimeError):
    """The control API refused a call (the message carries Intercom's error body)."""


def _ok(resp: httpx.Response) -> Any:
    if resp.status_code != 200:
        raise ControlError(
            f"{resp.request.method} {resp.request.url.path}: {resp.status_code} {resp.text}"
        )
    return resp.json()


@dataclass
class TicketryWorkspace:
    """A workspace of its own, with one admin and that admin's token."""

    base_url: str
    token: str
    admin_id: str
    workspace_id: str
    version: str
    _client: Any = field(default=None, repr=False)

    @property
    def headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.token}",
            "Intercom-Version": self.version,
            "Accept": "application/json",
        }

    @property
    def client(self) -> Any:
        """The official Python SDK (`python-intercom`) pointed at this workspace."""
        if self._client is None:
            try:
                from intercom import Intercom
            except ImportError:
                raise RuntimeError(
                    "ticketry_workspace.client needs the official SDK: pip install python-intercom"
                ) from None
            self._client = Intercom(token=self.token, base_url=self.base_url)
        return self._client

    def http(self) -> httpx.Client:
        """A plain HTTP client with this workspace's headers (close it, or use `with`)."""
        return httpx.Client(base_url=self.base_url, headers=self.headers, timeout=30)

    def _control(self, method: str, path: str, **kwargs: Any) -> Any:
        with self.http() as client:
            return _ok(client.request(method, f"/ticketry/{path}", **kwargs))

    # The control API, for this workspace (see the README's test kit section).
    def reset(self) -> None:
        self._control("POST", "reset")

    def snapshot(self, name: str | None = None) -> str:
        return str(self._control("POST", "snapshots", json={"name": name})["id"])

    def restore(self, snapshot_id: str) -> None:
        self._control("POST", f"snapshots/{snapshot_id}/restore")

    def fault(self, path: str, status: int | None = None, **options: Any) -> dict[str, Any]:
        """Inject a fault: `method`, `times`, `latency_ms`, `retry_after` as options."""
        spec = {"path": path, "status": status, **options}
        return dict(self._control("POST", "faults", json=spec))

    def clear_faults(self) -> None:
        self._control("DELETE", "faults")

    def load(self, fixtures: str | Path | dict[str, Any]) -> dict[str, Any]:
        """Make the test data of a fixtures file (YAML or JSON) or document; ids by name."""
        from ticketry.control import fixtures as fx

        doc = fx.parse(fixtures) if isinstance(fixtures, dict) else fx.read(Path(fixtures))
        with self.http() as client:
            return fx.load(client, doc)

    def requests(self, limit: int = 50) -> list[dict[str, Any]]:
        return list(self._control("GET", "requests", params={"limit": limit})["data"])


@dataclass
class TicketryServer:
    """A Ticketry server with the test kit on, and the token that may create workspaces."""

    base_url: str
    bootstrap_token: str = field(repr=False)
    version: str = "2.14"
    database_url: str | None = None  # None for a server the plugin did not start

    def new_workspace(
        self, name: str = "Test workspace", version: str | None = None
    ) -> TicketryWorkspace:
        version = version or self.version
        headers = {"Authorization": f"Bearer {self.bootstrap_token}"}
        made = _ok(
            httpx.post(
                f"{self.base_url}/ticketry/workspaces",
                json={"name": name, "default_version": version},
                headers=headers,
                timeout=30,
            )
        )
        return TicketryWorkspace(
            base_url=self.base_url,
            token=made["token"],
            admin_id=made["admin_id"],
            workspace_id=made["id"],
            version=version,
        )
