"""Disclosure requests (政府信息公开申请): receipt by channel (art. 31), correction (art. 30),
third-party consultation stopping the clock (art. 32, 33), extension, reply types and reasons."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine

from fazhi.core import errors
from fazhi.core.models import Deadline
from fazhi.core.periods import compute_due
from fazhi.core.testing import at
from fazhi.matters.events import MatterEvent
from fazhi.matters.models import Channel, Matter, MatterState, ReplyType, RequesterKind
from fazhi.matters.selectors import matters as matter_selectors
from fazhi.matters.services import disclosure as svc
from fazhi.matters.tests.support import World, disclosure, make_world

pytestmark = pytest.mark.django_db

RECEIVED = dt.date(2025, 9, 26)  # Friday before National Day


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(at(dt.date(2025, 10, 20)), tick=True):
        yield


@pytest.fixture
def world() -> World:
    return make_world()


def reply_clocks(matter: Matter) -> list[Deadline]:
    return [
        d
        for d in matter_selectors.matter_deadlines(matter=matter)
        if d.rule_key == "disclosure.reply"
    ]


def test_in_person_receipt_and_the_20_working_day_clock_across_national_day(world):
    matter = disclosure(world)
    assert matter.received_on == RECEIVED
    [clock] = reply_clocks(matter)
    # 09-28 (make-up Sunday) 1, 09-29, 09-30, holiday 10-01..10-08 skipped, 10-09 4 … 10-30 20
    assert clock.due_date == dt.date(2025, 10, 30)
    assert clock.due_date == compute_due("disclosure.reply", RECEIVED).due


def test_receipt_by_channel_follows_article_31(world):
    signed = disclosure(world, channel=Channel.POST_SIGNED, submitted_on=dt.date(2025, 9, 29))
    assert signed.received_on == dt.date(2025, 9, 29)
    online = disclosure(
        world,
        channel=Channel.INTERNET,
        submitted_on=dt.date(2025, 9, 27),
        confirmed_on=dt.date(2025, 9, 29),
    )
    assert online.received_on == dt.date(2025, 9, 29)
    with pytest.raises(errors.ValidationFailed) as exc:
        disclosure(world, channel=Channel.POST_UNSIGNED)
    assert exc.value.code == "confirmation_required"
    with pytest.raises(errors.ValidationFailed) as exc:
        disclosure(world, channel=Channel.FAX, confirmed_on=dt.date(2025, 9, 20))
    assert exc.value.code == "date_before_receipt"


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"channel": Channel.CALL}, "bad_channel"),
        ({"requester_kind": RequesterKind.ANONYMOUS}, "bad_requester"),
        ({"requester_name": ""}, "requester_name_required"),
        ({"submitted_on": dt.date(2025, 10, 21)}, "date_in_future"),
    ],
)
def test_register_refuses_bad_input(world, kw, code):
    with pytest.raises(errors.ValidationFailed) as exc:
        disclosure(world, **kw)
    assert exc.value.code == code
    assert not Matter.objects.exists()


def test_register_needs_the_capability_and_scope(world):
    with pytest.raises(errors.PermissionDenied):
        disclosure(world, actor=world.head)
    with pytest.raises(errors.PermissionDenied):
        disclosure(world, actor=world.stranger)


def test_correction_restarts_the_clock_on_the_corrected_request(world):
    matter = svc.disclosure_request_correction(
        actor=world.officer, matter=disclosure(world), on=dt.date(2025, 9, 30), items="请明确年度"
    )
    assert matter.state == MatterState.CORRECTION
    [first] = reply_clocks(matter)
    assert first.state == "cancelled"
    event = matter_selectors.matter_timeline(matter=matter)[-1]
    assert event.action == MatterEvent.CORRECTION_REQUESTED
    assert event.details["on_time"] is True and event.details["limit"] == "2025-10-13"
    with pytest.raises(errors.ValidationFailed) as exc:
        svc.disclosure_correct(actor=world.officer, matter=matter, on=dt.date(2025, 9, 29))
    assert exc.value.code == "date_before_receipt"
    matter = svc.disclosure_correct(actor=world.officer, matter=matter, on=dt.date(2025, 10, 15))
    assert matter.state == MatterState.RECEIVED
    first, second = reply_clocks(matter)
    assert first.state == "cancelled" and first.due_date == dt.date(2025, 10, 30)
    assert second.start_date == dt.date(2025, 10, 15)
    assert second.due_date == compute_due("disclosure.reply", dt.date(2025, 10, 15)).due


def test_correction_needs_the_items(world):
    with pytest.raises(errors.ValidationFailed) as exc:
        svc.disclosure_request_correction(
            actor=world.officer, matter=disclosure(world), on=dt.date(2025, 9, 30), items=""
        )
    assert exc.value.code == "reason_required"


def test_no_correction_means_abandoned(world):
    matter = svc.disclosure_request_correction(
        actor=world.officer, matter=disclosure(world), on=dt.date(2025, 9, 30), items="请明确年度"
    )
    matter = svc.disclosure_abandon(actor=world.officer, matter=matter, on=dt.date(2025, 10, 20))
    assert matter.state == MatterState.ABANDONED
    assert matter.reply_type == ReplyType.OTHER and matter.reply_reason == "no_correction"


def test_third_party_consultation_stops_the_clock(world):
    matter = svc.disclosure_consult(
        actor=world.officer, matter=disclosure(world), on=dt.date(2025, 10, 9), third_party="某医院"
    )
    assert matter.state == MatterState.CONSULTING
    [clock] = reply_clocks(matter)
    assert clock.state == "stopped"
    third = next(
        d
        for d in matter_selectors.matter_deadlines(matter=matter)
        if d.rule_key == "disclosure.third_party"
    )
    assert third.due_date == compute_due("disclosure.third_party", dt.date(2025, 10, 9)).due
    with pytest.raises(errors.InvalidTransition):  # no reply while the clock is stopped
        svc.disclosure_reply(
            actor=world.officer,
            matter=matter,
            reply_type=ReplyType.PUBLIC,
            reply_text="x",
            on=dt.date(2025, 10, 20),
        )
    matter = svc.disclosure_end_consultation(
        actor=world.officer, matter=matter, on=dt.date(2025, 10, 20)
    )
    [clock] = reply_clocks(matter)
    assert clock.state == "open"
    expected = compute_due(
        "disclosure.reply", RECEIVED, stops=[(dt.date(2025, 10, 9), dt.date(2025, 10, 20))]
    ).due
    assert clock.due_date == expected
    assert expected > dt.date(2025, 10, 30)


def test_extension_needs_the_offices_head(world):
    matter = disclosure(world)
    with pytest.raises(errors.ValidationFailed) as exc:
        svc.disclosure_extend(
            actor=world.officer, matter=matter, approved_by=None, approved_on=None, reason="量大"
        )
    assert exc.value.code == "approval_required"
    svc.disclosure_extend(
        actor=world.officer,
        matter=matter,
        approved_by=world.head,
        approved_on=dt.date(2025, 10, 20),
        reason="申请内容涉及多个科室",
    )
    [clock] = reply_clocks(matter)
    assert (
        clock.due_date
        == compute_due("disclosure.reply", RECEIVED, extensions=["disclosure.extension"]).due
    )


def test_reply_types_and_their_reasons(world):
    matter = disclosure(world)
    with pytest.raises(errors.ValidationFailed) as exc:
        svc.disclosure_reply(
            actor=world.officer,
            matter=matter,
            reply_type="",
            reply_text="答复",
            on=dt.date(2025, 10, 20),
        )
    assert exc.value.code == "reply_type_required"
    with pytest.raises(errors.ValidationFailed) as exc:
        svc.disclosure_reply(
            actor=world.officer,
            matter=matter,
            reply_type=ReplyType.WITHHELD,
            reply_text="不予公开",
            on=dt.date(2025, 10, 20),
        )
    assert exc.value.code == "reply_reason_required"
    with pytest.raises(errors.ValidationFailed) as exc:
        svc.disclosure_reply(
            actor=world.officer,
            matter=matter,
            reply_type=ReplyType.SUPPORT,  # a petition reply type
            reply_text="支持",
            on=dt.date(2025, 10, 20),
        )
    assert exc.value.code == "reply_type_required"
    matter = svc.disclosure_reply(
        actor=world.officer,
        matter=matter,
        reply_type=ReplyType.WITHHELD,
        reason="case_file",
        reply_text="所申请信息属于行政执法案卷，不予公开。",
        on=dt.date(2025, 10, 20),
    )
    assert matter.state == MatterState.REPLIED
    assert matter.reply_reason_label == "属于行政执法案卷"
    [clock] = reply_clocks(matter)
    assert clock.state == "met"


def test_public_reply_needs_no_reason(world):
    matter = svc.disclosure_reply(
        actor=world.officer,
        matter=disclosure(world),
        reply_type=ReplyType.PUBLIC,
        reply_text="提供信息如附件。",
        on=dt.date(2025, 10, 10),
    )
    assert matter.reply_reason == ""
