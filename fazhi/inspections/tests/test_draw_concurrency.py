"""Two processes drawing the same plan at the same moment: exactly one wins (PostgreSQL)."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import textwrap
import time

import pytest
from django.apps import apps as django_apps

from fazhi.core.models import AuditEvent
from fazhi.core.testing import needs_postgres, postgres_env
from fazhi.inspections.models import Draw, InspectionTask
from fazhi.inspections.services.plans import stratum_add
from fazhi.inspections.tests.draw_support import make_draw_world, make_plan
from fazhi.inspections.tests.v1_support import plan_announce_v1

WORKER = textwrap.dedent(
    """
    import json, os, sys, time
    import django
    os.environ["DJANGO_SETTINGS_MODULE"] = "fazhi.settings"
    django.setup()
    from fazhi.core import errors
    from fazhi.core.models import User
    from fazhi.inspections.models import InspectionPlan
    from fazhi.inspections.services.draws import draw_run
    plan_id, user_id, start_at = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    actor = User.objects.get(pk=user_id)
    plan = InspectionPlan.objects.get(pk=plan_id)
    while time.monotonic() < start_at:  # system-wide on Linux, never travelled
        time.sleep(0.005)
    try:
        draw = draw_run(actor=actor, plan=plan, public_number="8 8 8")
    except errors.FazhiError as exc:
        print(json.dumps({"won": False, "code": exc.code}))
    else:
        print(json.dumps({"won": True, "draw": draw.pk}))
    """
)


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_draws_exactly_one_wins():
    # An earlier transactional test's flush removes the categories a data migration seeds.
    seed = importlib.import_module("fazhi.registry.migrations.0002_seed_supervision_categories")
    seed.seed(django_apps, None)
    w = make_draw_world(entities=20, officers=6)
    plan = make_plan(w)
    stratum_add(actor=w.planner, plan=plan, key="gg", category=w.public_places, quota=10)
    plan_announce_v1(
        actor=w.planner, plan=plan, entropy_kind="public_number", entropy_spec="福彩3D 开奖号码"
    )
    env = postgres_env()
    start_at = f"{time.monotonic() + 4:.3f}"  # both start together, after Django has loaded
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(plan.pk), str(w.planner.pk), start_at],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outcomes = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
        outcomes.append(json.loads(out.decode().strip().splitlines()[-1]))
    assert sorted(o["won"] for o in outcomes) == [False, True]
    loser = next(o for o in outcomes if not o["won"])
    assert loser["code"] == "already_drawn"
    assert Draw.objects.filter(plan=plan).count() == 1
    assert InspectionTask.objects.filter(plan=plan).count() == 10
    assert AuditEvent.objects.filter(action="inspection_plan.drawn").count() == 1
    assert AuditEvent.objects.filter(action="inspection_draw.refused").count() == 1
