"""Several processes appending to the chain at once (PostgreSQL only)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from fazhi.core import audit_verify
from fazhi.core.models import AuditEvent
from fazhi.core.testing import needs_postgres, postgres_env

WORKER = textwrap.dedent(
    """
    import os, sys
    import django
    os.environ["DJANGO_SETTINGS_MODULE"] = "fazhi.settings"
    django.setup()
    from django.db import transaction
    from fazhi.core import audit
    from fazhi.core.tests.probe_events import ProbeEvents
    worker, count = int(sys.argv[1]), int(sys.argv[2])
    for i in range(count):
        with transaction.atomic(durable=True):
            audit.append(actor=None, action=ProbeEvents.CONCURRENT, details={"w": worker, "i": i})
        if i % 7 == 3:
            # A rolled-back append in the middle must leave no gap.
            try:
                with transaction.atomic(durable=True):
                    audit.append(actor=None, action=ProbeEvents.ROLLED_BACK)
                    raise RuntimeError
            except RuntimeError:
                pass
    """
)


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_processes_append_without_gaps():
    processes, per_process = 4, 50
    env = postgres_env()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(w), str(per_process)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for w in range(processes)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, processes * per_process + 1))
    assert not AuditEvent.objects.filter(action="test.rolled_back").exists()
    per_worker = {
        w: AuditEvent.objects.filter(details_json__endswith=f'"w":{w}}}').count()
        for w in range(processes)
    }
    assert per_worker == dict.fromkeys(range(processes), per_process)
    result = audit_verify.verify()  # outermost here: runs in its own REPEATABLE READ snapshot
    assert result.ok, result.summary()
    assert result.count == processes * per_process


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_verify_while_others_append_sees_a_consistent_snapshot():
    # Without one snapshot for the head and the events, an append committed between reading the
    # events and reading the head would look like a truncated tail.
    env = postgres_env()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(w), "60"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for w in range(2)
    ]
    results = []
    while any(p.poll() is None for p in procs):
        results.append(audit_verify.verify(chunk_size=7))
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
    results.append(audit_verify.verify())
    assert all(r.ok for r in results), [r.summary() for r in results if not r.ok]
    assert results[-1].count == 120
    assert len({r.count for r in results}) > 1 or len(results) == 1
