"""The committed test vectors (docs/draw-vectors/) are what the engine computes today."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from fazhi.inspections import drawengine, drawv2, drawvectors

VECTORS = Path(settings.BASE_DIR) / "docs" / "draw-vectors"


def test_committed_vectors_equal_the_engine():
    assert drawvectors.differences(VECTORS) == []


def test_every_vector_export_verifies_with_the_engine():
    names = sorted(p.name for p in VECTORS.glob("v[0-9]-*.json"))
    assert len([n for n in names if n.startswith("v1-")]) >= 5
    assert len([n for n in names if n.startswith("v2-")]) >= 3
    for name in names:
        vector = json.loads((VECTORS / name).read_text(encoding="utf-8"))
        export = vector["export"]
        assert (
            drawv2.verify_export(export, expect_announcement=export["announcement"]["hash"]) is None
        )
        if name.startswith("v1-"):
            assert drawengine.verify_export(export) is None, name


def test_vectors_cover_every_skip_and_infeasibility_reason():
    seen: set[str] = set()
    for path in VECTORS.glob("v1-*.json"):
        result = json.loads(path.read_text(encoding="utf-8"))["export"]["result"]
        seen.update(reason for skips in result["skips"].values() for _, reason in skips)
        seen.update(result["pool_excluded"].values())
        seen.update(p["code"] for p in result["infeasible"]["strata"].values())
        seen.update(p["code"] for p in result["infeasible"]["tasks"].values())
    assert seen >= {
        "conflict",
        "workload_cap",
        "same_team",
        "same_team_unavoidable",
        "credential_invalid",
        "on_leave",
        "quota_exceeds_candidates",
        "no_candidates",
        "no_quota_or_ratio",
        "not_enough_inspectors",
    }


def test_check_command_names_a_stale_file(tmp_path):
    call_command("draw_vectors", "--dir", str(tmp_path), stdout=StringIO())
    out = StringIO()
    call_command("draw_vectors", "--check", "--dir", str(tmp_path), stdout=out)
    assert "up to date" in out.getvalue()
    path = tmp_path / "v1-01-quota-ratio-witnesses.json"
    path.write_text(
        path.read_text(encoding="utf-8").replace("public-places", "x"), encoding="utf-8"
    )
    out = StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("draw_vectors", "--check", "--dir", str(tmp_path), stdout=out)
    assert exc.value.code == 1
    assert "v1-01-quota-ratio-witnesses.json" in out.getvalue()


@pytest.mark.parametrize("version", ["1", "2"])
def test_every_vector_export_matches_the_published_schema(version):
    jsonschema = pytest.importorskip("jsonschema")
    name = "draw-export.schema.json" if version == "1" else "draw-export-2.schema.json"
    schema = json.loads((Path(settings.BASE_DIR) / "docs" / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    paths = sorted(VECTORS.glob(f"v{version}-*.json"))
    assert paths
    for path in paths:
        export = json.loads(path.read_text(encoding="utf-8"))["export"]
        assert not list(validator.iter_errors(export)), path.name
    broken = json.loads(paths[0].read_text(encoding="utf-8"))["export"]
    broken["pool"][0]["max_tasks"] = "5"
    assert list(validator.iter_errors(broken))
