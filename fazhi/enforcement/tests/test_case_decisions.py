"""A penalty decision changed or revoked (行政处罚法 第四十八条第二款, decision 0082): by the agency
with a reason, or inside another app's transaction; the 3-working-day withdrawal of its
publication; the publish step's record of the publication; guards, bad input, permissions."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import transaction

from fazhi.core import errors
from fazhi.core.models import AuditEvent, Deadline, Role
from fazhi.core.models.deadlines import DeadlineState
from fazhi.core.testing import at
from fazhi.core.tests.factories import make_user
from fazhi.enforcement import forms as case_forms
from fazhi.enforcement.events import CaseEvent
from fazhi.enforcement.models import CaseState, PenaltyCase
from fazhi.enforcement.selectors import publicity
from fazhi.enforcement.services import case_decisions, case_steps
from fazhi.enforcement.services.case_decisions import WITHDRAW_RULE
from fazhi.enforcement.services.case_steps import PAYMENT_RULE, PUBLICITY_RULE
from fazhi.enforcement.signals import decision_revoked
from fazhi.enforcement.tests.case_support import (
    CaseWorld,
    file_case,
    make_case_world,
    to_decision,
)
from fazhi.enforcement.tests.test_case_pages import login

LOWER: dict[str, Any] = {"kinds": ["warning", "fine"], "fine": "1500"}  # the changed penalty

pytestmark = pytest.mark.django_db

MON = dt.date(2025, 9, 1)


def world(clock: Any) -> CaseWorld:
    clock.move_to(at(MON))
    return make_case_world()


def served_case(cw: CaseWorld) -> PenaltyCase:
    """A small fine decided and served today: in effect."""
    case = to_decision(cw, file_case(cw))
    return case_steps.case_serve(actor=cw.handler, case=case)


@pytest.fixture
def cw(clock: Any) -> Any:
    return world(clock)


def _deadline(case: PenaltyCase, rule: str) -> Deadline:
    return Deadline.objects.get(object_id=str(case.pk), rule_key=rule)


def _published(cw: Any) -> PenaltyCase:
    case = served_case(cw)
    return case_steps.case_publish(actor=cw.handler, case=case)


def test_publish_records_the_day_and_puts_the_decision_on_the_portal(cw):
    case = served_case(cw)
    assert case not in publicity.public_decisions()
    case = case_steps.case_publish(actor=cw.handler, case=case)
    assert case.published_on == MON
    assert list(publicity.public_decisions()) == [case]
    with pytest.raises(errors.Conflict) as exc:
        case_steps.case_publish(actor=cw.handler, case=case)
    assert exc.value.code == "already_published"


def test_revoking_a_published_decision_opens_the_withdrawal_and_withdrawing_hides_it(cw):
    heard: list[dict[str, Any]] = []

    def receiver(sender: Any, **kw: Any) -> None:
        heard.append(kw)

    decision_revoked.connect(receiver, dispatch_uid="test.revoked")
    try:
        case = case_decisions.case_decision_revoke(
            actor=cw.leader, case=_published(cw), reason="认定事实不清，自行纠正"
        )
    finally:
        decision_revoked.disconnect(dispatch_uid="test.revoked")
    assert case.state == CaseState.SERVED  # the case stays where it is
    assert (case.decision_altered, case.decision_altered_on) == ("revoked", MON)
    assert case.decision_altered_reason == "认定事实不清，自行纠正"
    assert [h["case"].pk for h in heard] == [case.pk] and heard[0]["on"] == MON
    withdraw = _deadline(case, WITHDRAW_RULE)
    assert (withdraw.state, withdraw.due_date) == (DeadlineState.OPEN, dt.date(2025, 9, 4))
    # a revoked decision has nothing left to collect
    assert _deadline(case, PAYMENT_RULE).state == DeadlineState.CANCELLED
    event = AuditEvent.objects.get(action=CaseEvent.DECISION_REVOKED, object_id=str(case.pk))
    assert event.details["reason"] == "认定事实不清，自行纠正"
    # still on the portal until withdrawn
    assert case in publicity.public_decisions()
    assert "withdraw_publicity" in [s.name for s in case_forms.offered(case)]
    assert "revoke_decision" not in [s.name for s in case_forms.offered(case)]
    case = case_decisions.case_publicity_withdraw(actor=cw.handler, case=case)
    assert case.publicity_withdrawn_on == MON
    assert _deadline(case, WITHDRAW_RULE).state == DeadlineState.MET
    assert case not in publicity.public_decisions()
    with pytest.raises(errors.NotFound):
        publicity.public_decision(pk=case.pk)
    assert AuditEvent.objects.filter(action=CaseEvent.PUBLICITY_WITHDRAWN).count() == 1
    with pytest.raises(errors.Conflict) as exc:
        case_decisions.case_publicity_withdraw(actor=cw.handler, case=case)
    assert exc.value.code == "already_withdrawn"


def test_a_changed_decision_keeps_its_obligations_and_can_be_revoked_later(cw):
    case = case_decisions.case_decision_change(
        **LOWER, actor=cw.leader, case=_published(cw), reason="罚款金额计算有误，予以变更"
    )
    assert case.decision_altered == "changed"
    assert _deadline(case, PAYMENT_RULE).state == DeadlineState.OPEN
    assert _deadline(case, WITHDRAW_RULE).state == DeadlineState.OPEN
    case = case_decisions.case_decision_revoke(actor=cw.leader, case=case, reason="再次复核后撤销")
    assert case.decision_altered == "revoked"
    # one withdrawal is due, not two, still from the change (the revocation ends the payment,
    # not the withdrawal the portal owes)
    due = Deadline.objects.filter(
        object_id=str(case.pk), rule_key=WITHDRAW_RULE, state=DeadlineState.OPEN
    )
    assert [d.start_date for d in due] == [MON]
    with pytest.raises(errors.Conflict) as exc:
        case_decisions.case_decision_change(
            kinds=["warning", "fine"], actor=cw.leader, case=case, reason="再变更", fine="1000"
        )
    assert exc.value.code == "decision_annulled"


def test_an_unpublished_decision_revoked_cancels_its_publicity_and_cannot_be_published(cw):
    case = case_decisions.case_decision_revoke(
        actor=cw.leader, case=served_case(cw), reason="自行纠正"
    )
    assert _deadline(case, PUBLICITY_RULE).state == DeadlineState.CANCELLED
    assert not Deadline.objects.filter(rule_key=WITHDRAW_RULE).exists()
    with pytest.raises(errors.Conflict) as exc:
        case_steps.case_publish(actor=cw.handler, case=case)
    assert exc.value.code == "nothing_to_publish"
    with pytest.raises(errors.Conflict) as exc:
        case_decisions.case_publicity_withdraw(actor=cw.handler, case=case)
    assert exc.value.code == "nothing_to_withdraw"


def test_the_guards_refuse_and_write_nothing(cw):
    case = _published(cw)
    with pytest.raises(errors.ValidationFailed) as exc:
        case_decisions.case_decision_revoke(actor=cw.leader, case=case, reason=" ")
    assert exc.value.code == "reason_required"
    with pytest.raises(errors.ValidationFailed) as exc:
        case_decisions.case_decision_revoke(
            actor=cw.leader, case=case, reason="理由", on=MON - dt.timedelta(days=1)
        )
    assert exc.value.code == "date_before_decision"
    with pytest.raises(errors.ValidationFailed) as exc:
        case_decisions.case_decision_revoke(
            actor=cw.leader, case=case, reason="理由", on=MON + dt.timedelta(days=1)
        )
    assert exc.value.code == "date_in_future"
    with pytest.raises(errors.ValidationFailed) as exc:
        case_decisions.case_decision_revoke(actor=cw.leader, case=case, reason="长" * 2001)
    assert exc.value.code == "reason_too_long"
    with pytest.raises(errors.Conflict) as refused:
        case_decisions.case_publicity_withdraw(actor=cw.handler, case=case)
    assert refused.value.code == "nothing_to_withdraw"
    case.refresh_from_db()
    assert case.decision_altered == "" and case.publicity_withdrawn_on is None
    assert not Deadline.objects.filter(rule_key=WITHDRAW_RULE).exists()
    assert not AuditEvent.objects.filter(action=CaseEvent.DECISION_REVOKED).exists()


def test_a_case_without_a_penalty_decision_cannot_be_revoked(cw):
    undecided = file_case(cw)
    with pytest.raises(errors.Conflict) as exc:
        case_decisions.case_decision_revoke(actor=cw.leader, case=undecided, reason="理由")
    assert exc.value.code == "invalid_transition"
    decided = to_decision(cw, file_case(cw))
    assert "revoke_decision" in [s.name for s in case_forms.offered(decided)]


def test_only_the_head_in_scope_changes_a_decision_and_a_handler_withdraws(cw):
    case = _published(cw)
    with pytest.raises(errors.PermissionDenied):
        case_decisions.case_decision_revoke(actor=cw.handler, case=case, reason="理由")
    far = make_user(cw.w.tree.districts[2], Role.LEADER)
    with pytest.raises(errors.OutOfScope):
        case_decisions.case_decision_change(**LOWER, actor=far, case=case, reason="理由")
    viewer = make_user(cw.w.org, Role.VIEWER)
    case = case_decisions.case_decision_revoke(actor=cw.leader, case=case, reason="理由")
    with pytest.raises(errors.PermissionDenied):
        case_decisions.case_publicity_withdraw(actor=viewer, case=case)


def test_the_within_service_needs_a_known_alteration_and_confirmed_illegal_keeps_payment(cw):
    case = _published(cw)
    with pytest.raises(errors.ValidationFailed) as exc, transaction.atomic():
        case_decisions.case_decision_alter_within(
            actor=cw.leader, case=case, alteration="upheld", reason="理由", on=MON
        )
    assert exc.value.code == "unknown_alteration"
    with transaction.atomic():
        row = case_decisions.case_decision_alter_within(
            actor=cw.leader,
            case=case,
            alteration="confirmed_illegal",
            reason="复议确认违法",
            on=MON,
        )
    assert row.decision_altered == "confirmed_illegal"
    # confirmed illegal, the decision is not undone: its payment still runs
    assert _deadline(row, PAYMENT_RULE).state == DeadlineState.OPEN
    assert not case_decisions.decision_alterable(row, "changed")


def test_the_within_service_refuses_outside_a_transaction(cw, monkeypatch):
    case = _published(cw)
    # the test itself runs in a transaction: stand for a caller that opened none
    monkeypatch.setattr(case_decisions, "connection", SimpleNamespace(in_atomic_block=False))
    with pytest.raises(RuntimeError):
        case_decisions.case_decision_alter_within(
            actor=cw.leader, case=case, alteration="revoked", reason="理由", on=MON
        )


def test_the_case_page_offers_the_steps_and_shows_the_withdrawal(cw):
    case = _published(cw)
    leader = login(cw.leader)
    page = leader.get(f"/enforcement/cases/{case.pk}/").content.decode()
    assert "撤销处罚决定" in page and "变更处罚决定" in page
    response = leader.post(
        f"/enforcement/cases/{case.pk}/revoke_decision/", {"reason": ""}, follow=True
    )
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.decision_altered == ""  # the form refused an empty reason
    response = leader.post(
        f"/enforcement/cases/{case.pk}/revoke_decision/", {"reason": "x"}, follow=True
    )
    assert "请填写变更（撤销）的理由" in response.content.decode()
    leader.post(f"/enforcement/cases/{case.pk}/revoke_decision/", {"reason": "自行纠正"})
    case.refresh_from_db()
    assert case.decision_altered == "revoked"
    handler = login(cw.handler)
    page = handler.get(f"/enforcement/cases/{case.pk}/").content.decode()
    assert "决定被撤销" in page and "撤回处罚决定公示" in page
    handler.post(f"/enforcement/cases/{case.pk}/withdraw_publicity/", {})
    case.refresh_from_db()
    assert case.publicity_withdrawn_on == MON
    assert "已撤回" in handler.get(f"/enforcement/cases/{case.pk}/").content.decode()


def test_the_api_steps(cw):
    case = _published(cw)
    leader = login(cw.leader, api=True)
    url = f"/api/enforcement/cases/{case.pk}/revoke_decision/"
    assert leader.post(url, {"reason": ""}, format="json").status_code == 400
    response = leader.post(url, {"reason": "自行纠正"}, format="json")
    assert response.status_code == 200, response.content
    assert "withdraw_publicity" in response.json()["next_steps"]
    assert leader.post(url, {"reason": "再撤销"}, format="json").status_code == 409
    handler = login(cw.handler, api=True)
    assert (
        handler.post(
            f"/api/enforcement/cases/{case.pk}/change_decision/", {"reason": "x"}
        ).status_code
        == 403
    )
    withdrawn = handler.post(
        f"/api/enforcement/cases/{case.pk}/withdraw_publicity/", {}, format="json"
    )
    assert withdrawn.status_code == 200, withdrawn.content
    case.refresh_from_db()
    assert case.publicity_withdrawn_on == MON
