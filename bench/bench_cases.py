"""Benchmark: penalty cases at scale (issue 11 §6 "Speed").

A child process configures Django (DEBUG off) against a scratch PostgreSQL database, migrates
it, seeds the calendar and, on 2026-03-02, walks template cases through the real services into
every state (filed, investigated, notified, decided, served, executed, closed — with their
deadlines). It then bulk-creates FAZHI_BENCH_CASES cases (default 50,000) as copies of the
templates (each copy a valid row of its template's state: its dates and its deadlines moved back
together by up to two years, a case older than 60 days a copy of the closed one; another party;
one of 20 handlers), vacuums, and times, through Django's test client (the whole
request: middleware, scoped selector, pagination, template), for the handler (own institute)
and the district leader (subtree):

- the case list (``/enforcement/cases/``, first page, a late page, 100 rows);
- the workbench (``/``: the deadline board and the to-do list);
- the concluded-cases list of the case-file review (``/enforcement/cases/file-review/``).

Each is RUNS requests: the median and p95 server time and the query count (which must not grow
with the rows shown: 20 and 100 rows are both reported). Then one decision .docx (the scoped read
and the rendering, ``catalogue.case_document``) and a batch of BATCH decisions as the background
job ``enforcement.case_documents`` (run in this process, as the worker would).

``run()`` returns the figures; ``python bench/bench_cases.py`` prints them as JSON. Without
PostgreSQL the module reports itself skipped (50,000 rows on SQLite is not the production case).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import common

CASES = int(os.environ.get("FAZHI_BENCH_CASES", "50000"))
RUNS = int(os.environ.get("FAZHI_BENCH_CASES_RUNS", "30"))
BATCH = int(os.environ.get("FAZHI_BENCH_CASES_BATCH", "1000"))
PG_DB = "fazhi_bench_cases"
TARGET_MEDIAN_MS = 100.0
TARGET_P95_MS = 250.0
TARGET_DOCX_MS = 300.0
CHUNK = 5000
HANDLERS = 20  # the institute's case handlers: the copies are shared among them


def _templates(cw: Any) -> list[Any]:
    """One case in each state, walked through the services."""
    from fazhi.enforcement.services import case_steps
    from fazhi.enforcement.tests.case_support import file_case, investigate, notify

    out = [
        file_case(cw),
        investigate(cw, file_case(cw)),
        notify(cw, investigate(cw, file_case(cw))),
    ]
    for final in ("decided", "served", "executed", "closed"):
        case = notify(cw, investigate(cw, file_case(cw)))
        case = case_steps.case_waive_rights(actor=cw.handler, case=case)
        case = case_steps.case_decide(actor=cw.leader, case=case, outcome="penalty", fine="2000")
        if final != "decided":
            case = case_steps.case_serve(actor=cw.handler, case=case)
        if final in ("executed", "closed"):
            case = case_steps.case_execute(actor=cw.handler, case=case, paid_amount="2000")
        if final == "closed":
            case = case_steps.case_close(actor=cw.handler, case=case)
        out.append(case)
    return out


OPEN_DAYS = 60  # cases filed within the last 60 days may still be open; older ones are closed
SPREAD_DAYS = 730  # filing days spread over two years


def _clone(templates: list[Any], entities: list[Any], handlers: list[Any], n: int) -> int:
    """``n`` copies of the templates in valid states, with their deadlines: copy ``i`` is its
    template with every date moved ``i % SPREAD_DAYS`` days back (a case filed more than
    OPEN_DAYS ago is a copy of the closed one), another party and one of ``handlers`` as its
    handler and its deadlines' assignee."""
    import datetime as dt

    from django.contrib.contenttypes.models import ContentType
    from django.db import models, transaction

    from fazhi.core.models import Deadline
    from fazhi.enforcement.models import CaseState, PenaltyCase

    case_type = ContentType.objects.get_for_model(PenaltyCase)
    deadlines = {
        t.pk: list(Deadline.objects.filter(content_type=case_type, object_id=str(t.pk)))
        for t in templates
    }
    closed = next(t for t in templates if t.state == CaseState.CLOSED)
    skip = {"id", "created_at"}
    fields = [f.attname for f in PenaltyCase._meta.concrete_fields if f.attname not in skip]
    case_dates = {
        f.attname for f in PenaltyCase._meta.concrete_fields if isinstance(f, models.DateField)
    } - {"created_at"}
    deadline_fields = [f for f in Deadline._meta.concrete_fields if f.attname not in skip]
    deadline_dates = {"start_date", "due_date", "met_on"}
    made = 0
    while made < n:
        rows, sources = [], []
        for i in range(made, min(made + CHUNK, n)):
            back = dt.timedelta(days=i % SPREAD_DAYS)
            template = templates[i % len(templates)] if back.days <= OPEN_DAYS else closed
            values = {name: getattr(template, name) for name in fields}
            for name in case_dates:
                if values.get(name) is not None:
                    values[name] = values[name] - back
            values["lead_id"] = None
            values["entity_id"] = entities[i % len(entities)].pk
            values["handler_id"] = handlers[i % len(handlers)].pk
            if template.decision_number:
                values["decision_number"] = f"{template.decision_number}-{i}"
            rows.append(PenaltyCase(**values))
            sources.append((template, back))
        with transaction.atomic():
            created = PenaltyCase.objects.bulk_create(rows, batch_size=1000)
            copies = []
            for case, (template, back) in zip(created, sources, strict=True):
                for d in deadlines[template.pk]:
                    copy = Deadline(**{f.attname: getattr(d, f.attname) for f in deadline_fields})
                    for name in deadline_dates:
                        if getattr(copy, name) is not None:
                            setattr(copy, name, getattr(copy, name) - back)
                    copy.object_id = str(case.pk)
                    copy.assignee_id = case.handler_id
                    copies.append(copy)
            Deadline.objects.bulk_create(copies, batch_size=2000)
        made += len(rows)
    return made


def _time(client: Any, url: str) -> dict[str, Any]:
    import statistics
    import time

    from django.db import connection

    response = client.get(url)  # warm-up
    assert response.status_code == 200, (url, response.status_code)
    queries: list[str] = []

    took: list[tuple[float, str]] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took.append((time.perf_counter() - t0, sql))

    with connection.execute_wrapper(count):
        client.get(url)
    slowest_s, slowest_sql = max(took) if took else (0.0, "")
    if os.environ.get("FAZHI_BENCH_PROFILE"):
        import cProfile
        import io
        import pstats

        profile = cProfile.Profile()
        profile.enable()
        client.get(url)
        profile.disable()
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(40)
        with open(os.environ["FAZHI_BENCH_PROFILE"], "a", encoding="utf-8") as log:
            log.write(f"==== {url}\n{out.getvalue()}\n")
    timings = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        client.get(url)
        timings.append(time.perf_counter() - t0)
    timings.sort()
    return {
        "median_ms": round(statistics.median(timings) * 1e3, 1),
        "p95_ms": round(timings[min(len(timings) - 1, int(len(timings) * 0.95))] * 1e3, 1),
        "queries": len(queries),
        "slowest_query_ms": round(slowest_s * 1e3, 1),
        "slowest_query": slowest_sql[:160],
    }


def _child() -> dict[str, Any]:
    import datetime as dt
    import statistics
    import time

    import time_machine

    common.setup_django()
    from django.conf import settings
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    from django.db import connection
    from django.test import Client

    from fazhi.core.jobs import get_kind
    from fazhi.core.models import Job, Role
    from fazhi.core.services import calendar as calendar_services
    from fazhi.core.services.jobs import job_run
    from fazhi.core.tests.factories import make_user
    from fazhi.enforcement.documents import catalogue
    from fazhi.enforcement.documents.jobs import case_documents_batch_enqueue
    from fazhi.enforcement.models import PenaltyCase
    from fazhi.enforcement.tests.case_support import make_case_world
    from fazhi.inspections.tests.task_support import make_entity

    calendar_services.calendar_seed_from_package(actor=None, years=[2025, 2026])
    figures: dict[str, Any] = {"vendor": connection.vendor, "cases": CASES}
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC), tick=True):
        t0 = time.perf_counter()
        cw = make_case_world()
        templates = _templates(cw)
        entities = [make_entity(cw.w) for _ in range(200)]
        handlers = [cw.handler] + [
            make_user(cw.org, Role.SUPERVISOR, full_name=f"主办人{n}") for n in range(1, HANDLERS)
        ]
        figures["build_templates_s"] = round(time.perf_counter() - t0, 1)
        t0 = time.perf_counter()
        made = _clone(templates, entities, handlers, CASES - len(templates))
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # the steady state autovacuum keeps
        figures["bulk_create_s"] = round(time.perf_counter() - t0, 1)
        figures["cases_in_db"] = PenaltyCase.objects.count()
        assert made + len(templates) == figures["cases_in_db"]
        pages: dict[str, Any] = {}
        for who, user in (("handler", cw.handler), ("leader", cw.leader)):
            client = Client()
            client.force_login(user)
            for name, url in (
                ("case_list", "/enforcement/cases/"),
                ("case_list_size100", "/enforcement/cases/?size=100"),
                ("case_list_page500", "/enforcement/cases/?page=500"),
                ("case_list_state_closed", "/enforcement/cases/?state=closed"),
                ("workbench", "/"),
                ("file_review_list", "/enforcement/cases/file-review/"),
            ):
                pages[f"{who}.{name}"] = _time(client, url)
        figures["pages"] = pages
        decided = PenaltyCase.objects.filter(pk=templates[3].pk).get()
        for _ in range(5):
            catalogue.case_document(user=cw.leader, case_id=decided.pk, key="decision")
        timings = []
        for _ in range(RUNS):
            t0 = time.perf_counter()
            catalogue.case_document(user=cw.leader, case_id=decided.pk, key="decision")
            timings.append(time.perf_counter() - t0)
        timings.sort()
        figures["decision_docx_ms"] = {
            "median": round(statistics.median(timings) * 1e3, 1),
            "p95": round(timings[min(len(timings) - 1, int(len(timings) * 0.95))] * 1e3, 1),
        }
        # the batch job over BATCH decisions: a year whose decided cases are at least BATCH
        year = decided.decided_on.year
        ids = list(
            PenaltyCase.objects.filter(decided_on__year=year)
            .order_by("pk")
            .values_list("pk", flat=True)[BATCH:]
        )
        PenaltyCase.objects.filter(pk__in=ids).update(
            decided_on=decided.decided_on.replace(year=year - 1)
        )
        get_kind("enforcement.case_documents")  # registered
        job = case_documents_batch_enqueue(actor=cw.leader, key="decision", year=year)
        t0 = time.perf_counter()
        job_run(job.pk)
        batch_s = time.perf_counter() - t0
        job = Job.objects.get(pk=job.pk)
        figures["batch_job"] = {
            "documents": job.done,
            "state": job.state,
            "seconds": round(batch_s, 1),
            "per_document_ms": round(batch_s / max(job.done, 1) * 1e3, 1),
        }
    figures["peak_mb"] = round(common.peak_mb(), 1)
    return figures


def run() -> dict[str, Any]:
    if not common.postgres_answers():
        return {"skipped": common.NO_POSTGRES}
    with common.scratch_database(PG_DB) as url:
        result = common.run_child(
            __file__, "--child", env={**common.child_env(url), "FAZHI_DEBUG": "false"}
        )
    pages = result["pages"].values()
    result["ok"] = (
        all(p["median_ms"] <= TARGET_MEDIAN_MS and p["p95_ms"] <= TARGET_P95_MS for p in pages)
        and result["decision_docx_ms"]["p95"] < TARGET_DOCX_MS
    )
    result["targets"] = {
        "median_ms": TARGET_MEDIAN_MS,
        "p95_ms": TARGET_P95_MS,
        "docx_ms": TARGET_DOCX_MS,
    }
    return result


if __name__ == "__main__":
    if "--child" in sys.argv:
        common.emit(_child())
    else:
        print(json.dumps(run(), ensure_ascii=False, indent=2))
