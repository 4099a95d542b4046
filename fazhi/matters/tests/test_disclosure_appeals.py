"""The reconsideration and litigation table of the annual disclosure report (decision 0084):
appeals linked to the disclosure requests they challenge, a lawsuit linked to its earlier
reconsideration, the table against a hand count, its page, Excel sheet and API, and the refusals
of a bad link."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from fazhi.appeals import services as appeal_services
from fazhi.appeals.models import Appeal, AppealKind, Outcome
from fazhi.core import errors
from fazhi.core.models import AuditEvent, Role
from fazhi.core.testing import at
from fazhi.core.tests.factories import make_user
from fazhi.matters.models import Matter
from fazhi.matters.selectors.statistics import disclosure_appeal_statistics
from fazhi.matters.tests.support import World, disclosure, make_world, petition

pytestmark = pytest.mark.django_db

D = dt.date
RECON, SUIT = AppealKind.RECONSIDERATION, AppealKind.LITIGATION


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(at(D(2026, 1, 10)), tick=True):
        yield


def appeal(w: World, kind: str, lodged: dt.date, **kw: Any) -> Appeal:
    values: dict[str, Any] = {
        "actor": w.legal,  # type: ignore[attr-defined]
        "organisation": w.org,
        "kind": kind,
        "applicant": "李四",
        "reviewing_body": "某区人民政府" if kind == RECON else "某区人民法院",
        "lodged_on": lodged,
        "received_on": lodged + dt.timedelta(days=2),
    }
    values.update(kw)
    return appeal_services.appeal_register(**values)


def decide(w: World, a: Appeal, on: dt.date, outcome: str) -> Appeal:
    return appeal_services.appeal_decide(
        actor=w.legal,  # type: ignore[attr-defined]
        appeal=a,
        on=on,
        outcome=outcome,
    )


@pytest.fixture
def world() -> World:
    w = make_world()
    w.legal = make_user(w.org, Role.LEGAL_REVIEWER)  # type: ignore[attr-defined]
    r1 = disclosure(w, submitted_on=D(2025, 3, 3))
    r2 = disclosure(w, submitted_on=D(2025, 5, 5))
    r3 = disclosure(w, submitted_on=D(2024, 11, 1))
    # 1. reconsideration of r1, upheld in 2025: 复议 结果维持
    first = decide(
        w, appeal(w, RECON, D(2025, 4, 1), disclosure_request=r1), D(2025, 6, 1), Outcome.UPHELD
    )
    # 2. reconsideration of r2, revoked in 2025: 复议 结果纠正
    decide(
        w, appeal(w, RECON, D(2025, 6, 1), disclosure_request=r2), D(2025, 8, 1), Outcome.REVOKED
    )
    # 3. reconsideration of r2, open at the year's end: 复议 尚未审结
    appeal(w, RECON, D(2025, 12, 1), disclosure_request=r2)
    # 4. reconsideration of r3, withdrawn in 2024: not in 2025's table
    decide(
        w,
        appeal(w, RECON, D(2024, 12, 1), disclosure_request=r3),
        D(2024, 12, 20),
        Outcome.WITHDRAWN,
    )
    # 5. lawsuit on r1 without reconsideration, dismissed as a suit: 直接起诉 其他结果
    decide(
        w,
        appeal(w, SUIT, D(2025, 7, 1), disclosure_request=r1),
        D(2025, 10, 1),
        Outcome.SUIT_DISMISSED,
    )
    # 6. lawsuit on r2, decided in 2026 against the act: 直接起诉 尚未审结 in 2025, 纠正 in 2026
    decide(
        w, appeal(w, SUIT, D(2025, 11, 3), disclosure_request=r2), D(2026, 1, 5), Outcome.CHANGED
    )
    # 7. lawsuit after reconsideration 1 (inherits r1), claim dismissed: 复议后起诉 结果维持
    decide(
        w,
        appeal(w, SUIT, D(2025, 6, 15), reconsideration=first),
        D(2025, 11, 3),
        Outcome.REQUEST_DISMISSED,
    )
    # 8. a reconsideration of no disclosure request: not counted
    appeal(w, RECON, D(2025, 9, 1), act="行政处罚决定")
    return w


def table(user: Any, year: int) -> dict[str, list[int]]:
    return {g.label: g.counts for g in disclosure_appeal_statistics(user=user, year=year)}


def test_the_table_matches_the_hand_count(world):
    t = table(world.officer, 2025)
    #                                   维持 纠正 其他 尚未审结 总计
    assert t["行政复议"] == [1, 1, 0, 1, 3]
    assert t["行政诉讼（未经复议直接起诉）"] == [0, 0, 1, 1, 2]
    assert t["行政诉讼（复议后起诉）"] == [1, 0, 0, 0, 1]


def test_the_next_year_counts_what_was_pending(world):
    t = table(world.officer, 2026)
    assert t["行政复议"] == [0, 0, 0, 1, 1]
    assert t["行政诉讼（未经复议直接起诉）"] == [0, 1, 0, 0, 1]
    assert t["行政诉讼（复议后起诉）"] == [0] * 5


def test_a_lawsuit_after_reconsideration_inherits_the_request_and_is_audited(world):
    suit = Appeal.objects.get(kind=SUIT, reconsideration__isnull=False)
    earlier = suit.reconsideration
    assert earlier is not None
    assert suit.disclosure_request == earlier.disclosure_request
    assert list(earlier.lawsuits.all()) == [suit]
    event = AuditEvent.objects.get(object_id=str(suit.pk), action="appeal.received")
    assert event.details["reconsideration"] == suit.reconsideration_id
    assert event.details["disclosure_request"] == suit.disclosure_request_id
    assert "政府信息公开申请答复" in suit.act


def test_scope_and_permission(world):
    assert table(world.stranger, 2025)["行政复议"] == [0] * 5
    with pytest.raises(errors.PermissionDenied):
        disclosure_appeal_statistics(user=make_user(world.org, Role.SUPERVISOR), year=2025)


@pytest.mark.parametrize(
    "change, code",
    [
        ("petition", "not_a_disclosure_request"),
        ("other_org", "request_out_of_reach"),
        ("before_request", "date_too_early"),
        ("recon_of_recon", "reconsideration_not_allowed"),
        ("suit_as_earlier", "not_a_reconsideration"),
        ("suit_before_recon", "date_too_early"),
    ],
)
def test_a_bad_link_is_refused_and_nothing_written(world, change, code):
    w = world
    r1 = Matter.objects.filter(kind="disclosure").latest("received_on")
    first = Appeal.objects.filter(kind=RECON).earliest("pk")
    kw: dict[str, Any] = {}
    kind, lodged = SUIT, D(2025, 12, 10)
    if change == "petition":
        kw["disclosure_request"] = petition(w, received_on=D(2025, 9, 20))
    elif change == "other_org":
        kw["disclosure_request"] = disclosure(
            w, actor=w.stranger, organisation=w.other_org, submitted_on=D(2025, 3, 3)
        )
    elif change == "before_request":
        kw["disclosure_request"], lodged = r1, r1.received_on - dt.timedelta(days=1)
    elif change == "recon_of_recon":
        kind, kw["reconsideration"] = RECON, first
    elif change == "suit_as_earlier":
        kw["reconsideration"] = Appeal.objects.filter(kind=SUIT).earliest("pk")
    elif change == "suit_before_recon":
        kw["reconsideration"], lodged = first, first.lodged_on - dt.timedelta(days=1)
    before = Appeal.objects.count()
    with pytest.raises(errors.ValidationFailed) as exc:
        appeal(w, kind, lodged, act="某行为", **kw)
    assert exc.value.code == code
    assert Appeal.objects.count() == before


def test_register_page_links_and_the_statistics_page_excel_and_api(
    world, django_assert_max_num_queries
):
    w = world
    r1 = Matter.objects.filter(kind="disclosure").latest("received_on")
    first = Appeal.objects.filter(kind=RECON).earliest("pk")
    client = Client()
    client.force_login(w.legal)
    page = client.get("/appeals/new/").content.decode()
    assert "起诉前的行政复议" in page and r1.title in page
    response = client.post(
        "/appeals/new/",
        {
            "kind": SUIT,
            "applicant": "李四",
            "reviewing_body": "某区人民法院",
            "reconsideration": first.pk,
            "lodged_on": "2025-12-20",
            "received_on": "2025-12-22",
        },
    )
    assert response.status_code == 302
    suit = Appeal.objects.latest("pk")
    assert suit.reconsideration == first and suit.disclosure_request == first.disclosure_request
    detail = client.get(response["Location"]).content.decode()
    assert "起诉前的行政复议" in detail and "政府信息公开申请" in detail

    client.force_login(w.officer)
    with django_assert_max_num_queries(11):
        response = client.get("/matters/statistics/disclosure/?year=2025")
    html = response.content.decode()
    assert "政府信息公开行政复议、行政诉讼情况" in html and "复议后起诉" in html
    response = client.get("/matters/statistics/disclosure/?year=2025&format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[1]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("项目", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
    assert rows[3] == ("行政诉讼（复议后起诉）", 1, 0, 0, 1, 2)  # the lawsuit just registered

    api = APIClient()
    api.force_authenticate(w.officer)
    body = api.get("/api/matters/statistics/disclosure/appeals/?year=2025").json()
    assert body["columns"] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    assert body["rows"][0] == {"item": "行政复议", "counts": [1, 1, 0, 1, 3]}
    assert api.get("/api/matters/statistics/disclosure/appeals/?year=x").status_code == 400
    api.force_authenticate(w.legal)
    data = api.post(
        "/api/appeals/",
        {
            "kind": SUIT,
            "applicant": "王五",
            "reviewing_body": "某区人民法院",
            "disclosure_request": r1.pk,
            "lodged_on": "2025-12-20",
            "received_on": "2025-12-22",
        },
        format="json",
    )
    assert data.status_code == 201, data.content
    assert data.json()["disclosure_request"] == r1.pk
    bad = api.post(
        "/api/appeals/",
        {
            "kind": RECON,
            "applicant": "王五",
            "reviewing_body": "某区人民政府",
            "reconsideration": first.pk,
            "lodged_on": "2025-12-20",
            "received_on": "2025-12-22",
        },
        format="json",
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "reconsideration_not_allowed"
