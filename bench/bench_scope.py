"""Benchmark: scoped reads at province size (issue 2 design size: ~3,000 officers a province).

A child process configures Django against a scratch database (SQLite always; PostgreSQL too when a
server answers on 127.0.0.1:5432), migrates it and builds, through the real services, a province
with FAZHI_BENCH_SCOPE_CITIES cities of 10 districts each (every commission with its supervision
institute) and FAZHI_BENCH_SCOPE_OFFICERS officers with one credential each, spread over the
district institutes. It then times the selectors behind the list pages and the API, for a
province-level viewer (subtree: everything) and a district supervisor (own organisation):
the organisation tree, one page (100) of officers with their credential state, the count of
credentials expiring within 90 days, and one page of users. Each figure is the median of 30 runs,
and the number of queries of each read is reported (it must not grow with the data). DEBUG is off,
as in production.

``run()`` returns the figures; ``python bench/bench_scope.py`` prints them as JSON.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from typing import Any

import common

from fazhi.core import clock

CITIES = int(os.environ.get("FAZHI_BENCH_SCOPE_CITIES", "10"))
OFFICERS = int(os.environ.get("FAZHI_BENCH_SCOPE_OFFICERS", "3000"))
PG_DB = "fazhi_bench_scope"
RUNS = 30
PASSWORD = "Bench-Pass-2026"  # noqa: S105  (scratch database)


def _child() -> dict[str, Any]:
    import datetime as dt
    import statistics
    import time

    common.setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    from fazhi.core.models import OrganisationKind, OrganisationLevel, Role
    from fazhi.core.selectors import org as org_selectors
    from fazhi.core.selectors import people as people_selectors
    from fazhi.core.services import org as org_services
    from fazhi.core.services import people as people_services

    build_start = time.perf_counter()

    def commission(name: str, level: str, code: str, parent: Any) -> Any:
        org = org_services.organisation_create(
            actor=None,
            name=name,
            kind=OrganisationKind.COMMISSION,
            level=level,
            division_code=code,
            parent=parent,
        )
        institute = org_services.organisation_create(
            actor=None,
            name=name + "监督所",
            kind=OrganisationKind.SUPERVISION_INSTITUTE,
            level=level,
            division_code=code,
            parent=org,
        )
        return org, institute

    province, _ = commission("基准省", OrganisationLevel.PROVINCE, "370000", None)
    district_institutes = []
    districts = []
    for c in range(1, CITIES + 1):
        city, _ = commission(f"基准市{c}", OrganisationLevel.CITY, f"37{c:02d}00", province)
        for d in range(1, 11):
            district, institute = commission(
                f"基准市{c}区{d}", OrganisationLevel.DISTRICT, f"37{c:02d}{d:02d}", city
            )
            districts.append(district)
            district_institutes.append(institute)
    today = clock.today()
    for n in range(OFFICERS):
        institute = district_institutes[n % len(district_institutes)]
        officer = people_services.officer_create(
            actor=None, organisation=institute, name=f"执法员{n}"
        )
        people_services.credential_issue(
            actor=None,
            officer=officer,
            number=f"B{n:08d}",
            issued_on=today - dt.timedelta(days=1000),
            expires_on=today + dt.timedelta(days=(n * 37) % 1500 - 30),
        )
    for n, district in enumerate(districts):
        people_services.user_create(
            actor=None,
            username=f"bench_user{n}",
            full_name=f"用户{n}",
            organisation=district,
            role=Role.SUPERVISOR,
            password=PASSWORD,
        )
    viewer = people_services.user_create(
        actor=None,
        username="bench_viewer",
        full_name="省级查看",
        organisation=province,
        role=Role.VIEWER,
        password=PASSWORD,
    )
    supervisor = people_services.user_create(
        actor=None,
        username="bench_supervisor",
        full_name="区监督员",
        organisation=district_institutes[0],
        role=Role.SUPERVISOR,
        password=PASSWORD,
    )
    build_seconds = time.perf_counter() - build_start

    def reads(user: Any) -> dict[str, Any]:
        return {
            "organisation_tree": lambda: list(org_selectors.organisation_list(user=user)),
            "officer_page_100": lambda: [
                people_selectors.credential_state(o, today=today)
                for o in people_selectors.officer_list(user=user)[:100]
            ],
            "credentials_expiring_90d_count": lambda: people_selectors.credentials_expiring(
                user=user, within_days=90
            ).count(),
            "user_page_100": lambda: list(people_selectors.user_list(user=user)[:100]),
        }

    figures: dict[str, Any] = {}
    for label, user in (("province_viewer", viewer), ("district_supervisor", supervisor)):
        for name, func in reads(user).items():
            func()  # warm-up
            reset_queries()
            with CaptureQueriesContext(connection) as queries:
                func()
            timings = []
            for _ in range(RUNS):
                t0 = time.perf_counter()
                func()
                timings.append(time.perf_counter() - t0)
            figures[f"{label}.{name}.median_ms"] = round(statistics.median(timings) * 1000, 2)
            figures[f"{label}.{name}.queries"] = len(queries)
    return {
        "organisations": 2 * (1 + CITIES * 11),
        "officers": OFFICERS,
        "build_seconds_through_services": round(build_seconds, 1),
        **figures,
    }


def _run_child(env: dict[str, str]) -> dict[str, Any]:
    return common.run_child(__file__, "--child", env={**env, "FAZHI_DEBUG": "false"})


def run() -> dict[str, Any]:
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = _run_child(common.child_env(FAZHI_VAR_DIR=tmp))
    if common.postgres_answers():
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
