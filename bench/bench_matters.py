"""Benchmark: the petition list and the workbench with 200,000 matters stored (issue #12).

A child process configures Django against a scratch database (SQLite always; PostgreSQL too when
a server answers on 127.0.0.1:5432), migrates it, builds a province with one city of 10 districts
through the real services, and bulk-creates FAZHI_BENCH_MATTERS matters (three petitions to one
disclosure request, received over the last two years, in every state), one reply clock each
(core ``Deadline`` rows: met for the concluded ones, running or overdue for the others), a
supervision order on one petition in 100 and a leader ownership on one in 200. It then measures
the server time of the pages through Django's test client (DEBUG off, as in production): the
petition list (first page, and a filtered one), and the workbench (every domain's to-do items,
the deadline board), for a district petition officer (own organisation: a tenth of the rows) and
for the district's head (subtree). Each figure is the median of 30 requests; the number of
queries of each page is reported (it must not grow with the data). Target: ≤100 ms median.

``run()`` returns the figures; ``python bench/bench_matters.py`` prints them as JSON.
FAZHI_BENCH_PROFILE=<page key> prints a cProfile of ten requests of that page to stderr.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from typing import Any

import common

MATTERS = int(os.environ.get("FAZHI_BENCH_MATTERS", "200000"))
PG_DB = "fazhi_bench_matters"
RUNS = 30
BATCH = 5_000
TARGET_MS = 100


def _child() -> dict[str, Any]:
    import datetime as dt
    import statistics
    import time

    common.setup_django()
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    from fazhi.core import clock
    from fazhi.core.models import Deadline, OrganisationKind, OrganisationLevel, Role
    from fazhi.core.services import org as org_services
    from fazhi.core.services import people as people_services
    from fazhi.matters.models import (
        DISCLOSURE_CHANNELS,
        PETITION_CHANNELS,
        Category,
        LeaderAssignment,
        Matter,
        MatterKind,
        MatterState,
        ReplyType,
        RequesterKind,
        SupervisionOrder,
    )

    today = clock.today()

    def org(name: str, level: str, code: str, parent: Any) -> Any:
        return org_services.organisation_create(
            actor=None,
            name=name,
            kind=OrganisationKind.COMMISSION,
            level=level,
            division_code=code,
            parent=parent,
        )

    province = org("基准省卫生健康委员会", OrganisationLevel.PROVINCE, "370000", None)
    city = org("基准市卫生健康委员会", OrganisationLevel.CITY, "370100", province)
    districts = [
        org(f"基准区{d}卫生健康局", OrganisationLevel.DISTRICT, f"3701{d:02d}", city)
        for d in range(1, 11)
    ]

    def user(name: str, organisation: Any, role: str) -> Any:
        return people_services.user_create(
            actor=None,
            username=name,
            full_name=name,
            organisation=organisation,
            role=role,
            password="Bench-Pass-2026",  # noqa: S106  (scratch database)
        )

    officer = user("bench_petition", districts[0], Role.PETITION_OFFICER)
    head = user("bench_head", districts[0], Role.LEADER)
    city_head = user("bench_city_head", city, Role.LEADER)

    build_start = time.perf_counter()
    petition_states = [
        MatterState.RECEIVED,
        MatterState.ACCEPTED,
        MatterState.REPLIED,
        MatterState.CLOSED,
        MatterState.CLOSED,
        MatterState.CLOSED,
        MatterState.ROUTED,
        MatterState.REVIEW,
    ]
    disclosure_states = [
        MatterState.RECEIVED,
        MatterState.REPLIED,
        MatterState.REPLIED,
        MatterState.CORRECTION,
        MatterState.CONSULTING,
        MatterState.ABANDONED,
    ]
    matter_type = ContentType.objects.get_for_model(Matter)
    made = 0
    while made < MATTERS:
        rows = []
        for n in range(made, min(made + BATCH, MATTERS)):
            petition = n % 4 != 3
            state = (petition_states if petition else disclosure_states)[
                (n // 4) % (len(petition_states) if petition else len(disclosure_states))
            ]
            received = today - dt.timedelta(days=n % 730)
            concluded = state in (MatterState.REPLIED, MatterState.CLOSED, MatterState.ABANDONED)
            rows.append(
                Matter(
                    organisation=districts[n % 10],
                    kind=MatterKind.PETITION if petition else MatterKind.DISCLOSURE,
                    channel=(PETITION_CHANNELS if petition else DISCLOSURE_CHANNELS)[n % 5],
                    submitted_on=received,
                    received_on=received,
                    requester_kind=RequesterKind.PERSON,
                    requester_name=f"来件人{n}",
                    title=f"基准来件{n}",
                    content="基准测试数据",
                    category=Category.values[n % len(Category.values)],
                    state=state,
                    reply_type=(ReplyType.SUPPORT if petition else ReplyType.PUBLIC)
                    if concluded
                    else "",
                    replied_on=min(received + dt.timedelta(days=20), today) if concluded else None,
                    created_by=officer,
                )
            )
        created = Matter.objects.bulk_create(rows, batch_size=BATCH)
        clocks = []
        for m in created:
            done = m.replied_on is not None
            due = m.received_on + dt.timedelta(days=60 if m.kind == MatterKind.PETITION else 28)
            clocks.append(
                Deadline(
                    organisation_id=m.organisation_id,
                    title=f"答复期限：{m.title}",
                    rule_key="petition.handle"
                    if m.kind == MatterKind.PETITION
                    else "disclosure.reply",
                    start_date=m.received_on,
                    due_date=due,
                    state=("met" if done else ("overdue" if due < today else "open")),
                    met_on=m.replied_on,
                    content_type=matter_type,
                    object_id=str(m.pk),
                )
            )
        Deadline.objects.bulk_create(clocks, batch_size=BATCH)
        SupervisionOrder.objects.bulk_create(
            [
                SupervisionOrder(
                    matter=m,
                    issuer=city,
                    requirement="请报告办理结果。",
                    issued_on=m.received_on,
                    due_on=m.received_on + dt.timedelta(days=15),
                    issued_by=city_head,
                )
                for i, m in enumerate(created)
                if m.kind == MatterKind.PETITION and (made + i) % 100 == 0
            ]
        )
        LeaderAssignment.objects.bulk_create(
            [
                LeaderAssignment(
                    matter=m, leader=head, assigned_on=m.received_on, assigned_by=officer
                )
                for i, m in enumerate(created)
                if m.kind == MatterKind.PETITION
                and m.organisation_id == districts[0].pk
                and (made + i) % 200 == 0
            ]
        )
        made += len(rows)
    build_seconds = time.perf_counter() - build_start
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # the steady state autovacuum keeps (as bench_cases)

    pages = {
        "petition_list": "/matters/?kind=petition",
        "petition_list_filtered": "/matters/?kind=petition&state=accepted&channel=letter",
        "petition_list_page_50": "/matters/?kind=petition&page=50",
        "workbench": "/",
    }
    figures: dict[str, Any] = {}
    if os.environ.get("FAZHI_BENCH_PROFILE"):
        import cProfile
        import pstats

        client = Client()
        client.force_login(officer)
        client.get(pages["petition_list"])
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(10):
            client.get(pages[os.environ["FAZHI_BENCH_PROFILE"]])
        profile.disable()
        pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(45)
    for label, who in (("district_officer", officer), ("district_head", head)):
        client = Client()
        client.force_login(who)
        for name, url in pages.items():
            response = client.get(url)  # warm-up
            assert response.status_code == 200, (url, response.status_code)
            queries: list[str] = []

            slowest: list[tuple[float, str, Any]] = []

            def count(
                execute: Any,
                sql: str,
                *args: Any,
                log: list[str] = queries,
                slowest: list[tuple[float, str, Any]] = slowest,
            ) -> Any:
                log.append(sql)
                t0 = time.perf_counter()
                try:
                    return execute(sql, *args)
                finally:
                    slowest.append((time.perf_counter() - t0, sql, args[0] if args else None))

            with connection.execute_wrapper(count):  # the request resets the debug log
                again = client.get(url)
            assert again.status_code == 200, (url, again.status_code)
            if connection.vendor == "postgresql" and slowest:
                took, sql, sql_params = max(slowest, key=lambda item: item[0])
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, sql_params)
                    plan = [row[0] for row in cursor.fetchall()]
                figures[f"{label}.{name}.slowest_query_ms"] = round(took * 1000, 1)
                figures[f"{label}.{name}.slowest_query_plan"] = plan
            timings = []
            for _ in range(RUNS):
                t0 = time.perf_counter()
                client.get(url)
                timings.append(time.perf_counter() - t0)
            median = round(statistics.median(timings) * 1000, 1)
            figures[f"{label}.{name}.median_ms"] = median
            figures[f"{label}.{name}.queries"] = len(queries)
            figures[f"{label}.{name}.within_target"] = median <= TARGET_MS
    return {
        "matters": Matter.objects.count(),
        "deadlines": Deadline.objects.count(),
        "supervision_orders": SupervisionOrder.objects.count(),
        "build_seconds_bulk": round(build_seconds, 1),
        "target_ms": TARGET_MS,
        **figures,
    }


def _run_child(env: dict[str, str]) -> dict[str, Any]:
    return common.run_child(__file__, "--child", env={**env, "FAZHI_DEBUG": "false"})


def run() -> dict[str, Any]:
    """Both databases; FAZHI_BENCH_MATTERS_DBS=postgresql (or sqlite) measures one."""
    results: dict[str, Any] = {}
    wanted = os.environ.get("FAZHI_BENCH_MATTERS_DBS", "sqlite,postgresql").split(",")
    if "sqlite" in wanted:
        with tempfile.TemporaryDirectory() as tmp:
            results["sqlite"] = _run_child(common.child_env(FAZHI_VAR_DIR=tmp))
    if "postgresql" not in wanted:
        pass
    elif common.postgres_answers():
        with common.scratch_database(PG_DB) as url:
            results["postgresql"] = _run_child(common.child_env(url))
    else:
        results["postgresql"] = {"skipped": common.NO_POSTGRES}
    return results


if __name__ == "__main__":
    if "--child" in sys.argv:
        common.emit(_child())
    else:
        print(json.dumps(run(), ensure_ascii=False, indent=2))
