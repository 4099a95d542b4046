"""The shared test kit: markers, the clock, the calendar states tests start from.

Imported by tests and by the root ``conftest.py`` (which registers the fixtures below for every
test module); nothing here runs in production code.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.db.models import F

SHANGHAI = ZoneInfo("Asia/Shanghai")

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (several processes)"
)


def worker_database_url() -> str:
    """The URL of the PostgreSQL test database this session runs on, for a worker process."""
    s = connection.settings_dict
    user = s.get("USER") or "postgres"
    url = f"postgres://{user}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"
    if s.get("PASSWORD"):
        url = url.replace("@", f":{s['PASSWORD']}@", 1)
    return url


def postgres_env(url: str | None = None) -> dict[str, str]:
    """The environment for a worker process that talks to the test database at ``url`` (by
    default the one this session runs on)."""
    url = url or worker_database_url()
    return {**os.environ, "FAZHI_TEST_DATABASE_URL": url, "FAZHI_DATABASE_URL": url}


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """A local (Asia/Shanghai) instant on ``day``: mid-morning unless told otherwise."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)


@contextmanager
def clock_at(day: dt.date, *, hour: int = 10, tick: bool = True) -> Iterator[None]:
    """Set the project's clock (``fazhi.core.clock``) to ``day`` for the block."""
    with time_machine.travel(at(day, hour), tick=tick):
        yield


def session_today() -> dt.date | None:
    """The date the whole test session runs at, from ``FAZHI_TEST_TODAY`` (the CI date step)."""
    raw = os.environ.get("FAZHI_TEST_TODAY", "").strip()
    return dt.date.fromisoformat(raw) if raw else None


def empty_calendar() -> None:
    """Forget every calendar year (a fresh install is seeded by migration 0006): for tests of
    what happens before a year is known."""
    from fazhi.core import calendar as workcal
    from fazhi.core.models import CalendarDay, CalendarRevision, CalendarYear

    CalendarDay.objects.all().delete()
    CalendarYear.objects.all().delete()
    CalendarRevision.objects.filter(pk=1).update(version=F("version") + 1)
    workcal.invalidate()


def forget_years_from(year: int) -> None:
    """Forget ``year`` and every later year: the calendar as it stands before their notices."""
    from fazhi.core import calendar as workcal
    from fazhi.core.models import CalendarDay, CalendarRevision, CalendarYear

    CalendarDay.objects.filter(date__year__gte=year).delete()
    CalendarYear.objects.filter(year__gte=year).delete()
    CalendarRevision.objects.filter(pk=1).update(version=F("version") + 1)
    workcal.invalidate()


# --- fixtures (registered for every test by the root conftest) -------------------------------


@pytest.fixture
def empty_cal(db: None) -> None:
    """A database whose calendar knows no year."""
    empty_calendar()


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    """Travel in a test: ``clock.move_to(testing.at(day))``; starts at the session's now."""
    from fazhi.core import clock as project_clock

    with time_machine.travel(project_clock.now(), tick=True) as traveller:
        yield traveller


IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def run_jobs(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> Callable[[], AbstractContextManager[Any]]:
    """Background jobs run as they are queued: ``with run_jobs(): client.post(...)`` runs, in this
    process, every job the block queued, when its transaction commits (the immediate backend)."""
    settings.TASKS = IMMEDIATE_TASKS
    return partial(django_capture_on_commit_callbacks, execute=True)


# Browser tests: Debian's Chromium driven by Playwright (no browser download is possible here).
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Chromium not found: apt-get install chromium to run the browser test",
    ),
]

# Office tests: Debian's LibreOffice opens every generated .docx (decision 0087).
SOFFICE = Path("/usr/bin/soffice")
needs_soffice = pytest.mark.skipif(
    not SOFFICE.exists(),
    reason="LibreOffice not found: apt-get install libreoffice-writer-nogui to open the "
    "generated documents",
)
OFFICE_MARKS = [pytest.mark.office, needs_soffice]
