"""Benchmark: the audit chain on PostgreSQL (issue 2, "Speed").

(a) Concurrent appends: 4 processes each append a fixed number of events (each in its own
    service-style transaction) at the same moment; reported as events/s over the wall time, then
    the whole chain is verified.
(b) Verification at scale: 1,000,000 events are generated (the chain computed in Python with the
    application's own ``event_hash``, then loaded with COPY); then ``verify()`` is timed against
    ``read_rows()``, which reads the same columns through the same server-side cursor and does no
    hashing — the time PostgreSQL (and the driver) need to hand over the rows. Target: verify at
    most 2x the read time.

``run()`` creates the scratch database ``fazhi_bench_audit``, measures in a child process (Django
configured against the scratch database), drops the database and returns the figures. Sizes can
be lowered for a quick run: FAZHI_BENCH_AUDIT_EVENTS, FAZHI_BENCH_AUDIT_APPENDS (per process).
``python bench/bench_audit.py`` prints the figures as JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import time
from typing import Any

import common

DB_NAME = "fazhi_bench_audit"
EVENTS = int(os.environ.get("FAZHI_BENCH_AUDIT_EVENTS", "1000000"))
PROCESSES = 4
APPENDS = int(os.environ.get("FAZHI_BENCH_AUDIT_APPENDS", "500"))
REPEATS = int(os.environ.get("FAZHI_BENCH_AUDIT_REPEATS", "5"))


def run() -> dict[str, Any]:
    """Create the scratch database, measure in a child process, drop the database."""
    if not common.postgres_answers():
        return {"skipped": common.NO_POSTGRES}
    with common.scratch_database(DB_NAME) as url:
        return common.run_child(__file__, "--child", env=common.child_env(url))


# --- the child ---------------------------------------------------------------------------------


def _append_worker(worker: int, count: int) -> None:
    """Append ``count`` events, starting when the parent writes a line to stdin."""
    common.setup_django()
    from django.db import connection, transaction

    from fazhi.core import audit

    connection.ensure_connection()
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    sys.stdin.readline()
    started = time.perf_counter()
    for i in range(count):
        with transaction.atomic(durable=True):
            audit.append(
                actor=None,
                action="bench.append",
                object_type="bench.item",
                object_id=str(i),
                details={"worker": worker, "i": i, "note": "并发追加"},
            )
    sys.stdout.write(json.dumps({"seconds": time.perf_counter() - started}) + "\n")


def _concurrent_appends() -> dict[str, Any]:
    from fazhi.core import audit_verify

    procs = [
        subprocess.Popen(
            [sys.executable, __file__, "--append-worker", str(w), str(APPENDS)],
            env=os.environ.copy(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for w in range(PROCESSES)
    ]
    for proc in procs:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
    started = time.perf_counter()
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    per_process = []
    for proc in procs:
        out, _ = proc.communicate(timeout=600)
        if proc.returncode != 0:
            raise RuntimeError(f"append worker failed with {proc.returncode}")
        per_process.append(json.loads(out.strip().splitlines()[-1])["seconds"])
    wall = time.perf_counter() - started
    total = PROCESSES * APPENDS
    result = audit_verify.verify()
    return {
        "processes": PROCESSES,
        "appends_per_process": APPENDS,
        "events": total,
        "wall_seconds": round(wall, 3),
        "events_per_second": round(total / wall, 1),
        "mean_ms_per_append_per_process": round(1000 * statistics.mean(per_process) / APPENDS, 3),
        "chain_valid_after": result.ok,
        "verify_summary": result.summary(),
    }


_ACTIONS = [
    "case.filed",
    "case.decided",
    "inspection.task.recorded",
    "registry.entity.updated",
    "deadline.stopped",
    "document_number.issued",
    "attachment.stored",
    "user.login",
]


def _generate(count: int) -> dict[str, Any]:
    """Compute a valid chain of ``count`` events in Python and COPY it in."""
    from django.db import connection

    from fazhi.core.audit import canonical_json, event_hash
    from fazhi.core.models import AuditEvent, ChainHead
    from fazhi.core.models.audit import GENESIS_HASH

    rng = random.Random(20241205)
    table = AuditEvent._meta.db_table
    columns = (
        "seq, created_at, actor_id, actor_name, organisation_id, action, object_type, object_id, "
        "details_json, prev_hash, hash"
    )
    when = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    prev = GENESIS_HASH
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table}")
        raw = cursor.cursor  # the psycopg cursor
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for seq in range(1, count + 1):
                when += dt.timedelta(microseconds=rng.randrange(1, 30_000_000))
                actor_id = rng.randrange(1, 3000)
                values = {
                    "seq": seq,
                    "created_at": when,
                    "actor_id": actor_id,
                    "actor_name": f"执法人员{actor_id}",
                    "organisation_id": rng.randrange(1, 200),
                    "action": _ACTIONS[seq % len(_ACTIONS)],
                    "object_type": "enforcement.case",
                    "object_id": str(rng.randrange(1, 500_000)),
                    "details_json": canonical_json(
                        {
                            "from": "filed",
                            "to": "decided",
                            "amount": str(rng.randrange(0, 100_000)),
                            "reason": "依据《中华人民共和国行政处罚法》第三十九条",
                        }
                    ),
                }
                digest = event_hash(prev_hash=prev, **values)
                copy.write_row([*values.values(), prev, digest])
                prev = digest
    ChainHead.objects.update_or_create(pk=1, defaults={"last_seq": count, "last_hash": prev})
    generated = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute(f"SELECT pg_total_relation_size('{table}')")
        size = cursor.fetchone()[0]
    return {"events": count, "generate_and_copy_seconds": round(generated, 1), "table_bytes": size}


def _verify_at_scale() -> dict[str, Any]:
    """Interleaved pairs (read, then verify) so that both see the same machine load; the
    figures are the medians, and the median of the per-pair ratios."""
    from django.db import connection

    from fazhi.core import audit_verify

    figures = _generate(EVENTS)
    connection.close()  # start the timings on a fresh session
    assert audit_verify.read_rows() == EVENTS  # warm the caches: every timing reads a warm table
    reads, verifies, read_cpu, verify_cpu = [], [], [], []
    for _ in range(REPEATS):
        c0, t0 = time.process_time(), time.perf_counter()
        audit_verify.read_rows()
        reads.append(time.perf_counter() - t0)
        read_cpu.append(time.process_time() - c0)
        c0, t0 = time.process_time(), time.perf_counter()
        result = audit_verify.verify()
        verifies.append(time.perf_counter() - t0)
        verify_cpu.append(time.process_time() - c0)
        if not result.ok:
            raise RuntimeError(result.summary())
    ratios = [v / r for v, r in zip(verifies, reads, strict=True)]
    read_s, verify_s = statistics.median(reads), statistics.median(verifies)
    ratio = statistics.median(ratios)
    figures.update(
        {
            "repeats": REPEATS,
            "read_seconds_median": round(read_s, 3),
            "verify_seconds_median": round(verify_s, 3),
            "read_seconds_all": [round(x, 3) for x in reads],
            "verify_seconds_all": [round(x, 3) for x in verifies],
            "verify_over_read_per_pair": [round(x, 2) for x in ratios],
            "verify_over_read": round(ratio, 2),
            "target_verify_over_read": 2.0,
            "target_met": ratio <= 2.0,
            "client_cpu_seconds_read_median": round(statistics.median(read_cpu), 3),
            "client_cpu_seconds_verify_median": round(statistics.median(verify_cpu), 3),
            "verify_events_per_second": round(EVENTS / verify_s),
            "verify_summary": audit_verify.verify().summary(),
        }
    )
    return figures


def _child() -> None:
    common.setup_django()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        server = cursor.fetchone()[0]
    figures = {
        "postgresql": server.split(",")[0],
        "concurrent_appends": _concurrent_appends(),
        "verify_1m": _verify_at_scale(),
    }
    common.emit(figures)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child()
    elif sys.argv[1:2] == ["--append-worker"]:
        _append_worker(int(sys.argv[2]), int(sys.argv[3]))
    else:
        print(json.dumps(run(), ensure_ascii=False, indent=2))
