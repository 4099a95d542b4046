"""The directory's background jobs: progress while an import file is read, the checks made at
upload, who may start which job, and the export's progress."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from fazhi.core import errors
from fazhi.core.models import Attachment, Job
from fazhi.core.services import jobs as job_services
from fazhi.registry import jobs as registry_jobs
from fazhi.registry.models import ImportBatch
from fazhi.registry.selectors.entities import EntityFilters
from fazhi.registry.services import imports as import_services
from fazhi.registry.tests.helpers import (
    HEADER,
    World,
    csv_bytes,
    good_row,
    make_entity,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return World()


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[int, int | None, str | None]] = []

    def __call__(self, done: int, total: int | None = None, message: str | None = None) -> None:
        self.calls.append((done, total, message))


def _unsized_xlsx(rows: list[list[object]]) -> bytes:
    """As openpyxl's write-only mode (and other streaming writers) save: no <dimension>."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("数据")
    sheet.append(HEADER)
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "name, build, known",
    [("d.xlsx", xlsx_bytes, 6), ("d.xlsx", _unsized_xlsx, 6), ("d.csv", csv_bytes, 6)],
    ids=["xlsx", "unsized-xlsx", "csv"],
)
def test_staging_reports_rows_read_against_the_files_rows(world, name, build, known, monkeypatch):
    """The total is known from the start: a CSV's lines, a sheet's rows as the reader loaded
    them (with or without a <dimension>)."""
    monkeypatch.setattr("fazhi.core.jobs.REPORT_EVERY", 2)
    progress = Recorder()
    batch = import_services.import_batch_stage(
        actor=world.sup0,
        organisation=world.inst0,
        file_name=name,
        content=build([good_row() for _ in range(5)]),
        progress=progress,
    )
    assert batch.is_clean and batch.row_count == 5
    assert progress.calls[0] == (0, known, "正在读取并校验每一行")
    assert [c[0] for c in progress.calls[1:-1]] == [2, 4, 6]  # header + 5 rows
    assert {c[1] for c in progress.calls[1:]} == {6}
    assert progress.calls[-1] == (6, 6, "正在核对名录库中已登记的代码和许可证号")


def test_an_upload_is_refused_at_once_when_the_cheap_checks_fail(world, settings):
    """(The upload's size is refused before, where it is read: ``import_limits.read_upload``.)"""
    settings.FAZHI_IMPORT_MAX_UNZIPPED_BYTES = 1_000
    for name, content, code in (
        ("d.pdf", b"%PDF-1.4", "unreadable_file"),
        ("d.xlsx", xlsx_bytes([good_row() for _ in range(5)]), "import_unzipped_too_large"),
    ):
        with pytest.raises(errors.ValidationFailed) as refused:
            registry_jobs.import_stage_enqueue(
                actor=world.sup0, organisation=world.inst0, file_name=name, content=content
            )
        assert refused.value.code == code
    assert not Job.objects.exists() and not Attachment.objects.exists()


def test_only_those_who_may_import_start_import_jobs(world):
    content = csv_bytes([good_row()])
    with pytest.raises(errors.PermissionDenied):
        registry_jobs.import_stage_enqueue(
            actor=world.viewer0, organisation=world.inst0, file_name="d.csv", content=content
        )
    with pytest.raises(errors.OutOfScope):
        registry_jobs.import_stage_enqueue(
            actor=world.sup1, organisation=world.inst0, file_name="d.csv", content=content
        )
    batch = import_services.import_batch_stage(
        actor=world.sup0, organisation=world.inst0, file_name="d.csv", content=content
    )
    with pytest.raises(errors.OutOfScope):
        registry_jobs.import_confirm_enqueue(actor=world.sup1, batch_id=batch.pk)
    with pytest.raises(errors.PermissionDenied):
        registry_jobs.import_confirm_enqueue(actor=world.viewer0, batch_id=batch.pk)
    assert not Job.objects.exists()
    # a confirm already queued is the one answered on a second click
    first = registry_jobs.import_confirm_enqueue(actor=world.sup0, batch_id=batch.pk)
    assert registry_jobs.import_confirm_enqueue(actor=world.sup0, batch_id=batch.pk) == first


def test_the_stage_job_reads_the_stored_upload_as_its_starter(world, run_jobs):
    with run_jobs():
        job = registry_jobs.import_stage_enqueue(
            actor=world.sup0,
            organisation=world.inst0,
            file_name="名录.xlsx",
            content=xlsx_bytes([good_row(), good_row()]),
        )
    job.refresh_from_db()
    batch = ImportBatch.objects.get(pk=job.result_id)
    upload = Attachment.objects.get(pk=job.params["attachment"])
    assert batch.file_hash == upload.sha256 and batch.created_by == world.sup0
    assert (job.done, job.total, job.percent) == (3, 3, 100)


def test_the_export_job_counts_what_it_writes(world, run_jobs):
    for _ in range(3):
        make_entity(world.sup0)
    make_entity(world.sup1)
    with run_jobs():
        job = registry_jobs.entity_export_enqueue(
            actor=world.sup0, filters=EntityFilters(active=None), fmt="pdf"
        )
    job.refresh_from_db()
    assert job.params["format"] == "xlsx"  # an unknown format is the default one
    assert job.params["filters"]["active"] is None  # "both" survives the round trip
    assert (job.state, job.done, job.total) == ("succeeded", 3, 3)
    assert Attachment.objects.get(pk=job.result_id).filename == "检查对象.xlsx"
    # a job whose parameters were lost fails in Chinese instead of crashing
    Job.objects.filter(pk=job.pk).update(params={})
    job_services.job_retry(actor=world.sup0, job_id=job.pk)
    job_services.job_run(job.pk)
    job.refresh_from_db()
    assert (job.state, job.error_code) == ("failed", "job_bad_params")
