"""Correcting a submitted screening report: the figures change with a reason, the earlier figures
stay in the audit trail, the submission date and lateness do not change; each guard, bad input,
permission and nothing written on a refusal; the page and the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from fazhi.core import errors
from fazhi.core.models import AuditEvent
from fazhi.core.testing import at
from fazhi.disputes.events import ScreeningEvent
from fazhi.disputes.models import ScreeningReport
from fazhi.disputes.services.screening import screening_report_correct, screening_report_submit
from fazhi.disputes.tests.support import TODAY, World, make_world

pytestmark = pytest.mark.django_db
NOV = dt.date(2025, 11, 1)


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(at(TODAY), tick=True):
        yield


@pytest.fixture
def world() -> World:
    return make_world()


@pytest.fixture
def report(world: World) -> ScreeningReport:
    # submitted late (the November report is due early in December)
    return screening_report_submit(
        actor=world.officer,
        organisation=world.org,
        month=NOV,
        found=0,
        resolved=0,
        submitted_on=dt.date(2025, 12, 20),
    )


def correct(world: World, report: ScreeningReport, **kw: Any) -> ScreeningReport:
    values: dict[str, Any] = {
        "actor": world.officer,
        "report": report,
        "found": 2,
        "resolved": 1,
        "reason": "漏报两起门诊纠纷",
    }
    values.update(kw)
    return screening_report_correct(**values)


def test_a_correction_keeps_the_earlier_figures_in_the_audit_trail(world, report):
    assert report.late
    first = correct(world, report)
    assert (first.found, first.resolved, first.corrections) == (2, 1, 1)
    assert first.corrected_on == TODAY and first.correction_reason == "漏报两起门诊纠纷"
    assert first.submitted_on == dt.date(2025, 12, 20) and first.late  # unchanged
    second = correct(world, first, found=3, resolved=3, reason="又核实一起", note="已全部化解")
    assert (second.found, second.corrections, second.note) == (3, 2, "已全部化解")
    events = list(
        AuditEvent.objects.filter(
            action=ScreeningEvent.CORRECTED, object_id=str(report.pk)
        ).order_by("seq")
    )
    assert [e.details["before"]["found"] for e in events] == [0, 2]
    assert [e.details["after"]["found"] for e in events] == [2, 3]
    assert events[0].details["reason"] == "漏报两起门诊纠纷"
    submitted = AuditEvent.objects.get(action=ScreeningEvent.SUBMITTED, object_id=str(report.pk))
    assert submitted.details["found"] == 0 and submitted.details["zero"] is True


@pytest.mark.parametrize(
    "kw, code",
    [
        ({"reason": "  "}, "reason_required"),
        ({"reason": "x" * 501}, "reason_too_long"),
        ({"found": 0, "resolved": 0}, "nothing_changed"),
        ({"found": 1, "resolved": 2}, "resolved_above_found"),
        ({"found": -1}, "bad_found"),
        ({"found": "2"}, "bad_found"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(world, report, kw, code):
    with pytest.raises(errors.ValidationFailed) as exc:
        correct(world, report, **kw)
    assert exc.value.code == code
    report.refresh_from_db()
    assert (report.found, report.corrections) == (0, 0)
    assert not AuditEvent.objects.filter(action=ScreeningEvent.CORRECTED).exists()


def test_only_a_handler_of_the_unit_may_correct(world, report):
    for user in (world.stranger, world.viewer, world.head):
        with pytest.raises(errors.PermissionDenied):
            correct(world, report, actor=user)
    report.refresh_from_db()
    assert report.corrections == 0


def test_the_page_offers_the_correction_and_shows_it(world, report):
    client = Client()
    client.force_login(world.officer)
    page = client.get("/disputes/screening/?month=2025-11").content.decode()
    assert "更正本单位" in page
    response = client.post(
        "/disputes/screening/correct/",
        {"month": "2025-11", "found": "2", "resolved": "1", "note": "", "reason": "漏报"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.found, report.corrections) == (2, 1)
    page = client.get("/disputes/screening/?month=2025-11").content.decode()
    assert "更正：漏报" in page
    # without a reason: refused with the message, nothing changed
    response = client.post(
        "/disputes/screening/correct/",
        {"month": "2025-11", "found": "5", "resolved": "1", "reason": ""},
        follow=True,
    )
    assert "请填写更正原因" in response.content.decode()
    report.refresh_from_db()
    assert report.found == 2
    # a month with no report of the unit
    response = client.post(
        "/disputes/screening/correct/",
        {"month": "2025-10", "found": "1", "resolved": "0", "reason": "x"},
        follow=True,
    )
    assert "尚未报送" in response.content.decode()


def test_the_api_corrects_and_refuses(world, report):
    api = APIClient()
    api.force_authenticate(world.officer)
    url = "/api/disputes/screening/correct/"
    body = {"month": "2025-11", "found": 4, "resolved": 0, "reason": "补报"}
    response = api.post(url, body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["found"] == 4 and response.json()["corrections"] == 1
    response = api.post(url, {**body, "reason": ""}, format="json")
    assert response.status_code == 400
    response = api.post(url, {**body, "month": "2025-10"}, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "report_not_found"
    api.force_authenticate(world.viewer)
    assert api.post(url, body, format="json").status_code == 403
