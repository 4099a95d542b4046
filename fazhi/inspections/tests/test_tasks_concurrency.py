"""Two inspectors of one task submit different outcomes at the same moment: exactly one wins,
the other is refused, and no second case lead appears (PostgreSQL, two processes)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time

import pytest

from fazhi.core.testing import needs_postgres, postgres_env
from fazhi.enforcement.models import CaseLead
from fazhi.inspections.models import InspectionTask, TaskState
from fazhi.inspections.services import tasks as task_services
from fazhi.inspections.tests.task_support import (
    make_entity,
    make_item,
    make_plan,
    make_task,
    make_task_world,
)

WORKER = textwrap.dedent(
    """
    import json, os, sys, time
    import django
    os.environ["DJANGO_SETTINGS_MODULE"] = "fazhi.settings"
    django.setup()
    from fazhi.core import errors
    from fazhi.core.models import User
    from fazhi.inspections.models import InspectionTask
    from fazhi.inspections.services.tasks import task_complete
    task_id, user_id, outcome, start_at = (
        int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
    )
    actor = User.objects.get(pk=user_id)
    task = InspectionTask.objects.get(pk=task_id)
    while time.monotonic() < start_at:  # system-wide on Linux, never travelled
        time.sleep(0.005)
    extra = {"facts": "无证经营"} if outcome == "referred" else {}
    try:
        task_complete(actor=actor, task=task, outcome=outcome, **extra)
    except errors.FazhiError as exc:
        print(json.dumps({"won": False, "code": exc.code}))
    else:
        print(json.dumps({"won": True, "outcome": outcome}))
    """
)


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_completions_exactly_one_wins():
    world = make_task_world()
    item = make_item(world)
    plan = make_plan(world, items=[item])
    task = make_task(world, plan=plan, entity=make_entity(world))
    task_services.task_start(actor=world.inspector_a, task=task)
    task_services.task_record_finding(
        actor=world.inspector_a, task=task, item=item, result="fail", note="无证"
    )
    env = postgres_env()
    start_at = f"{time.monotonic() + 4:.3f}"
    runs = [(world.inspector_a, "referred"), (world.inspector_b, "referred")]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(task.pk), str(user.pk), outcome, start_at],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for user, outcome in runs
    ]
    outcomes = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
        outcomes.append(json.loads(out.decode().strip().splitlines()[-1]))
    assert sorted(o["won"] for o in outcomes) == [False, True]
    assert next(o for o in outcomes if not o["won"])["code"] == "invalid_transition"
    task = InspectionTask.objects.get(pk=task.pk)
    assert task.state == TaskState.DONE and task.outcome == "referred"
    assert CaseLead.objects.filter(source_task=task).count() == 1
