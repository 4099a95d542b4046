"""Petitions (信访事项): the table, each service's success, guards, bad input, permission and
scope, and the clocks across holidays and extensions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from fazhi.core import errors, workflow
from fazhi.core.models import AuditEvent, Deadline, Role
from fazhi.core.testing import at
from fazhi.core.tests.factories import make_user
from fazhi.enforcement.models import CaseLead
from fazhi.matters.events import MatterEvent
from fazhi.matters.models import (
    Channel,
    Matter,
    MatterKind,
    MatterState,
    ReplyType,
    RequesterKind,
    Route,
)
from fazhi.matters.selectors import matters as matter_selectors
from fazhi.matters.services import petitions as svc
from fazhi.matters.services.satisfaction import matter_record_satisfaction
from fazhi.matters.tests.support import TODAY, World, make_world, petition
from fazhi.matters.workflows import DISCLOSURE, PETITION
from fazhi.registry.tests.helpers import make_entity

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(at(TODAY), tick=True):
        yield


@pytest.fixture
def world() -> World:
    return make_world()


def clocks(matter: Matter) -> dict[str, Deadline]:
    return {d.rule_key: d for d in matter_selectors.matter_deadlines(matter=matter)}


def accepted(world: World, **kw: Any) -> Matter:
    return svc.petition_accept(
        actor=world.officer, matter=petition(world, **kw), on=dt.date(2025, 9, 22)
    )


def replied(world: World) -> Matter:
    return svc.petition_reply(
        actor=world.officer,
        matter=accepted(world),
        reply_type=ReplyType.EXPLAIN,
        reply_text="经核查，收费符合规定，已向信访人解释说明。",
        on=dt.date(2025, 10, 20),
    )


def test_tables_are_registered():
    assert workflow._registry["petition"] is PETITION
    assert workflow._registry["disclosure"] is DISCLOSURE
    for member in MatterEvent:  # a matter's events, and a proactive item's (主动公开)
        assert member.value.split(".")[0] in ("matter", "proactive")


def test_register_attaches_the_acceptance_clock_across_national_day(world):
    matter = petition(world)
    assert matter.kind == MatterKind.PETITION
    assert matter.state == MatterState.RECEIVED
    assert matter.received_on == dt.date(2025, 9, 20)
    accept = clocks(matter)["petition.accept"]
    # 15 calendar days from Sat 09-20 end on Sun 10-05, inside the holiday: the next working day
    assert accept.due_date == dt.date(2025, 10, 9)
    assert AuditEvent.objects.filter(action=MatterEvent.RECEIVED, object_id=str(matter.pk)).exists()


def test_an_anonymous_petition_has_no_acceptance_clock(world):
    matter = petition(world, requester_kind=RequesterKind.ANONYMOUS, requester_name="某人")
    assert matter.requester_name == ""
    assert clocks(matter) == {}


def test_group_visit_needs_a_group_and_its_headcount(world):
    with pytest.raises(errors.ValidationFailed) as exc:
        petition(world, channel=Channel.GROUP_VISIT, headcount=1)
    assert exc.value.code == "group_headcount"
    matter = petition(
        world, channel=Channel.GROUP_VISIT, requester_kind=RequesterKind.GROUP, headcount=12
    )
    assert matter.headcount == 12


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"channel": Channel.FAX}, "bad_channel"),
        ({"requester_kind": RequesterKind.COMPANY}, "bad_requester"),
        ({"title": " "}, "title_required"),
        ({"requester_name": ""}, "requester_name_required"),
        ({"received_on": None}, "received_on_required"),
        ({"received_on": TODAY + dt.timedelta(days=1)}, "date_in_future"),
        ({"headcount": 0}, "bad_headcount"),
    ],
)
def test_register_refuses_bad_input(world, kw, code):
    with pytest.raises(errors.ValidationFailed) as exc:
        petition(world, **kw)
    assert exc.value.code == code
    assert not Matter.objects.exists()


def test_register_needs_the_capability_and_the_scope(world):
    with pytest.raises(errors.PermissionDenied):
        petition(world, actor=world.viewer)
    with pytest.raises(errors.PermissionDenied):
        petition(world, actor=world.stranger)
    assert not Matter.objects.exists()


def test_accept_closes_the_notice_and_starts_the_handling_clock(world):
    matter = accepted(world)
    assert matter.state == MatterState.ACCEPTED
    assert matter.accepted_on == dt.date(2025, 9, 22)
    c = clocks(matter)
    assert c["petition.accept"].state == "met"
    assert c["petition.handle"].start_date == dt.date(2025, 9, 22)
    assert c["petition.handle"].due_date == dt.date(2025, 11, 21)  # 60 days


def test_dates_before_the_receipt_are_refused(world):
    matter = petition(world)
    with pytest.raises(errors.ValidationFailed) as exc:
        svc.petition_accept(actor=world.officer, matter=matter, on=dt.date(2025, 9, 19))
    assert exc.value.code == "date_before_receipt"
    matter.refresh_from_db()
    assert matter.state == MatterState.RECEIVED


def test_extension_needs_the_heads_approval(world):
    with time_machine.travel(at(dt.date(2025, 10, 10)), tick=True):
        _extension_needs_the_heads_approval(world)
    matter = Matter.objects.get()
    with pytest.raises(errors.FazhiError) as exc:  # once only (第三十四条)
        svc.petition_extend(
            actor=world.officer,
            matter=matter,
            approved_by=world.head,
            approved_on=dt.date(2025, 12, 31),
            reason="再次延长",
        )
    assert exc.value.code == "extension_limit"


def _extension_needs_the_heads_approval(world: World) -> None:
    matter = accepted(world)
    with pytest.raises(errors.ValidationFailed) as exc:
        svc.petition_extend(
            actor=world.officer,
            matter=matter,
            approved_by=None,
            approved_on=None,
            reason="情况复杂",
        )
    assert exc.value.code == "approval_required"
    with pytest.raises(errors.ValidationFailed) as exc:
        svc.petition_extend(
            actor=world.officer,
            matter=matter,
            approved_by=world.officer,
            approved_on=dt.date(2025, 10, 1),
            reason="情况复杂",
        )
    assert exc.value.code == "approver_not_head"
    with pytest.raises(errors.ValidationFailed) as exc:
        svc.petition_extend(
            actor=world.officer,
            matter=matter,
            approved_by=world.head,
            approved_on=dt.date(2025, 10, 1),
            reason="",
        )
    assert exc.value.code == "reason_required"
    assert clocks(matter)["petition.handle"].due_date == dt.date(2025, 11, 21)
    svc.petition_extend(
        actor=world.officer,
        matter=matter,
        approved_by=world.head,
        approved_on=dt.date(2025, 10, 1),
        reason="涉及多家单位，情况复杂",
    )
    assert clocks(matter)["petition.handle"].due_date == dt.date(2025, 12, 22)  # +30, Sun -> Mon
    with pytest.raises(errors.FazhiError):  # once only
        svc.petition_extend(
            actor=world.officer,
            matter=matter,
            approved_by=world.head,
            approved_on=dt.date(2025, 10, 2),
            reason="再次延长",
        )


def test_reply_needs_a_type(world):
    matter = accepted(world)
    with pytest.raises(errors.ValidationFailed) as exc:
        svc.petition_reply(
            actor=world.officer, matter=matter, reply_type="", reply_text="答复", on=TODAY
        )
    assert exc.value.code == "reply_type_required"
    with pytest.raises(errors.ValidationFailed) as exc:
        svc.petition_reply(
            actor=world.officer,
            matter=matter,
            reply_type=ReplyType.PUBLIC,  # a disclosure reply type
            reply_text="答复",
            on=TODAY,
        )
    assert exc.value.code == "reply_type_required"


def test_reply_closes_the_handling_clock_late_or_on_time(world):
    matter = replied(world)
    assert matter.state == MatterState.REPLIED
    assert matter.reply_type == ReplyType.EXPLAIN
    assert clocks(matter)["petition.handle"].state == "met"


def test_closed_without_a_reply_is_refused(world):
    matter = accepted(world)
    with pytest.raises(errors.Conflict) as exc:
        svc.petition_close(actor=world.officer, matter=matter, on=TODAY)
    assert exc.value.code == "reply_required"
    matter.refresh_from_db()
    assert matter.state == MatterState.ACCEPTED


def test_close_reopen_needs_a_reason(world):
    matter = svc.petition_close(
        actor=world.officer, matter=replied(world), on=dt.date(2025, 10, 21)
    )
    assert matter.state == MatterState.CLOSED
    with pytest.raises(errors.ValidationFailed) as exc:
        svc.petition_reopen(actor=world.officer, matter=matter, reason="")
    assert exc.value.code == "reason_required"
    matter = svc.petition_reopen(actor=world.officer, matter=matter, reason="信访人补充新证据")
    assert matter.state == MatterState.ACCEPTED
    event = AuditEvent.objects.filter(action=MatterEvent.REOPENED).get()
    assert event.details["earlier_reply"] == ReplyType.EXPLAIN


def test_review_then_re_review_then_no_more(world):
    matter = replied(world)
    with pytest.raises(errors.ValidationFailed) as exc:  # 30 days from the reply ran out
        svc.petition_request_review(actor=world.officer, matter=matter, on=dt.date(2025, 11, 20))
    assert exc.value.code == "review_window_passed"
    matter = svc.petition_request_review(
        actor=world.officer, matter=matter, on=dt.date(2025, 11, 10)
    )
    assert matter.state == MatterState.REVIEW and matter.review_level == 1
    assert clocks(matter)["petition.review"].due_date == dt.date(2025, 12, 10)
    matter = svc.petition_review(
        actor=world.officer,
        matter=matter,
        reply_type=ReplyType.REJECT,
        reply_text="维持原处理意见。",
        on=dt.date(2025, 12, 1),
    )
    assert clocks(matter)["petition.review"].state == "met"
    matter = svc.petition_request_review(
        actor=world.officer, matter=matter, on=dt.date(2025, 12, 5)
    )
    assert matter.review_level == 2
    assert "petition.re_review" in clocks(matter)
    matter = svc.petition_review(
        actor=world.officer,
        matter=matter,
        reply_type=ReplyType.REJECT,
        reply_text="维持复查意见。",
        on=dt.date(2025, 12, 20),
    )
    with pytest.raises(errors.Conflict) as refused:
        svc.petition_request_review(actor=world.officer, matter=matter, on=dt.date(2025, 12, 25))
    assert refused.value.code == "review_exhausted"


def test_a_complaint_about_a_clinic_becomes_a_case_lead(world):
    entity = make_entity(make_user(world.org, Role.SUPERVISOR), world.org)
    matter = petition(world, entity=entity)
    matter = svc.petition_route(
        actor=world.officer, matter=matter, route=Route.CASE_LEAD, on=dt.date(2025, 9, 25)
    )
    assert matter.state == MatterState.ROUTED
    lead = CaseLead.objects.get()
    assert matter.case_lead == lead
    assert lead.entity == entity and lead.facts == matter.content
    assert clocks(matter)["petition.accept"].state == "met"


def test_case_lead_route_needs_the_institution(world):
    matter = petition(world)
    with pytest.raises(errors.ValidationFailed) as exc:
        svc.petition_route(
            actor=world.officer, matter=matter, route=Route.CASE_LEAD, on=dt.date(2025, 9, 25)
        )
    assert exc.value.code == "entity_required"
    assert not CaseLead.objects.exists()


def test_a_request_for_information_becomes_a_disclosure_request(world):
    matter = svc.petition_route(
        actor=world.officer,
        matter=petition(world),
        route=Route.DISCLOSURE,
        on=dt.date(2025, 9, 25),
    )
    derived = matter.derived.get()
    assert derived.kind == MatterKind.DISCLOSURE
    assert derived.received_on == dt.date(2025, 9, 25)
    assert derived.channel == Channel.POST_SIGNED
    assert "disclosure.reply" in clocks(derived)


def test_a_call_cannot_become_a_disclosure_request(world):
    matter = petition(world, channel=Channel.CALL)
    with pytest.raises(errors.ValidationFailed) as exc:
        svc.petition_route(
            actor=world.officer, matter=matter, route=Route.DISCLOSURE, on=dt.date(2025, 9, 25)
        )
    assert exc.value.code == "channel_not_for_disclosure"


def test_court_matters_are_redirected_with_the_notice(world):
    matter = petition(world)
    with pytest.raises(errors.ValidationFailed) as exc:
        svc.petition_route(
            actor=world.officer, matter=matter, route=Route.LITIGATION, on=dt.date(2025, 9, 25)
        )
    assert exc.value.code == "note_required"
    matter = svc.petition_route(
        actor=world.officer,
        matter=matter,
        route=Route.LITIGATION,
        on=dt.date(2025, 9, 25),
        note="该事项属于行政复议范围，请依法向区人民政府申请行政复议。",
    )
    assert matter.state == MatterState.ROUTED
    with pytest.raises(errors.InvalidTransition):
        svc.petition_accept(actor=world.officer, matter=matter, on=dt.date(2025, 9, 26))


def test_steps_refuse_another_organisations_officer(world):
    matter = petition(world)
    with pytest.raises(errors.PermissionDenied):
        svc.petition_accept(actor=world.stranger, matter=matter, on=dt.date(2025, 9, 22))
    with pytest.raises(errors.PermissionDenied):
        svc.petition_accept(actor=world.head, matter=matter, on=dt.date(2025, 9, 22))


def test_satisfaction_only_after_the_reply(world):
    matter = accepted(world)
    with pytest.raises(errors.Conflict) as exc:
        matter_record_satisfaction(actor=world.officer, matter=matter, satisfaction="satisfied")
    assert exc.value.code == "not_replied"
    matter = matter_record_satisfaction(
        actor=world.officer, matter=replied(world), satisfaction="satisfied"
    )
    assert matter.satisfaction == "satisfied"
    with pytest.raises(errors.ValidationFailed):
        matter_record_satisfaction(actor=world.officer, matter=matter, satisfaction="happy")


def test_selectors_are_scoped(world):
    mine = petition(world)
    matter_ids = [m.pk for m in matter_selectors.matter_list(user=world.officer)]
    assert matter_ids == [mine.pk]
    assert not matter_selectors.matter_list(user=world.stranger).exists()
    with pytest.raises(errors.OutOfScope):
        matter_selectors.matter_get(user=world.stranger, matter_id=mine.pk)
    assert matter_selectors.matter_get(user=world.viewer, matter_id=mine.pk) == mine
    timeline = matter_selectors.matter_timeline(matter=mine)
    assert [e.action for e in timeline] == [MatterEvent.RECEIVED]
