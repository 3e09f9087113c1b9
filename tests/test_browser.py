"""End to end in a real Chromium (Debian's package, driven by Playwright): a teammate
works a ticket in the inbox, the customer follows it in the portal, and each sees the
other's reply; a teammate works a conversation and converts it to a ticket; a teammate adds
a file to a files attribute, snoozes a ticket and changes its type. Every step is then
checked through the API: the browser's changes are the API's parts, with the same authors
and types.

Chromium is looked for at TICKETRY_TEST_CHROMIUM or /usr/bin/chromium. Where it is missing
the tests skip and say so; under CI (`CI=true`) they fail instead. The sqlite run takes
the screenshots the README shows: into the folder TICKETRY_SCREENSHOTS names (the committed
ones: `TICKETRY_SCREENSHOTS=docs/screenshots python3 dev.py test tests/test_browser.py`),
otherwise into the test's temporary folder, so a test run leaves the checkout as it was.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI, Api, Server, Workspace
from tests.ticket_fixtures import add_attribute, make_contact, make_ticket, make_type, part_types
from tests.web_fixtures import PASSWORD, portal_link, set_password

ROOT = Path(__file__).resolve().parent.parent


def _chromium() -> str:
    path = os.environ.get("TICKETRY_TEST_CHROMIUM") or shutil.which("chromium") or ""
    if not path or not Path(path).exists():
        message = (
            "browser tests SKIPPED: no Chromium (apt-get install chromium, or set "
            "TICKETRY_TEST_CHROMIUM)"
        )
        if IN_CI:
            pytest.fail(f"{message}; CI requires it", pytrace=False)
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if IN_CI:
            pytest.fail("playwright is not installed; CI requires it", pytrace=False)
        pytest.skip("browser tests SKIPPED: pip install playwright")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    chosen = os.environ.get("TICKETRY_SCREENSHOTS")
    folder = ROOT / chosen if chosen else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _shot(page: Any, server: Server, folder: Path, name: str) -> None:
    if server.backend == "sqlite":
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 0


def test_teammate_and_customer_work_a_ticket(
    browser: Any, server: Server, workspace: Workspace, api: Api, shots: Path
) -> None:
    from playwright.sync_api import expect

    set_password(server, workspace)
    bug = make_type(api, name="Bug")
    priority = add_attribute(api, bug["id"], "Priority", "list", list_items="Low,High")
    add_attribute(api, bug["id"], "Browser", "string", visible_to_contacts=True)
    ann = make_contact(api, "ann@example.com", external_id="ann-1", name="Ann Lee")
    bob = make_contact(api, "bob@example.com", name="Bob Stone")
    ticket = make_ticket(
        api,
        bug["id"],
        ann["id"],
        ticket_attributes={"_default_title_": "Checkout fails on Safari", "Browser": "Safari"},
    )
    make_ticket(api, bug["id"], bob["id"], ticket_attributes={"_default_title_": "Export is slow"})
    in_progress = next(
        s
        for s in api.get("/ticket_states", version="2.16").json()["data"]
        if s["category"] == "in_progress"
    )

    # --- the teammate signs in (the inbox sends a signed-out visitor to the sign-in page)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{server.url}/")
    expect(page).to_have_url(re.compile(r"/signin"))
    page.get_by_label("Email").fill(workspace.admin_email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Tickets")).to_be_visible()
    expect(page.get_by_role("link", name="Export is slow")).to_be_visible()

    # --- filters the inbox by title
    page.get_by_label("Title contains").fill("checkout")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name="Checkout fails on Safari")).to_be_visible()
    expect(page.get_by_role("link", name="Export is slow")).to_have_count(0)
    _shot(page, server, shots, "inbox")

    # --- opens the ticket, replies, adds a note
    page.get_by_role("link", name="Checkout fails on Safari").click()
    expect(page.get_by_role("heading", name="Checkout fails on Safari")).to_be_visible()
    page.get_by_label("Message").fill("Thanks Ann, we are looking into it.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#flash")).to_have_text("Reply sent.")
    page.get_by_label("Internal note").check()
    page.get_by_label("Message").fill("Reproduced on Safari 17.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#flash")).to_have_text("Note added.")

    # --- changes state and assignee, and shares it with the customer
    page.get_by_label("State").select_option(in_progress["id"])
    page.get_by_label("Assignee").select_option(str(workspace.admin_id))
    page.get_by_label("Visible to the customer").select_option("true")
    page.get_by_role("button", name="Update").click()
    expect(page.locator("#flash")).to_have_text("Ticket updated.")

    # --- edits the list attribute, and tags it
    page.get_by_label("Priority").select_option(label="High")
    page.get_by_role("button", name="Save attributes").click()
    expect(page.locator("#flash")).to_have_text("Attributes saved.")
    page.get_by_label("Add a tag").fill("vip")
    page.get_by_role("button", name="Tag", exact=True).click()
    expect(page.locator("#flash")).to_have_text("Tagged vip.")
    expect(page.locator(".tags .tag")).to_have_text(["vip"])
    _shot(page, server, shots, "ticket")

    # The API sees each change as the parts an API client would have made.
    seen = api.get(f"/tickets/{ticket['id']}", version="2.16").json()
    kinds = part_types(seen)
    for kind in (
        "comment",
        "note",
        "ticket_state_updated_by_admin",
        "assignment",
        "ticket_attribute_updated_by_admin",
    ):
        assert kind in kinds, kinds
    assert seen["ticket_state"]["id"] == in_progress["id"]
    assert seen["admin_assignee_id"] == workspace.admin_id
    assert seen["ticket_attributes"]["Priority"] == "High"
    assert seen["is_shared"] is True
    high = next(o for o in priority["input_options"]["list_options"] if o["label"] == "High")
    assert high["id"]

    # --- the customer opens the portal link and sees the ticket with its external label
    customer = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    portal = customer.new_page()
    portal.goto(portal_link(server, workspace, user_id="ann-1"))
    expect(portal.get_by_role("heading", name="My requests")).to_be_visible()
    portal.get_by_role("link", name="Checkout fails on Safari").click()
    expect(portal.locator("#external-state")).to_have_text(in_progress["external_label"])
    expect(portal.get_by_text("Thanks Ann, we are looking into it.")).to_be_visible()
    expect(portal.get_by_text("Reproduced on Safari 17.")).to_have_count(0)  # notes stay inside
    expect(portal.get_by_text("Safari", exact=True)).to_be_visible()  # visible attribute

    # --- replies; the teammate's open page shows it without a reload
    portal.get_by_label("Message").fill("Still failing for me.")
    portal.get_by_role("button", name="Send").click()
    expect(portal.locator("#flash")).to_have_text("Reply sent.")
    _shot(portal, server, shots, "portal")
    expect(page.get_by_text("Still failing for me.")).to_be_visible(timeout=15_000)

    # --- opens a new ticket from a Customer type
    portal.get_by_role("link", name="New request").click()
    portal.get_by_label("Title").fill("Invoice is missing")
    portal.get_by_label("Browser").fill("Firefox")
    portal.get_by_role("button", name="Send request").click()
    expect(portal.locator("#flash")).to_have_text("Your request was sent.")
    expect(portal.get_by_role("heading", name="Invoice is missing")).to_be_visible()

    replied = api.get(f"/tickets/{ticket['id']}", version="2.16").json()
    last = replied["ticket_parts"]["ticket_parts"][-1]
    assert last["part_type"] == "comment"
    assert last["author"]["type"] == "user" and last["author"]["id"] == ann["id"]
    found = api.post(
        "/tickets/search",
        json={"query": {"field": "contact_ids", "operator": "=", "value": ann["id"]}},
    ).json()
    titles = {t["ticket_attributes"]["_default_title_"] for t in found["tickets"]}
    assert titles == {"Checkout fails on Safari", "Invoice is missing"}

    # --- the teammate finds the new ticket in the inbox
    page.goto(f"{server.url}/?status=open")
    expect(page.get_by_role("link", name="Invoice is missing")).to_be_visible()
    context.close()
    customer.close()


def test_teammate_works_a_conversation(
    browser: Any, server: Server, workspace: Workspace, api: Api, shots: Path
) -> None:
    from playwright.sync_api import expect

    set_password(server, workspace)
    billing = make_type(api, name="Billing issue")
    dora = make_contact(api, "dora@example.com", name="Dora Diaz")
    started = api.post(
        "/conversations",
        json={"from": {"type": "user", "id": dora["id"]}, "body": "I was charged twice"},
    )
    assert started.status_code == 200, started.text
    cid = str(started.json()["conversation_id"])
    other = api.post(
        "/conversations", json={"from": {"type": "user", "id": dora["id"]}, "body": "Hello?"}
    ).json()["conversation_id"]
    api.post(
        f"/conversations/{other}/parts",
        json={"message_type": "close", "admin_id": str(workspace.admin_id)},
    )

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{server.url}/signin")
    page.get_by_label("Email").fill(workspace.admin_email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Tickets")).to_be_visible()

    # --- the conversation list: open ones by default, the closed one under its filter
    page.get_by_role("link", name="Conversations", exact=True).click()
    expect(page.get_by_role("heading", name="Conversations")).to_be_visible()
    expect(page.get_by_role("link", name="I was charged twice")).to_be_visible()
    expect(page.get_by_role("link", name="Hello?")).to_have_count(0)
    page.get_by_label("Status").select_option("closed")  # the filter applies on change
    expect(page.get_by_role("link", name="Hello?")).to_be_visible()
    page.get_by_label("Status").select_option("open")
    expect(page.get_by_role("link", name="I was charged twice")).to_be_visible()

    # --- opens it, replies, adds a note, assigns it
    page.get_by_role("link", name="I was charged twice").click()
    expect(page.get_by_text("I was charged twice")).to_be_visible()
    expect(page.get_by_role("link", name="Dora Diaz")).to_be_visible()
    page.get_by_label("Message").fill("Sorry Dora, refunding now.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#flash")).to_have_text("Reply sent.")
    page.get_by_label("Internal note").check()
    page.get_by_label("Message").fill("Duplicate charge from the retry bug.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#flash")).to_have_text("Note added.")
    page.get_by_label("Assign to").select_option(f"admin:{workspace.admin_id}")
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.locator("#flash")).to_have_text("Assigned.")

    # --- the customer answers through the API; the open page shows it without a reload
    api.post(
        f"/conversations/{cid}/reply",
        json={"type": "user", "intercom_user_id": dora["id"], "body": "Thank you!"},
    )
    expect(page.get_by_text("Thank you!")).to_be_visible(timeout=15_000)

    # --- snoozes it, then closes it
    page.get_by_label("Snooze until").fill("2030-01-02T03:04")
    page.get_by_role("button", name="Snooze", exact=True).click()
    expect(page.locator("#flash")).to_have_text("Conversation snoozed.")
    expect(page.locator("#conversation-state")).to_have_text("snoozed")
    page.get_by_role("button", name="Close", exact=True).click()
    expect(page.locator("#flash")).to_have_text("Conversation closed.")
    expect(page.locator("#conversation-state")).to_have_text("closed")
    _shot(page, server, shots, "conversation")

    # --- converts it to a ticket and follows the link
    expect(page.get_by_text("As a Billing issue ticket")).to_be_visible()
    page.get_by_label("Title").fill("Charged twice")
    page.get_by_role("button", name="Convert to ticket").click()
    expect(page.locator("#flash")).to_have_text("Converted to a ticket.")
    page.locator("#converted").get_by_role("link").click()
    expect(page.get_by_text("Sorry Dora, refunding now.")).to_be_visible()
    expect(page.get_by_role("link", name="Dora Diaz")).to_be_visible()

    # Every step is the API's own part and state.
    seen = api.get(f"/conversations/{cid}", version="2.16").json()
    parts = seen["conversation_parts"]["conversation_parts"]
    assert [p["part_type"] for p in parts] == [
        "comment",
        "note",
        "assignment",
        "comment",
        "snoozed",
        "close",
    ]
    admin = str(workspace.admin_id)
    assert [p["author"]["id"] for p in parts] == [admin, admin, admin, dora["id"], admin, admin]
    assert parts[2]["assigned_to"] == {"type": "admin", "id": admin}
    assert seen["state"] == "closed" and seen["admin_assignee_id"] == workspace.admin_id
    ticket = api.get(f"/tickets/{cid}", version="2.16").json()
    assert ticket["ticket_type"]["id"] == billing["id"]
    assert ticket["ticket_attributes"]["_default_title_"] == "Charged twice"
    copied = [p["part_type"] for p in ticket["ticket_parts"]["ticket_parts"]]
    assert copied[:3] == ["comment", "comment", "note"]
    assert [c["id"] for c in ticket["contacts"]["contacts"]] == [dora["id"]]
    context.close()


def test_teammate_adds_files_snoozes_and_changes_a_tickets_type(
    browser: Any, server: Server, workspace: Workspace, api: Api, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    set_password(server, workspace)
    bug = make_type(api, name="Bug")
    add_attribute(api, bug["id"], "Logs", "files", allow_multiple_values=True)
    add_attribute(api, bug["id"], "Browser", "string")
    question = make_type(api, name="Question")
    add_attribute(api, question["id"], "Browser", "string")
    ann = make_contact(api, "ann@example.com", name="Ann Lee")
    ticket = make_ticket(
        api,
        bug["id"],
        ann["id"],
        ticket_attributes={"_default_title_": "Crash on start", "Browser": "Edge"},
    )
    log = tmp_path / "crash.log"
    log.write_bytes(b"panic at start\n")

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{server.url}/signin")
    page.get_by_label("Email").fill(workspace.admin_email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{server.url}/inbox/tickets/{ticket['id']}")
    expect(page.get_by_role("heading", name="Crash on start")).to_be_visible()

    page.get_by_label("Add files").set_input_files(str(log))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#flash")).to_have_text("Files added.")
    expect(page.get_by_role("link", name="crash.log")).to_be_visible()

    page.get_by_label("Snooze until").fill("2030-01-02T03:04")
    page.get_by_role("button", name="Snooze", exact=True).click()
    expect(page.locator("#flash")).to_have_text("Ticket snoozed.")
    expect(page.locator(".status")).to_contain_text("snoozed until 2030-01-02 03:04 UTC")

    page.get_by_label("Change to (type and state)").select_option(label="Question: In progress")
    page.get_by_role("button", name="Change type").click()
    expect(page.locator("#flash")).to_have_text("Ticket type changed.")
    expect(page.locator(".crumbs")).to_contain_text("Question")

    seen = api.get(f"/tickets/{ticket['id']}", version="2.16").json()
    assert seen["ticket_type"]["id"] == question["id"]
    assert seen["ticket_state"]["category"] == "in_progress"
    assert seen["ticket_attributes"]["Browser"] == "Edge"
    assert seen["snoozed_until"] == 1893553440
    kinds = part_types(seen)
    for kind in ("ticket_attribute_updated_by_admin", "snoozed", "ticket_type_updated_by_admin"):
        assert kind in kinds, kinds
    context.close()
