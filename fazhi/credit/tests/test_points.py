"""Practice points: the points of the province's pack, the cycle's score, the threshold alerts
(once per cycle and consequence) and their handling; each guard, bad input and permission."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fazhi.core import errors
from fazhi.core.errors import PermissionDenied
from fazhi.core.models import AuditEvent
from fazhi.core.testing import at
from fazhi.core.todo import todo_for
from fazhi.credit.events import PointsEvent
from fazhi.credit.models import AlertState, PointAlert, PointEntry
from fazhi.credit.services import points
from fazhi.credit.tests.support import clinic, served_case, world
from fazhi.inspections.tests.task_support import make_entity

pytestmark = pytest.mark.django_db

FAKE_CERT = "ABC123456"


@pytest.fixture
def cw(clock: Any) -> Any:
    return world(clock)


def score(cw: Any, entity: Any, behaviour: str, **kw: Any) -> PointEntry:
    return points.points_record(
        actor=cw.handler,
        entity=entity,
        subject=kw.pop("subject", "institution"),
        behaviour=behaviour,
        **kw,
    )


def test_an_entry_takes_its_points_from_the_pack_and_may_name_its_case(cw):
    case = served_case(cw)
    entry = score(cw, case.entity, "未按规定处置医疗废物", case=case)
    assert (entry.points, entry.cycle, entry.case) == (2, 2025, case)
    assert "示例" in entry.basis
    assert AuditEvent.objects.filter(action=PointsEvent.RECORDED).count() == 1
    assert not PointAlert.objects.exists()


def test_thresholds_raise_one_alert_each_per_cycle(cw, clock):
    entity = clinic(cw)
    score(cw, entity, "出具虚假医学证明文件")  # 10
    score(cw, entity, "使用非卫生技术人员从事医疗卫生技术工作")  # 16: 重点监管 (12)
    assert list(PointAlert.objects.values_list("consequence", "score")) == [("重点监管", 16)]
    score(cw, entity, "出具虚假医学证明文件")  # 26: 约谈 (18) and 暂缓校验 (24) at once
    assert set(PointAlert.objects.values_list("consequence", flat=True)) == {
        "重点监管",
        "约谈",
        "暂缓校验",
    }
    score(cw, entity, "未按规定处置医疗废物")
    assert PointAlert.objects.count() == 3  # no alert twice
    assert (
        points.score(entity=entity, subject="institution", practitioner_number="", cycle=2025) == 28
    )
    clock.move_to(at(dt.date(2026, 1, 5)))  # a new cycle starts from nothing
    entry = score(cw, entity, "出具虚假医学证明文件")
    assert entry.cycle == 2026 and PointAlert.objects.filter(cycle=2026).count() == 0


def test_a_practitioner_is_scored_apart_from_the_institution(cw):
    entity = clinic(cw)
    kw = {
        "subject": "practitioner",
        "practitioner_name": "张医生",
        "practitioner_number": FAKE_CERT,
    }
    score(cw, entity, "出具虚假医学证明文件", **kw)  # 12: the practitioner's 重点监管
    alert = PointAlert.objects.get()
    assert (alert.subject, alert.practitioner_number, alert.consequence) == (
        "practitioner",
        FAKE_CERT,
        "重点监管",
    )
    assert (
        points.score(entity=entity, subject="institution", practitioner_number="", cycle=2025) == 0
    )


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({"behaviour": "随便写的行为"}, "unknown_behaviour"),
        ({"subject": "nobody"}, "unknown_subject"),
        ({"subject": "practitioner", "practitioner_name": "张医生"}, "bad_practitioner_number"),
        (
            {"subject": "practitioner", "practitioner_number": FAKE_CERT},
            "practitioner_name_required",
        ),
        ({"practitioner_name": "张医生"}, "practitioner_for_institution"),
        ({"on": dt.date(2025, 9, 2)}, "date_in_future"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(cw, kw, expected):
    values = {"behaviour": "出具虚假医学证明文件", **kw}
    with pytest.raises(errors.ValidationFailed) as refused:
        score(cw, clinic(cw), **values)
    assert refused.value.code == expected
    assert not PointEntry.objects.exists()


def test_only_medical_institutions_and_cases_of_the_same_entity(cw):
    with pytest.raises(errors.ValidationFailed) as refused:
        score(cw, make_entity(cw.w), "出具虚假医学证明文件")
    assert refused.value.code == "not_medical"
    other = served_case(cw)
    with pytest.raises(errors.ValidationFailed) as refused:
        score(cw, clinic(cw), "出具虚假医学证明文件", case=other)
    assert refused.value.code == "case_mismatch"


def test_a_province_without_points_rules_cannot_score(clock):
    clock.move_to(at(dt.date(2025, 9, 1)))
    from fazhi.enforcement.tests.case_support import make_case_world

    cw = make_case_world(province="13")
    with pytest.raises(errors.Conflict) as refused:
        score(cw, clinic(cw), "出具虚假医学证明文件")
    assert refused.value.code == "no_points_rule"


def test_scoring_needs_the_record_capability_and_the_scope(cw):
    with pytest.raises(PermissionDenied):
        points.points_record(
            actor=cw.reviewer,
            entity=clinic(cw),
            subject="institution",
            behaviour="出具虚假医学证明文件",
        )
    with pytest.raises(errors.OutOfScope):
        points.points_record(
            actor=cw.w.stranger,
            entity=clinic(cw),
            subject="institution",
            behaviour="出具虚假医学证明文件",
        )


def test_the_leader_handles_an_alert_from_the_workbench(cw):
    entity = clinic(cw)
    score(cw, entity, "出具虚假医学证明文件")
    score(cw, entity, "出具虚假医学证明文件")
    alert = PointAlert.objects.get(consequence="约谈")  # 20 points: 重点监管 and 约谈
    todo = {item.label: item.count for item in todo_for(cw.leader)}
    assert todo["不良执业行为记分达到处理门槛"] == 2
    assert "不良执业行为记分达到处理门槛" not in {i.label for i in todo_for(cw.handler)}
    with pytest.raises(PermissionDenied):
        points.points_alert_handle(actor=cw.handler, alert=alert, handling="已约谈")
    with pytest.raises(errors.ValidationFailed) as refused:
        points.points_alert_handle(actor=cw.leader, alert=alert, handling=" ")
    assert refused.value.code == "reason_required"
    alert = points.points_alert_handle(actor=cw.leader, alert=alert, handling="列为重点监管对象")
    assert (alert.state, alert.handled_by) == (AlertState.HANDLED, cw.leader)
    with pytest.raises(errors.InvalidTransition):
        points.points_alert_handle(actor=cw.leader, alert=alert, handling="再次处理")
    todo = {item.label: item.count for item in todo_for(cw.leader)}
    assert todo["不良执业行为记分达到处理门槛"] == 1
