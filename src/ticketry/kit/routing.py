"""Routing by first path segment: Starlette's Router, without a linear scan of every route.

Starlette tries each route's regex in turn; with the whole Intercom surface that is a few
dozen regexes per request. Here the first segment (`tickets`, `contacts`, ...) picks a
small Starlette Router holding only that resource's routes, which keeps Starlette's own
matching, 404 and 405 behaviour.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from starlette.routing import BaseRoute, Route, Router
from starlette.types import Receive, Scope, Send


def _segment(path: str) -> str:
    return path.split("/", 2)[1] if path.startswith("/") else ""


class SegmentRouter(Router):
    def __init__(self, routes: Sequence[BaseRoute], **kwargs: Any) -> None:
        super().__init__(routes=routes, **kwargs)
        groups: dict[str, list[BaseRoute]] = defaultdict(list)
        for route in routes:
            if not isinstance(route, Route):
                raise TypeError("SegmentRouter takes plain Routes")
            groups[_segment(route.path)].append(route)
        self._by_segment = {seg: Router(routes=group) for seg, group in groups.items()}

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().app(scope, receive, send)  # lifespan
            return
        scope.setdefault("router", self)
        sub = self._by_segment.get(_segment(scope["path"]))
        if sub is None:
            await self.not_found(scope, receive, send)
            return
        await sub.app(scope, receive, send)
