"""The credit demo hook, after the registry, inspections and enforcement demos: credit records
from the served decisions, points with alerts, red and black list entries; idempotent; at the
end and at the start of a year."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine

from fazhi.core import demo as core_demo
from fazhi.core.audit_verify import verify
from fazhi.core.testing import at
from fazhi.credit import demo
from fazhi.credit.models import (
    AlertState,
    CreditListEntry,
    CreditRecord,
    ListState,
    PointAlert,
    PointEntry,
)
from fazhi.enforcement import demo as enforcement_demo
from fazhi.inspections import demo as inspections_demo
from fazhi.inspections.tests.task_support import category
from fazhi.registry import demo as registry_demo


@pytest.mark.django_db
@pytest.mark.parametrize("day", [dt.date(2026, 12, 28), dt.date(2026, 1, 2)])
def test_demo_loads_points_alerts_and_lists_and_is_idempotent(day):
    with time_machine.travel(at(day), tick=True):
        category("public_places")
        category("medical")
        out = io.StringIO()
        result = core_demo.load(stdout=out)
        for module in (registry_demo, inspections_demo, enforcement_demo, demo):
            module.load(province=result.province, stdout=out)
        assert "信用监管：已生成" in out.getvalue(), out.getvalue()
        assert CreditRecord.objects.exists()
        assert {e.cycle for e in PointEntry.objects.all()} == {day.year}
        assert set(PointAlert.objects.values_list("state", flat=True)) == {
            AlertState.OPEN,
            AlertState.HANDLED,
        }
        states = set(CreditListEntry.objects.values_list("kind", "state"))
        assert ("red", ListState.LISTED) in states
        assert ("black", ListState.REPAIR_REQUESTED) in states
        count = PointEntry.objects.count()
        demo.load(province=result.province, stdout=out)
        assert PointEntry.objects.count() == count
        assert verify().ok
