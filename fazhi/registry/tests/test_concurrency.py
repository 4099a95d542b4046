"""Two processes confirming at the same moment (PostgreSQL only)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

import pytest

from fazhi.core.testing import needs_postgres, postgres_env
from fazhi.registry.models import Entity, ImportBatch, ImportState
from fazhi.registry.services import imports as import_services
from fazhi.registry.tests.helpers import World, good_row, next_uscc, xlsx_bytes

WORKER = textwrap.dedent(
    """
    import json, os, sys
    import django
    os.environ["DJANGO_SETTINGS_MODULE"] = "fazhi.settings"
    django.setup()
    from django.db import connection
    from fazhi.core import errors
    from fazhi.core.models import User
    from fazhi.registry.services import imports
    user = User.objects.get(pk=int(sys.argv[1]))
    connection.ensure_connection()
    print("ready", flush=True)
    sys.stdin.readline()
    try:
        imports.import_batch_confirm(actor=user, batch_id=int(sys.argv[2]))
        print(json.dumps({"ok": True}))
    except errors.FazhiError as exc:
        print(json.dumps({"ok": False, "code": exc.code}))
    """
)


def _race(user_id: int, batch_ids: list[int]) -> list[dict[str, Any]]:
    env = postgres_env()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(user_id), str(batch_id)],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for batch_id in batch_ids
    ]
    for proc in procs:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_batch_confirmed_from_two_processes_is_inserted_once():
    world = World()
    batch = import_services.import_batch_stage(
        actor=world.sup0,
        organisation=world.inst0,
        file_name="x.xlsx",
        content=xlsx_bytes([good_row() for _ in range(50)]),
    )
    results = _race(world.sup0.pk, [batch.pk, batch.pk])
    assert sorted(r["ok"] for r in results) == [False, True]
    assert [r["code"] for r in results if not r["ok"]] == ["batch_not_pending"]
    assert Entity.objects.count() == 50


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_batches_with_the_same_code_cannot_both_land():
    world = World()
    shared = next_uscc()
    batches = [
        import_services.import_batch_stage(
            actor=world.sup0,
            organisation=world.inst0,
            file_name=f"{n}.xlsx",
            content=xlsx_bytes([good_row(uscc=shared), good_row()]),
        )
        for n in range(2)
    ]
    assert all(b.is_clean for b in batches)  # each preview alone is clean
    results = _race(world.sup0.pk, [b.pk for b in batches])
    assert sorted(r["ok"] for r in results) == [False, True]
    assert [r["code"] for r in results if not r["ok"]] == ["directory_changed"]
    assert Entity.objects.filter(uscc=shared).count() == 1
    assert Entity.objects.count() == 2  # the losing batch left nothing behind
    states = sorted(ImportBatch.objects.values_list("state", flat=True))
    assert states == sorted([ImportState.CONFIRMED, ImportState.PREVIEWED])
