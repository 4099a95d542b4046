"""Benchmark: one deadline computation with a warm calendar cache (issue 2: under 1 ms).

A child process configures Django against a scratch database (SQLite always; PostgreSQL too when
a server answers on 127.0.0.1:5432), migrates it, seeds the calendar from the package, opens the
cache and then times N calls of ``compute_due`` over a mix of rules and start dates (2024–2026):
calendar-day, working-day, month/year periods, with and without stops and extensions. Each call
is timed on its own, as the application makes it: including the one-row version read that keeps
the cache coherent across processes. The same mix is also timed against a pinned snapshot (no
database at all), which is what a bulk recomputation uses.

``run()`` returns the figures; ``python bench/bench_deadlines.py`` prints them as JSON.
Size: FAZHI_BENCH_DEADLINES_N (default 20000).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from typing import Any

import common

N = int(os.environ.get("FAZHI_BENCH_DEADLINES_N", "20000"))
PG_DB = "fazhi_bench_deadlines"
TARGET_US = 1000.0


def _child(n: int) -> dict[str, Any]:
    import datetime as dt
    import random
    import statistics
    import time

    common.setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from fazhi.core import calendar as workcal
    from fazhi.core import periods
    from fazhi.core.services import calendar as calendar_services

    calendar_services.calendar_seed_from_package(actor=None, years=[2024, 2025, 2026])
    rng = random.Random(20251001)
    keys = [
        ("penalty.publicity", (), ()),
        ("penalty.payment", (), ()),
        ("penalty.decision", (), ()),
        ("disclosure.reply", ((dt.date(2025, 10, 9), dt.date(2025, 10, 16)),), ()),
        ("disclosure.reply", (), ("disclosure.extension",)),
        ("petition.handle", (), ("petition.extension",)),
        ("reconsideration.answer", (), ()),
        ("penalty.limitation", (), ()),
    ]
    base = dt.date(2024, 1, 1)
    work = []
    for _ in range(n):
        key, stops, ext = keys[rng.randrange(len(keys))]
        start = base + dt.timedelta(days=rng.randrange(0, 365 * 2 + 120))
        if key == "penalty.limitation":
            start = base + dt.timedelta(days=rng.randrange(0, 300))
        work.append((key, start, stops, ext))

    def measure(calendar: Any) -> dict[str, float]:
        timings = []
        clock = time.perf_counter
        for key, start, stops, ext in work[:200]:  # warm-up
            periods.compute_due(key, start, stops=stops, extensions=ext, calendar=calendar)
        for key, start, stops, ext in work:
            t0 = clock()
            periods.compute_due(key, start, stops=stops, extensions=ext, calendar=calendar)
            timings.append(clock() - t0)
        timings.sort()
        return {
            "mean_us": round(statistics.fmean(timings) * 1e6, 1),
            "p50_us": round(timings[len(timings) // 2] * 1e6, 1),
            "p99_us": round(timings[int(len(timings) * 0.99)] * 1e6, 1),
            "max_us": round(timings[-1] * 1e6, 1),
        }

    from django.db import connection

    return {
        "vendor": connection.vendor,
        "n": n,
        "warm_cache_with_version_check": measure(None),
        "pinned_snapshot": measure(workcal.current()),
    }


def _spawn(url: str) -> dict[str, Any]:
    return common.run_child(__file__, "--child", str(N), env=common.child_env(url))


def run() -> dict[str, Any]:
    results: dict[str, Any] = {"target_us": TARGET_US}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = _spawn(f"sqlite:///{tmp}/bench.sqlite3")
    if common.postgres_answers():
        with common.scratch_database(PG_DB) as url:
            results["postgresql"] = _spawn(url)
    results["ok"] = all(
        r["warm_cache_with_version_check"]["mean_us"] < TARGET_US
        for r in (results.get("sqlite"), results.get("postgresql"))
        if r
    )
    return results


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        common.emit(_child(int(sys.argv[2])))
    else:
        print(json.dumps(run(), ensure_ascii=False, indent=2))
