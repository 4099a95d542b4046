"""In real Chromium at phone width: the task page offers nothing to submit before 开始检查, asks
before closing a task as 未检查, and keeps a 不合格 choice (htmx) and an outcome after an error."""

from __future__ import annotations

import os

import pytest

from fazhi.core.testing import BROWSER_MARKS, CHROMIUM, CHROMIUM_ARGS
from fazhi.core.tests.factories import PASSWORD
from fazhi.inspections.models import InspectionTask, TaskFinding, TaskState
from fazhi.inspections.tests.task_support import (
    make_entity,
    make_item,
    make_plan,
    make_task,
    make_task_world,
)

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
def test_the_phone_task_page_guides_the_inspector(live_server, browser):
    world = make_task_world()
    item = make_item(world)
    task = make_task(
        world, plan=make_plan(world, items=[item]), entity=make_entity(world, name="清风旅馆")
    )
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda msg: console.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", world.inspector_a.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    url = f"{live_server.url}/inspections/tasks/{task.pk}/"
    page.goto(url)

    # before 开始检查: the start button, the folded 无法检查, no result form and no findings form
    assert page.locator("#start-button").is_visible()
    assert page.locator("#complete-form").count() == 0
    assert page.locator(f"#r-{item.pk}-fail").count() == 0

    # closing asks first; going back closes nothing
    page.click("#close-task summary")
    page.select_option("#close-reason", "closed")
    page.click("#close-task button[type=submit]")
    page.wait_for_selector("#confirm-close")
    assert "已关闭/停业" in page.inner_text("#confirm-close")
    page.click("#confirm-close >> text=返回，不关闭")
    page.wait_for_selector("#start-button")
    assert InspectionTask.objects.get(pk=task.pk).state == TaskState.ASSIGNED

    page.click("#start-button")
    page.wait_for_selector(f"#item-{item.pk} form")
    assert InspectionTask.objects.get(pk=task.pk).state == TaskState.IN_PROGRESS

    # a 不合格 without its note: refused in place, the choice kept
    page.click(f"label[for=r-{item.pk}-fail]")
    page.click(f"#item-{item.pk} button[type=submit]")
    page.wait_for_selector(f"#item-{item.pk} .alert-danger")
    assert page.is_checked(f"#r-{item.pk}-fail")
    assert not TaskFinding.objects.exists()
    page.fill(f"#note-{item.pk}", "无消毒记录")
    page.click(f"#item-{item.pk} button[type=submit]")
    page.wait_for_selector(f"#item-{item.pk} >> text=已保存：不合格")

    # a refused result keeps the outcome and its notes
    page.select_option("#outcome", "referred")
    page.fill("#notes", "负责人不在场")
    page.click("#complete-form button[type=submit]")
    page.wait_for_selector("#complete-error")
    assert page.eval_on_selector("#outcome", "el => el.value") == "referred"
    assert page.input_value("#notes") == "负责人不在场"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    # a refused form answers 400 (Chromium logs the status) and the staff favicon is the shell's:
    # anything else logged is a script error
    assert not [m for m in console if not m.startswith("Failed to load resource")], console
    context.close()
