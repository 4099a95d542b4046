"""A changed decision records its new content (decision 0092): kinds, exact amounts, provisions
and reason, a 变更决定书 numbered from the decision's register; the earlier content kept and
shown (原决定 → 变更后); the execution follows the new fine; a fine paid above it is flagged as
a refund owed. Guards, bad input, permission, page and API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction

from fazhi.core import errors
from fazhi.core.models import AuditEvent, Deadline
from fazhi.core.models.deadlines import DeadlineState
from fazhi.core.testing import at
from fazhi.enforcement.events import CaseEvent
from fazhi.enforcement.models import DecisionChange, PenaltyCase
from fazhi.enforcement.services import case_decisions, case_steps
from fazhi.enforcement.services.case_execution import surcharge_for
from fazhi.enforcement.services.case_steps import PAYMENT_RULE
from fazhi.enforcement.tests.case_support import CaseWorld, file_case, make_case_world, to_decision
from fazhi.enforcement.tests.test_case_pages import login

pytestmark = pytest.mark.django_db

MON = dt.date(2025, 9, 1)


@pytest.fixture
def cw(clock: Any) -> CaseWorld:
    clock.move_to(at(MON))
    return make_case_world()


def served(cw: CaseWorld) -> PenaltyCase:
    """A warning and a 2,000-yuan fine, decided and served on Monday."""
    return case_steps.case_serve(actor=cw.handler, case=to_decision(cw, file_case(cw)))


def change(cw: CaseWorld, case: PenaltyCase, **kw: Any) -> PenaltyCase:
    args: dict[str, Any] = {"kinds": ["warning", "fine"], "fine": "1500.50", "reason": "计算有误"}
    return case_decisions.case_decision_change(actor=cw.leader, case=case, **(args | kw))


def payment_deadlines(case: PenaltyCase) -> list[str]:
    return list(
        Deadline.objects.filter(object_id=str(case.pk), rule_key=PAYMENT_RULE).values_list(
            "state", flat=True
        )
    )


def test_the_change_records_the_new_content_and_keeps_the_old(cw):
    case = served(cw)
    old_number = case.decision_number
    case = change(
        cw,
        case,
        violated="《公共场所卫生管理条例》第七条",
        penalty="第十四条",
        provisions_reason="条款引用有误",
    )
    assert case.fine == Decimal("1500.50") and case.penalty_kinds == ["warning", "fine"]
    assert case.violated_provision == "《公共场所卫生管理条例》第七条"
    assert case.provision_reason == "条款引用有误"
    assert case.decision_number == old_number  # the decision keeps its number
    [row] = DecisionChange.objects.filter(case=case)
    assert row.basis == "correction" and row.reason == "计算有误" and row.changed_on == MON
    assert row.document_number and row.document_number != old_number
    assert row.after is not None and row.before["fine"] == "2000.00"
    assert row.after["fine"] == "1500.50"
    assert row.after["violated"] == "《公共场所卫生管理条例》第七条"
    assert row.refund_owed is None
    event = AuditEvent.objects.get(action=CaseEvent.DECISION_CHANGED, object_id=str(case.pk))
    assert event.details["before"]["fine"] == "2000.00"
    assert event.details["after"]["fine"] == "1500.50"
    # the execution follows the new fine: the surcharge is capped at it
    late = surcharge_for(case, dt.date(2026, 3, 2))
    assert late is not None and late.capped and late.amount == Decimal("1500.50")
    # provisions left empty stay as they were
    case = change(cw, case, fine="1000")
    assert case.violated_provision == "《公共场所卫生管理条例》第七条"
    assert DecisionChange.objects.filter(case=case).count() == 2


def test_a_warning_only_change_ends_the_payment_period(cw):
    case = change(cw, served(cw), kinds=["warning"], fine=None)
    assert case.fine is None and case.penalty_kinds == ["warning"]
    assert payment_deadlines(case) == [DeadlineState.CANCELLED]
    assert surcharge_for(case, dt.date(2026, 3, 2)) is None


def test_a_fine_paid_above_the_new_amount_is_a_refund_owed(cw):
    case = case_steps.case_execute(actor=cw.handler, case=served(cw), paid_amount="2000")
    case = change(cw, case, fine="1200")
    row = DecisionChange.objects.get(case=case)
    assert row.refund_owed == Decimal("800.00")
    assert case.paid_amount == Decimal("2000.00")  # what was paid stays recorded
    page = login(cw.handler).get(f"/enforcement/cases/{case.pk}/").content.decode()
    assert "应退还800.00元" in page


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"fine": "-5"}, "bad_amount"),
        ({"fine": "1e30"}, "bad_amount"),
        ({"fine": "abc"}, "bad_amount"),
        ({"fine": "2500"}, "heavier_than_notice"),
        ({"kinds": ["warning"], "fine": "100"}, "amount_kind_mismatch"),
        ({"kinds": ["fine"], "fine": None}, "amount_kind_mismatch"),
        ({"kinds": []}, "no_penalty_kind"),
        ({"kinds": ["caning"]}, "unknown_penalty_kind"),
        ({"kinds": "warning"}, "unknown_penalty_kind"),
        ({"fine": "2000"}, "nothing_changed"),
        ({"violated": "第七条", "penalty": "第十四条"}, "provision_reason_required"),
        ({"reason": " "}, None),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(cw, kw, code):
    case = served(cw)
    with pytest.raises(errors.ValidationFailed) as bad:
        change(cw, case, **kw)
    if code is not None:
        assert bad.value.code == code
    case.refresh_from_db()
    assert case.fine == Decimal("2000.00") and not case.decision_altered
    assert not DecisionChange.objects.exists()


def test_the_guards_and_the_permission(cw):
    case = served(cw)
    with pytest.raises(errors.PermissionDenied):
        case_decisions.case_decision_change(
            actor=cw.handler, case=case, kinds=["warning"], reason="理由"
        )
    case = case_decisions.case_decision_revoke(actor=cw.leader, case=case, reason="撤销")
    with pytest.raises(errors.Conflict) as refused:
        change(cw, case)
    assert refused.value.code == "decision_annulled"
    assert not DecisionChange.objects.exists()


def test_a_ruling_that_changes_the_decision_is_its_basis(cw):
    case = served(cw)
    with transaction.atomic():
        case = case_decisions.case_decision_alter_within(
            actor=cw.leader, case=case, alteration="changed", reason="复议决定变更", on=MON
        )
    row = DecisionChange.objects.get(case=case)
    assert row.basis == "ruling" and row.after is None and row.document_number == ""
    assert case.fine == Decimal("2000.00")
    page = login(cw.handler).get(f"/enforcement/cases/{case.pk}/").content.decode()
    assert "以复议决定或判决为准" in page


def test_the_page_and_the_api(cw):
    case = served(cw)
    leader = login(cw.leader)
    page = leader.get(f"/enforcement/cases/{case.pk}/").content.decode()
    assert 'id="step-change_decision"' in page and "变更后的罚款金额" in page
    bad = leader.post(
        f"/enforcement/cases/{case.pk}/change_decision/",
        {"kinds": ["warning"], "fine": "100", "reason": "变更"},
        follow=True,
    )
    assert "罚款须同时选择处罚种类" in bad.content.decode()
    api = login(cw.leader, api=True)
    response = api.post(
        f"/api/enforcement/cases/{case.pk}/change_decision/",
        {"kinds": ["warning", "fine"], "fine": "-1", "reason": "变更"},
        format="json",
    )
    assert response.status_code == 400
    assert login(cw.handler, api=True).post(
        f"/api/enforcement/cases/{case.pk}/change_decision/",
        {"kinds": ["warning"], "reason": "变更"},
        format="json",
    ).status_code in (403, 404)
    response = api.post(
        f"/api/enforcement/cases/{case.pk}/change_decision/",
        {"kinds": ["warning", "fine"], "fine": "1800", "reason": "罚款数额有误"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["fine"] == "1800.00"
    page = leader.get(f"/enforcement/cases/{case.pk}/").content.decode()
    assert "原决定：警告、通报批评；罚款2,000.00元" in page
    assert "变更后：警告、通报批评；罚款1,800.00元" in page
