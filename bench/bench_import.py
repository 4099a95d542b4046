"""Benchmark: importing entities from .xlsx (issue 13, "Speed"; issue 3 before it).

Targets (issue 13): 200,000 entities from upload to committed on PostgreSQL in at most 10 s and
at most 3x the time python-calamine needs to read the same file; peak memory under 500 MB;
SQLite reported beside it.

The file is generated once (valid USCCs from the real check algorithms, 1-2 categories per row,
a licence on every second row, dates as Excel dates; openpyxl's write-only mode: inline
strings, no <dimension>). For each database (PostgreSQL in a scratch database
``fazhi_bench_import``, dropped afterwards; SQLite in a temporary directory) a child process
migrates, creates an organisation and a supervisor through the core services, and times:

* ``read``: python-calamine opening the workbook and iterating every row of the sheet
  (``CalamineWorkbook.from_path`` + ``iter_rows``) - the floor: nothing can import a row it has
  not read, and the import reads through the same library (``fazhi.core.spreadsheets``);
* ``import``: the whole user-visible import through the background-job path (decision 0014),
  as the page does it, with a ``fazhi db_worker`` process started beforehand (as production
  runs one): ``import_stage_enqueue`` (cheap checks, the upload stored as an attachment, a job
  queued on django-tasks' database backend), the worker running it (``import_batch_stage``:
  read, validate every row, look up existing codes, stage the batch), then
  ``import_confirm_enqueue`` and the worker again (``import_batch_confirm``: the entities,
  their category links and licences in one transaction - COPY on PostgreSQL - one audit
  event). The measuring process polls the job row every 0.1 s meanwhile, as the job page does,
  and reports what it saw (``progress_samples``). ``stage_s`` and ``confirm_s`` run from the
  upload (or the confirm button) to the job's end as the page sees it (the worker takes a job
  within its 1 s polling interval: up to a second of each is queueing); ``*_run_s`` are the
  jobs' own running times (started -> finished). The CPU figure adds the worker's CPU time
  during the import to the measuring process's.

Reported: absolute times, the ratio import/read, rows per second and the peak RSS of the
measuring process and of the worker (the import's memory).
The read is timed before and after the import and the faster is used (so a cold cache does not
flatter the ratio). On a shared, loaded machine wall times swing by several times between runs,
so CPU time is reported too (``cpu_ratio``); on SQLite it covers the database work as well
(in-process), on PostgreSQL it leaves out the server's side, which is reported on its own
(``cpu_database_server_s``: the CPU time of the database's backends, sampled while the jobs run;
``cpu_all_ratio`` adds it). Measured that way, the server's part - maintaining the directory's
indexes and checking the foreign keys of every inserted entity, category link and licence - is
10 to 15 s of CPU for this file by itself, three to four times calamine's read (decision
0079).
Sizes: FAZHI_BENCH_IMPORT_ROWS (default 200000); FAZHI_BENCH_IMPORT_FILE reuses a file
generated before instead of generating one.
``python bench/bench_import.py`` prints the figures as JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import common

DB_NAME = "fazhi_bench_import"
ROWS = int(os.environ.get("FAZHI_BENCH_IMPORT_ROWS", "200000"))
TARGET_RATIO = 3.0
TARGET_SECONDS = 10.0
TARGET_PEAK_MB = 500

KINDS = [
    ("医院", "医疗卫生"),
    ("诊所/门诊部", "医疗卫生"),
    ("公共场所（住宿）", "公共场所卫生"),
    ("公共场所（游泳）", "公共场所卫生、生活饮用水卫生"),
    ("集中式供水单位", "生活饮用水卫生"),
    ("学校/托幼机构", "学校卫生、传染病防治"),
    ("消毒产品生产企业", "消毒产品"),
    ("放射诊疗/放射工作单位", "放射卫生、医疗卫生"),
    ("职业卫生技术服务机构", "职业卫生"),
]
DIVISIONS = ["350102", "350103", "350104", "350105", "350111"]


def generate(path: Path, rows: int) -> float:
    """Write the benchmark file; returns the seconds it took (not part of any figure).
    Runs in a child process with Django set up (the column headers come from the importer)."""
    common.setup_django()
    from openpyxl import Workbook

    from fazhi.registry.codes import make_uscc
    from fazhi.registry.importing.template import COLUMNS

    started = time.perf_counter()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("数据")
    sheet.append([c.header for c in COLUMNS])
    valid_from = dt.datetime(2023, 1, 1)  # noqa: DTZ001 - an Excel date cell has no zone
    valid_to = dt.datetime(2028, 12, 31)  # noqa: DTZ001
    for i in range(rows):
        kind, categories = KINDS[i % len(KINDS)]
        division = DIVISIONS[i % len(DIVISIONS)]
        licence = i % 2 == 0
        sheet.append(
            [
                f"基准单位{i:07d}",
                make_uscc(division, i + 1),
                None,
                "否",
                kind,
                categories,
                division,
                f"福州市某区某路{i % 997}号",
                f"负责人{i % 5000}",
                "正常经营",
                "ABCD"[i % 4],
                "医疗机构执业许可证" if licence else None,
                f"PDY{i:08d}" if licence else None,
                "诊疗科目" if licence else None,
                valid_from if licence else None,
                valid_to if licence else None,
            ]
        )
    workbook.save(path)
    return time.perf_counter() - started


def run() -> dict[str, Any]:
    results: dict[str, Any] = {
        "rows": ROWS,
        "target_ratio": TARGET_RATIO,
        "target_seconds": TARGET_SECONDS,
        "target_peak_mb": TARGET_PEAK_MB,
    }
    with tempfile.TemporaryDirectory(prefix="fazhi_bench_import_") as tmp:
        path = Path(tmp) / "entities.xlsx"
        given = os.environ.get("FAZHI_BENCH_IMPORT_FILE")  # a file generated before (quick runs)
        if given:
            shutil.copyfile(given, path)
        else:
            results["generate_s"] = _run_child(common.child_env(), path, "--generate")["generate_s"]
        results["file_mb"] = round(path.stat().st_size / 1e6, 2)
        if common.postgres_answers():
            with common.scratch_database(DB_NAME) as url:
                media = str(Path(tmp) / "media")  # the upload is kept as an attachment
                results["postgresql"] = _run_child(
                    common.child_env(url, FAZHI_MEDIA_ROOT=media), path
                )
        else:
            results["postgresql"] = {"skipped": common.NO_POSTGRES}
        sqlite_dir = Path(tmp) / "sqlite"
        sqlite_dir.mkdir()
        results["sqlite"] = _run_child(common.child_env(FAZHI_VAR_DIR=str(sqlite_dir)), path)
    return results


def _run_child(env: dict[str, str], path: Path, mode: str = "--child") -> dict[str, Any]:
    return common.run_child(__file__, mode, str(path), env=env)


# --- the child ------------------------------------------------------------------------------------


def _read_only(path: Path) -> tuple[float, float, int]:
    """(wall s, CPU s of this process, rows) of python-calamine reading every row."""
    from python_calamine import CalamineWorkbook

    started, cpu = time.perf_counter(), time.process_time()
    workbook = CalamineWorkbook.from_path(str(path))
    count = 0
    for _ in workbook.get_sheet_by_index(0).iter_rows():
        count += 1
    workbook.close()
    return time.perf_counter() - started, time.process_time() - cpu, count


def _start_worker() -> Any:
    """A ``fazhi db_worker`` process, as production runs one beside the web server; returns
    once it has started taking tasks."""
    import subprocess

    worker = subprocess.Popen(
        [sys.executable, "-m", "fazhi", "db_worker", "--no-reload", "--no-startup-delay"],
        env={**os.environ, "FAZHI_TASKS_BACKEND": "django_tasks_db.DatabaseBackend"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert worker.stdout is not None
    line = worker.stdout.readline()
    if "Starting worker" not in line:
        raise SystemExit(f"worker did not start: {line}{worker.stdout.read()}")
    return worker


def _stop_worker(worker: Any) -> None:
    import signal

    worker.send_signal(signal.SIGTERM)  # graceful: it is idle between jobs
    worker.wait(timeout=60)


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a running process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _ServerCpu:
    """CPU seconds of the PostgreSQL backends serving this database (the server runs on this
    machine): sampled while the jobs run (``sample``, every poll), because a job's connection
    may end with its job; ``used`` is the CPU they spent since the first sample. Nothing on
    SQLite, whose database work is inside the measured processes."""

    def __init__(self) -> None:
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.sample()
        self.first = dict(self.last)

    def sample(self) -> None:
        from django.db import connection

        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
            pids = [int(r[0]) for r in cursor.fetchall()]
        for pid in pids:
            try:
                self.last[pid] = _proc_cpu(pid)
            except (FileNotFoundError, PermissionError):  # ended meanwhile, or another user's
                continue

    def used(self) -> float:
        self.sample()
        return sum(cpu - self.first.get(pid, 0.0) for pid, cpu in self.last.items())


def _watch(job_id: int, server: _ServerCpu) -> list[list[Any]]:
    """Poll the job's row as the job page does until it has finished: the distinct (state,
    done, total, message) seen."""
    from fazhi.core.models import Job

    seen: list[list[Any]] = []
    while True:
        row = Job.objects.values_list("state", "done", "total", "message").get(pk=job_id)
        if not seen or list(row) != seen[-1]:
            seen.append(list(row))
        server.sample()
        if row[0] in ("succeeded", "failed"):
            return seen
        time.sleep(0.1)


def _run_seconds(job: Any) -> float:
    return round((job.finished_at - job.started_at).total_seconds(), 2)


def _children_peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _child(path: Path) -> None:
    common.setup_django()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    from fazhi.core.models import OrganisationKind, OrganisationLevel, Role
    from fazhi.core.services import org as org_services
    from fazhi.core.services import people as people_services
    from fazhi.registry import jobs as registry_jobs
    from fazhi.registry.models import Entity, ImportBatch, Licence

    commission = org_services.organisation_create(
        actor=None,
        name="基准区卫生健康委员会",
        kind=OrganisationKind.COMMISSION,
        level=OrganisationLevel.PROVINCE,
        division_code="350000",
        parent=None,
        short_name="基卫",
    )
    institute = org_services.organisation_create(
        actor=None,
        name="基准区卫生健康监督所",
        kind=OrganisationKind.SUPERVISION_INSTITUTE,
        level=OrganisationLevel.PROVINCE,
        division_code="350000",
        parent=commission,
        short_name="基监",
    )
    user = people_services.user_create(
        actor=None,
        username="bench_importer",
        full_name="基准导入员",
        organisation=institute,
        role=Role.SUPERVISOR,
        password="Bench-Import-2026!x",  # noqa: S106
    )
    content = path.read_bytes()
    read_before, cpu_read_before, rows_read = _read_only(path)

    worker = _start_worker()
    worker_cpu_started = _proc_cpu(worker.pid)
    server = _ServerCpu()
    started, cpu_started = time.perf_counter(), time.process_time()
    stage = registry_jobs.import_stage_enqueue(
        actor=user, organisation=institute, file_name=path.name, content=content
    )
    stage_seen = _watch(stage.pk, server)
    stage.refresh_from_db()
    staged = time.perf_counter()
    if stage.state != "succeeded":
        raise SystemExit(f"stage job {stage.state}: {stage.error_code} {stage.error_message}")
    batch = ImportBatch.objects.get(pk=stage.result_id)
    if batch.error_count:
        raise SystemExit(f"benchmark file has errors: {batch.errors[:5]}")
    confirm = registry_jobs.import_confirm_enqueue(actor=user, batch_id=batch.pk)
    confirm_seen = _watch(confirm.pk, server)
    confirm.refresh_from_db()
    if confirm.state != "succeeded":
        raise SystemExit(f"confirm job {confirm.state}: {confirm.error_code}")
    finished, cpu_finished = time.perf_counter(), time.process_time()
    worker_cpu = _proc_cpu(worker.pid) - worker_cpu_started
    server_cpu = server.used()
    _stop_worker(worker)

    read_after, cpu_read_after, _ = _read_only(path)
    read = min(read_before, read_after)
    cpu_read = min(cpu_read_before, cpu_read_after)
    total = finished - started
    cpu_total = cpu_finished - cpu_started
    entities = Entity.objects.count()
    licences = Licence.objects.count()
    links = Entity.categories.through.objects.count()
    figures = {
        "database": connection.vendor,
        "rows_read": rows_read - 1,
        "entities": entities,
        "licences": licences,
        "category_links": links,
        "calamine_read_s": round(read, 2),
        "calamine_read_runs_s": [round(read_before, 2), round(read_after, 2)],
        "import_s": round(total, 2),
        "stage_s": round(staged - started, 2),
        "confirm_s": round(finished - staged, 2),
        "stage_run_s": _run_seconds(stage),
        "confirm_run_s": _run_seconds(confirm),
        "stage_progress_samples": len(stage_seen),
        "stage_progress_first_last": [stage_seen[0], stage_seen[-1]] if stage_seen else [],
        "confirm_progress_samples": len(confirm_seen),
        "ratio": round(total / read, 3),
        "within_ratio_target": total / read <= TARGET_RATIO,
        "within_seconds_target": total <= TARGET_SECONDS,
        "rows_per_s": round(entities / total),
        # CPU time of the worker processes (the import itself) and of the process that queued
        # and watched the jobs: robust against other load on a shared machine; it leaves out
        # the database server's own work (a separate process on PostgreSQL)
        "cpu_calamine_read_s": round(cpu_read, 2),
        "cpu_import_s": round(cpu_total + worker_cpu, 2),
        "cpu_ratio": round((cpu_total + worker_cpu) / cpu_read, 3),
        # the database server's own CPU time for the import (PostgreSQL: its backends; on
        # SQLite the database work is inside the processes above): index maintenance and the
        # foreign-key checks of every inserted row
        "cpu_database_server_s": round(server_cpu, 2),
        "cpu_all_ratio": round((cpu_total + worker_cpu + server_cpu) / cpu_read, 3),
        "peak_rss_mb": round(common.peak_mb()),
        "worker_peak_rss_mb": round(_children_peak_mb()),
        "within_memory_target": max(common.peak_mb(), _children_peak_mb()) < TARGET_PEAK_MB,
    }
    figures["export"] = {fmt: _export(user, fmt) for fmt in ("xlsx", "csv")}
    common.emit(figures)


def _rss_mb(field: str) -> float:
    """VmRSS / VmHWM (peak) of this process in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def _export(user: Any, fmt: str) -> dict[str, Any]:
    """The directory's export of every imported entity (the export job's writer,
    ``entity_export_file``, to a temporary file): time, size and this process's peak RSS
    during it (the peak is reset first: ``/proc/self/clear_refs``)."""
    import gc

    from fazhi.registry import exports
    from fazhi.registry.selectors.entities import EntityFilters

    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")
    before = _rss_mb("VmRSS")
    started, cpu = time.perf_counter(), time.process_time()
    with tempfile.TemporaryFile() as target:
        exports.entity_export_file(user=user, filters=EntityFilters(), fmt=fmt, target=target)
        size = target.tell()
    return {
        "export_s": round(time.perf_counter() - started, 2),
        "cpu_s": round(time.process_time() - cpu, 2),
        "file_mb": round(size / 1e6, 2),
        "rss_before_mb": round(before),
        "peak_rss_mb": round(_rss_mb("VmHWM")),
        "peak_growth_mb": round(_rss_mb("VmHWM") - before),
    }


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(Path(sys.argv[2]))
    elif sys.argv[1:2] == ["--generate"]:
        common.emit({"generate_s": round(generate(Path(sys.argv[2]), ROWS), 2)})
    else:
        print(json.dumps(run(), ensure_ascii=False, indent=2))
