"""Two processes create the same login at the same moment (PostgreSQL only)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from fazhi.core.models import AuditEvent, Role, User
from fazhi.core.testing import needs_postgres, postgres_env
from fazhi.core.tests.factories import make_org_tree, make_user

WORKER = textwrap.dedent(
    """
    import json, os, sys
    import django
    os.environ["DJANGO_SETTINGS_MODULE"] = "fazhi.settings"
    django.setup()
    from django.db import connection
    from fazhi.core import errors
    from fazhi.core.services import people
    from fazhi.core.models import Organisation, User
    admin = User.objects.get(pk=int(sys.argv[1]))
    org = Organisation.objects.get(pk=int(sys.argv[2]))
    connection.ensure_connection()
    print("ready", flush=True)
    sys.stdin.readline()
    try:
        people.user_create(
            actor=admin, username=sys.argv[3], full_name="并发", organisation=org,
            role="supervisor", password="Race-Pass-2026!",
        )
        print(json.dumps({"ok": True}))
    except errors.FazhiError as exc:
        print(json.dumps({"ok": False, "code": exc.code}))
    """
)


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_login_wins_when_two_processes_create_it():
    tree = make_org_tree()
    admin = make_user(tree.cities[0], Role.SYSTEM_ADMIN)
    district = tree.districts[0]
    env = postgres_env()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(admin.pk), str(district.pk), username],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for username in ("race_user", "RACE_user", "race_USER")
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
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert sorted(r["ok"] for r in results) == [False, False, True]
    assert {r.get("code") for r in results if not r["ok"]} == {"username_taken"}
    assert User.objects.filter(username__iexact="race_user").count() == 1
    created = User.objects.get(username__iexact="race_user")
    # nothing half-written: exactly one creation event, for the one user that exists
    events = AuditEvent.objects.filter(action="user.created", details_json__icontains="race_user")
    assert [e.object_id for e in events] == [str(created.pk)]
