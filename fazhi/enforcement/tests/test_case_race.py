"""Two processes moving one case: exactly one wins (PostgreSQL, real row locks)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from fazhi.core.models import AuditEvent
from fazhi.core.services import calendar as calendar_services
from fazhi.core.testing import needs_postgres, postgres_env
from fazhi.enforcement.events import CaseEvent
from fazhi.enforcement.models import CaseState, PenaltyCase
from fazhi.enforcement.services import case_steps
from fazhi.enforcement.tests.case_support import file_case, investigate, make_case_world, notify

WORKER = textwrap.dedent(
    """
    import os, sys
    import django
    os.environ["DJANGO_SETTINGS_MODULE"] = "fazhi.settings"
    django.setup()
    from fazhi.core import errors
    from fazhi.core.models import User
    from fazhi.enforcement.models import PenaltyCase
    from fazhi.enforcement.services import case_steps
    case = PenaltyCase.objects.get(pk=int(sys.argv[1]))
    leader = User.objects.get(pk=int(sys.argv[2]))
    try:
        case_steps.case_decide(actor=leader, case=case, outcome="penalty", fine="2000")
    except errors.FazhiError as exc:
        print(exc.code)
    else:
        print("won")
    """
)


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_processes_deciding_one_case_exactly_one_wins():
    # An earlier transactional test may have flushed the tables the migrations seeded: the
    # workers read the working-day calendar from the database, so it is loaded here.
    calendar_services.calendar_seed_from_package(actor=None)
    cw = make_case_world()
    case = notify(cw, investigate(cw, file_case(cw)), fine="2000")
    case = case_steps.case_waive_rights(actor=cw.handler, case=case)
    env = postgres_env()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(case.pk), str(cw.leader.pk)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    answers = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
        answers.append(out.decode().strip())
    assert sorted(answers) == ["invalid_transition", "won"]
    case = PenaltyCase.objects.get(pk=case.pk)
    assert case.state == CaseState.DECIDED and case.decision_number
    assert AuditEvent.objects.filter(action=CaseEvent.DECIDED, object_id=str(case.pk)).count() == 1
