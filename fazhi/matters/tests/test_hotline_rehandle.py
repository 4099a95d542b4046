"""Re-handling a hotline ticket (重办, decision 0089): a replied or closed ticket sent back by
the platform is taken on again with the reason; a new service-level clock opens (across the
National Day week here) and the earlier clock, its due dates, reply and call-back stay; guards,
bad input, permission, the page step and the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from fazhi.core import errors
from fazhi.core.models import AuditEvent
from fazhi.core.models.deadlines import DeadlineState
from fazhi.core.testing import at
from fazhi.matters.events import HotlineEvent
from fazhi.matters.models import Matter, MatterState, ReplyType, Satisfaction
from fazhi.matters.selectors import matters as matter_selectors
from fazhi.matters.services import hotline as svc
from fazhi.matters.tests.hotline_support import make_hotline_world, moment, ticket
from fazhi.matters.tests.support import TODAY, World

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(at(TODAY), tick=True):
        yield


@pytest.fixture
def world() -> World:
    return make_hotline_world()


CALLED = D(2025, 9, 22)
REPLIED = D(2025, 9, 26)


def replied(world: World, *, called: D = CALLED, on: D = REPLIED) -> Matter:
    matter = ticket(world, called_at=moment(called))
    matter = svc.hotline_accept(actor=world.officer, matter=matter, on=called)
    return svc.hotline_reply(
        actor=world.officer,
        matter=matter,
        reply_type=ReplyType.EXPLAIN,
        reply_text="已向来电人解释。",
        on=on,
    )


def called_back(world: World, satisfaction: str = Satisfaction.UNSATISFIED) -> Matter:
    return svc.hotline_call_back(
        actor=world.officer,
        matter=replied(world),
        on=D(2025, 9, 29),
        satisfaction=satisfaction,
        note="来电人不认可答复",
    )


def test_a_closed_ticket_is_rehandled_with_a_new_clock_across_national_day(world: World) -> None:
    matter = called_back(world)
    (first,) = matter_selectors.matter_deadlines(matter=matter)
    assert (first.state, first.due_date) == (
        DeadlineState.MET,
        D(2025, 9, 28),
    )  # 9-28 (Sunday) is worked
    matter = svc.hotline_rehandle(
        actor=world.officer, matter=matter, on=D(2025, 9, 30), reason="来电人对答复不满意"
    )
    assert matter.state == MatterState.ACCEPTED and matter.closed_on is None
    assert matter.reopen_reason == "来电人对答复不满意"
    clocks = sorted(matter_selectors.matter_deadlines(matter=matter), key=lambda d: d.pk)
    assert len(clocks) == 2
    old, new = clocks
    assert (old.state, old.due_date, old.met_on) == (
        DeadlineState.MET,
        D(2025, 9, 28),
        D(2025, 9, 26),
    )
    # complaint: 5 working days from the day after 9-30; 10-1..10-8 are the holiday and
    # 10-11 (Saturday) a make-up working day: 10-9, 10-10, 10-11, 10-13, 10-14
    assert (new.state, new.start_date, new.due_date) == (
        DeadlineState.OVERDUE,  # today is the year's end
        D(2025, 9, 30),
        D(2025, 10, 14),
    )
    event = AuditEvent.objects.get(action=HotlineEvent.REHANDLED)
    assert event.details["reason"] == "来电人对答复不满意"
    assert event.details["earlier_reply"] == ReplyType.EXPLAIN
    assert event.details["earlier_satisfaction"] == Satisfaction.UNSATISFIED
    assert event.details["on"] == "2025-09-30"
    # handled again: the new clock closes late, the earlier one stays met
    matter = svc.hotline_reply(
        actor=world.officer,
        matter=matter,
        reply_type=ReplyType.RESOLVED,
        reply_text="已处理。",
        on=D(2025, 10, 15),
    )
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.state, new.state) == (DeadlineState.MET, DeadlineState.LATE)
    matter = svc.hotline_call_back(
        actor=world.officer, matter=matter, on=D(2025, 10, 16), satisfaction=Satisfaction.BASIC
    )
    assert matter.state == MatterState.CLOSED and matter.satisfaction == Satisfaction.BASIC


def test_a_replied_ticket_is_rehandled_before_its_call_back(world: World) -> None:
    with time_machine.travel(at(D(2025, 9, 29)), tick=True):
        _rehandled_before_call_back(world)


def _rehandled_before_call_back(world: World) -> None:
    matter = svc.hotline_rehandle(
        actor=world.officer, matter=replied(world), on=D(2025, 9, 28), reason="答复内容不完整"
    )
    assert matter.state == MatterState.ACCEPTED
    new = max(matter_selectors.matter_deadlines(matter=matter), key=lambda d: d.pk)
    assert new.state == DeadlineState.OPEN
    # the new clock may be extended once (its own extension)
    matter = svc.hotline_extend(
        actor=world.officer,
        matter=matter,
        approved_by=world.head,
        approved_on=D(2025, 9, 29),
        reason="需要现场核查",
    )
    new.refresh_from_db()
    assert new.extensions.count() == 1


def test_rehandle_needs_a_reason_and_nothing_changes(world: World) -> None:
    matter = called_back(world)
    for reason in ("", "  ", "x"):
        with pytest.raises(errors.ValidationFailed) as exc:
            svc.hotline_rehandle(
                actor=world.officer, matter=matter, on=D(2025, 9, 30), reason=reason
            )
        assert exc.value.code == "reason_required"
    matter.refresh_from_db()
    assert matter.state == MatterState.CLOSED
    assert len(matter_selectors.matter_deadlines(matter=matter)) == 1
    assert not AuditEvent.objects.filter(action=HotlineEvent.REHANDLED).exists()


@pytest.mark.parametrize(
    ("on", "code"),
    [
        (None, "on_required"),
        (D(2025, 9, 28), "date_before_receipt"),  # before the call-back
        (TODAY + dt.timedelta(days=1), "date_in_future"),
    ],
)
def test_rehandle_bad_dates(world: World, on: D | None, code: str) -> None:
    matter = called_back(world)
    with pytest.raises(errors.ValidationFailed) as exc:
        svc.hotline_rehandle(actor=world.officer, matter=matter, on=on, reason="来电人不满意")
    assert exc.value.code == code


def test_rehandle_too_long_a_reason(world: World) -> None:
    with pytest.raises(errors.ValidationFailed):
        svc.hotline_rehandle(
            actor=world.officer, matter=called_back(world), on=D(2025, 9, 30), reason="长" * 2001
        )


def test_only_a_replied_or_closed_ticket_is_rehandled(world: World) -> None:
    waiting = ticket(world)
    taken = svc.hotline_accept(actor=world.officer, matter=ticket(world), on=D(2025, 9, 30))
    returned = svc.hotline_return(
        actor=world.officer, matter=ticket(world), on=D(2025, 9, 30), reason="非本部门职责"
    )
    for matter in (waiting, taken, returned):
        with pytest.raises(errors.Conflict):
            svc.hotline_rehandle(
                actor=world.officer, matter=matter, on=D(2025, 10, 9), reason="来电人不满意"
            )


def test_rehandle_permission_and_scope(world: World) -> None:
    matter = called_back(world)
    for user in (world.viewer, world.stranger):
        with pytest.raises(errors.PermissionDenied):
            svc.hotline_rehandle(
                actor=user, matter=matter, on=D(2025, 9, 30), reason="来电人不满意"
            )
    matter.refresh_from_db()
    assert matter.state == MatterState.CLOSED


def test_page_step_in_the_header_and_the_timeline(world: World) -> None:
    matter = called_back(world)
    client = Client()
    client.force_login(world.officer)
    body = client.get(f"/matters/{matter.pk}/").content.decode()
    assert "重办" in body and 'href="#step-rehandle"' in body
    refused = client.post(f"/matters/{matter.pk}/rehandle/", {"on": "2025-09-30", "reason": ""})
    assert refused.status_code == 302
    matter.refresh_from_db()
    assert matter.state == MatterState.CLOSED
    client.post(f"/matters/{matter.pk}/rehandle/", {"on": "2025-09-30", "reason": "来电人不满意"})
    matter.refresh_from_db()
    assert matter.state == MatterState.ACCEPTED
    body = client.get(f"/matters/{matter.pk}/").content.decode()
    assert "热线工单重办" in body and "来电人不满意" in body


def test_api_rehandle_and_its_4xx(world: World) -> None:
    matter = called_back(world)
    api = APIClient()
    api.force_authenticate(world.officer)
    url = f"/api/matters/{matter.pk}/rehandle/"
    no_reason = api.post(url, {"on": "2025-09-30"}, format="json")
    assert no_reason.status_code == 400
    assert no_reason.json()["error"]["code"] == "reason_required"
    bad_date = api.post(url, {"on": "30/09/2025", "reason": "来电人不满意"}, format="json")
    assert bad_date.status_code == 400
    early = api.post(url, {"on": "2025-09-01", "reason": "来电人不满意"}, format="json")
    assert early.json()["error"]["code"] == "date_before_receipt"
    viewer = APIClient()
    viewer.force_authenticate(world.viewer)
    assert (
        viewer.post(url, {"on": "2025-09-30", "reason": "来电人不满意"}, format="json").status_code
        == 403
    )
    done = api.post(url, {"on": "2025-09-30", "reason": "来电人不满意"}, format="json")
    assert done.status_code == 200 and done.json()["state"] == "accepted"
    again = api.post(url, {"on": "2025-09-30", "reason": "来电人不满意"}, format="json")
    assert again.status_code == 409
    assert api.post(f"/api/matters/{matter.pk}/nope/", {}, format="json").status_code == 404
