"""The project's one clock: every piece of code reads "now" and "today" here.

Tests set the clock with time-machine (``fazhi.core.testing`` fixtures, or the whole session
through ``FAZHI_TEST_TODAY``); time-machine moves ``datetime``/``time`` themselves, so the values
below, Django's ``auto_now`` fields and the database defaults written from Python all follow it.
A test (``test_clock.py``) fails when code outside this module reads the time another way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import timezone


def now() -> dt.datetime:
    """The current instant (aware, UTC)."""
    offset = _replay_offset.get()
    return timezone.now() if offset is None else timezone.now() + offset


def today() -> dt.date:
    """Today's date in the configured time zone (Asia/Shanghai)."""
    return timezone.localdate(now())


def this_year() -> int:
    return today().year


_replay_offset: ContextVar[dt.timedelta | None] = ContextVar("fazhi_clock_replay", default=None)


@contextmanager
def replaying(instant: dt.datetime) -> Iterator[None]:
    """Within the block, "now" is ``instant`` plus the time elapsed since the block began.

    For demo loaders only (``test_clock`` fails when another module calls it): the demo builds a
    history — an announcement published before its declared public event — through the real
    services, which read the time here. Database ``auto_now`` fields keep the real time.
    """
    token = _replay_offset.set(instant - timezone.now())
    try:
        yield
    finally:
        _replay_offset.reset(token)
