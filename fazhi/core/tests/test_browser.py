"""In real Chromium: log in and use the deadline calculator (htmx, then without JavaScript)."""

from __future__ import annotations

import os

import pytest

from fazhi.core.models import Role
from fazhi.core.services import calendar as calendar_services
from fazhi.core.testing import BROWSER_MARKS, CHROMIUM, CHROMIUM_ARGS
from fazhi.core.tests.factories import PASSWORD, make_org_tree, make_user

# Playwright's sync API runs an event loop in this thread; Django must still allow ORM calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


pytestmark = BROWSER_MARKS


@pytest.fixture
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.mark.django_db(transaction=True)
def test_login_and_compute_a_deadline(live_server, browser):
    calendar_services.calendar_seed_from_package(actor=None, years=[2025])
    tree = make_org_tree()
    user = make_user(tree.districts[0], Role.SUPERVISOR, username="browser_user")

    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert "工作台" in page.content()

    # the side menu: a collapsed group opens, and its entry leads to the page
    page.click("button.fazhi-menu-group:has-text('日常工作')")
    page.click("#menu-daily >> text=期限计算器")
    page.wait_for_url("**/deadlines/calculator/")
    page.select_option("#rule_key", "penalty.publicity")
    page.fill("#start_date", "2025-09-26")
    page.click("#calc-submit")
    due = page.wait_for_selector("#due-date")
    assert due.get_attribute("data-iso") == "2025-10-13"
    assert "2025年10月13日" in due.inner_text()
    assert "第7个工作日" in page.inner_text("#calc-trace")
    # htmx swapped the fragment in place and pushed the query into the address bar
    assert page.locator("h1").count() == 1
    assert "rule_key=penalty.publicity" in page.url

    # A year the calendar does not know is a visible error, not a guess.
    page.fill("#start_date", "2026-11-15")
    page.select_option("#rule_key", "penalty.decision")
    page.click("#calc-submit")
    error = page.wait_for_selector("#calc-error")
    assert "2026" in error.inner_text() or "2027" in error.inner_text()
    assert not [e for e in errors if "Content Security Policy" in e]

    # Without JavaScript the same form works as a plain GET.
    context = browser.new_context(java_script_enabled=False)
    plain = context.new_page()
    plain.goto(f"{live_server.url}/login/")
    plain.fill("input[name=username]", user.username)
    plain.fill("input[name=password]", PASSWORD)
    plain.click("button[type=submit]")
    plain.goto(f"{live_server.url}/deadlines/calculator/")
    plain.select_option("#rule_key", "penalty.payment")
    plain.fill("#start_date", "2025-01-20")
    plain.click("#calc-submit")
    assert plain.wait_for_selector("#due-date").get_attribute("data-iso") == "2025-02-05"
    context.close()
