"""The approval flow in real Chromium, on a desktop (1366 px) and on a phone (390 px): a leader
finds a re-draw request on the workbench, one click reaches it on the plan page (the header's
main action is the approval), and approves it there. No console error, no sideways scroll."""

from __future__ import annotations

import os
from typing import Any

import pytest

from fazhi.core.testing import BROWSER_MARKS, CHROMIUM, CHROMIUM_ARGS
from fazhi.inspections.models import RedrawState
from fazhi.inspections.services.redraws import redraw_request
from fazhi.inspections.tests.draw_support import drawn_plan, make_draw_world
from fazhi.inspections.tests.test_plan_flow_browser import _log_in

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = BROWSER_MARKS

VIEWPORTS = {"desktop": (1366, 768), "phone": (390, 844)}


@pytest.mark.django_db(transaction=True)
def test_a_leader_approves_a_redraw_from_the_workbench(live_server: Any) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    w = make_draw_world()
    requests = []
    for reason in ("抽取现场断电，结果未当场公示", "候选名单录入有误"):
        plan, _draw = drawn_plan(w, quota=3)
        requests.append(redraw_request(actor=w.planner, plan=plan, reason=reason))
    base = live_server.url
    problems: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for (name, (width, height)), request in zip(VIEWPORTS.items(), requests, strict=True):
                page = browser.new_page(viewport={"width": width, "height": height})
                page.on(
                    "console",
                    lambda msg, n=name: (
                        problems.append(f"{n}: {msg.text}") if msg.type == "error" else None
                    ),
                )
                page.on("pageerror", lambda error, n=name: problems.append(f"{n}: {error}"))
                _log_in(page, base, w.leader.username)

                # the workbench lists the approval first, as its main button
                todo = page.locator("#todo li").first
                assert "待审批的重新抽取申请" in todo.inner_text()
                todo.locator("a:has-text('去审批')").click()
                page.wait_for_url(f"**/inspections/plans/{request.plan_id}/#redraws")
                main_action = page.locator("#detail-actions a").first
                assert main_action.inner_text().strip() == "审批重新抽取申请"
                assert request.reason in page.inner_text("#redraws + table")
                scroll = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert scroll <= 0, f"{name}: the page scrolls sideways by {scroll}px"

                # approve with a note
                page.fill("#redraws + table input[name=note]", "同意重新抽取")
                page.click("#redraws + table button[value=approve]")
                page.wait_for_selector(".alert-success")
                request.refresh_from_db()
                assert request.state == RedrawState.APPROVED, name
                assert request.decision_note == "同意重新抽取"
                assert request.decided_by_id == w.leader.pk
                # the approval is no longer offered on the plan page
                assert "审批重新抽取申请" not in page.inner_text("#detail-header")
                page.close()
        finally:
            browser.close()
    assert not problems, problems
    # both handled: nothing waits for the leader any more
    assert not type(requests[0]).objects.filter(state=RedrawState.PENDING).exists()
