"""The `Intercom-Version` header: the accepted values, their order, and parsing.

Every value in the spec's enum (1.0 to 2.16 and Preview) is accepted, plus `Unstable`,
which Intercom treats as another name for Preview. Versions compare in release order, so
handlers and renderers write `version >= V2_12` instead of string tests.
"""

from __future__ import annotations

from ticketry.errors import ApiError

_NAMES = [
    "1.0",
    "1.1",
    "1.2",
    "1.3",
    "1.4",
    "2.0",
    "2.1",
    "2.2",
    "2.3",
    "2.4",
    "2.5",
    "2.6",
    "2.7",
    "2.8",
    "2.9",
    "2.10",
    "2.11",
    "2.12",
    "2.13",
    "2.14",
    "2.15",
    "2.16",
    "Preview",
]


class Version:
    __slots__ = ("name", "rank")

    def __init__(self, name: str, rank: int) -> None:
        self.name = name
        self.rank = rank

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Version) and other.rank == self.rank

    # Written out rather than functools.total_ordering: these run on every request.
    def __lt__(self, other: Version) -> bool:
        return self.rank < other.rank

    def __le__(self, other: Version) -> bool:
        return self.rank <= other.rank

    def __gt__(self, other: Version) -> bool:
        return self.rank > other.rank

    def __ge__(self, other: Version) -> bool:
        return self.rank >= other.rank

    def __hash__(self) -> int:
        return self.rank

    def __repr__(self) -> str:
        return f"Version({self.name})"

    def __str__(self) -> str:
        return self.name


ALL = [Version(name, rank) for rank, name in enumerate(_NAMES)]
_BY_NAME = {v.name: v for v in ALL}
_BY_NAME["Unstable"] = _BY_NAME["Preview"]
_BY_NAME_LOWER = {k.lower(): v for k, v in _BY_NAME.items()}

V2_9, V2_10, V2_11, V2_12, V2_13, V2_14, V2_15, V2_16 = (
    _BY_NAME[n] for n in ("2.9", "2.10", "2.11", "2.12", "2.13", "2.14", "2.15", "2.16")
)
PREVIEW = _BY_NAME["Preview"]
DEFAULT = V2_14  # the official SDKs are generated from 2.14 and python-intercom sends no header
NAMES = [*_NAMES, "Unstable"]


class VersionInvalid(ApiError):
    status = 400
    code = "intercom_version_invalid"


def get(name: str) -> Version | None:
    """The version for a header value (case-insensitive, surrounding space ignored)."""
    return _BY_NAME.get(name) or _BY_NAME_LOWER.get(name.strip().lower())


def parse(value: str) -> Version:
    version = get(value)
    if version is None:
        raise VersionInvalid(
            f"Intercom-Version '{value}' is not valid; use one of {', '.join(NAMES)}",
            field="Intercom-Version",
        )
    return version
