"""The project's one clock: every piece of code reads "now" and "today" here.

Tests set the clock with time-machine (``fazhi.core.testing`` fixtures, or the whole session
through ``FAZHI_TEST_TODAY``); time-machine moves ``datetime``/``time`` themselves, so the values
below, Django's ``auto_now`` fields and the database defaults written from Python all follow it.
A test (``test_clock.py``) fails when code outside this module reads the time another way.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    """The current instant (aware, UTC)."""
    return timezone.now()


def today() -> dt.date:
    """Today's date in the configured time zone (Asia/Shanghai)."""
    return timezone.localdate(timezone.now())


def this_year() -> int:
    return today().year
