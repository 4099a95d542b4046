"""Calendar writers from several processes (PostgreSQL only): one wins, the cache follows."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap

import pytest

from fazhi.core import calendar as workcal
from fazhi.core.models import AuditEvent, CalendarDay, CalendarYear
from fazhi.core.services import calendar as calendar_services
from fazhi.core.testing import needs_postgres, postgres_env

PUBLISH = textwrap.dedent(
    """
    import datetime as dt, os, sys
    import django
    os.environ["DJANGO_SETTINGS_MODULE"] = "fazhi.settings"
    django.setup()
    from fazhi.core import errors
    from fazhi.core.services import calendar
    worker = int(sys.argv[1])
    try:
        calendar.calendar_year_publish(
            actor=None, year=2027, source=f"worker {worker}",
            holidays=[dt.date(2027, 1, 1), dt.date(2027, 2, 8 + worker % 3)], workdays=[],
        )
    except errors.Conflict as exc:
        print(exc.code)
    else:
        print("published")
    """
)

SET_DAY = textwrap.dedent(
    """
    import datetime as dt, os
    import django
    os.environ["DJANGO_SETTINGS_MODULE"] = "fazhi.settings"
    django.setup()
    from fazhi.core.services import calendar
    calendar.calendar_day_set(actor=None, day=dt.date(2025, 3, 3), kind="holiday", name="更正")
    """
)


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_processes_publish_the_same_year_one_wins():
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", PUBLISH, str(w)],
            env=postgres_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(3)
    ]
    outcomes = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        outcomes.append(out.strip())
    assert sorted(outcomes) == ["calendar_year_exists", "calendar_year_exists", "published"]
    assert CalendarYear.objects.filter(year=2027).count() == 1
    assert CalendarDay.objects.filter(date__year=2027).count() == 2
    assert AuditEvent.objects.filter(action="calendar_year.published").count() == 1


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_another_process_change_reaches_this_cache():
    calendar_services.calendar_seed_from_package(actor=None, years=[2025])
    assert workcal.is_workday(dt.date(2025, 3, 3))
    result = subprocess.run(
        [sys.executable, "-c", SET_DAY],
        env=postgres_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # No signal crossed the process boundary: the version number did.
    assert not workcal.is_workday(dt.date(2025, 3, 3))
