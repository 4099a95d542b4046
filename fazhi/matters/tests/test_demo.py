"""The matters demo: a year of petitions and disclosure requests in every state, idempotent."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command

from fazhi.core import demo
from fazhi.core.models import Organisation, User
from fazhi.core.testing import at
from fazhi.matters import demo as matters_demo
from fazhi.matters.models import (
    LeaderAssignment,
    Matter,
    MatterKind,
    MatterState,
    ProactiveItem,
    ProactivePublication,
    SupervisionOrder,
)
from fazhi.registry.tests.helpers import ensure_categories, make_entity

pytestmark = pytest.mark.django_db


def test_demo_has_a_year_of_matters_in_every_state(monkeypatch):
    monkeypatch.setattr(demo, "DEMO_HOOKS", [])
    with time_machine.travel(at(dt.date(2026, 6, 30)), tick=True):
        call_command("demo", stdout=io.StringIO())
        ensure_categories()
        supervisor = User.objects.get(username="demo_supervisor")
        make_entity(supervisor, supervisor.organisation)
        province = Organisation.objects.get(parent=None)
        out = io.StringIO()
        matters_demo.load(province=province, stdout=out)
        assert "跳过" not in out.getvalue(), out.getvalue()
        states = {
            (kind, state) for kind, state in Matter.objects.values_list("kind", "state").distinct()
        }
        for state in (
            MatterState.RECEIVED,
            MatterState.ACCEPTED,
            MatterState.ROUTED,
            MatterState.REPLIED,
            MatterState.REVIEW,
            MatterState.CLOSED,
        ):
            assert (MatterKind.PETITION, state) in states, state
        for state in (
            MatterState.RECEIVED,
            MatterState.CONSULTING,
            MatterState.REPLIED,
            MatterState.ABANDONED,
        ):
            assert (MatterKind.DISCLOSURE, state) in states, state
        assert Matter.objects.exclude(case_lead=None).exists()
        count = Matter.objects.count()
        assert count >= 60
        again = io.StringIO()
        matters_demo.load(province=province, stdout=again)
        assert Matter.objects.count() == count
        # leader ownership and supervision orders (decision 0077): on time, overdue, waiting
        assert LeaderAssignment.objects.filter(ended_on=None).count() == 1
        orders = SupervisionOrder.objects.order_by("pk")
        assert [o.state for o in orders] == ["answered", "issued", "issued"]
        assert [o.due_on < dt.date(2026, 6, 30) for o in orders] == [True, True, False]
        # proactive disclosure: published on time and late, overdue, changed, new
        items = {i.title: i for i in ProactiveItem.objects.all()}
        assert len(items) == 5
        assert {i.state for i in items.values()} == {"pending", "published"}
        assert ProactivePublication.objects.filter(on_time=False).count() == 1
        assert items["卫生健康行政执法事项清单"].version == 2
