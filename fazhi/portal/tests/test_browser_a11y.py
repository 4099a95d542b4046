"""In real Chromium: every portal page and the login page pass axe-core (no serious or critical
violation) in the normal, large-font and high-contrast modes; the modes are remembered; no page
scrolls sideways on a phone (decision 0020)."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest

from fazhi.core.services import calendar as calendar_services
from fazhi.core.services.site import site_settings_update
from fazhi.core.testing import BROWSER_MARKS, CHROMIUM, CHROMIUM_ARGS, clock_at
from fazhi.enforcement.services import case_steps
from fazhi.enforcement.tests.case_support import file_case, make_case_world, to_decision
from fazhi.inspections.models import InspectionTask
from fazhi.inspections.services import publicity as publicity_services
from fazhi.inspections.services import tasks as task_services
from fazhi.inspections.tests.task_support import make_drawn_plan, make_entity, make_task_world

# Playwright's sync API runs an event loop in this thread; Django must still allow ORM calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

BLOCKING = {"serious", "critical"}

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


@pytest.fixture
def axe():
    module = pytest.importorskip("axe_playwright_python.sync_playwright")
    return module.Axe()


def _published_decision() -> int:
    """A penalty decision against a natural person, served and published (decision 0082), on a
    day whose working calendar is loaded (a transactional test starts from an empty table)."""
    calendar_services.calendar_seed_from_package(actor=None, years=[2025, 2026])
    with clock_at(dt.date(2026, 6, 1)):
        cw = make_case_world()
        person = make_entity(cw.w, name="欧阳娜娜", individual=True)
        case = to_decision(cw, file_case(cw, entity=person))
        case = case_steps.case_serve(actor=cw.handler, case=case)
        return case_steps.case_publish(actor=cw.handler, case=case).pk


def _published_world() -> dict[str, Any]:
    world = make_task_world()
    plan = make_drawn_plan(world, entities=3, quota=3, individuals=1)
    for task in InspectionTask.objects.filter(plan=plan):
        task_services.task_start(actor=world.inspector_a, task=task)
        for item in task_services.task_items(task):
            task_services.task_record_finding(
                actor=world.inspector_a, task=task, item=item, result="pass"
            )
        task_services.task_complete(actor=world.inspector_a, task=task, outcome="no_problem")
    publicity_services.plan_publish_results(actor=world.planner, plan=plan)
    site_settings_update(
        actor=None,
        sponsor="清源省卫生健康委员会",
        contact_phone="0571-87654321",
        site_code="3300000001",
        icp_number="清ICP备12345678号-1",
    )
    entity_id = InspectionTask.objects.filter(plan=plan).values_list("entity_id", flat=True)[0]
    decision = _published_decision()

    return {
        "pages": [
            "/public/",
            "/public/plans/",
            f"/public/plans/{plan.pk}/",
            f"/public/plans/{plan.pk}/draws/1/",
            "/public/results/",
            "/public/results/?q=不存在的名称",
            f"/public/results/entities/{entity_id}/",
            "/public/decisions/",
            "/public/decisions/?q=不存在的文号",
            f"/public/decisions/{decision}/",
            "/login/",
        ]
    }


def _serious(results: Any) -> list[str]:
    assert results.response["testEngine"]["name"] == "axe-core"
    assert results.response["passes"], "axe checked nothing"
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in results.response["violations"]
        if v.get("impact") in BLOCKING
    ]


def test_the_checker_finds_a_serious_violation(browser, axe):
    """The check itself: an image without a text alternative and an unlabelled field are caught."""
    page = browser.new_page()
    page.set_content('<html lang="zh-CN"><main><img src="x.png"><input type="text"></main></html>')
    problems = _serious(axe.run(page))
    assert any(p.startswith("image-alt") for p in problems)
    assert any(p.startswith("label") for p in problems)
    page.close()


@pytest.mark.django_db(transaction=True)
def test_every_portal_page_and_the_login_page_pass_axe_in_every_mode(live_server, browser, axe):
    pages = _published_world()["pages"]
    found: dict[str, list[str]] = {}
    console: list[str] = []
    for mode in ("", "large", "contrast"):
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        page = context.new_page()
        page.on("console", lambda msg: console.append(msg.text) if msg.type == "error" else None)
        if mode:
            page.goto(f"{live_server.url}/public/")
            page.click(f"[data-site-mode={mode}]")
        for path in pages:
            response = page.goto(f"{live_server.url}{path}")
            assert response is not None and response.status == 200, path
            if mode:
                assert page.evaluate(
                    f"document.documentElement.classList.contains('site-{mode}')"
                ), f"{mode} not remembered on {path}"
            problems = _serious(axe.run(page))
            if problems:
                found[f"{mode or 'normal'} {path}"] = problems
        assert not console, console
        context.close()
    assert not found, found


@pytest.mark.django_db(transaction=True)
def test_reading_modes_toggle_and_are_remembered(live_server, browser):
    _published_world()
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/public/")
    size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    large = page.locator("[data-site-mode=large]")
    assert large.is_visible() and large.get_attribute("aria-pressed") == "false"
    large.click()
    assert large.get_attribute("aria-pressed") == "true"
    bigger = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert bigger >= size * 1.2
    page.goto(f"{live_server.url}/public/results/")
    assert page.locator("[data-site-mode=large]").get_attribute("aria-pressed") == "true"
    page.click("[data-site-mode=large]")
    page.reload()
    assert page.locator("[data-site-mode=large]").get_attribute("aria-pressed") == "false"
    # the skip link is the first stop and moves to the main content
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到主要内容"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    context.close()


@pytest.mark.django_db(transaction=True)
def test_no_portal_page_scrolls_sideways_on_a_phone(live_server, browser):
    pages = _published_world()["pages"]
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/public/")
    page.click("[data-site-mode=large]")
    wide = []
    for path in pages:
        page.goto(f"{live_server.url}{path}")
        if page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"):
            wide.append(path)
    assert not wide, wide
    context.close()
