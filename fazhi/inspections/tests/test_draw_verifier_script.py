"""The standard-library verifier (scripts/verify_draw.py), written from docs/draw-protocol.md:
agrees with the engine on every vector and on draws made through the real services and the demo
loader, and catches every single-field tampering."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from fazhi.core import clock as project_clock
from fazhi.core import demo as core_demo
from fazhi.core import testing
from fazhi.core.models import User
from fazhi.inspections import demo, drawv2
from fazhi.inspections.models import InspectionPlan
from fazhi.inspections.selectors.draws import export_draw
from fazhi.inspections.services.announcements_v2 import plan_announce_v2
from fazhi.inspections.services.draws import draw_run
from fazhi.inspections.services.plans import stratum_add
from fazhi.inspections.tests.draw_support import drawn_plan, make_draw_world, make_plan
from fazhi.inspections.tests.task_support import category
from fazhi.inspections.tests.v1_support import plan_announce_v1
from fazhi.inspections.tests.verifier_support import SCRIPT, tampered, vector_exports


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("verify_draw_standalone", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_outside(
    tmp_path: Path, export: dict[str, Any], *args: str
) -> subprocess.CompletedProcess[str]:
    """The script alone in an empty directory, isolated mode: nothing of Fazhi reachable."""
    outside = tmp_path / "outside"
    outside.mkdir(exist_ok=True)
    shutil.copy(SCRIPT, outside / "verify_draw.py")
    path = outside / "export.json"
    path.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-I", str(outside / "verify_draw.py"), str(path), *args],
        capture_output=True,
        text=True,
        cwd=outside,
        timeout=120,
        check=False,
    )


def assert_schema(export: dict[str, Any], name: str) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((SCRIPT.parent.parent / "docs" / name).read_text(encoding="utf-8"))
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(export))
    assert not errors, errors[0].message


def test_script_uses_the_standard_library_only():
    source = SCRIPT.read_text(encoding="utf-8")
    assert "fazhi." not in source.replace("fazhi-draw", "")
    assert "import fazhi" not in source and "from fazhi" not in source
    assert "importlib" not in source and "drawengine" not in source


def test_every_vector_verifies_outside_the_repository(tmp_path):
    exports = vector_exports()
    for name, export in exports.items():
        done = run_outside(tmp_path, export)
        assert done.returncode == 0, name + done.stdout + done.stderr
        assert done.stdout.startswith("OK")
        if export["entropy"]["kind"] == "server":
            assert "not publicly verifiable" in done.stdout
        else:
            assert "not publicly verifiable" not in done.stdout


def test_expect_announcement(tmp_path):
    export = vector_exports()["v1-01-quota-ratio-witnesses"]
    right = export["announcement"]["hash"]
    ok = run_outside(tmp_path, export, "--expect-announcement", right.upper())
    assert ok.returncode == 0, ok.stdout
    assert "no --expect-announcement" not in ok.stdout
    bad = run_outside(tmp_path, export, "--expect-announcement", "ab" * 32)
    assert bad.returncode == 1
    assert "expected" in bad.stdout


def test_unusable_input_exits_2(tmp_path):
    outside = tmp_path / "x"
    outside.mkdir()
    (outside / "e.json").write_text("{not json", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-I", str(SCRIPT), str(outside / "e.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2


def test_every_tampering_is_caught_by_the_script_and_the_engine():
    script = load_script()
    for name, export in tampered(vector_exports()):
        with pytest.raises((script.Mismatch, KeyError, TypeError, ValueError)):
            script.verify(export)
        assert drawv2.verify_export(export) is not None, name


def test_checks_beyond_the_engine():
    script = load_script()
    for name, export in tampered(vector_exports(), verifier_only=True):
        with pytest.raises(script.Mismatch):
            script.verify(export)
        assert name


def test_an_unknown_version_is_refused_not_guessed():
    script = load_script()
    export = vector_exports()["v1-01-quota-ratio-witnesses"]
    export["algorithm_version"] = "fazhi-draw/2"  # with the export/1 format
    with pytest.raises(script.Mismatch, match="unsupported"):
        script.verify(export)
    export["algorithm_version"] = "fazhi-draw/3"
    with pytest.raises(script.Mismatch, match="unsupported"):
        script.verify(export)


def test_v2_vectors_report_sources_and_withheld_reveals(tmp_path):
    exports = vector_exports()
    done = run_outside(tmp_path, exports["v2-01-public-events-witnesses"])
    assert done.returncode == 0, done.stdout
    assert "withheld" in done.stdout and "api.drand.sh" in done.stdout
    done = run_outside(tmp_path, exports["v2-02-server-routine"])
    assert done.returncode == 0 and "not publicly verifiable" in done.stdout


@pytest.mark.django_db
def test_script_agrees_with_the_engine_on_a_v2_service_draw(tmp_path, clock):
    w = make_draw_world(entities=10, officers=4)
    plan = make_plan(w)
    stratum_add(actor=w.planner, plan=plan, key="gg", category=w.public_places, quota=4)
    day = project_clock.today() + dt.timedelta(days=1)
    event = {"period": f"{day.year}{day.timetuple().tm_yday:03d}", "date": day.isoformat()}
    announced = plan_announce_v2(actor=w.planner, plan=plan, sources=[("cwl-3d", event)])
    clock.move_to(testing.at(day, hour=22))
    draw = draw_run(actor=w.planner, plan=plan, values=["2 7 1"])
    export = export_draw(draw)
    assert export["format"] == "fazhi-draw-export/2"
    assert drawv2.verify_export(export) is None
    assert_schema(export, "draw-export-2.schema.json")
    expected = announced.announcement.announcement_hash
    done = run_outside(tmp_path, export, "--expect-announcement", expected)
    assert done.returncode == 0, done.stdout + done.stderr
    bad = run_outside(tmp_path, export, "--expect-announcement", "0" * 64)
    assert bad.returncode == 1


def test_floats_have_no_canonical_form():
    script = load_script()
    with pytest.raises(script.Mismatch):
        script.cj({"a": 1.5})


@pytest.mark.django_db
def test_script_agrees_with_the_engine_on_service_draws(tmp_path):
    w = make_draw_world(entities=14, officers=5)
    exports = []
    for entropy in ("witnesses", "public_number"):
        _plan, draw = drawn_plan(w, quota=5, entropy=entropy)
        exports.append(export_draw(draw))
    plan = make_plan(w)
    stratum_add(actor=w.planner, plan=plan, key="srv", category=w.public_places, quota=3)
    plan_announce_v1(actor=w.planner, plan=plan, entropy_kind="server")
    exports.append(export_draw(draw_run(actor=w.planner, plan=plan)))
    script = load_script()
    for export in exports:
        assert drawv2.verify_export(export) is None
        script.verify(export, export["announcement"]["hash"])
    done = run_outside(tmp_path, exports[-1])
    assert done.returncode == 0 and "not publicly verifiable" in done.stdout


@pytest.mark.django_db
def test_script_agrees_with_the_engine_on_the_demo_draw(tmp_path):
    category("public_places")
    out = io.StringIO()
    result = core_demo.load(stdout=out)
    demo.load(province=result.province, stdout=out)
    # this year's demo plan is announced (fazhi-draw/2) for a lottery draw that has happened:
    # draw it with the demo's value too
    current = InspectionPlan.objects.get(year=project_clock.today().year)
    planner = User.objects.get(username=demo.PLANNER_USERNAME)
    draw_run(actor=planner, plan=current, values=[demo.DEMO_LOTTERY_VALUE])
    draws = [d for plan in InspectionPlan.objects.all() for d in plan.draws.all()]
    assert len(draws) == 2
    for draw in draws:
        export = export_draw(draw)
        assert export["algorithm_version"] == drawv2.ALGORITHM_VERSION
        assert drawv2.verify_export(export) is None
        assert_schema(export, "draw-export-2.schema.json")
        done = run_outside(
            tmp_path, export, "--expect-announcement", draw.announcement.announcement_hash
        )
        assert done.returncode == 0, done.stdout + done.stderr
