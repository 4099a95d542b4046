"""The hotline demo: a year of tickets in every state, at year end and at year start,
idempotent."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command

from fazhi.core import demo
from fazhi.core.models import AuditEvent, Organisation, User
from fazhi.core.testing import at
from fazhi.matters import demo as matters_demo
from fazhi.matters.events import HotlineEvent
from fazhi.matters.hotline_models import HotlineState, HotlineTicket
from fazhi.matters.models import Matter, MatterKind, MatterState
from fazhi.registry.tests.helpers import ensure_categories, make_entity

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("today", [dt.date(2026, 12, 28), dt.date(2026, 1, 2)])
def test_demo_has_a_year_of_tickets_in_every_state(monkeypatch, today):
    monkeypatch.setattr(demo, "DEMO_HOOKS", [])
    with time_machine.travel(at(today), tick=True):
        call_command("demo", stdout=io.StringIO())
        ensure_categories()
        supervisor = User.objects.get(username="demo_supervisor")
        make_entity(supervisor, supervisor.organisation)
        province = Organisation.objects.get(parent=None)
        out = io.StringIO()
        matters_demo.load(province=province, stdout=out)
        assert "跳过" not in out.getvalue(), out.getvalue()
        tickets = Matter.objects.filter(kind=MatterKind.HOTLINE)
        assert set(tickets.values_list("state", flat=True)) == set(HotlineState.values)
        received = sorted(tickets.values_list("received_on", flat=True))
        assert (received[-1] - received[0]).days >= 360
        assert tickets.exclude(case_lead=None).exists()
        (checked,) = tickets.exclude(inspection_task=None)  # 投诉举报核查 (decision 0091)
        assert checked.inspection_task is not None
        assert checked.inspection_task.origin == checked
        assert "已启动投诉举报核查" in out.getvalue()
        assert tickets.exclude(satisfaction="").exists()
        rehandled = AuditEvent.objects.filter(action=HotlineEvent.REHANDLED)
        assert rehandled.count() >= 2  # one handled again and closed, one still being handled
        rehandled_tickets = tickets.filter(pk__in=[int(e.object_id) for e in rehandled])
        assert {MatterState.CLOSED, MatterState.ACCEPTED} <= set(
            rehandled_tickets.values_list("state", flat=True)
        )
        count = HotlineTicket.objects.count()
        again = io.StringIO()
        matters_demo.load(province=province, stdout=again)
        assert HotlineTicket.objects.count() == count
        assert "已存在" in again.getvalue()
