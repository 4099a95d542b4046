"""The demos of suggestions/proposals and of disputes: the seeds' figures for last year and
something in every state this year, at the end and at the start of a year, idempotent."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command

from fazhi.core import demo
from fazhi.core.models import Organisation, User
from fazhi.core.testing import at
from fazhi.disputes import demo as disputes_demo
from fazhi.disputes.models import LiabilityInsurance, MedicalDispute, ScreeningReport
from fazhi.disputes.selectors.figures import year_figures
from fazhi.matters import demo_proposals
from fazhi.matters.models import Matter, MatterState
from fazhi.matters.selectors.proposals import proposal_figures
from fazhi.registry.tests.helpers import ensure_categories, make_entity

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("today", [dt.date(2026, 12, 28), dt.date(2026, 1, 2)])
def test_demo_figures_and_states(monkeypatch, today):
    monkeypatch.setattr(demo, "DEMO_HOOKS", [])
    with time_machine.travel(at(today), tick=True):
        call_command("demo", stdout=io.StringIO())
        ensure_categories()
        supervisor = User.objects.get(username="demo_supervisor")
        for n in range(3):
            make_entity(supervisor, supervisor.organisation, kind="hospital", name=f"演示医院{n}")
        province = Organisation.objects.get(parent=None)
        out = io.StringIO()
        demo_proposals.load(province=province, stdout=out)
        disputes_demo.load(province=province, stdout=out)
        assert "跳过" not in out.getvalue(), out.getvalue()

        leader = User.objects.get(username="demo_leader")
        figures = {f.kind: f for f in proposal_figures(user=leader, year=today.year - 1)}
        assert (figures["suggestion"].answered, figures["suggestion"].answered_rate) == (40, 100.0)
        assert (figures["proposal"].answered, figures["proposal"].answered_rate) == (79, 100.0)
        assert figures["proposal"].on_time == 79
        states = set(
            Matter.objects.filter(received_on__year=today.year).values_list("state", flat=True)
        )
        assert states == {
            MatterState.RECEIVED,
            MatterState.REPLIED,
            MatterState.FOLLOW_UP,
            MatterState.CLOSED,
        }

        last = year_figures(user=leader, year=today.year - 1)
        s = last.screening
        assert s.expected == s.reported == s.zero > 0
        assert (s.late, s.missing, s.not_due) == (0, 0, 0)
        assert last.insured == 3  # as many as the registry holds, up to 34
        assert last.disputes.concluded == 4 and last.disputes.compensation > 0
        this = year_figures(user=leader, year=today.year).screening
        if today.month == 12:
            assert this.late == 1 and this.missing == 1
        assert MedicalDispute.objects.filter(state="open").count() == 2

        counts = (
            Matter.objects.count(),
            ScreeningReport.objects.count(),
            LiabilityInsurance.objects.count(),
            MedicalDispute.objects.count(),
        )
        demo_proposals.load(province=province, stdout=io.StringIO())
        disputes_demo.load(province=province, stdout=io.StringIO())
        assert counts == (
            Matter.objects.count(),
            ScreeningReport.objects.count(),
            LiabilityInsurance.objects.count(),
            MedicalDispute.objects.count(),
        )
