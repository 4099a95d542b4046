"""Hotline tickets (热线工单): registration, the service level across holidays, extension,
returned ticket, reply, call-back, case lead; guards, bad input, permission and scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine

from fazhi.core import errors
from fazhi.core.models import AuditEvent, Deadline, Role
from fazhi.core.models.deadlines import DeadlineState
from fazhi.core.periods import compute_due
from fazhi.core.testing import at
from fazhi.core.tests.factories import make_org_tree, make_user
from fazhi.enforcement.models import CaseLead
from fazhi.matters.hotline_models import HotlinePlatform, HotlineTicket, TicketType
from fazhi.matters.models import Matter, MatterKind, MatterState, ReplyType, Satisfaction
from fazhi.matters.selectors import matters as matter_selectors
from fazhi.matters.services import hotline as svc
from fazhi.matters.steps import run_step
from fazhi.matters.tests.hotline_support import make_hotline_world, moment, ticket
from fazhi.matters.tests.support import TODAY, World
from fazhi.registry.tests.helpers import make_entity

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(at(TODAY), tick=True):
        yield


@pytest.fixture
def world() -> World:
    return make_hotline_world()


def clock_of(matter: Matter) -> Deadline:
    (deadline,) = matter_selectors.matter_deadlines(matter=matter)
    return deadline


def accepted(world: World, **kw: object) -> Matter:
    return svc.hotline_accept(
        actor=world.officer, matter=ticket(world, **kw), on=dt.date(2025, 9, 30)
    )


def test_register_keeps_the_platform_number_and_starts_the_service_level(world: World) -> None:
    matter = ticket(world, ticket_no="GD20250930000123")
    assert matter.kind == MatterKind.HOTLINE and matter.state == MatterState.RECEIVED
    assert matter.ticket.ticket_no == "GD20250930000123"
    assert matter.ticket.platform == HotlinePlatform.H12345
    assert matter.received_on == dt.date(2025, 9, 30)
    deadline = clock_of(matter)
    assert deadline.rule_key == "hotline.complaint"
    # 5 working days from 09-30: the National Day holiday 10-01..10-08 is skipped,
    # 10-09 1, 10-10 2, 10-11 (make-up Saturday) 3, 10-13 4, 10-14 5
    assert deadline.due_date == dt.date(2025, 10, 14)
    assert AuditEvent.objects.filter(action="hotline.received", object_id=str(matter.pk)).exists()


@pytest.mark.parametrize(
    ("ticket_type", "due"),
    [
        (TicketType.CONSULTATION, dt.date(2025, 10, 9)),
        (TicketType.REQUEST, dt.date(2025, 10, 11)),
        (TicketType.SUGGESTION, dt.date(2025, 10, 21)),
    ],
)
def test_each_type_has_its_service_level(world: World, ticket_type: str, due: dt.date) -> None:
    matter = ticket(world, ticket_type=ticket_type)
    deadline = clock_of(matter)
    assert deadline.due_date == due
    assert (
        deadline.due_date
        == compute_due(f"hotline.{ticket_type}", dt.date(2025, 9, 30), province="36").due
    )


def test_a_province_without_service_levels_cannot_take_tickets() -> None:
    tree = make_org_tree(province_code="35")
    officer = make_user(tree.districts[0], Role.PETITION_OFFICER)
    with pytest.raises(errors.ValidationFailed) as exc:
        svc.hotline_register(
            actor=officer,
            organisation=tree.districts[0],
            platform=HotlinePlatform.H12345,
            ticket_no="A1",
            ticket_type=TicketType.COMPLAINT,
            called_at=moment(dt.date(2025, 9, 30)),
            content="内容",
        )
    assert exc.value.code == "service_level_missing"
    assert not Matter.objects.exists()


def test_the_same_ticket_twice_is_refused(world: World) -> None:
    ticket(world, ticket_no="GD1")
    with pytest.raises(errors.Conflict) as exc:
        ticket(world, ticket_no="GD1")
    assert exc.value.code == "duplicate_ticket"
    # another platform may use the same number
    ticket(world, ticket_no="GD1", platform=HotlinePlatform.H12320)
    assert HotlineTicket.objects.filter(ticket_no="GD1").count() == 2


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"ticket_no": ""}, "ticket_no_required"),
        ({"ticket_no": "GD 1"}, "bad_ticket_no"),
        ({"ticket_type": "praise"}, "bad_ticket_type"),
        ({"platform": "wechat"}, "bad_platform"),
        ({"content": "  "}, "content_required"),
        ({"called_at": None}, "called_at_required"),
        ({"called_at": moment(dt.date(2026, 1, 5))}, "date_in_future"),
        ({"received_on": dt.date(2025, 9, 29)}, "date_before_receipt"),
        ({"platform_due": dt.date(2025, 9, 1)}, "date_before_receipt"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(
    world: World, changes: dict[str, object], code: str
) -> None:
    with pytest.raises(errors.ValidationFailed) as exc:
        ticket(world, **changes)
    assert exc.value.code == code
    assert not Matter.objects.exists() and not Deadline.objects.exists()


def test_permission_and_scope(world: World) -> None:
    with pytest.raises(errors.PermissionDenied):
        ticket(world, actor=world.viewer)
    with pytest.raises(errors.PermissionDenied):
        ticket(world, actor=world.stranger)
    matter = ticket(world)
    with pytest.raises(errors.PermissionDenied):
        svc.hotline_accept(actor=world.stranger, matter=matter, on=dt.date(2025, 9, 30))
    assert not Matter.objects.exclude(pk=matter.pk).exists()


def test_returned_ticket_cancels_its_clock_and_keeps_the_reason(world: World) -> None:
    matter = ticket(world)
    matter = svc.hotline_return(
        actor=world.officer, matter=matter, on=dt.date(2025, 10, 9), reason="不属于卫生健康部门职责"
    )
    assert matter.state == MatterState.RETURNED
    assert matter.ticket.return_reason == "不属于卫生健康部门职责"
    assert matter.ticket.returned_on == dt.date(2025, 10, 9)
    assert clock_of(matter).state == DeadlineState.CANCELLED


def test_return_needs_a_reason(world: World) -> None:
    matter = ticket(world)
    with pytest.raises(errors.ValidationFailed) as exc:
        svc.hotline_return(actor=world.officer, matter=matter, on=dt.date(2025, 10, 9), reason="")
    assert exc.value.code == "reason_required"
    matter.refresh_from_db()
    assert matter.state == MatterState.RECEIVED


def test_extension_needs_the_head_and_moves_the_due_date_once(world: World) -> None:
    with time_machine.travel(at(dt.date(2025, 10, 10)), tick=True):
        _extension(world)


def _extension(world: World) -> None:
    matter = accepted(world)
    with pytest.raises(errors.ValidationFailed) as exc:
        svc.hotline_extend(
            actor=world.officer,
            matter=matter,
            approved_by=None,
            approved_on=dt.date(2025, 10, 10),
            reason="需要现场核查",
        )
    assert exc.value.code == "approval_required"
    with pytest.raises(errors.ValidationFailed) as exc:
        svc.hotline_extend(
            actor=world.officer,
            matter=matter,
            approved_by=world.officer,
            approved_on=dt.date(2025, 10, 10),
            reason="需要现场核查",
        )
    assert exc.value.code == "approver_not_head"
    assert clock_of(matter).due_date == dt.date(2025, 10, 14)
    matter = svc.hotline_extend(
        actor=world.officer,
        matter=matter,
        approved_by=world.head,
        approved_on=dt.date(2025, 10, 10),
        reason="需要现场核查",
    )
    # +5 working days: 10-15, 10-16, 10-17, 10-20, 10-21
    assert clock_of(matter).due_date == dt.date(2025, 10, 21)
    with pytest.raises(errors.FazhiError) as refused:
        svc.hotline_extend(
            actor=world.officer,
            matter=matter,
            approved_by=world.head,
            approved_on=dt.date(2025, 10, 10),
            reason="再次延期",
        )
    assert refused.value.code == "extension_limit"


def test_reply_closes_the_clock_met_or_late_then_call_back_closes(world: World) -> None:
    on_time = accepted(world)
    on_time = svc.hotline_reply(
        actor=world.officer,
        matter=on_time,
        reply_type=ReplyType.RESOLVED,
        reply_text="已责令停业整改。",
        on=dt.date(2025, 10, 14),
    )
    assert on_time.state == MatterState.REPLIED
    assert clock_of(on_time).state == DeadlineState.MET
    late = accepted(world)
    late = svc.hotline_reply(
        actor=world.officer,
        matter=late,
        reply_type=ReplyType.EXPLAIN,
        reply_text="已解释。",
        on=dt.date(2025, 10, 15),
    )
    assert clock_of(late).state == DeadlineState.LATE
    closed = svc.hotline_call_back(
        actor=world.officer,
        matter=on_time,
        on=dt.date(2025, 10, 16),
        satisfaction=Satisfaction.SATISFIED,
        note="来电人表示满意",
    )
    assert closed.state == MatterState.CLOSED and closed.satisfaction == Satisfaction.SATISFIED
    assert closed.ticket.callback_on == dt.date(2025, 10, 16)


def test_reply_guards(world: World) -> None:
    matter = accepted(world)
    with pytest.raises(errors.ValidationFailed) as exc:
        svc.hotline_reply(
            actor=world.officer, matter=matter, reply_type="", reply_text="x", on=TODAY
        )
    assert exc.value.code == "reply_type_required"
    with pytest.raises(errors.ValidationFailed) as exc:
        svc.hotline_reply(
            actor=world.officer,
            matter=matter,
            reply_type=ReplyType.RESOLVED,
            reply_text="x",
            on=dt.date(2025, 9, 1),
        )
    assert exc.value.code == "date_before_receipt"
    # a call-back before the reply is a wrong state
    with pytest.raises(errors.Conflict):
        svc.hotline_call_back(
            actor=world.officer, matter=matter, on=TODAY, satisfaction=Satisfaction.SATISFIED
        )
    matter = svc.hotline_reply(
        actor=world.officer,
        matter=matter,
        reply_type=ReplyType.RESOLVED,
        reply_text="x",
        on=dt.date(2025, 10, 10),
    )
    with pytest.raises(errors.ValidationFailed) as exc:
        svc.hotline_call_back(actor=world.officer, matter=matter, on=TODAY, satisfaction="")
    assert exc.value.code == "satisfaction_required"


def test_a_complaint_becomes_a_case_lead(world: World) -> None:
    entity = make_entity(make_user(world.org, Role.SUPERVISOR), world.org)
    matter = accepted(world)
    matter = run_step(
        actor=world.officer, matter=matter, action="case_lead", data={"entity": str(entity.pk)}
    )
    lead = CaseLead.objects.get()
    assert matter.case_lead == lead and lead.entity == entity
    assert matter.state == MatterState.ACCEPTED  # the reply to the platform is still owed
    with pytest.raises(errors.Conflict) as exc:
        svc.hotline_start_case_lead(actor=world.officer, matter=matter)
    assert exc.value.code == "case_lead_exists"


def test_only_a_complaint_becomes_a_case_lead(world: World) -> None:
    entity = make_entity(make_user(world.org, Role.SUPERVISOR), world.org)
    matter = accepted(world, ticket_type=TicketType.CONSULTATION)
    with pytest.raises(errors.Conflict) as exc:
        svc.hotline_start_case_lead(actor=world.officer, matter=matter, entity=entity)
    assert exc.value.code == "not_a_complaint"
    assert not CaseLead.objects.exists()
