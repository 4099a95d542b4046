"""In real Chromium: every role opens every page of its side menu, on a desktop and on a phone.

No page answers an HTTP error or logs a console error; on a phone (390 px) no page scrolls
sideways; no internal code is visible (an event or rule key such as ``inspection_plan.drawn``, a
model label such as ``#12``). One live server and one browser for the whole walk.
"""

from __future__ import annotations

import os
import re

import pytest

from fazhi.core.models import Role, User
from fazhi.core.services import calendar as calendar_services
from fazhi.core.testing import BROWSER_MARKS, CHROMIUM, CHROMIUM_ARGS
from fazhi.core.tests.factories import PASSWORD, make_user

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

VIEWPORTS = {"desktop": (1366, 768), "phone": (390, 844)}
# what an internal code looks like in visible text: a dotted key or a model label
CODE_PATTERNS = [
    re.compile(r"(?<![\w.@/-])[a-z_]+\.[a-z_]+(?![\w.@/-])"),
    re.compile(r"#\d+"),
]
# dotted words that are not codes (file extensions offered to users)
ALLOWED_DOTTED = {"xlsx", "csv"}

pytestmark = BROWSER_MARKS


def _world() -> dict[str, User]:
    from fazhi.inspections.tests.task_support import (
        make_entity,
        make_item,
        make_plan,
        make_task,
        make_task_world,
    )

    world = make_task_world()
    plan = make_plan(world, items=[make_item(world)])
    for _ in range(3):
        make_task(world, plan=plan, entity=make_entity(world))
    from fazhi.core import clock
    from fazhi.core.services.deadlines import deadline_open

    deadline_open(  # a deadline on the workbench and the deadline list: its rule by name
        actor=world.planner,
        organisation=world.org,
        title="行政处罚决定公示（测试）",
        rule_key="penalty.publicity",
        start_date=clock.today(),
        assignee=world.inspector_a,
    )
    district = world.tree.districts[0]
    users = {
        "system_admin": make_user(world.tree.province, Role.SYSTEM_ADMIN),
        "leader": world.leader,
        "legal_reviewer": make_user(district, Role.LEGAL_REVIEWER),
        "supervisor": world.inspector_a,
        "petition_officer": make_user(district, Role.PETITION_OFFICER),
        "viewer": make_user(world.tree.province, Role.VIEWER),
    }
    return users


def _console_error(sink: list[str], message: object) -> None:
    if getattr(message, "type", "") == "error":
        sink.append(str(getattr(message, "text", "")))


def _codes(text: str) -> list[str]:
    found = []
    for pattern in CODE_PATTERNS:
        for match in pattern.findall(text):
            if match.rsplit(".", 1)[-1] not in ALLOWED_DOTTED:
                found.append(match)
    return found


def test_the_code_patterns_catch_codes():
    assert _codes("inspections.inspectionplan #2 · 审计 access.denied") == [
        "inspections.inspectionplan",
        "access.denied",
        "#2",
    ]
    assert _codes("导出 名录.xlsx 与 demo@example.cn、第3条") == []


@pytest.mark.django_db(transaction=True)
def test_every_menu_page_of_every_role_on_desktop_and_phone(live_server):
    sync_api = pytest.importorskip("playwright.sync_api")
    calendar_services.calendar_seed_from_package(actor=None, years=[2025, 2026])
    users = _world()
    problems: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for role, user in users.items():
                context = browser.new_context(viewport={"width": 1366, "height": 768})
                page = context.new_page()
                console: list[str] = []
                page.on(
                    "console",
                    lambda msg, sink=console: (
                        sink.append(msg.text) if msg.type == "error" else None
                    ),
                )
                page.goto(f"{live_server.url}/login/")
                page.fill("input[name=username]", user.username)
                page.fill("input[name=password]", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url(f"{live_server.url}/")
                links = page.eval_on_selector_all(
                    "#side-menu a.nav-link", "els => els.map(e => e.getAttribute('href'))"
                )
                assert len(links) > 2, f"{role}: no menu"
                for device, (width, height) in VIEWPORTS.items():
                    page.set_viewport_size({"width": width, "height": height})
                    for href in dict.fromkeys(links):
                        where = f"{role} {device} {href}"
                        response = page.goto(f"{live_server.url}{href}")
                        if response is None or response.status >= 400:
                            problems.append(f"{where}: HTTP {response and response.status}")
                            continue
                        if device == "phone":
                            wide = page.evaluate("document.documentElement.scrollWidth")
                            if wide > width + 1:
                                problems.append(f"{where}: {wide}px wide")
                        if codes := _codes(page.inner_text("body")):
                            problems.append(f"{where}: internal codes {sorted(set(codes))[:5]}")
                        if console:
                            problems.append(f"{where}: console {console[:3]}")
                            console.clear()
                context.close()
        finally:
            browser.close()
    assert not problems, "\n".join(problems)
