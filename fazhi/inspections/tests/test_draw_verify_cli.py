"""Verification from outside: the standalone script (stdlib only) and ``fazhi draw``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from fazhi.inspections.models import TaskInspector
from fazhi.inspections.selectors.draws import draw_export
from fazhi.inspections.services.draws import draw_run
from fazhi.inspections.services.plans import stratum_add
from fazhi.inspections.tests.draw_support import drawn_plan, make_draw_world, make_plan
from fazhi.inspections.tests.v1_support import drawn_plan_v1, plan_announce_v1

pytestmark = pytest.mark.django_db

REPO = Path(settings.BASE_DIR)
SCRIPT = REPO / "scripts" / "verify_draw.py"


def run_script(tmp_path: Path, export: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    # outside the repository: the script alone, nothing else
    outside = tmp_path / "outside"
    outside.mkdir(exist_ok=True)
    shutil.copy(SCRIPT, outside / "verify_draw.py")
    path = outside / "export.json"
    path.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-I", str(outside / "verify_draw.py"), str(path)],
        capture_output=True,
        text=True,
        cwd=outside,
        timeout=120,
        check=False,
    )


def test_standalone_script_verifies_and_catches(tmp_path):
    """A version-1 draw made before version 2 still verifies with the standalone script."""
    w = make_draw_world()
    _plan, draw = drawn_plan_v1(w, quota=5, entropy="witnesses")
    export = draw_export(user=w.planner, draw=draw)
    ok = run_script(tmp_path, export)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.startswith("OK ")
    export["pool"][0]["max_tasks"] = 1
    bad = run_script(tmp_path, export)
    assert bad.returncode == 1
    assert "pool hash" in bad.stdout


def test_fazhi_draw_verify_and_export():
    w = make_draw_world()
    plan, draw = drawn_plan(w, quota=4)
    out = StringIO()
    call_command("draw", "verify", str(plan.pk), stdout=out)
    assert out.getvalue().startswith("OK ")
    out = StringIO()
    call_command("draw", "export", str(plan.pk), "--draw", "1", stdout=out)
    export = json.loads(out.getvalue())
    assert export["draw"]["seed"] == draw.seed
    # a task's team changed behind the application's back is caught
    member = TaskInspector.objects.filter(task__draw=draw, role="member").first()
    assert member is not None
    team = set(TaskInspector.objects.filter(task=member.task).values_list("officer_id", flat=True))
    spare = next(o for o in w.officers if o.pk not in team)
    TaskInspector.objects.filter(pk=member.pk).update(officer=spare)
    out = StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("draw", "verify", str(plan.pk), stdout=out)
    assert exc.value.code == 1
    assert "MISMATCH" in out.getvalue()


def test_fazhi_draw_respects_scope():
    w = make_draw_world()
    plan, _ = drawn_plan(w, quota=2)
    with pytest.raises(CommandError):
        call_command("draw", "verify", str(plan.pk), "--user", w.stranger.username)
    out = StringIO()
    call_command("draw", "verify", str(plan.pk), "--user", w.viewer.username, stdout=out)
    assert out.getvalue().startswith("OK ")


def test_standalone_script_derives_verifiability_from_the_kind(tmp_path):
    w = make_draw_world()
    plan = make_plan(w)
    stratum_add(actor=w.planner, plan=plan, key="gg", category=w.public_places, quota=3)
    plan_announce_v1(actor=w.planner, plan=plan, entropy_kind="server")
    draw = draw_run(actor=w.planner, plan=plan)
    export = draw_export(user=w.planner, draw=draw)
    export["entropy"]["publicly_verifiable"] = True  # a lying export
    ok = run_script(tmp_path, export)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "server randomness" in ok.stdout


def test_verify_compares_the_draw_with_its_audit_record():
    from fazhi.core.models import AuditEvent
    from fazhi.inspections import drawengine as de
    from fazhi.inspections.selectors.draws import audit_record_difference, draw_verify

    w = make_draw_world()
    plan, draw = drawn_plan_v1(w, quota=4)  # a version-1 draw: the engine's own run below
    export = draw_export(user=w.planner, draw=draw)
    assert audit_record_difference(draw, export) is None
    # a draw rewritten consistently with another public number recomputes cleanly ...
    forged = json.loads(json.dumps(export))
    forged["entropy"]["value"] = "999"
    fixed = forged["announcement"]["context"]
    outcome = de.run(
        de.inputs_from_export(forged), lambda ids: {i: tuple(fixed[str(i)]) for i in ids}
    )
    forged["draw"]["seed"] = outcome.seed
    forged["draw"]["result_hash"] = outcome.result_hash
    forged["result"] = outcome.result
    assert outcome.seed != draw.seed
    assert de.verify_export(forged) is None
    # ... but not against the chained record written in the draw's own transaction
    problem = audit_record_difference(draw, forged)
    assert problem is not None and ("seed" in problem or "entropy" in problem)
    # a second, well-chained event appended for the same draw cannot stand in for the first
    from django.db import transaction

    from fazhi.core import audit

    with transaction.atomic():
        forged_event = audit.append(
            actor=w.planner,
            action="inspection_plan.drawn",
            obj=plan,
            details={"draw": draw.number, "seed": forged["draw"]["seed"]},
        )
    problem = audit_record_difference(draw, export)
    assert problem is not None and "2 inspection_plan.drawn audit events" in problem
    AuditEvent.objects.filter(pk=forged_event.pk).update(action="inspection.other")
    assert audit_record_difference(draw, export) is None
    # the record itself edited: its hash no longer matches
    event = AuditEvent.objects.get(action="inspection_plan.drawn", object_id=str(plan.pk))
    AuditEvent.objects.filter(pk=event.pk).update(
        details_json=event.details_json.replace(draw.seed, "0" * 64)
    )
    problem = draw_verify(user=w.planner, draw=draw)
    assert problem is not None and "no longer matches" in problem
    # no record at all
    AuditEvent.objects.filter(pk=event.pk).update(action="inspection.something_else")
    problem = draw_verify(user=w.planner, draw=draw)
    assert problem is not None and "no inspection_plan.drawn audit event" in problem
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("draw", "verify", str(plan.pk), stdout=out)
    assert "no inspection_plan.drawn audit event" in out.getvalue()


def test_a_draw_recorded_under_the_old_event_name_still_verifies(monkeypatch):
    """Draws made before the event names took one shape were recorded as ``inspection.drawn``:
    verification reads that name too (and still counts both names as the draw's record)."""
    from django.db import transaction

    from fazhi.core import audit
    from fazhi.core.models import AuditEvent
    from fazhi.inspections.selectors.draws import audit_record_difference, draw_verify

    append = audit.append

    def as_before(**kwargs: Any) -> Any:  # the draw as the code before the rename appended it
        if kwargs["action"] == "inspection_plan.drawn":
            kwargs["action"] = "inspection.drawn"
        return append(**kwargs)

    w = make_draw_world()
    # the old name was valid then: let this one append through the vocabulary check
    monkeypatch.setattr(audit, "TRANSITIONAL_NAMES", frozenset({"inspection.drawn"}))
    monkeypatch.setattr(audit, "append", as_before)
    plan, draw = drawn_plan(w, quota=4)
    monkeypatch.setattr(audit, "append", append)
    assert AuditEvent.objects.filter(action="inspection.drawn").count() == 1
    assert not AuditEvent.objects.filter(action="inspection_plan.drawn").exists()
    assert draw_verify(user=w.planner, draw=draw) is None
    out = StringIO()
    call_command("draw", "verify", str(plan.pk), stdout=out)
    assert out.getvalue().startswith("OK")
    # a record under the new name for the same draw cannot stand beside the old one
    export = draw_export(user=w.planner, draw=draw)
    with transaction.atomic():
        audit.append(
            actor=w.planner,
            action="inspection_plan.drawn",
            obj=plan,
            details={"draw": draw.number, "seed": draw.seed},
        )
    problem = audit_record_difference(draw, export)
    assert problem is not None and "2 inspection_plan.drawn audit events" in problem
