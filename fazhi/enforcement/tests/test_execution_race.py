"""Two processes paying the last instalment of one case at once: exactly one wins (PostgreSQL,
real row locks); the case is executed once."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap

import pytest

from fazhi.core import clock
from fazhi.core.models import AuditEvent
from fazhi.core.services import calendar as calendar_services
from fazhi.core.testing import needs_postgres, postgres_env
from fazhi.enforcement.events import CaseEvent
from fazhi.enforcement.models import CaseState, PenaltyCase
from fazhi.enforcement.services import case_steps
from fazhi.enforcement.services import execution_payments as pay
from fazhi.enforcement.tests.case_support import file_case, make_case_world, to_decision

WORKER = textwrap.dedent(
    """
    import os, sys
    import django
    os.environ["DJANGO_SETTINGS_MODULE"] = "fazhi.settings"
    django.setup()
    from fazhi.core import errors
    from fazhi.core.models import User
    from fazhi.enforcement.models import PenaltyCase
    from fazhi.enforcement.services import execution_payments
    case = PenaltyCase.objects.get(pk=int(sys.argv[1]))
    handler = User.objects.get(pk=int(sys.argv[2]))
    try:
        execution_payments.instalment_pay(actor=handler, case=case, paid_amount="2000")
    except errors.FazhiError as exc:
        print(exc.code)
    else:
        print("won")
    """
)


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_processes_paying_the_last_instalment_exactly_one_wins():
    calendar_services.calendar_seed_from_package(actor=None)
    cw = make_case_world()
    case = to_decision(cw, file_case(cw), fine="2000")
    case = case_steps.case_serve(actor=cw.handler, case=case)
    due = clock.today() + dt.timedelta(days=20)
    pay.payment_arrangement_apply(
        actor=cw.handler, case=case, kind="deferral", reason="困难", schedule=f"{due} 2000"
    )
    pay.payment_arrangement_approve(actor=cw.leader, case=case)
    env = postgres_env()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(case.pk), str(cw.handler.pk)],
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
    assert sorted(answers) == ["no_approved_arrangement", "won"]
    case = PenaltyCase.objects.get(pk=case.pk)
    assert case.state == CaseState.EXECUTED
    assert AuditEvent.objects.filter(action=CaseEvent.EXECUTED, object_id=str(case.pk)).count() == 1
