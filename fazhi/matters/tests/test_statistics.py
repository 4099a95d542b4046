"""The yearly disclosure table against hand-counted requests, the page and its Excel export."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import openpyxl
import pytest
import time_machine
from django.test import Client

from fazhi.core import errors
from fazhi.core.models import Role
from fazhi.core.testing import at
from fazhi.core.tests.factories import make_user
from fazhi.matters.models import ReplyType, RequesterKind
from fazhi.matters.selectors.statistics import disclosure_statistics
from fazhi.matters.services import disclosure as svc
from fazhi.matters.tests.support import World, disclosure, make_world

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(at(D(2026, 1, 10)), tick=True):
        yield


@pytest.fixture
def world() -> World:
    w = make_world()
    o = w.officer

    def reply(m, t, on, reason=""):
        return svc.disclosure_reply(
            actor=o, matter=m, reply_type=t, reason=reason, reply_text="答复", on=on
        )

    # A: carried in from 2024, replied in 2025 (person, 予以公开)
    reply(disclosure(w, submitted_on=D(2024, 12, 20)), ReplyType.PUBLIC, D(2025, 1, 10))
    # B: received and replied in 2024: not in 2025's table
    reply(
        disclosure(w, submitted_on=D(2024, 11, 1), requester_kind=RequesterKind.COMPANY),
        ReplyType.PUBLIC,
        D(2024, 11, 20),
    )
    # C: 2025, person, 不予公开 / 行政执法案卷
    reply(
        disclosure(w, submitted_on=D(2025, 3, 3)), ReplyType.WITHHELD, D(2025, 3, 20), "case_file"
    )
    # D: 2025, law firm, correction not supplied -> 其他处理 / 逾期不补正
    d = disclosure(w, submitted_on=D(2025, 5, 5), requester_kind=RequesterKind.LEGAL_SERVICE)
    d = svc.disclosure_request_correction(actor=o, matter=d, on=D(2025, 5, 8), items="请明确")
    svc.disclosure_abandon(actor=o, matter=d, on=D(2025, 6, 1))
    # E: 2025, research institute, still open at the year's end
    disclosure(w, submitted_on=D(2025, 12, 20), requester_kind=RequesterKind.RESEARCH)
    # F: 2025, person, replied in 2026 (部分公开): carried forward in 2025
    reply(disclosure(w, submitted_on=D(2025, 12, 22)), ReplyType.PARTIAL, D(2026, 1, 5))
    return w


def table(world: World, year: int = 2025) -> dict[str, list[int]]:
    return {r.label: r.counts for r in disclosure_statistics(user=world.officer, year=year)}


def test_the_table_matches_the_hand_count(world):
    t = table(world)
    #                                           person company research nonprofit law other total
    assert t["一、本年新收政府信息公开申请数量"] == [2, 0, 1, 0, 1, 0, 4]
    assert t["二、上年结转政府信息公开申请数量"] == [1, 0, 0, 0, 0, 0, 1]
    assert t["（一）予以公开"] == [1, 0, 0, 0, 0, 0, 1]
    assert t["（二）部分公开（区分处理的，只计这一情形，不计其他情形）"] == [0] * 7
    assert t["（三）不予公开"] == [1, 0, 0, 0, 0, 0, 1]
    assert t["7.属于行政执法案卷"] == [1, 0, 0, 0, 0, 0, 1]
    assert t["（六）其他处理"] == [0, 0, 0, 0, 1, 0, 1]
    assert t["1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"] == [
        0,
        0,
        0,
        0,
        1,
        0,
        1,
    ]
    assert t["（七）总计"] == [2, 0, 0, 0, 1, 0, 3]  # A and C (persons), D (law firm)
    assert t["四、结转下年度继续办理"] == [1, 0, 1, 0, 0, 0, 2]
    # the balance of the table: carried in + new = concluded + carried forward
    assert 1 + 4 == 3 + 2


def test_the_next_year_carries_the_open_requests_in(world):
    t = table(world, 2026)
    assert t["二、上年结转政府信息公开申请数量"] == [1, 0, 1, 0, 0, 0, 2]
    assert t["（二）部分公开（区分处理的，只计这一情形，不计其他情形）"][-1] == 1


def test_scope_and_permission(world):
    assert table(world)["一、本年新收政府信息公开申请数量"][-1] == 4
    stranger = {r.label: r.counts for r in disclosure_statistics(user=world.stranger, year=2025)}
    assert stranger["一、本年新收政府信息公开申请数量"][-1] == 0
    with pytest.raises(errors.PermissionDenied):
        disclosure_statistics(user=make_user(world.org, Role.SUPERVISOR), year=2025)


def test_page_and_excel_export(world, django_assert_max_num_queries):
    client = Client()
    client.force_login(world.officer)
    with django_assert_max_num_queries(10):
        response = client.get("/matters/statistics/disclosure/?year=2025")
    assert response.status_code == 200
    assert "本年新收政府信息公开申请数量" in response.content.decode()
    response = client.get("/matters/statistics/disclosure/?year=2025&format=xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "项目" and rows[0][-1] == "总计"
    assert rows[1] == ("一、本年新收政府信息公开申请数量", 2, 0, 1, 0, 1, 0, 4)


def test_api(world):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(world.officer)
    response = api.get("/api/matters/statistics/disclosure/?year=2025")
    assert response.status_code == 200
    assert response.json()[0] == {
        "item": "一、本年新收政府信息公开申请数量",
        "level": 0,
        "counts": [2, 0, 1, 0, 1, 0, 4],
    }
    assert api.get("/api/matters/statistics/disclosure/?year=x").status_code == 400
