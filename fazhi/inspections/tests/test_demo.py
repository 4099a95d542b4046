"""The inspections demo hook: loads through the services, idempotently, end to end."""

from __future__ import annotations

import io

import pytest

from fazhi.core import clock
from fazhi.core import demo as core_demo
from fazhi.core.audit_verify import verify
from fazhi.enforcement.models import CaseLead
from fazhi.inspections import demo, drawv2
from fazhi.inspections.models import (
    InspectionItem,
    InspectionPlan,
    InspectionTask,
    InspectorProfile,
    PlanState,
    TaskState,
)
from fazhi.inspections.selectors.draws import export_draw
from fazhi.inspections.tests.task_support import category
from fazhi.portal import selectors as portal


@pytest.mark.django_db
def test_demo_loads_and_is_idempotent():
    category("public_places")  # the seeded categories, even after another test's flush
    out = io.StringIO()
    result = core_demo.load(stdout=out)
    demo.load(province=result.province, stdout=out)
    counts = (
        InspectionItem.objects.count(),
        InspectorProfile.objects.count(),
        InspectionPlan.objects.count(),
        InspectionTask.objects.count(),
        CaseLead.objects.count(),
    )
    year = clock.today().year
    finished = InspectionPlan.objects.get(year=year - 1)
    current = InspectionPlan.objects.get(year=year)
    assert finished.state == PlanState.DRAWN
    assert current.state == PlanState.ANNOUNCED
    tasks = InspectionTask.objects.filter(plan=finished)
    assert tasks.exists()
    assert not tasks.filter(state__in=[TaskState.ASSIGNED, TaskState.IN_PROGRESS]).exists()
    assert tasks.filter(outcome="referred").exists() and CaseLead.objects.exists()
    assert portal.public_results().count() == tasks.count()
    draw = finished.draws.get()
    export = export_draw(draw)
    assert drawv2.verify_export(export) is None
    announcement = draw.announcement
    assert announcement.algorithm_version == "fazhi-draw/2"
    assert announcement.entropy_kind == "public_event"
    first_event = drawv2.earliest_event(announcement.sources)
    assert first_event is not None and announcement.published_at < first_event
    # one witness revealed before the deadline, the other withheld
    assert [w["reveal"] is None for w in export["entropy"]["record"]["witnesses"]] == [False, True]
    current_announcement = current.announcements.get()
    assert current_announcement.algorithm_version == "fazhi-draw/2"
    event = drawv2.latest_event(current_announcement.sources)
    assert event is not None and current_announcement.published_at < event < clock.now()
    # a second run adds nothing
    demo.load(province=result.province, stdout=out)
    assert counts == (
        InspectionItem.objects.count(),
        InspectorProfile.objects.count(),
        InspectionPlan.objects.count(),
        InspectionTask.objects.count(),
        CaseLead.objects.count(),
    )
    assert verify().ok
    # Every login the demo prints exists, works with the public password, and is in the docs.
    from pathlib import Path

    from fazhi.core.models import User

    printed = core_demo.logins_text()
    names = [line.split()[0] for line in printed.splitlines()[1:]]
    assert "demo_supervisor" in names and "demo_inspector1" not in out.getvalue()
    docs = (Path(__file__).resolve().parents[3] / "docs" / "demo.md").read_text()
    for name in names:
        assert User.objects.get(username=name).check_password(core_demo.DEMO_PASSWORD), name
        stem = name.rstrip("0123456789")
        assert f"`{name}`" in docs or f"`{stem}" in docs, name
    for name in ("demo_inspector2", "demo_inspector8"):
        assert name in out.getvalue() or name in printed
