"""In real Chromium: every role opens every page of its side menu, on a desktop and on a phone,
and the first record of each list (the detail pages: task, lead, entity, case, matter, …).

No page answers an HTTP error or logs a console error; on a phone (390 px) no page scrolls
sideways; no internal code is visible (an event or rule key such as ``inspection_plan.drawn``, a
model label such as ``#12``); a record's page starts with the detail header (title, state, next
steps). One live server and one browser for the whole walk.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Any

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
# a record's page, reached from its list (the first record of each list is opened)
DETAIL = re.compile(r"^/[a-z][a-z/-]*/\d+/$")
# the record pages the walk must reach, each with the detail header
MUST_REACH = {
    "task": re.compile(r"^/inspections/tasks/\d+/$"),
    "lead": re.compile(r"^/enforcement/leads/\d+/$"),
    "entity": re.compile(r"^/registry/\d+/$"),
    "case": re.compile(r"^/enforcement/cases/\d+/$"),
    "matter": re.compile(r"^/matters/\d+/$"),
    "plan": re.compile(r"^/inspections/plans/\d+/$"),
}

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
    _records(world, clock.today())
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


def _records(world: Any, today: dt.date) -> None:
    """A lead, a case and a petition, so that their lists have a first record to open."""
    from django.db import transaction

    from fazhi.enforcement.models import CaseLeadSource
    from fazhi.enforcement.services import cases as case_services
    from fazhi.enforcement.services import leads as lead_services
    from fazhi.inspections.tests.task_support import make_entity
    from fazhi.matters.models import Channel, RequesterKind
    from fazhi.matters.services import petitions as petition_services

    party = make_entity(world)
    with transaction.atomic():
        lead_services.case_lead_create(
            actor=world.planner,
            organisation=world.org,
            entity=party,
            source=CaseLeadSource.COMPLAINT,
            facts="投诉无证经营。",
        )
    case_services.case_file(
        actor=world.leader,
        organisation=world.org,
        handler=world.inspector_a,
        cause="未取得公共场所卫生许可证擅自营业",
        act_ended_on=today - dt.timedelta(days=30),
        entity=make_entity(world),
        source=CaseLeadSource.COMPLAINT,
        facts="检查发现无证经营。",
    )
    district = world.tree.districts[0]
    petition_services.petition_register(
        actor=make_user(district, Role.PETITION_OFFICER),
        organisation=district,
        channel=Channel.LETTER,
        received_on=today,
        requester_kind=RequesterKind.PERSON,
        requester_name="张三",
        title="反映某诊所收费问题",
        content="某诊所超标准收取诊疗费用。",
    )


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
    reached: set[str] = set()
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
                details: dict[str, None] = {}  # the first record of each list

                def visit(
                    href: str,
                    device: str,
                    role: str = role,
                    page: Any = page,
                    console: list[str] = console,
                ) -> bool:
                    where = f"{role} {device} {href}"
                    ok = _page_ok(page, f"{live_server.url}{href}", where, problems)
                    if console:
                        problems.append(f"{where}: console {console[:3]}")
                        console.clear()
                    if ok and any(p.match(href) for p in MUST_REACH.values()):
                        reached.add(href)
                        if not page.locator("#detail-header").count():
                            problems.append(f"{where}: no detail header")
                    return ok

                for device, (width, height) in VIEWPORTS.items():
                    page.set_viewport_size({"width": width, "height": height})
                    for href in dict.fromkeys(links):
                        if visit(href, device) and device == "desktop":
                            first = _first_record(page)
                            if first and first not in links:
                                details[first] = None
                    for href in details:  # found on the desktop pass, opened at both widths
                        visit(href, device)
                context.close()
        finally:
            browser.close()
    missing = [k for k, p in MUST_REACH.items() if not any(p.match(h) for h in reached)]
    assert not missing, f"record pages never reached from a list: {missing}"
    assert not problems, "\n".join(problems)


def _page_ok(page: Any, url: str, where: str, problems: list[str]) -> bool:
    """Open ``url``: no HTTP error, no sideways scroll on a phone, no internal code."""
    response = page.goto(url)
    if response is None or response.status >= 400:
        problems.append(f"{where}: HTTP {response and response.status}")
        return False
    width = page.viewport_size["width"]
    if width < 500:
        wide = page.evaluate("document.documentElement.scrollWidth")
        if wide > width + 1:
            problems.append(f"{where}: {wide}px wide")
    if codes := _codes(page.inner_text("body")):
        problems.append(f"{where}: internal codes {sorted(set(codes))[:5]}")
    return True


def _first_record(page: Any) -> str | None:
    """The first link of the page's main content to a record's page (``/…/<id>/``)."""
    hrefs = page.eval_on_selector_all("main a[href]", "els => els.map(e => e.getAttribute('href'))")
    return next((h for h in hrefs if DETAIL.match(h or "")), None)
