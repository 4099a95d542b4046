"""The figures of incoming matters (issue #12 §7): counts by channel, category and outcome, and
each timeliness figure against hand-built matters; the page, its Excel export and the API."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import openpyxl
import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from fazhi.core import errors
from fazhi.core.testing import at
from fazhi.matters.models import Channel, MatterKind, ReplyType, Route
from fazhi.matters.selectors import figures
from fazhi.matters.services import disclosure as ds
from fazhi.matters.services import petitions as ps
from fazhi.matters.services.satisfaction import matter_record_satisfaction
from fazhi.matters.tests.support import World, disclosure, make_world, petition

pytestmark = pytest.mark.django_db

D = dt.date
YEAR = 2025


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(at(D(2025, 12, 31)), tick=True):
        yield


@pytest.fixture
def world() -> World:
    w = make_world()
    o = w.officer
    # p1: notice on time, reply on time, closed, satisfied
    p1 = ps.petition_accept(
        actor=o, matter=petition(w, received_on=D(2025, 3, 1)), on=D(2025, 3, 5)
    )
    p1 = ps.petition_reply(
        actor=o, matter=p1, reply_type=ReplyType.SUPPORT, reply_text="支持", on=D(2025, 4, 1)
    )
    matter_record_satisfaction(actor=o, matter=p1, satisfaction="satisfied")
    ps.petition_close(actor=o, matter=p1, on=D(2025, 4, 2))
    # p2: notice late (15 days), reply late (60 days), closed, unsatisfied
    p2 = ps.petition_accept(
        actor=o,
        matter=petition(w, received_on=D(2025, 3, 1), channel=Channel.CALL),
        on=D(2025, 3, 25),
    )
    p2 = ps.petition_reply(
        actor=o, matter=p2, reply_type=ReplyType.REJECT, reply_text="不予支持", on=D(2025, 6, 30)
    )
    matter_record_satisfaction(actor=o, matter=p2, satisfaction="unsatisfied")
    ps.petition_close(actor=o, matter=p2, on=D(2025, 7, 1))
    # p3: being handled, within its limit; p4: being handled, past its limit
    ps.petition_accept(actor=o, matter=petition(w, received_on=D(2025, 11, 1)), on=D(2025, 11, 3))
    ps.petition_accept(actor=o, matter=petition(w, received_on=D(2025, 6, 1)), on=D(2025, 6, 2))
    # p5: routed to court
    ps.petition_route(
        actor=o,
        matter=petition(w, received_on=D(2025, 5, 1), channel=Channel.VISIT),
        route=Route.LITIGATION,
        on=D(2025, 5, 3),
        note="请向人民法院起诉。",
    )
    # d1: correction on time, reply on time
    d1 = ds.disclosure_request_correction(
        actor=o, matter=disclosure(w), on=D(2025, 9, 29), items="年度"
    )
    d1 = ds.disclosure_correct(actor=o, matter=d1, on=D(2025, 9, 30))
    ds.disclosure_reply(
        actor=o, matter=d1, reply_type=ReplyType.PUBLIC, reply_text="公开", on=D(2025, 10, 10)
    )
    # d2: correction late (7 working days), reply late
    d2 = disclosure(w, submitted_on=D(2025, 3, 3))
    d2 = ds.disclosure_request_correction(actor=o, matter=d2, on=D(2025, 3, 20), items="年度")
    d2 = ds.disclosure_correct(actor=o, matter=d2, on=D(2025, 3, 21))
    ds.disclosure_reply(
        actor=o,
        matter=d2,
        reply_type=ReplyType.WITHHELD,
        reason="case_file",
        reply_text="不公开",
        on=D(2025, 6, 30),
    )
    return w


def by_key(kind: str, world: World) -> dict[str, figures.Figure]:
    return {f.key: f for f in figures.timeliness(user=world.officer, year=YEAR, kind=kind)}


def test_petition_timeliness_each_figure(world):
    f = by_key(MatterKind.PETITION, world)
    assert (f["accept_notice"].numerator, f["accept_notice"].denominator) == (4, 5)  # p2 late
    assert (f["first_reply"].numerator, f["first_reply"].denominator) == (1, 2)
    assert f["first_reply"].pending_overdue == 1  # p4
    assert (f["final_reply"].numerator, f["final_reply"].denominator) == (0, 0)
    assert f["final_reply"].rate is None
    assert (f["concluded"].numerator, f["concluded"].denominator) == (1, 2)
    assert (f["satisfaction"].numerator, f["satisfaction"].denominator) == (1, 2)
    assert f["satisfaction"].rate == 50.0
    assert "correction_notice" not in f


def test_disclosure_timeliness_keeps_first_response_and_final_reply_apart(world):
    f = by_key(MatterKind.DISCLOSURE, world)
    assert (f["correction_notice"].numerator, f["correction_notice"].denominator) == (1, 2)
    # the clocks cancelled by the correction notices are not counted: only the restarted ones
    assert (f["disclosure_reply"].numerator, f["disclosure_reply"].denominator) == (1, 2)
    assert "accept_notice" not in f


def test_counts_by_channel_category_and_outcome(world):
    rows = {
        (c.dimension, c.label): c.count
        for c in figures.matter_counts(user=world.officer, year=YEAR, kind=MatterKind.PETITION)
    }
    assert rows[("合计", "本年收到")] == 5
    assert (
        rows[("渠道", "来信")] == 3 and rows[("渠道", "来电")] == 1 and rows[("渠道", "来访")] == 1
    )
    assert rows[("办理结果", "支持")] == 1 and rows[("办理结果", "不予支持")] == 1
    assert rows[("办理结果", str(Route.LITIGATION.label))] == 1
    assert rows[("类别", "其他")] == 5
    assert (
        figures.matter_counts(user=world.officer, year=2024, kind=MatterKind.PETITION)[0].count == 0
    )
    other = figures.matter_counts(user=world.stranger, year=YEAR, kind=MatterKind.PETITION)
    assert other[0].count == 0  # another district's matters are not counted


def test_figures_need_the_capability(world):
    from fazhi.core.models import Role
    from fazhi.core.tests.factories import make_user

    inspector = make_user(world.org, Role.SUPERVISOR)
    with pytest.raises(errors.PermissionDenied):
        figures.timeliness(user=inspector, year=YEAR, kind=MatterKind.PETITION)


def test_page_excel_and_api(world, django_assert_max_num_queries):
    client = Client()
    client.force_login(world.officer)
    with django_assert_max_num_queries(30):
        page = client.get(reverse("matters:matter_figures") + f"?year={YEAR}")
    text = page.content.decode()
    assert page.status_code == 200 and "首次答复按期率" in text and "补正告知按期率" in text
    assert "petition.handle" not in text  # no internal codes on screen
    xlsx = client.get(reverse("matters:matter_figures") + f"?year={YEAR}&format=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    timeliness_rows = list(book["信访事项时效"].iter_rows(values_only=True))
    assert timeliness_rows[0][0] == "指标"
    assert any(r[0] == "受理告知按期率" and r[1] == 4 and r[2] == 5 for r in timeliness_rows)
    assert client.get(reverse("matters:matter_figures") + "?year=abc").status_code == 400
    api = APIClient()
    api.force_authenticate(world.officer)
    data = api.get(f"/api/matters/statistics/figures/?year={YEAR}").json()
    petitions = next(d for d in data if d["kind"] == "petition")
    reply = next(f for f in petitions["timeliness"] if f["key"] == "first_reply")
    assert (reply["numerator"], reply["denominator"], reply["rate"]) == (1, 2, 50.0)
