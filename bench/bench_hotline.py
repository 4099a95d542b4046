"""Benchmark: importing 100,000 hotline tickets from .xlsx (issue 12 "Speed", issue 13).

Targets: the whole import (a background job with progress) within 2x the time openpyxl needs to
read the file (issue 12) and within 3x python-calamine's read of it (issue 13).

The file is a platform export as ``fazhi.matters.hotline_import`` reads it (工单编号, 来电时间,
来电人, 电话, 诉求类型, 诉求内容, 承办单位, 办理时限; times as text the way platforms export
them), generated once with openpyxl's write-only mode. For each database (PostgreSQL in a
scratch database ``fazhi_bench_hotline``, dropped afterwards; SQLite in a temporary directory)
a child process migrates, creates a district organisation of the sample province 36 (whose rule
pack sets the service levels) and a petition officer through the core services, and times:

* ``openpyxl_read``: openpyxl (read-only mode) opening the workbook and iterating every row's
  values - issue 12's floor;
* ``calamine_read``: python-calamine opening it and iterating every row - issue 13's floor (the
  import reads through the same library, ``fazhi.core.spreadsheets``);
* ``import``: from the upload (``hotline_import_enqueue``: cheap checks, the file stored as an
  attachment, a job queued on django-tasks' database backend) to the job's end as the job page
  sees it, with a ``fazhi db_worker`` process started beforehand (read, check every row, look
  up the tickets already imported, then in one transaction the matters, their ticket rows and
  their service-level deadlines - COPY on PostgreSQL, batched inserts on SQLite - and one audit
  event). The worker takes a job within its 1 s polling interval: up to a second is queueing;
  ``import_run_s`` is the job's own running time (started -> finished).

Reads are timed before and after the import and the faster is used. CPU times are reported
beside the wall times (the machine is shared). FAZHI_BENCH_HOTLINE_ROWS (default 100000).
``python bench/bench_hotline.py`` prints the figures as JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import common
from bench_import import _proc_cpu, _run_seconds, _start_worker, _stop_worker, _watch

DB_NAME = "fazhi_bench_hotline"
ROWS = int(os.environ.get("FAZHI_BENCH_HOTLINE_ROWS", "100000"))
TARGET_OPENPYXL_RATIO = 2.0
TARGET_CALAMINE_RATIO = 3.0
TYPES = ["咨询", "投诉", "求助", "建议", "投诉举报", "意见建议"]
TEXTS = [
    "反映某诊所无证行医，请求查处。",
    "咨询医师执业注册需要哪些材料。",
    "小区游泳池水质浑浊，请求检测。",
    "建议延长社区卫生服务中心周末门诊时间。",
    "某医院收费与公示价格不符，请求核实并退还多收费用。",
]


def generate(path: Path, rows: int) -> float:
    from openpyxl import Workbook

    started = time.perf_counter()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("工单")
    sheet.append(["12345热线工单导出"])
    sheet.append(
        ["工单编号", "来电时间", "来电人", "电话", "诉求类型", "诉求内容", "承办单位", "办理时限"]
    )
    first = dt.datetime(2026, 1, 1, 8, 0)  # noqa: DTZ001 - text in the sheet
    for i in range(rows):
        called = first + dt.timedelta(minutes=(i * 4) % (330 * 24 * 60))
        sheet.append(
            [
                f"QY12345{2026}{i:08d}",
                called.strftime("%Y-%m-%d %H:%M:%S"),
                f"来电人{i % 3000}" if i % 5 else "",
                f"1380000{i % 10000:04d}",
                TYPES[i % len(TYPES)],
                f"{TEXTS[i % len(TEXTS)]}（第{i}号）",
                "清源市松溪区卫生健康委员会",
                (called + dt.timedelta(days=7)).strftime("%Y-%m-%d"),
            ]
        )
    workbook.save(path)
    return time.perf_counter() - started


def run() -> dict[str, Any]:
    results: dict[str, Any] = {
        "rows": ROWS,
        "target_openpyxl_ratio": TARGET_OPENPYXL_RATIO,
        "target_calamine_ratio": TARGET_CALAMINE_RATIO,
    }
    with tempfile.TemporaryDirectory(prefix="fazhi_bench_hotline_") as tmp:
        path = Path(tmp) / "tickets.xlsx"
        results["generate_s"] = round(generate(path, ROWS), 2)
        results["file_mb"] = round(path.stat().st_size / 1e6, 2)
        if common.postgres_answers():
            with common.scratch_database(DB_NAME) as url:
                media = str(Path(tmp) / "media")
                results["postgresql"] = _run_child(
                    common.child_env(url, FAZHI_MEDIA_ROOT=media), path
                )
        else:
            results["postgresql"] = {"skipped": common.NO_POSTGRES}
        sqlite_dir = Path(tmp) / "sqlite"
        sqlite_dir.mkdir()
        results["sqlite"] = _run_child(
            common.child_env(FAZHI_VAR_DIR=str(sqlite_dir), FAZHI_MEDIA_ROOT=str(sqlite_dir)),
            path,
        )
    return results


def _run_child(env: dict[str, str], path: Path) -> dict[str, Any]:
    return common.run_child(__file__, "--child", str(path), env=env)


# --- the child ------------------------------------------------------------------------------------


def _calamine_read(path: Path) -> tuple[float, float]:
    from python_calamine import CalamineWorkbook

    started, cpu = time.perf_counter(), time.process_time()
    workbook = CalamineWorkbook.from_path(str(path))
    for _ in workbook.get_sheet_by_index(0).iter_rows():
        pass
    workbook.close()
    return time.perf_counter() - started, time.process_time() - cpu


def _openpyxl_read(path: Path) -> tuple[float, float]:
    from openpyxl import load_workbook

    started, cpu = time.perf_counter(), time.process_time()
    workbook = load_workbook(path, read_only=True, data_only=True)
    for _ in workbook.worksheets[0].iter_rows(values_only=True):
        pass
    workbook.close()
    return time.perf_counter() - started, time.process_time() - cpu


def _child(path: Path) -> None:
    common.setup_django()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    from fazhi.core.models import Deadline, OrganisationKind, OrganisationLevel, Role
    from fazhi.core.services import org as org_services
    from fazhi.core.services import people as people_services
    from fazhi.matters import jobs as matter_jobs
    from fazhi.matters.hotline_models import HotlineImport, HotlineTicket
    from fazhi.matters.models import Matter

    commission = org_services.organisation_create(
        actor=None,
        name="清源市松溪区卫生健康委员会",
        kind=OrganisationKind.COMMISSION,
        level=OrganisationLevel.DISTRICT,
        division_code="360102",
        parent=None,
        short_name="松卫",
    )
    user = people_services.user_create(
        actor=None,
        username="bench_hotline",
        full_name="基准工单员",
        organisation=commission,
        role=Role.PETITION_OFFICER,
        password="Qx7-Tickets-Measure-91!",  # noqa: S106
    )
    content = path.read_bytes()
    calamine_before = _calamine_read(path)
    openpyxl_before = _openpyxl_read(path)

    worker = _start_worker()
    worker_cpu_started = _proc_cpu(worker.pid)
    started, cpu_started = time.perf_counter(), time.process_time()
    job = matter_jobs.hotline_import_enqueue(
        actor=user,
        organisation=commission,
        platform="12345",
        file_name=path.name,
        content=content,
    )
    seen = _watch(job.pk)
    finished, cpu_finished = time.perf_counter(), time.process_time()
    job.refresh_from_db()
    worker_cpu = _proc_cpu(worker.pid) - worker_cpu_started
    _stop_worker(worker)
    if job.state != "succeeded":
        raise SystemExit(f"import job {job.state}: {job.error_code} {job.error_message}")
    batch = HotlineImport.objects.get(pk=job.result_id)
    if batch.error_count:
        raise SystemExit(f"benchmark file has errors: {batch.errors[:5]}")

    calamine_after = _calamine_read(path)
    openpyxl_after = _openpyxl_read(path)
    calamine = min(calamine_before[0], calamine_after[0])
    openpyxl_s = min(openpyxl_before[0], openpyxl_after[0])
    cpu_calamine = min(calamine_before[1], calamine_after[1])
    cpu_openpyxl = min(openpyxl_before[1], openpyxl_after[1])
    total = finished - started
    cpu_total = cpu_finished - cpu_started + worker_cpu
    figures = {
        "database": connection.vendor,
        "tickets": HotlineTicket.objects.count(),
        "matters": Matter.objects.count(),
        "deadlines": Deadline.objects.count(),
        "openpyxl_read_s": round(openpyxl_s, 2),
        "calamine_read_s": round(calamine, 2),
        "import_s": round(total, 2),
        "import_run_s": _run_seconds(job),
        "progress_samples": len(seen),
        "progress_first_last": [seen[0], seen[-1]] if seen else [],
        "ratio_openpyxl": round(total / openpyxl_s, 3),
        "ratio_calamine": round(total / calamine, 3),
        "within_openpyxl_target": total / openpyxl_s <= TARGET_OPENPYXL_RATIO,
        "within_calamine_target": total / calamine <= TARGET_CALAMINE_RATIO,
        "rows_per_s": round(ROWS / total),
        "cpu_openpyxl_read_s": round(cpu_openpyxl, 2),
        "cpu_calamine_read_s": round(cpu_calamine, 2),
        "cpu_import_s": round(cpu_total, 2),
        "peak_rss_mb": round(common.peak_mb()),
    }
    common.emit(figures)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(Path(sys.argv[2]))
    else:
        print(json.dumps(run(), ensure_ascii=False, indent=2))
