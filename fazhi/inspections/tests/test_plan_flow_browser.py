"""A plan from the planner's first click to the public results, in real Chromium: the basics, the
strata step, a version-2 announcement bound to tomorrow's lottery, the draw once the test clock
has passed that event, the plan's tasks, and the publication of their results on the portal.

The inspectors' own pages have their test (``test_task_page_browser.py``): here their work is
done through the services, between the planner's pages."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest

from fazhi.core import clock as project_clock
from fazhi.core import testing
from fazhi.core.testing import BROWSER_MARKS, CHROMIUM, CHROMIUM_ARGS
from fazhi.core.tests.factories import PASSWORD
from fazhi.inspections.models import InspectionPlan, InspectionTask, PlanState, TaskState
from fazhi.inspections.services import pool as pool_services
from fazhi.inspections.services import tasks as task_services
from fazhi.inspections.tests.task_support import make_entity, make_item, make_task_world

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


pytestmark = BROWSER_MARKS


def _log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


@pytest.mark.django_db(transaction=True)
def test_plan_from_draft_to_published_results(live_server: Any, clock: Any, settings: Any) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    settings.TASKS = testing.IMMEDIATE_TASKS  # the publication job runs as it is queued
    world = make_task_world()
    item = make_item(world)
    for officer in (world.officer_a, world.officer_b):
        pool_services.inspector_enrol(
            actor=world.planner,
            officer=officer,
            on=project_clock.today(),
            categories=[world.public_places],
        )
    entities = [make_entity(world) for _ in range(3)]
    tomorrow = project_clock.today() + dt.timedelta(days=1)
    base = live_server.url
    problems: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.on("dialog", lambda dialog: dialog.accept())  # data-confirm
            page.on("pageerror", lambda error: problems.append(str(error)))
            _log_in(page, base, world.planner.username)

            # 1. the basics: 保存 leads to the strata step, not back to a list
            page.goto(f"{base}/inspections/plans/new/")
            page.fill("#id_title", "浏览器全流程计划")
            page.select_option("#id_kind", "random", force=True)
            page.select_option("#id_organisation", str(world.org.pk), force=True)
            page.select_option("#id_items", str(item.pk), force=True)
            page.click("form button[type=submit]:has-text('保存')")
            page.wait_for_url("**/strata/")
            plan = InspectionPlan.objects.get(title="浏览器全流程计划")
            assert plan.state == PlanState.DRAFT
            assert page.locator("#plan-create-steps [aria-current=step]").inner_text() == "分层"

            # 2. the strata step: a stratum by category and quota, then the announcement
            page.select_option("#id_category", str(world.public_places.pk), force=True)
            page.fill("#id_quota", "3")
            page.click("#stratum-form button[type=submit]")
            page.wait_for_selector("text=分层已添加")
            assert world.public_places.name in page.inner_text("#strata + table")
            page.click("text=下一步：发布抽取公告")
            page.wait_for_url(f"**/inspections/plans/{plan.pk}/announce/")

            # 3. a version-2 announcement bound to tomorrow's 3D lottery
            page.select_option("#kind_1", "cwl-3d", force=True)
            page.fill("#period_1", f"{tomorrow.year}{tomorrow.timetuple().tm_yday:03d}")
            page.fill("#date_1", tomorrow.isoformat())
            page.click("button:has-text('发布公告')")
            page.wait_for_url(f"**/inspections/plans/{plan.pk}/announcements/1/")
            plan.refresh_from_db()
            assert plan.state == PlanState.ANNOUNCED

            # 4. the draw: refused before the event, done once the clock has passed it
            page.goto(f"{base}/inspections/plans/{plan.pk}/draw/")
            page.fill("#value_1", "314")
            page.click("button:has-text('抽取')")
            assert "尚未发生" in page.inner_text("body")
            clock.move_to(testing.at(tomorrow, hour=22))
            _log_in(page, base, world.planner.username)  # the session expired overnight
            page.goto(f"{base}/inspections/plans/{plan.pk}/draw/")
            page.fill("#value_1", "314")
            page.click("button:has-text('抽取')")
            page.wait_for_url(f"**/inspections/plans/{plan.pk}/draws/1/")
            plan.refresh_from_db()
            assert plan.state == PlanState.DRAWN
            tasks = list(InspectionTask.objects.filter(plan=plan))
            assert len(tasks) == 3

            # 5. the plan's tasks, one click from the plan page
            page.goto(f"{base}/inspections/plans/{plan.pk}/")
            page.click("#plan-next >> text=本计划任务")
            page.wait_for_url(f"**/inspections/tasks/?plan={plan.pk}")
            listed = page.inner_text("main")
            assert all(entity.name in listed for entity in entities)

            # the inspectors' work (their pages have their own browser test)
            for task in tasks:
                task_services.task_start(actor=world.inspector_a, task=task)
                for task_item in task_services.task_items(task):
                    task_services.task_record_finding(
                        actor=world.inspector_a, task=task, item=task_item, result="pass"
                    )
                task_services.task_complete(
                    actor=world.inspector_a, task=task, outcome="no_problem"
                )

            # 6. the plan's next step is the publication of the results
            page.goto(f"{base}/inspections/plans/{plan.pk}/")
            page.click("#plan-next button:has-text('公示')")
            page.wait_for_url("**/jobs/*/")  # a background job, run at once here
            assert not InspectionTask.objects.filter(plan=plan, published_at__isnull=True).exists()
            states = set(InspectionTask.objects.filter(plan=plan).values_list("state", flat=True))
            assert states == {TaskState.DONE}

            # 7. the public sees the results, and the plan's strata by name
            page.goto(f"{base}/public/results/")
            public = page.inner_text("body")
            assert all(entity.name in public for entity in entities)
            page.goto(f"{base}/public/plans/{plan.pk}/")
            assert world.public_places.name in page.inner_text("body")
        finally:
            browser.close()
    assert not problems, problems
