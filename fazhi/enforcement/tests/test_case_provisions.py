"""The violated provision and the penalty provision (decision 0068): from a discretion
benchmark item, or written with a reason; printed on the notice, the decision and the reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from fazhi.core import errors
from fazhi.core.models import AuditEvent, Role
from fazhi.core.testing import at
from fazhi.core.tests.factories import make_user
from fazhi.discretion.tests.support import make_benchmark
from fazhi.enforcement.documents.layout import BLANK
from fazhi.enforcement.events import CaseEvent
from fazhi.enforcement.services import case_steps
from fazhi.enforcement.services.case_provisions import case_provisions_set
from fazhi.enforcement.tests.case_support import (
    CaseWorld,
    file_case,
    investigate,
    make_case_world,
    notify,
    to_decision,
)
from fazhi.enforcement.tests.test_documents import doc

pytestmark = pytest.mark.django_db

VIOLATED = "《公共场所卫生管理条例》第七条"
PENALTY = "《公共场所卫生管理条例》第十四条"


@pytest.fixture
def cw(clock: Any) -> CaseWorld:
    clock.move_to(at(dt.date(2025, 9, 1)))
    return make_case_world()


def _item(cw: CaseWorld) -> Any:
    return make_benchmark(cw.leader, cw.org.parent).items.get()


def test_the_item_gives_both_articles_without_a_reason(cw):
    item = _item(cw)
    case = case_provisions_set(actor=cw.handler, case=file_case(cw), item=item)
    case.refresh_from_db()
    assert (case.violated_provision, case.penalty_provision) == (VIOLATED, PENALTY)
    assert case.provision_item == item and case.provision_reason == ""
    event = AuditEvent.objects.get(action=CaseEvent.PROVISIONS_SET)
    assert event.details["from_item"] is True and event.details["item"] == item.code


def test_written_or_changed_articles_need_a_reason(cw):
    case = file_case(cw)
    with pytest.raises(errors.ValidationFailed) as refused:
        case_provisions_set(actor=cw.handler, case=case, violated="某条例第三条", penalty="第九条")
    assert refused.value.code == "provision_reason_required"
    with pytest.raises(errors.ValidationFailed) as changed:
        case_provisions_set(actor=cw.handler, case=case, item=_item(cw), penalty="第九条")
    assert changed.value.code == "provision_reason_required"
    case.refresh_from_db()
    assert (
        case.violated_provision == ""
        and not AuditEvent.objects.filter(action=CaseEvent.PROVISIONS_SET).exists()
    )
    done = case_provisions_set(
        actor=cw.handler, case=case, violated="某条例第三条", penalty="第九条", reason="基准未列"
    )
    assert done.provision_reason == "基准未列" and done.provision_item is None


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"violated": "", "penalty": "第九条", "reason": "理由"}, "violated_required"),
        ({"violated": "第三条", "penalty": "", "reason": "理由"}, "penalty_required"),
        ({"violated": "条" * 501, "penalty": "第九条", "reason": "理由"}, "violated_too_long"),
    ],
)
def test_bad_input_is_refused(cw, kw, code):
    with pytest.raises(errors.ValidationFailed) as refused:
        case_provisions_set(actor=cw.handler, case=file_case(cw), **kw)
    assert refused.value.code == code


def test_permission_and_state(cw):
    case, item = file_case(cw), _item(cw)
    with pytest.raises(errors.PermissionDenied):
        case_provisions_set(actor=make_user(cw.org, Role.PETITION_OFFICER), case=case, item=item)
    decided = to_decision(cw, file_case(cw))
    with pytest.raises(errors.Conflict) as late:
        case_provisions_set(actor=cw.handler, case=decided, item=item)
    assert late.value.code == "invalid_transition"


def test_the_documents_print_the_provisions(cw):
    case = notify(cw, investigate(cw, file_case(cw)))
    assert f"违反了{BLANK}的规定" in doc(case, "penalty_notice")
    case = case_provisions_set(actor=cw.handler, case=case, item=_item(cw))
    notice = doc(case, "penalty_notice")
    assert f"违反了{VIOLATED}的规定" in notice and f"依据{PENALTY}的规定" in notice
    case = case_steps.case_waive_rights(actor=cw.handler, case=case)
    case = case_steps.case_decide(actor=cw.leader, case=case, outcome="penalty", fine="2000")
    decision = doc(case, "decision")
    assert f"违反了{VIOLATED}的规定" in decision and f"依据{PENALTY}的规定" in decision
    assert BLANK not in decision.split("二、处罚依据")[1].split("三、")[0]
    assert VIOLATED in doc(case, "investigation_report")


def test_the_page_step_uses_the_assistants_item(cw, client):
    item = _item(cw)
    case = file_case(cw)
    client.force_login(cw.handler)
    page = client.get(reverse("enforcement:case_detail", args=[case.pk])).content.decode()
    assert "填写违法条款和处罚依据" in page and item.violation in page
    response = client.post(
        reverse("enforcement:case_provisions", args=[case.pk]), {"item": str(item.pk)}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.penalty_provision == PENALTY
    page = client.get(reverse("enforcement:case_detail", args=[case.pk])).content.decode()
    assert PENALTY in page and "取自裁量基准" in page
    client.post(reverse("enforcement:case_provisions", args=[case.pk]), {"violated": "第三条"})
    case.refresh_from_db()
    assert case.violated_provision == VIOLATED  # refused: no reason, nothing written
