"""Two processes scoring one clinic at once, each crossing the threshold: both entries are
kept and exactly one alert is raised (PostgreSQL, real row locks)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from fazhi.core.services import calendar as calendar_services
from fazhi.core.testing import needs_postgres, postgres_env
from fazhi.credit.models import PointAlert, PointEntry
from fazhi.credit.services import points
from fazhi.credit.tests.support import clinic
from fazhi.enforcement.tests.case_support import make_case_world
from fazhi.inspections.tests.task_support import category

WORKER = textwrap.dedent(
    """
    import os, sys
    import django
    os.environ["DJANGO_SETTINGS_MODULE"] = "fazhi.settings"
    django.setup()
    from fazhi.core.models import User
    from fazhi.credit.services import points
    from fazhi.registry.models import Entity
    entity = Entity.objects.select_related("organisation").get(pk=int(sys.argv[1]))
    actor = User.objects.get(pk=int(sys.argv[2]))
    points.points_record(
        actor=actor, entity=entity, subject="institution", behaviour="未按规定处置医疗废物"
    )
    print("scored")
    """
)


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_scorers_at_once_raise_one_alert():
    calendar_services.calendar_seed_from_package(actor=None)
    category("medical")
    cw = make_case_world()
    entity = clinic(cw)
    points.points_record(
        actor=cw.handler, entity=entity, subject="institution", behaviour="出具虚假医学证明文件"
    )  # 10: each worker's 2 points reach 重点监管 (12)
    env = postgres_env()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(entity.pk), str(cw.handler.pk)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
        assert out.decode().strip() == "scored"
    assert PointEntry.objects.filter(entity=entity).count() == 3
    alerts = PointAlert.objects.filter(entity=entity)
    assert [(a.consequence, a.score) for a in alerts] == [("重点监管", 12)]
