"""PostgreSQL work on the event loop, written as plain synchronous code.

A unit of work is a plain function `fn(conn, ...)` that calls `conn.one`, `conn.all` and
so on. On PostgreSQL the server runs it in a greenlet on the event loop thread, over a
psycopg async connection: each statement parks the greenlet while the loop awaits the
driver, and other requests run meanwhile. Nothing crosses to a thread, so a request costs
no thread hop and no fight for the GIL between a worker thread and the loop (measured on
`GET /tickets/{id}` with 4 statements: the thread pool spent about half the process's CPU
in the kernel switching threads). SQLAlchemy's asyncio extension uses the same technique
(its `greenlet_spawn`/`await_only`).

`LoopConnection` gives the unit of work the part of psycopg's synchronous `Connection`
API that `Conn` and the test kit use (`execute`, `cursor`, `executemany`, `copy`), each
call a `wait` on the async one.
"""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable, Iterator
from types import TracebackType
from typing import Any, TypeVar

from greenlet import getcurrent, greenlet  # type: ignore[import-untyped]

T = TypeVar("T")


class _Unit(greenlet):  # type: ignore[misc]
    """The greenlet a unit of work runs in; its parent is the task that awaits for it."""


def wait(awaitable: Awaitable[T]) -> T:
    """The result of `awaitable`, awaited by the task running this unit of work."""
    current = getcurrent()
    if not isinstance(current, _Unit):
        raise RuntimeError("a loop connection used outside its unit of work")
    return current.parent.switch(awaitable)


async def run(fn: Callable[..., T], *args: Any) -> T:
    """Run `fn(*args)` in a greenlet, awaiting on its behalf whatever it `wait`s for."""
    unit = _Unit(fn, getcurrent())
    unit.gr_context = contextvars.copy_context()  # the request's context variables
    step = unit.switch(*args)
    while not unit.dead:
        try:
            value = await step
        except BaseException as exc:  # cancellation included: fn unwinds, then it is raised
            step = unit.throw(exc)
        else:
            step = unit.switch(value)
    return step


class _Copy:
    def __init__(self, manager: Any) -> None:
        self._manager = manager
        self._copy: Any = None

    def __enter__(self) -> _Copy:
        self._copy = wait(self._manager.__aenter__())
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        wait(self._manager.__aexit__(kind, exc, tb))

    def __iter__(self) -> Iterator[memoryview]:
        while chunk := wait(self._copy.read()):
            yield chunk

    def write(self, data: bytes) -> None:
        wait(self._copy.write(data))


class _Cursor:
    __slots__ = ("_cur",)

    def __init__(self, cur: Any) -> None:
        self._cur = cur

    @property
    def rowcount(self) -> int:
        return int(self._cur.rowcount)

    def execute(self, query: str, params: Any = None) -> _Cursor:
        wait(self._cur.execute(query, params))
        return self

    def executemany(self, query: str, params: Any) -> None:
        wait(self._cur.executemany(query, params))

    def fetchone(self) -> Any:
        return wait(self._cur.fetchone())

    def fetchall(self) -> list[Any]:
        return wait(self._cur.fetchall())

    def copy(self, statement: str) -> _Copy:
        return _Copy(self._cur.copy(statement))

    def __enter__(self) -> _Cursor:
        return self

    def __exit__(self, *exc: object) -> None:
        wait(self._cur.close())


class LoopConnection:
    """A psycopg `AsyncConnection` seen through the synchronous API, for a unit of work."""

    __slots__ = ("_conn",)

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    @property
    def closed(self) -> bool:
        return bool(self._conn.closed)

    def execute(self, query: str, params: Any = None) -> _Cursor:
        return _Cursor(wait(self._conn.execute(query, params)))

    def cursor(self) -> _Cursor:
        return _Cursor(self._conn.cursor())
