"""Benchmark: a national-size draw on PostgreSQL (issue 3, "Speed").

1,000,000 entities in 8 categories (inserted with COPY), 3,000 inspectors, a plan drawing 50,000
tasks with inspector assignment. Measured in each of three rounds (``FAZHI_BENCH_DRAW_ROUNDS``), a
new plan over the same directory each time, so that later rounds meet the tasks and teams of the
earlier ones; the ratio is the median draw over the median read:

* the read baseline: the time PostgreSQL needs to read the candidate ids alone (the same eight
  candidate queries the draw runs, fetched to the client);
* the announcement (freeze every list, hash, pack; freeze and hash the pool);
* the draw (``draw_run``). Protocol 2 (the default; ``FAZHI_BENCH_DRAW_PROTOCOL=1`` for the
  first): announced with a declared lottery draw the next evening, drawn with the clock moved
  past it; the engine ranks the announced lists (stratum key in every ranking key) and assigns
  inspectors. Protocol 1: the database also recomputes every current list's count and hash
  while the engine ranks, both compared with the announcement. Then 50,000 tasks and 100,000
  team rows stored with COPY, audit;
* peak memory (``ru_maxrss`` of the process that ran them);
* the method deployed systems use, one query per pick at a random offset into the sorted
  candidate list (``ORDER BY id LIMIT 1 OFFSET r``), timed on a sample of picks and extrapolated
  to 50,000 picks (the report says so).

``run()`` creates the scratch database ``fazhi_bench_draw``, runs the measurement in a child
process (so that Django is configured against the scratch database and ``ru_maxrss`` is the
draw's own), drops the database and returns the figures. ``python bench/bench_draw.py`` prints
them as JSON.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
from typing import Any

import common

from fazhi.core import clock

DB_NAME = "fazhi_bench_draw"
ENTITIES = int(os.environ.get("FAZHI_BENCH_ENTITIES", "1000000"))
INSPECTORS = int(os.environ.get("FAZHI_BENCH_INSPECTORS", "3000"))
TASKS = int(os.environ.get("FAZHI_BENCH_TASKS", "50000"))
OFFSET_SAMPLE = int(os.environ.get("FAZHI_BENCH_OFFSET_SAMPLE", "40"))
ROUNDS = int(os.environ.get("FAZHI_BENCH_DRAW_ROUNDS", "3"))
PROTOCOL = os.environ.get("FAZHI_BENCH_DRAW_PROTOCOL", "2")


def run() -> dict[str, Any]:
    """Create the scratch database, measure in a child process, drop the database."""
    if not common.postgres_answers():
        return {"skipped": common.NO_POSTGRES}
    load_before = os.getloadavg()[0]
    with common.scratch_database(DB_NAME) as url:
        figures = common.run_child(__file__, "--child", env=common.child_env(url))
    # the machine is shared: say how busy it was
    figures["load_average_before_after"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    return figures


# --- the child ---------------------------------------------------------------------------------


def _populate(rng: random.Random) -> dict[str, Any]:
    import datetime as dt

    from django.db import connection

    from fazhi.core.models import Credential, Officer, Role
    from fazhi.core.tests.factories import make_org_tree, make_user
    from fazhi.inspections.models import InspectorLeave, InspectorProfile
    from fazhi.registry.models import Entity, SupervisionCategory

    tree = make_org_tree(province_code="35")
    institutes = [tree.institute_of(d) for d in tree.districts]
    planner = make_user(tree.province, Role.SUPERVISOR, full_name="基准测试计划员")
    categories = list(SupervisionCategory.objects.order_by("id")[:8])
    assert len(categories) == 8, "the seeded categories are missing"
    now = clock.now()

    # entities, with COPY: every concrete column, defaults from the model
    columns: list[str] = []
    defaults: list[Any] = []
    for f in Entity._meta.concrete_fields:
        columns.append(str(f.column))
        defaults.append(f.get_default())
    index = {c: i for i, c in enumerate(columns)}
    grades = ["A", "B", "B", "C", "D"]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY registry_entity ({', '.join(columns)}) FROM STDIN") as copy:
            for n in range(1, ENTITIES + 1):
                org = institutes[n % len(institutes)]
                row = list(defaults)
                row[index["id"]] = n
                row[index["organisation_id"]] = org.pk
                row[index["name"]] = f"基准单位{n}"
                row[index["uscc"]] = f"91{n:016d}"
                row[index["kind"]] = "public_place_other"
                row[index["division_code"]] = org.division_code
                row[index["status"]] = "operating" if n % 50 else "closed"
                row[index["risk_grade"]] = grades[n % 5]
                row[index["created_at"]] = now
                row[index["updated_at"]] = now
                copy.write_row(row)
        with raw.copy(
            "COPY registry_entity_categories (entity_id, supervisioncategory_id) FROM STDIN"
        ) as copy:
            for n in range(1, ENTITIES + 1):
                first = categories[n % 8].pk
                copy.write_row((n, first))
                if n % 10 == 0:  # one in ten has a second category
                    copy.write_row((n, categories[(n % 8 + 1 + (n // 10) % 7) % 8].pk))
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('registry_entity', 'id'), %s)", [ENTITIES]
        )
        # a directory in service is not freshly bulk-loaded: vacuum now, so that autovacuum's
        # pass over the new rows does not compete with the measurement
        cursor.execute("VACUUM (ANALYZE) registry_entity")
        cursor.execute("VACUUM (ANALYZE) registry_entity_categories")
    entity_seconds = time.perf_counter() - started

    # inspectors: fixture data for the benchmark, written in bulk
    today = clock.today()
    officers = Officer.objects.bulk_create(
        [
            Officer(organisation=institutes[i % len(institutes)], name=f"检查员{i}")
            for i in range(INSPECTORS)
        ],
        batch_size=1000,
    )
    Credential.objects.bulk_create(
        [
            Credential(
                officer=o,
                number=f"BENCH{o.pk:08d}",
                issued_on=today - dt.timedelta(days=700),
                expires_on=today + dt.timedelta(days=365 if i % 40 else -5),
            )
            for i, o in enumerate(officers)
        ],
        batch_size=1000,
    )
    profiles = InspectorProfile.objects.bulk_create(
        [
            InspectorProfile(
                officer=o,
                organisation=o.organisation,
                regions=[o.organisation.division_code] if i % 5 else [],
                max_tasks_per_plan=80,
            )
            for i, o in enumerate(officers)
        ],
        batch_size=1000,
    )
    through = InspectorProfile.categories.through
    through.objects.bulk_create(
        [
            through(inspectorprofile_id=p.pk, supervisioncategory_id=c.pk)
            for p in profiles
            for c in rng.sample(categories, 3)
        ],
        batch_size=5000,
    )
    InspectorLeave.objects.bulk_create(
        [
            InspectorLeave(
                officer=o, start=today + dt.timedelta(days=3), end=today + dt.timedelta(days=9)
            )
            for i, o in enumerate(officers)
            if i % 20 == 7
        ]
    )
    return {
        "tree": tree,
        "planner": planner,
        "categories": categories,
        "entity_seconds": entity_seconds,
    }


def _instrument() -> dict[str, float]:
    """Time the phases of ``draw_run`` by wrapping its parts (benchmark only)."""
    import contextlib
    import functools

    from django.db.backends.base.base import BaseDatabaseWrapper

    from fazhi.inspections import drawengine, frozen
    from fazhi.inspections.services import draws

    phases: dict[str, float] = {}

    def timed(owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                phases[label] = phases.get(label, 0.0) + time.perf_counter() - started

        setattr(owner, name, wrapper)

    timed(drawengine, "unpack_lists", "unpack_announced_lists")
    timed(drawengine, "run", "engine_rank_and_assign_incl_context")
    timed(drawengine, "context_lookup", "of_which_announced_context_lookup")
    original_lists = frozen.current_lists

    @contextlib.contextmanager
    def current_lists(*args: Any, **kwargs: Any) -> Any:
        # the database's list check runs while the engine ranks: time what is left to wait
        with original_lists(*args, **kwargs) as current:
            yield current
            started = time.perf_counter()
        phases["wait_for_database_list_check_after_engine"] = time.perf_counter() - started

    draws.current_lists = current_lists  # type: ignore[attr-defined]
    timed(draws, "build_pool", "recompute_pool")
    timed(draws, "_store_tasks", "store_tasks_and_teams")
    timed(BaseDatabaseWrapper, "commit", "commit_incl_deferred_fk_checks")
    return phases


def _child() -> None:
    import datetime as dt

    common.setup_django()
    import time_machine
    from django.core.management import call_command
    from django.db import connection

    from fazhi.inspections.frozen import _fetch, stratum_queryset
    from fazhi.inspections.models import InspectionTask, PlanKind, TaskInspector
    from fazhi.inspections.services.announcements_v2 import plan_announce_v2
    from fazhi.inspections.services.draws import draw_run
    from fazhi.inspections.services.plans import plan_create, stratum_add
    from fazhi.inspections.tests.v1_support import plan_announce_v1

    call_command("migrate", verbosity=0)
    rng = random.Random(20261128)
    world = _populate(rng)
    planner = world["planner"]
    today = clock.today()
    phases_now = _instrument()
    event_day = today + dt.timedelta(days=1)
    event = {
        "period": f"{event_day.year}{event_day.timetuple().tm_yday:03d}",
        "date": event_day.isoformat(),
    }
    after_event = dt.datetime.combine(event_day, dt.time(14, 0), tzinfo=dt.UTC)

    def new_plan(n: int) -> Any:
        plan = plan_create(
            actor=planner,
            organisation=world["tree"].province,
            kind=PlanKind.RANDOM,
            title=f"全国随机监督抽查（基准测试第{n}轮）",
            year=today.year,
            window_start=today,
            window_end=today + dt.timedelta(days=20),
        )
        for category in world["categories"]:
            stratum_add(
                actor=planner,
                plan=plan,
                key=category.code.replace("_", "-"),
                category=category,
                quota=TASKS // 8,
            )
        return plan

    # Each round: a new plan over the same directory; the baseline (PostgreSQL reading the
    # candidate ids alone, warm cache), the announcement, the draw. Later rounds find the tasks
    # of the earlier ones (last teams), as a directory with an inspection history does.
    rounds: list[dict[str, Any]] = []
    candidate_count = 0
    draw = None
    for n in range(1, ROUNDS + 1):
        plan = new_plan(n)
        strata = list(plan.strata.order_by("key"))
        started = time.perf_counter()
        candidate_count = sum(len(_fetch(stratum_queryset(plan, s), "id")) for s in strata)
        read_seconds = time.perf_counter() - started
        started = time.perf_counter()
        if PROTOCOL == "1":
            plan_announce_v1(
                actor=planner,
                plan=plan,
                entropy_kind="public_number",
                entropy_spec="中国福利彩票3D 基准测试开奖号码",
            )
        else:
            plan_announce_v2(actor=planner, plan=plan, sources=[("cwl-3d", event)])
        announce_seconds = time.perf_counter() - started
        phases_now.clear()
        if PROTOCOL == "1":
            started = time.perf_counter()
            draw = draw_run(actor=planner, plan=plan, public_number=f"2 0 2 {n}")
            draw_seconds = time.perf_counter() - started
        else:
            # the declared lottery has been drawn: the clock moves past its evening
            with time_machine.travel(after_event, tick=True):
                started = time.perf_counter()
                draw = draw_run(actor=planner, plan=plan, values=[f"{n:03d}"])
                draw_seconds = time.perf_counter() - started
        # days pass between two plans' draws, and autovacuum processes the tables the draw filled
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) inspections_inspectiontask")
            cursor.execute("VACUUM (ANALYZE) inspections_taskinspector")
        rounds.append(
            {
                "read_candidate_ids_seconds": round(read_seconds, 3),
                "announce_seconds": round(announce_seconds, 3),
                "draw_seconds": round(draw_seconds, 3),
                "draw_vs_read_ratio": round(draw_seconds / read_seconds, 2),
                "tasks_drawn": draw.task_count,
                "draw_phases_seconds": {k: round(v, 2) for k, v in phases_now.items()},
            }
        )
    assert draw is not None
    peak_mb = common.peak_mb()
    stored_tasks = InspectionTask.objects.filter(draw=draw).count()
    stored_members = TaskInspector.objects.filter(task__draw=draw).count()
    read_seconds = statistics.median(r["read_candidate_ids_seconds"] for r in rounds)
    announce_seconds = statistics.median(r["announce_seconds"] for r in rounds)
    draw_seconds = statistics.median(r["draw_seconds"] for r in rounds)

    # the deployed method: one query per pick at a random offset into the sorted list
    stratum = strata[0]
    qs = stratum_queryset(plan, stratum).values_list("id")
    sql, params = qs.query.sql_with_params()
    n = len(_fetch(stratum_queryset(plan, stratum), "id"))
    picks = []
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for _ in range(OFFSET_SAMPLE):
            cursor.execute(f"{sql} LIMIT 1 OFFSET %s", [*params, rng.randrange(n)])
            picks.append(cursor.fetchone())
    offset_sample_seconds = time.perf_counter() - started
    per_pick = offset_sample_seconds / OFFSET_SAMPLE
    offset_extrapolated = per_pick * TASKS

    figures = {
        "entities": ENTITIES,
        "candidates_total": candidate_count,
        "inspectors": INSPECTORS,
        "tasks_drawn": draw.task_count,
        "tasks_stored": stored_tasks,
        "team_rows_stored": stored_members,
        "infeasible_tasks": len(draw.infeasible.get("tasks", {})),
        "populate_entities_seconds": round(world["entity_seconds"], 2),
        "rounds": ROUNDS,
        "read_candidate_ids_seconds": round(read_seconds, 3),
        "announce_seconds": round(announce_seconds, 3),
        "draw_seconds": round(draw_seconds, 3),
        "draw_vs_read_ratio": round(draw_seconds / read_seconds, 2),
        "ratio_note": "medians over the rounds of the draw and of the candidate-id read",
        "announce_plus_draw_vs_read_ratio": round(
            (announce_seconds + draw_seconds) / read_seconds, 2
        ),
        "target_ratio": 3.0,
        "protocol": f"fazhi-draw/{PROTOCOL}",
        "peak_memory_mb": round(peak_mb, 1),
        "memory_target_mb": 1024,
        "offset_method_sample_picks": OFFSET_SAMPLE,
        "offset_method_seconds_per_pick": round(per_pick, 4),
        "offset_method_extrapolated_seconds": round(offset_extrapolated, 1),
        "offset_method_note": (
            f"timed {OFFSET_SAMPLE} picks (ORDER BY id LIMIT 1 OFFSET r) in a stratum of {n} "
            f"candidates and extrapolated to {TASKS} picks; targets only, no inspector assignment"
        ),
        "offset_vs_draw_ratio": round(offset_extrapolated / draw_seconds, 1),
        "per_round": rounds,
    }
    common.emit(figures)


if __name__ == "__main__":
    if "--child" in sys.argv:
        _child()
    else:
        print(json.dumps(run(), ensure_ascii=False, indent=2))
