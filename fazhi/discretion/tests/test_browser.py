"""In real Chromium: from the menu to the sample benchmark and the assistant's answer."""

from __future__ import annotations

import os

import pytest

from fazhi.core.models import Role
from fazhi.core.testing import BROWSER_MARKS, CHROMIUM, CHROMIUM_ARGS
from fazhi.core.tests.factories import PASSWORD, make_org_tree, make_user
from fazhi.discretion.sample import load_sample

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
def test_the_assistant_from_the_menu(live_server, browser):
    tree = make_org_tree()
    load_sample(organisation=tree.province)
    user = make_user(tree.districts[0], Role.SUPERVISOR, username="discretion_user")
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.click("text=行政处罚")
    page.click("text=裁量基准")
    page.wait_for_url("**/discretion/")
    page.click("text=卫生健康行政处罚裁量基准（示例）")
    assert "示例数据" in page.content()
    page.locator("a:has-text('裁量辅助')").first.click()
    page.check("input[value=repeat]")
    page.check("input[value=confessed]")
    page.fill("input[name=illegal_gains]", "8000")
    page.fill("input[name=amount]", "200000")
    page.click("button:has-text('计算裁量阶次')")
    text = page.inner_text("main")
    assert "建议适用：一般处罚" in text
    assert "100,000.00元至150,000.00元" in text
    assert "从轻与从重情节并存" in text
    assert "须书面说明理由，并提交法制审核" in text
    assert not [e for e in errors if "Content Security Policy" in e]
