"""One clock: code and tests read "now" and "today" only through ``fazhi.core.clock``."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from fazhi.core import clock, testing

ROOT = Path(__file__).resolve().parents[3]
FORBIDDEN = re.compile(
    r"timezone\.now\(|timezone\.localdate\(\)|\bdate\.today\(|datetime\.now\(|"
    r"datetime\.today\(|datetime\.utcnow\(|\btime\.time\(|\bdt\.date\.today\("
)
ALLOWED = {ROOT / "fazhi" / "core" / "clock.py"}


def test_nothing_reads_the_time_but_the_clock():
    offenders = []
    for path in [*sorted((ROOT / "fazhi").rglob("*.py")), ROOT / "conftest.py"]:
        if path in ALLOWED or "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if FORBIDDEN.search(line) and "FORBIDDEN" not in line:
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "read the time through fazhi.core.clock:\n" + "\n".join(offenders)


def test_the_clock_follows_the_test_clock():
    with testing.clock_at(dt.date(2031, 12, 28), hour=23):
        # 23:00 in Shanghai: the local date, not the UTC one.
        assert clock.today() == dt.date(2031, 12, 28)
        assert clock.now().tzinfo is not None
        assert clock.this_year() == 2031


@pytest.mark.skipif(testing.session_today() is None, reason="FAZHI_TEST_TODAY not set")
def test_the_session_runs_on_the_day_it_was_given():
    assert clock.today() == testing.session_today()


def test_only_demo_loaders_replay_the_clock():
    users = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "fazhi").rglob("*.py"))
        if "replaying(" in path.read_text(encoding="utf-8")
        and path.name != "demo.py"
        and path != ROOT / "fazhi" / "core" / "clock.py"
        and "tests" not in path.parts
    ]
    assert not users, users


def test_replaying_moves_now_and_today_for_the_block_only():
    then = dt.datetime(2025, 2, 18, 2, 0, tzinfo=dt.UTC)
    with clock.replaying(then):
        assert abs(clock.now() - then) < dt.timedelta(seconds=5)
        assert clock.today() == dt.date(2025, 2, 18)
    assert clock.now() - then > dt.timedelta(days=300)
