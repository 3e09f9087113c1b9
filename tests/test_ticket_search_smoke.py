"""A first pass over POST /tickets/search: shapes, a few filters, paging."""

from __future__ import annotations

from tests.conftest import Api, Workspace
from tests.helpers import assert_error
from tests.ticket_fixtures import add_attribute, make_contact, make_ticket, make_type


def search(
    api: Api,
    query: dict,
    per_page: int | None = None,
    after: str | None = None,
    version: str | None = None,
) -> dict:
    body: dict = {"query": query}
    if per_page or after:
        body["pagination"] = {
            k: v for k, v in (("per_page", per_page), ("starting_after", after)) if v
        }
    resp = api.post("/tickets/search", json=body, version=version)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_search_shapes_filters_and_paging(api: Api, workspace: Workspace) -> None:
    bug = make_type(api, "Bug")
    seats = add_attribute(api, bug["id"], "Seats", "integer")
    task = make_type(api, "Refund", category="Back-office")
    ann = make_contact(api, "ann@example.com")
    made = []
    for i in range(7):
        made.append(
            make_ticket(
                api,
                bug["id"],
                ann["id"],
                ticket_attributes={"_default_title_": f"Checkout 50%_off fails #{i}", "Seats": i},
            )
        )
    refund = make_ticket(
        api, task["id"], ann["id"], ticket_attributes={"_default_title_": "Refund order"}
    )
    everything = search(api, {"field": "created_at", "operator": ">", "value": "0"})
    assert everything["type"] == "ticket.list"
    assert everything["total_count"] == 8
    assert [t["id"] for t in everything["tickets"]] == [
        refund["id"],
        *[t["id"] for t in reversed(made)],
    ]
    assert everything["tickets"][0] == api.get(f"/tickets/{refund['id']}").json()
    assert "next" not in everything["pages"]

    assert search(api, {"field": "category", "operator": "=", "value": "task"})["total_count"] == 1
    assert search(api, {"field": "title", "operator": "~", "value": "CHECKOUT"})["total_count"] == 7
    assert search(api, {"field": "title", "operator": "~", "value": "50%_o"})["total_count"] == 7
    assert (
        search(api, {"field": "title", "operator": "!~", "value": "checkout"})["total_count"] == 1
    )
    assert (
        search(api, {"field": f"ticket_attribute.{seats['id']}", "operator": ">=", "value": 5})[
            "total_count"
        ]
        == 2
    )
    combo = {
        "operator": "OR",
        "value": [
            {
                "operator": "AND",
                "value": [
                    {"field": "title", "operator": "~", "value": "fails"},
                    {"field": f"ticket_attribute.{seats['id']}", "operator": "IN", "value": [1, 2]},
                ],
            },
            {"field": "ticket_type_id", "operator": "=", "value": task["id"]},
        ],
    }
    assert search(api, combo)["total_count"] == 3

    seen, after, pages = [], None, 0
    while True:
        page = search(
            api, {"field": "open", "operator": "=", "value": True}, per_page=3, after=after
        )
        pages += 1
        seen += [t["id"] for t in page["tickets"]]
        assert page["pages"]["page"] == pages
        if "next" not in page["pages"]:
            break
        after = page["pages"]["next"]["starting_after"]
    assert pages == 3 and len(seen) == 8 == len(set(seen))
    assert_error(
        api.post("/tickets/search", json={"query": {"field": "nope", "operator": "=", "value": 1}}),
        400,
        "parameter_invalid",
    )
    assert_error(
        api.post("/tickets/search", json={"query": {}}, version="2.9"),
        404,
        "intercom_version_invalid",
    )
