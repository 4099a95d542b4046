"""Benchmark: one decision .docx (issue 11: under 300 ms).

A child process configures Django against a scratch database (SQLite always; PostgreSQL too when
a server answers on 127.0.0.1:5432), migrates it, seeds the calendar, walks a penalty case to its
decision through the real services (the test support's world, on 2025-09-01), and then times N
requests of its decision the way the page makes them: the scoped read of the case and the
rendering of the .docx (``catalogue.case_document``). A batch of documents is timed too (the
background job's loop: one case's decision after another, zipped).

``run()`` returns the figures; ``python bench/bench_documents.py`` prints them as JSON.
Size: FAZHI_BENCH_DOCUMENTS_N (default 200).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from typing import Any

import common

N = int(os.environ.get("FAZHI_BENCH_DOCUMENTS_N", "200"))
PG_DB = "fazhi_bench_documents"
TARGET_MS = 300.0
BATCH = 50


def _child(n: int) -> dict[str, Any]:
    import datetime as dt
    import io
    import statistics
    import time
    import zipfile

    import time_machine

    common.setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from fazhi.core.services import calendar as calendar_services

    calendar_services.calendar_seed_from_package(actor=None, years=[2024, 2025, 2026])
    from fazhi.enforcement.documents import catalogue
    from fazhi.enforcement.tests.case_support import file_case, make_case_world, to_decision

    with time_machine.travel(dt.datetime(2025, 9, 1, 10, tzinfo=dt.UTC), tick=True):
        cw = make_case_world()
        cases = [to_decision(cw, file_case(cw), fine="12000") for _ in range(BATCH)]
        user, case_id = cw.leader, cases[0].pk
        for _ in range(5):  # warm-up (imports, templates of python-docx)
            catalogue.case_document(user=user, case_id=case_id, key="decision")
        timings = []
        size = 0
        for _ in range(n):
            t0 = time.perf_counter()
            document = catalogue.case_document(user=user, case_id=case_id, key="decision")
            timings.append(time.perf_counter() - t0)
            size = len(document.content)
        timings.sort()
        t0 = time.perf_counter()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for case in cases:
                rendered = catalogue.render(case, "decision")
                archive.writestr(f"{case.pk}.docx", rendered.content)
        batch_s = time.perf_counter() - t0

    from django.db import connection

    return {
        "vendor": connection.vendor,
        "n": n,
        "decision_ms": {
            "mean": round(statistics.fmean(timings) * 1e3, 1),
            "p50": round(timings[len(timings) // 2] * 1e3, 1),
            "p95": round(timings[int(len(timings) * 0.95)] * 1e3, 1),
            "max": round(timings[-1] * 1e3, 1),
        },
        "docx_bytes": size,
        "batch": {"documents": BATCH, "seconds": round(batch_s, 2)},
        "batch_per_document_ms": round(batch_s / BATCH * 1e3, 1),
        "peak_mb": round(common.peak_mb(), 1),
    }


def _spawn(url: str) -> dict[str, Any]:
    return common.run_child(__file__, "--child", str(N), env=common.child_env(url))


def run() -> dict[str, Any]:
    results: dict[str, Any] = {"target_ms": TARGET_MS}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = _spawn(f"sqlite:///{tmp}/bench.sqlite3")
    if common.postgres_answers():
        with common.scratch_database(PG_DB) as url:
            results["postgresql"] = _spawn(url)
    results["ok"] = all(
        r["decision_ms"]["p95"] < TARGET_MS
        for r in (results.get("sqlite"), results.get("postgresql"))
        if r
    )
    return results


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        common.emit(_child(int(sys.argv[2])))
    else:
        print(json.dumps(run(), ensure_ascii=False, indent=2))
