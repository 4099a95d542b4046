"""The appeals demo: a year with 2 reconsiderations and 3 lawsuits, nothing corrected or lost,
in every state, idempotent; on whatever day the session runs (year end, year start)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from fazhi.appeals import demo as appeals_demo
from fazhi.appeals.models import Appeal, AppealKind, AppealState
from fazhi.core import demo
from fazhi.core.models import Organisation

pytestmark = pytest.mark.django_db


def test_demo_has_the_seeds_figures_in_every_state(monkeypatch):
    monkeypatch.setattr(demo, "DEMO_HOOKS", [])
    call_command("demo", stdout=io.StringIO())
    province = Organisation.objects.get(parent=None)
    out = io.StringIO()
    appeals_demo.load(province=province, stdout=out)
    assert "跳过" not in out.getvalue(), out.getvalue()
    kinds = list(Appeal.objects.values_list("kind", flat=True))
    assert sorted(kinds).count(AppealKind.RECONSIDERATION) == 2
    assert sorted(kinds).count(AppealKind.LITIGATION) == 3
    assert not Appeal.objects.filter(corrected=True).exists()
    assert not Appeal.objects.filter(lost=True).exists()
    assert set(Appeal.objects.values_list("state", flat=True)) == set(AppealState.values)
    assert Appeal.objects.filter(head_appeared=True).count() == 2
    again = io.StringIO()
    appeals_demo.load(province=province, stdout=again)
    assert Appeal.objects.count() == 5
    assert "已存在" in again.getvalue()


def test_the_demo_lawsuit_challenges_a_demo_disclosure_reply(monkeypatch):
    from fazhi.core import clock
    from fazhi.core.models import User
    from fazhi.matters import demo as matters_demo
    from fazhi.matters.selectors.statistics import disclosure_appeal_statistics

    monkeypatch.setattr(demo, "DEMO_HOOKS", [])
    call_command("demo", stdout=io.StringIO())
    province = Organisation.objects.get(parent=None)
    matters_demo.load(province=province, stdout=io.StringIO())
    appeals_demo.load(province=province, stdout=io.StringIO())
    linked = Appeal.objects.get(disclosure_request__isnull=False)
    assert linked.kind == AppealKind.LITIGATION
    request = linked.disclosure_request
    assert request is not None and request.replied_on is not None
    assert request.replied_on <= linked.lodged_on
    head = User.objects.get(username=appeals_demo.HEAD)
    year = linked.decided_on.year if linked.decided_on else clock.today().year
    direct = disclosure_appeal_statistics(user=head, year=year)[1]
    assert direct.label == "行政诉讼（未经复议直接起诉）" and direct.counts[-1] >= 1
