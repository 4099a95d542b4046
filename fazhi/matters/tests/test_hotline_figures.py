"""Hotline figures (issue #12 §2, §7; decision 0089) against hand-counted tickets built through
the services: counts by platform, type, state and reply, returned, extended, case lead and
re-handled tickets; the service level met and the call-back satisfaction; the page, its Excel
export and the API; query counts that do not grow with the rows."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from fazhi.core import errors
from fazhi.core.models import Role
from fazhi.core.testing import at
from fazhi.core.tests.factories import make_user
from fazhi.matters.hotline_models import HotlinePlatform, TicketType
from fazhi.matters.models import Matter, MatterKind, ReplyType, Satisfaction
from fazhi.matters.selectors import figures
from fazhi.matters.services import hotline as svc
from fazhi.matters.tests.hotline_support import make_hotline_world, moment, ticket
from fazhi.matters.tests.support import World
from fazhi.registry.tests.helpers import make_entity

pytestmark = pytest.mark.django_db

D = dt.date
YEAR = 2025


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(at(D(2025, 12, 31)), tick=True):
        yield


def taken(world: World, called: D, **kw: Any) -> Matter:
    matter = ticket(world, called_at=moment(called), **kw)
    return svc.hotline_accept(actor=world.officer, matter=matter, on=called)


def reply(world: World, matter: Matter, reply_type: str, on: D) -> Matter:
    return svc.hotline_reply(
        actor=world.officer, matter=matter, reply_type=reply_type, reply_text="已办理。", on=on
    )


def call_back(world: World, matter: Matter, satisfaction: str, on: D) -> Matter:
    return svc.hotline_call_back(
        actor=world.officer, matter=matter, on=on, satisfaction=satisfaction
    )


def build(world: World) -> None:
    """Seven tickets of 2025 (and one of 2024), each counted by hand in the tests below."""
    o = world.officer
    # t1: complaint, 12345, replied on time (due 9-28, a worked Sunday), satisfied
    t1 = reply(world, taken(world, D(2025, 9, 22)), ReplyType.RESOLVED, D(2025, 9, 26))
    call_back(world, t1, Satisfaction.SATISFIED, D(2025, 9, 29))
    # t2: complaint dispatched on 9-30: due 10-14 across the National Day week; extended on
    # 10-10 by the head to 10-21; replied 10-20 on time; basically satisfied
    with time_machine.travel(at(D(2025, 10, 10)), tick=True):  # the clock still running
        t2 = taken(world, D(2025, 9, 30))
        t2 = svc.hotline_extend(
            actor=o,
            matter=t2,
            approved_by=world.head,
            approved_on=D(2025, 10, 10),
            reason="需要现场核查",
        )
    t2 = reply(world, t2, ReplyType.EXPLAIN, D(2025, 10, 20))
    call_back(world, t2, Satisfaction.BASIC, D(2025, 10, 22))
    # t3: consultation, 12320, due 10-10, replied late on 10-13, unsatisfied; re-handled on
    # 10-15 (new clock due 10-16), replied on time, satisfied at the second call-back
    t3 = taken(
        world, D(2025, 10, 9), platform=HotlinePlatform.H12320, ticket_type=TicketType.CONSULTATION
    )
    t3 = reply(world, t3, ReplyType.UNRESOLVED, D(2025, 10, 13))
    t3 = call_back(world, t3, Satisfaction.UNSATISFIED, D(2025, 10, 14))
    t3 = svc.hotline_rehandle(actor=o, matter=t3, on=D(2025, 10, 15), reason="来电人不满意")
    t3 = reply(world, t3, ReplyType.RESOLVED, D(2025, 10, 16))
    call_back(world, t3, Satisfaction.SATISFIED, D(2025, 10, 17))
    # t4: request, returned
    svc.hotline_return(
        actor=o,
        matter=ticket(world, called_at=moment(D(2025, 11, 3)), ticket_type=TicketType.REQUEST),
        on=D(2025, 11, 4),
        reason="不属于本部门职责",
    )
    # t5: suggestion from another platform, taken on, past its due date (12-15), no reply
    taken(world, D(2025, 12, 1), platform=HotlinePlatform.OTHER, ticket_type=TicketType.SUGGESTION)
    # t6: complaint turned into a case lead, past its due date (11-17), no reply
    entity = make_entity(make_user(world.org, Role.SUPERVISOR), world.org)
    t6 = taken(world, D(2025, 11, 10))
    svc.hotline_start_case_lead(actor=o, matter=t6, entity=entity)
    # t7: complaint replied on time, unsatisfied
    t7 = reply(world, taken(world, D(2025, 12, 1)), ReplyType.EXPLAIN, D(2025, 12, 3))
    call_back(world, t7, Satisfaction.UNSATISFIED, D(2025, 12, 5))
    # t0: a ticket of 2024, replied in 2024: not in 2025's figures
    reply(world, taken(world, D(2024, 12, 2)), ReplyType.RESOLVED, D(2024, 12, 4))


@pytest.fixture
def world() -> World:
    w = make_hotline_world()
    build(w)
    return w


def counts(world: World, year: int = YEAR) -> dict[tuple[str, str], int]:
    return {
        (c.dimension, c.label): c.count
        for c in figures.matter_counts(user=world.officer, year=year, kind=MatterKind.HOTLINE)
    }


def test_counts_by_platform_type_state_and_reply(world: World) -> None:
    rows = counts(world)
    assert rows[("合计", "本年收到")] == 7
    assert rows[("来源平台", "12345政务服务便民热线")] == 5
    assert rows[("来源平台", "12320卫生健康热线")] == 1
    assert rows[("来源平台", "其他投诉平台")] == 1
    assert (rows[("诉求类型", "投诉")], rows[("诉求类型", "咨询")]) == (4, 1)
    assert (rows[("诉求类型", "求助")], rows[("诉求类型", "建议")]) == (1, 1)
    assert rows[("状态", "已办结")] == 4 and rows[("状态", "已退单")] == 1
    assert rows[("状态", "办理中")] == 2 and rows[("状态", "已答复")] == 0
    # t3 counts once, with its latest reply
    assert rows[("办理结果", "已解决")] == 2 and rows[("办理结果", "解释说明")] == 2
    assert rows[("退单", "退单")] == 1
    assert rows[("延期", "批准延期")] == 1
    assert rows[("转为案源", "投诉转为案源")] == 1
    assert rows[("重办", "重办次数")] == 1 and rows[("重办", "重办工单")] == 1
    assert all(
        c.definition for c in figures.matter_counts(user=world.officer, year=YEAR, kind="hotline")
    )


def test_another_year_and_another_district_count_nothing_of_these(world: World) -> None:
    old = counts(world, 2024)
    assert old[("合计", "本年收到")] == 1 and old[("办理结果", "已解决")] == 1
    assert old[("重办", "重办次数")] == 0
    other = {
        (c.dimension, c.label): c.count
        for c in figures.matter_counts(user=world.stranger, year=YEAR, kind=MatterKind.HOTLINE)
    }
    assert other[("合计", "本年收到")] == 0 and other[("延期", "批准延期")] == 0


def test_service_level_and_call_back_satisfaction(world: World) -> None:
    f = {
        x.key: x for x in figures.timeliness(user=world.officer, year=YEAR, kind=MatterKind.HOTLINE)
    }
    assert set(f) == {"hotline_reply", "callback_satisfaction"}
    # clocks closed in 2025: t1 met, t2 met (extended), t3 late then met (re-handled), t7 met;
    # t4's was cancelled by the return; t5 and t6 run past their due dates
    reply_figure = f["hotline_reply"]
    assert (reply_figure.numerator, reply_figure.denominator) == (4, 5)
    assert reply_figure.rate == 80.0 and reply_figure.pending_overdue == 2
    # called back in 2025: t1 satisfied, t2 basically, t3 satisfied (latest), t7 unsatisfied
    satisfaction = f["callback_satisfaction"]
    assert (satisfaction.numerator, satisfaction.denominator, satisfaction.rate) == (3, 4, 75.0)
    assert "满意与基本满意" in satisfaction.definition
    assert "重办" in reply_figure.definition


def test_figures_need_the_capability(world: World) -> None:
    inspector = make_user(world.org, Role.SUPERVISOR)
    with pytest.raises(errors.PermissionDenied):
        figures.matter_counts(user=inspector, year=YEAR, kind=MatterKind.HOTLINE)
    with pytest.raises(errors.PermissionDenied):
        figures.timeliness(user=inspector, year=YEAR, kind=MatterKind.HOTLINE)
    client = APIClient()
    client.force_authenticate(inspector)
    assert client.get(f"/api/matters/statistics/figures/?year={YEAR}").status_code == 403


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_page_excel_and_api(world: World) -> None:
    client = Client()
    client.force_login(world.officer)
    url = reverse("matters:matter_figures") + f"?year={YEAR}"
    page = client.get(url).content.decode()
    assert "热线工单" in page and "回访满意率" in page and "按期答复率" in page
    assert "重办次数" in page and "退单日期在本年的工单" in page
    assert "hotline." not in page  # no internal codes on screen
    book = openpyxl.load_workbook(io.BytesIO(client.get(url + "&format=xlsx").content))
    kinds = list(book["热线工单分类"].iter_rows(values_only=True))
    assert kinds[0] == ("维度", "项目", "件数", "口径")
    assert kinds[-2][:3] == ("重办", "重办次数", 1) and kinds[-2][3]
    timeliness = list(book["热线工单时效"].iter_rows(values_only=True))
    assert any(r[0] == "回访满意率" and r[1:4] == (3, 4, 75.0) and r[5] for r in timeliness)
    assert any(r[0] == "按期答复率" and r[1:5] == (4, 5, 80.0, 2) for r in timeliness)
    api = APIClient()
    api.force_authenticate(world.officer)
    data = api.get(f"/api/matters/statistics/figures/?year={YEAR}").json()
    hotline = next(d for d in data if d["kind"] == "hotline")
    rehandled = next(c for c in hotline["counts"] if c["item"] == "重办次数")
    assert rehandled["count"] == 1 and rehandled["definition"]
    sat = next(f for f in hotline["timeliness"] if f["key"] == "callback_satisfaction")
    assert (sat["numerator"], sat["denominator"], sat["rate"]) == (3, 4, 75.0)
    assert sat["definition"]
    assert api.get("/api/matters/statistics/figures/?year=abc").status_code == 400


def test_query_counts_do_not_grow_with_the_tickets(world: World) -> None:
    client = Client()
    client.force_login(world.officer)
    url = reverse("matters:matter_figures") + f"?year={YEAR}"
    api = APIClient()
    api.force_authenticate(world.officer)
    api_url = f"/api/matters/statistics/figures/?year={YEAR}"
    before = (_queries(client, url), _queries(client, url + "&format=xlsx"))
    with CaptureQueriesContext(connection) as ctx:
        api.get(api_url)
    api_before = len(ctx.captured_queries)
    build(world)  # as many tickets again, every kind of step
    after = (_queries(client, url), _queries(client, url + "&format=xlsx"))
    with CaptureQueriesContext(connection) as ctx:
        api.get(api_url)
    assert after == before and len(ctx.captured_queries) == api_before
    assert before[0] <= 45
    assert counts(world)[("合计", "本年收到")] == 14
