"""A changed decision published anew (decision 0085): the change opens a publicity deadline like
the first publication's; the earlier publication is withdrawn first, then the changed decision is
published; the portal shows it as changed, the audit trail both publications; a later revocation
withdraws the republication in turn. Guards, bad input, permission, page and API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from fazhi.core import errors
from fazhi.core.models import AuditEvent, Deadline
from fazhi.core.models.deadlines import DeadlineState
from fazhi.core.testing import at
from fazhi.enforcement.events import CaseEvent
from fazhi.enforcement.models import PenaltyCase
from fazhi.enforcement.selectors import publicity
from fazhi.enforcement.services import case_decisions, case_steps
from fazhi.enforcement.services.case_decisions import WITHDRAW_RULE
from fazhi.enforcement.services.case_steps import PUBLICITY_RULE
from fazhi.enforcement.tests.case_support import CaseWorld, file_case, make_case_world, to_decision
from fazhi.enforcement.tests.test_case_pages import login

LOWER: dict[str, Any] = {"kinds": ["warning", "fine"], "fine": "1500"}  # the changed penalty

pytestmark = pytest.mark.django_db

MON = dt.date(2025, 9, 1)
WED = dt.date(2025, 9, 3)


@pytest.fixture
def cw(clock: Any) -> CaseWorld:
    clock.move_to(at(MON))
    return make_case_world()


def published(cw: CaseWorld) -> PenaltyCase:
    """Decided, served and published on Monday."""
    case = case_steps.case_serve(actor=cw.handler, case=to_decision(cw, file_case(cw)))
    return case_steps.case_publish(actor=cw.handler, case=case)


def changed(cw: CaseWorld, clock: Any, on: dt.date = MON) -> PenaltyCase:
    """Published and changed on Monday (or ``on``); the clock then on Wednesday."""
    case = published(cw)
    clock.move_to(at(WED))
    return case_decisions.case_decision_change(
        **LOWER, actor=cw.leader, case=case, reason="罚款金额计算有误，予以变更", on=on
    )


def pending(case: PenaltyCase, rule: str) -> list[Deadline]:
    return list(
        Deadline.objects.filter(
            object_id=str(case.pk), rule_key=rule, state=DeadlineState.OPEN
        ).order_by("pk")
    )


def test_a_change_opens_the_publication_anew_after_the_withdrawal(cw, clock):
    case = changed(cw, clock, on=dt.date(2025, 9, 2))
    # the change opens the withdrawal (3 working days) and a publicity period like the first
    [withdrawal] = pending(case, WITHDRAW_RULE)
    [republication] = pending(case, PUBLICITY_RULE)
    assert withdrawal.due_date == dt.date(2025, 9, 5)
    assert republication.start_date == dt.date(2025, 9, 2)
    assert republication.due_date == dt.date(2025, 9, 11)  # 7 working days, as the first's
    assert "公示变更后的处罚决定" in republication.title
    # not before the old publication is withdrawn
    with pytest.raises(errors.Conflict) as refused:
        case_decisions.case_republish(actor=cw.handler, case=case)
    assert refused.value.code == "withdraw_first"
    case = case_decisions.case_publicity_withdraw(actor=cw.handler, case=case)
    assert case not in publicity.public_decisions()
    with pytest.raises(errors.ValidationFailed) as bad:  # not before the withdrawal
        case_decisions.case_republish(actor=cw.handler, case=case, on=dt.date(2025, 9, 2))
    assert bad.value.code == "date_too_early"
    case = case_decisions.case_republish(actor=cw.handler, case=case)
    assert case.republished_on == WED and case.publicity_withdrawn_on == WED
    assert list(publicity.public_decisions()) == [case]
    assert pending(case, PUBLICITY_RULE) == [] and pending(case, WITHDRAW_RULE) == []
    republication.refresh_from_db()
    assert republication.state == DeadlineState.MET and republication.met_on == WED
    # the audit trail has both publications and the withdrawal between them
    actions = list(
        AuditEvent.objects.filter(object_id=str(case.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    trail = [a for a in actions if "publi" in a or "decision_changed" in a]
    assert trail == [
        CaseEvent.PUBLISHED,
        CaseEvent.DECISION_CHANGED,
        CaseEvent.PUBLICITY_WITHDRAWN,
        CaseEvent.REPUBLISHED,
    ]
    with pytest.raises(errors.Conflict) as refused:
        case_decisions.case_republish(actor=cw.handler, case=case)
    assert refused.value.code == "already_republished"


def test_the_guards_refuse(cw, clock):
    case = published(cw)
    unpublished = case_steps.case_serve(actor=cw.handler, case=to_decision(cw, file_case(cw)))
    clock.move_to(at(WED))
    with pytest.raises(errors.Conflict) as refused:  # not changed
        case_decisions.case_republish(actor=cw.handler, case=case)
    assert refused.value.code == "nothing_to_republish"
    with pytest.raises(errors.ValidationFailed) as bad:
        case_decisions.case_republish(actor=cw.handler, case=case, on=dt.date(2025, 9, 4))
    assert bad.value.code == "date_in_future"
    unpublished = case_decisions.case_decision_change(
        **LOWER, actor=cw.leader, case=unpublished, reason="变更"
    )
    # changed before its first publication: no second period, the first publication shows it
    assert len(pending(unpublished, PUBLICITY_RULE)) == 1 and not pending(
        unpublished, WITHDRAW_RULE
    )
    with pytest.raises(errors.Conflict) as refused:
        case_decisions.case_republish(actor=cw.handler, case=unpublished)
    assert refused.value.code == "nothing_to_republish"
    case = case_decisions.case_decision_change(**LOWER, actor=cw.leader, case=case, reason="变更")
    case_decisions.case_publicity_withdraw(actor=cw.handler, case=case)
    with pytest.raises(errors.PermissionDenied):  # a reviewer may not publish
        case_decisions.case_republish(actor=cw.reviewer, case=case)
    case.refresh_from_db()
    assert case.republished_on is None


def test_a_revocation_after_republication_withdraws_it_in_turn(cw, clock):
    case = case_decisions.case_publicity_withdraw(actor=cw.handler, case=changed(cw, clock))
    case = case_decisions.case_republish(actor=cw.handler, case=case)
    assert not case_decisions.withdrawal_offered(case)  # nothing changed since
    case = case_decisions.case_decision_revoke(actor=cw.leader, case=case, reason="复核后撤销")
    [withdrawal] = pending(case, WITHDRAW_RULE)
    assert withdrawal.start_date == WED
    assert case_decisions.withdrawal_offered(case)
    assert not case_decisions.republication_offered(case)
    case = case_decisions.case_publicity_withdraw(actor=cw.handler, case=case)
    assert case.republication_withdrawn_on == WED and case.publicity_withdrawn_on == WED
    assert case not in publicity.public_decisions()
    assert pending(case, WITHDRAW_RULE) == []
    with pytest.raises(errors.Conflict) as refused:
        case_decisions.case_publicity_withdraw(actor=cw.handler, case=case)
    assert refused.value.code == "already_withdrawn"
    with pytest.raises(errors.Conflict) as refused:
        case_decisions.case_republish(actor=cw.handler, case=case)
    assert refused.value.code == "nothing_to_republish"


def test_the_page_api_and_portal(cw, clock):
    case = case_decisions.case_publicity_withdraw(actor=cw.handler, case=changed(cw, clock))
    handler = login(cw.handler)
    page = handler.get(f"/enforcement/cases/{case.pk}/").content.decode()
    assert 'id="step-republish"' in page and "公示变更后的处罚决定" in page
    assert 'id="step-withdraw_publicity"' not in page
    assert login(cw.reviewer, api=True).post(
        f"/api/enforcement/cases/{case.pk}/republish/", {}, format="json"
    ).status_code in (403, 404)
    response = login(cw.handler, api=True).post(
        f"/api/enforcement/cases/{case.pk}/republish/", {"on": "2025-13-01"}, format="json"
    )
    assert response.status_code == 400
    response = handler.post(f"/enforcement/cases/{case.pk}/republish/", {}, follow=True)
    assert "已公示变更后的处罚决定" in response.content.decode()
    assert "变更后的决定2025年9月3日重新公示" in response.content.decode()
    response = login(cw.handler, api=True).post(
        f"/api/enforcement/cases/{case.pk}/republish/", {}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_republished"
    public = Client()
    listing = public.get("/public/decisions/").content.decode()
    assert case.decision_number in listing and "已变更" in listing
    detail = public.get(f"/public/decisions/{case.pk}/").content.decode()
    assert "本决定于2025年9月1日变更" in detail and "变更后重新公示" in detail


def test_the_portal_orders_a_republished_decision_by_its_republication(cw, clock):
    first = published(cw)  # Monday
    clock.move_to(at(dt.date(2025, 9, 2)))
    later = published(cw)  # Tuesday
    assert list(publicity.public_decisions()) == [later, first]
    clock.move_to(at(WED))
    first = case_decisions.case_decision_change(**LOWER, actor=cw.leader, case=first, reason="变更")
    first = case_decisions.case_publicity_withdraw(actor=cw.handler, case=first)
    first = case_decisions.case_republish(actor=cw.handler, case=first)  # Wednesday
    assert list(publicity.public_decisions()) == [first, later]
    listing = Client().get("/public/decisions/").content.decode()
    assert listing.index(first.decision_number) < listing.index(later.decision_number)


@pytest.mark.parametrize("revoke", [False, True])
def test_a_decision_annulled_before_republication_cancels_it(cw, clock, revoke):
    case = changed(cw, clock)
    [republication] = pending(case, PUBLICITY_RULE)
    if revoke:
        case = case_decisions.case_decision_revoke(actor=cw.leader, case=case, reason="撤销")
    else:
        with transaction.atomic():
            case = case_decisions.case_decision_alter_within(
                actor=cw.leader,
                case=case,
                alteration="confirmed_illegal",
                reason="复议决定确认违法",
                on=WED,
            )
    republication.refresh_from_db()
    assert republication.state == DeadlineState.CANCELLED
    assert not case_decisions.republication_offered(case)
    # the earlier publication must still be withdrawn: that deadline stays
    assert len(pending(case, WITHDRAW_RULE)) == 1
    assert case_decisions.withdrawal_offered(case)


def test_a_decision_confirmed_illegal_keeps_its_other_obligations(cw, clock):
    case = case_steps.case_serve(actor=cw.handler, case=to_decision(cw, file_case(cw)))
    before = {
        d.rule_key
        for d in Deadline.objects.filter(object_id=str(case.pk))
        if d.state == DeadlineState.OPEN
    }
    with transaction.atomic():
        case = case_decisions.case_decision_alter_within(
            actor=cw.leader, case=case, alteration="confirmed_illegal", reason="确认违法", on=MON
        )
    after = {
        d.rule_key
        for d in Deadline.objects.filter(object_id=str(case.pk))
        if d.state == DeadlineState.OPEN
    }
    assert PUBLICITY_RULE in before and after == before  # never published: nothing cancelled
