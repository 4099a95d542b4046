from __future__ import annotations

import io
from collections import Counter

import pytest

from fazhi.core.models import AuditEvent
from fazhi.core.tests.factories import make_org_tree
from fazhi.registry import demo
from fazhi.registry.models import Entity, Licence
from fazhi.registry.tests.helpers import ensure_categories

pytestmark = pytest.mark.django_db


def test_demo_load_is_idempotent_and_valid(monkeypatch):
    monkeypatch.setattr(demo, "PER_INSTITUTE", 120)
    ensure_categories()
    tree = make_org_tree()
    out = io.StringIO()
    demo.load(province=tree.province, stdout=out)
    institutes = {tree.institute_of(d).pk for d in tree.districts}
    per_org = Counter(Entity.objects.values_list("organisation_id", flat=True))
    assert set(per_org) == institutes and set(per_org.values()) == {120}
    assert Entity.objects.filter(is_individual=True).exists()
    assert Licence.objects.exists()
    assert len(set(Entity.objects.values_list("kind", flat=True))) >= 8
    assert set(Entity.objects.values_list("risk_grade", flat=True)) == {"A", "B", "C", "D"}
    assert AuditEvent.objects.filter(action="import_batch.confirmed").count() == 4
    events = AuditEvent.objects.count()
    demo.load(province=tree.province, stdout=out)
    assert Entity.objects.count() == 480 and AuditEvent.objects.count() == events
    assert "已存在" in out.getvalue()
