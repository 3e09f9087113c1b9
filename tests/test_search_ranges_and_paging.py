"""POST /tickets/search: two bounds on one custom attribute (compiled as one merged range
on the value index), with boundaries and values outside on both sides; and `pages.next`
when the matches are an exact multiple of `per_page`, or none.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.conftest import Api, Server, make_api, make_workspace
from tests.ticket_fixtures import add_attribute, make_contact, make_ticket, make_type

BASE = 1_700_000_000
SEATS = {"s4": 4, "s5": 5, "s6": 6, "s9": 9, "s10": 10, "s11": 11}
DUE = {"d0": BASE, "d100": BASE + 100, "d200": BASE + 200, "d300": BASE + 300}
COST = {"c1": 1.5, "c2": 2.5, "c3": 3.5}


@dataclass
class Data:
    api: Api
    attrs: dict[str, str] = field(default_factory=dict)  # attribute name -> id
    names: dict[str, str] = field(default_factory=dict)  # ticket id -> name

    def found(self, query: dict[str, Any]) -> set[str]:
        resp = self.api.post(
            "/tickets/search", json={"query": query, "pagination": {"per_page": 150}}
        )
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body["total_count"] == len(body["tickets"])
        return {self.names[t["id"]] for t in body["tickets"]}


@pytest.fixture(scope="module")
def data(server: Server) -> Iterator[Data]:
    ws = make_workspace(server, "Ranges")
    api = make_api(server, ws.token)
    d = Data(api)
    bug = make_type(api, "Bug")
    for name, kind in (("Seats", "integer"), ("Due", "datetime"), ("Cost", "decimal")):
        d.attrs[name] = add_attribute(api, bug["id"], name, kind)["id"]
    # Another type's integer attribute with values inside every range: never matched by
    # a filter on Seats.
    other = make_type(api, "Chore")
    d.attrs["Hours"] = add_attribute(api, other["id"], "Hours", "integer")["id"]
    contact = make_contact(api, "fay@example.com")["id"]
    values: list[tuple[str, str, dict[str, Any]]] = [
        *((n, bug["id"], {"Seats": v}) for n, v in SEATS.items()),
        *((n, bug["id"], {"Due": v}) for n, v in DUE.items()),
        *((n, bug["id"], {"Cost": v}) for n, v in COST.items()),
        ("empty", bug["id"], {}),
        ("hours", other["id"], {"Hours": 7}),
    ]
    for name, type_id, attributes in values:
        made = make_ticket(api, type_id, contact, ticket_attributes=attributes)
        d.names[made["id"]] = name
    yield d
    api.close()


def leaf(name: str, operator: str, value: Any) -> dict[str, Any]:
    return {"field": name, "operator": operator, "value": value}


def both(*filters: dict[str, Any]) -> dict[str, Any]:
    return {"operator": "AND", "value": list(filters)}


def either(*filters: dict[str, Any]) -> dict[str, Any]:
    return {"operator": "OR", "value": list(filters)}


def attr(d: Data, name: str) -> str:
    return f"ticket_attribute.{d.attrs[name]}"


INTEGER_CASES = [
    ((">", 5), ("<", 10), {"s6", "s9"}),
    ((">=", 5), ("<=", 10), {"s5", "s6", "s9", "s10"}),
    ((">", 5), ("<=", 10), {"s6", "s9", "s10"}),
    ((">=", 5), ("<", 10), {"s5", "s6", "s9"}),
    (("<", 10), (">", 5), {"s6", "s9"}),  # bounds in either order
    ((">", "5"), ("<", "10"), {"s6", "s9"}),  # digit strings, as Intercom's examples send
    ((">=", 6), ("<=", 6), {"s6"}),
    ((">", 9), ("<", 6), set()),  # an empty range
    ((">", 5), (">", 9), {"s10", "s11"}),  # two lower bounds: the tighter one wins
    (("<", 10), ("<=", 5), {"s4", "s5"}),
    (("=", 9), (">", 5), {"s9"}),
    (("=", 9), ("<", 5), set()),
]


@pytest.mark.parametrize(("first", "second", "expected"), INTEGER_CASES)
def test_integer_range(data: Data, first: tuple, second: tuple, expected: set[str]) -> None:
    seats = attr(data, "Seats")
    query = both(leaf(seats, *first), leaf(seats, *second))
    assert data.found(query) == expected
    # the same range with the bounds in separate filters of a nested group agrees
    nested = both(leaf(seats, *first), either(leaf(seats, *second)))
    assert data.found(nested) == expected


def test_three_bounds_and_other_filters(data: Data) -> None:
    seats = attr(data, "Seats")
    assert data.found(both(leaf(seats, ">", 4), leaf(seats, "<", 11), leaf(seats, "!=", 9))) == {
        "s5",
        "s6",
        "s10",
    }
    assert data.found(both(leaf(seats, ">=", 4), leaf(seats, "<=", 11), leaf(seats, ">", 5))) == {
        "s6",
        "s9",
        "s10",
        "s11",
    }
    # a range plus a filter on another field
    assert data.found(both(leaf(seats, ">", 4), leaf(seats, "<", 11), leaf("open", "=", True))) == {
        "s5",
        "s6",
        "s9",
        "s10",
    }
    # ranges on two attributes at once: no ticket has both
    due = attr(data, "Due")
    assert (
        data.found(
            both(
                leaf(seats, ">", 0),
                leaf(seats, "<", 100),
                leaf(due, ">", 0),
                leaf(due, "<", BASE * 2),
            )
        )
        == set()
    )
    # two ranges side by side in an OR
    assert data.found(
        either(
            both(leaf(seats, ">", 4), leaf(seats, "<", 6)),
            both(leaf(seats, ">", 9), leaf(seats, "<", 11)),
        )
    ) == {"s5", "s10"}


def test_datetime_range(data: Data) -> None:
    due = attr(data, "Due")
    cases = [
        ((">", BASE + 100), ("<", BASE + 300), {"d200"}),
        ((">=", BASE + 100), ("<=", BASE + 300), {"d100", "d200", "d300"}),
        ((">", BASE), ("<=", BASE + 200), {"d100", "d200"}),
        ((">=", str(BASE)), ("<", str(BASE + 100)), {"d0"}),
        ((">", BASE + 300), ("<", BASE + 10_000), set()),
        ((">", BASE - 1), ("<", BASE + 301), {"d0", "d100", "d200", "d300"}),
    ]
    for first, second, expected in cases:
        assert data.found(both(leaf(due, *first), leaf(due, *second))) == expected, (first, second)


def test_decimal_range(data: Data) -> None:
    cost = attr(data, "Cost")
    assert data.found(both(leaf(cost, ">", 1.5), leaf(cost, "<", 3.5))) == {"c2"}
    assert data.found(both(leaf(cost, ">=", 1.5), leaf(cost, "<=", 3.5))) == {"c1", "c2", "c3"}
    assert data.found(both(leaf(cost, ">", 2), leaf(cost, "<=", "3.5"))) == {"c2", "c3"}


def test_one_bound_alone_still_works(data: Data) -> None:
    seats = attr(data, "Seats")
    assert data.found(leaf(seats, ">", 9)) == {"s10", "s11"}
    assert data.found(leaf(seats, "<=", 5)) == {"s4", "s5"}
    assert data.found(both(leaf(attr(data, "Hours"), ">", 6), leaf(seats, "<", 100))) == set()


# -- pages.next ----------------------------------------------------------------------------


def pages_of(api: Api, query: dict[str, Any], per_page: int) -> list[dict[str, Any]]:
    """Every page of a search, following `pages.next` until it is absent."""
    out: list[dict[str, Any]] = []
    pagination: dict[str, Any] = {"per_page": per_page}
    while True:
        resp = api.post("/tickets/search", json={"query": query, "pagination": pagination})
        assert resp.status_code == 200, resp.text
        out.append(resp.json())
        nxt = out[-1]["pages"].get("next")
        if nxt is None:
            return out
        assert nxt["per_page"] == per_page
        assert len(out) < 10, "pages.next never ends"
        pagination = {"per_page": per_page, "starting_after": nxt["starting_after"]}


def test_pages_next_at_an_exact_multiple_of_per_page(data: Data) -> None:
    seats = attr(data, "Seats")
    four = both(leaf(seats, ">", 4), leaf(seats, "<", 11))  # s5 s6 s9 s10
    expected = sorted(
        (i for i, n in data.names.items() if n in {"s5", "s6", "s9", "s10"}), key=int, reverse=True
    )

    two = pages_of(data.api, four, 2)
    assert len(two) == 2
    assert "next" in two[0]["pages"] and "next" not in two[1]["pages"]
    assert [p["pages"]["page"] for p in two] == [1, 2]
    assert [len(p["tickets"]) for p in two] == [2, 2]
    for p in two:
        assert p["total_count"] == 4 and p["pages"]["total_pages"] == 2
        assert p["pages"]["per_page"] == 2
    assert [t["id"] for p in two for t in p["tickets"]] == expected

    one = pages_of(data.api, four, 4)
    assert len(one) == 1 and "next" not in one[0]["pages"]
    assert one[0]["pages"]["total_pages"] == 1
    assert [t["id"] for t in one[0]["tickets"]] == expected

    singles = pages_of(data.api, four, 1)
    assert [("next" in p["pages"]) for p in singles] == [True, True, True, False]
    assert [t["id"] for p in singles for t in p["tickets"]] == expected

    threes = pages_of(data.api, four, 3)
    assert [len(p["tickets"]) for p in threes] == [3, 1]
    assert "next" in threes[0]["pages"] and "next" not in threes[1]["pages"]


def test_no_results_have_no_next_page(data: Data) -> None:
    for per_page in (1, 2, 150):
        (page,) = pages_of(data.api, leaf(attr(data, "Seats"), ">", 1000), per_page)
        assert page["tickets"] == [] and page["total_count"] == 0
        assert page["pages"] == {
            "type": "pages",
            "page": 1,
            "per_page": per_page,
            "total_pages": 0,
        }
