"""Importing a benchmark file: the template, the job, every bad row reported, all or nothing."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest

from fazhi.core import errors
from fazhi.core.models import Attachment, Role
from fazhi.core.selectors.attachments import attachment_open
from fazhi.core.tests.factories import make_user
from fazhi.discretion import jobs as discretion_jobs
from fazhi.discretion.importing import reader, template
from fazhi.discretion.models import Benchmark, BenchmarkImport
from fazhi.discretion.sample import load_sample
from fazhi.discretion.services import imports as import_services
from fazhi.discretion.services.benchmarks import BenchmarkMeta
from fazhi.inspections.tests.task_support import TaskWorld, make_task_world

pytestmark = pytest.mark.django_db

HEADER = [c.header for c in template.COLUMNS]
META = BenchmarkMeta(
    title="导入的裁量基准", issuing_body="测试卫生健康委员会", effective_from=dt.date(2025, 1, 1)
)


def row(**values: Any) -> list[Any]:
    defaults: dict[str, Any] = {
        "编号": "GG-01",
        "违法行为": "公共场所未取得卫生许可证擅自营业",
        "违反条款": "《公共场所卫生管理条例》第八条",
        "处罚依据": "《公共场所卫生管理条例》第十四条",
        "裁量阶次": "一般处罚",
        "警告": "是",
        "罚款方式": "罚款金额",
        "罚款下限（元）": 2000,
        "罚款上限（元）": 5000,
    }
    defaults.update(values)
    return [defaults.get(h) for h in HEADER]


GOOD = [
    row(),
    row(
        **{
            "违法行为": "",
            "违反条款": "",
            "处罚依据": "",
            "裁量阶次": "从轻处罚",
            "须具备其一的情节": (
                "违法行为持续时间较短（基准规定的期限内）、主动供述行政机关尚未掌握的违法行为"
            ),
            "罚款下限（元）": 500,
            "罚款上限（元）": "2000.00",
        }
    ),
    row(
        **{
            "编号": "YL-01",
            "违法行为": "未取得医疗机构执业许可证擅自执业",
            "裁量阶次": "一般",
            "罚款方式": "违法所得倍数",
            "罚款下限（元）": None,
            "罚款上限（元）": None,
            "倍数下限": 10,
            "倍数上限": 15,
            "违法所得计算基数下限（元）": 10000,
            "没收": "没收违法所得和药品、医疗器械",
        }
    ),
]


def xlsx(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def world() -> TaskWorld:
    return make_task_world()


@pytest.fixture
def reviewer(world: TaskWorld):
    return make_user(world.org, Role.LEGAL_REVIEWER)


def run_import(reviewer, world, content: bytes) -> BenchmarkImport:
    return import_services.benchmark_import(
        actor=reviewer, organisation=world.org, meta=META, file_name="基准.xlsx", content=content
    )


def test_the_template_reads_back_with_its_headers():
    rows = list(reader.read_rows(template.import_template()))
    assert list(rows[0]) == HEADER


def test_a_good_file_creates_the_benchmark(world, reviewer):
    record = run_import(reviewer, world, xlsx(GOOD))
    assert record.error_count == 0 and record.row_count == 3
    benchmark = record.benchmark
    assert benchmark is not None and benchmark.title == META.title
    item = benchmark.items.get(code="GG-01")
    assert [t.tier for t in item.tiers.order_by("id")] == ["general", "lighter"]
    lighter = item.tiers.get(tier="lighter")
    assert lighter.fine_max == Decimal("2000.00")
    assert lighter.requires_any == ["short_duration", "confessed"]
    multiple = benchmark.items.get(code="YL-01").tiers.get()
    assert multiple.multiple_min == Decimal("10") and multiple.gains_floor == Decimal("10000")


def test_every_bad_row_is_reported_and_nothing_written(world, reviewer):
    bad = [
        *GOOD,
        row(**{"编号": "GG-09", "罚款下限（元）": -5}),
        row(**{"编号": "GG-10", "罚款上限（元）": "abc"}),
        row(**{"编号": "GG-11", "裁量阶次": "很重"}),
        row(**{"编号": "GG-12", "须全部具备的情节": "行贿"}),
        row(**{"编号": "GG-13", "罚款上限（元）": 5_000_000_000}),
        row(**{"编号": "GG-14", "违法行为": ""}),
        row(
            **{
                "编号": "GG-15",
                "裁量阶次": "从轻处罚",
                "罚款下限（元）": 100,
                "罚款上限（元）": 3000,
            }
        ),
        row(**{"编号": "GG-01", "违法行为": "另一个违法行为", "裁量阶次": "从重处罚"}),
    ]
    record = run_import(reviewer, world, xlsx(bad))
    assert record.benchmark is None
    assert not Benchmark.objects.exists()
    found = {(e["row"], e["column"]) for e in record.errors}
    assert (5, "罚款下限（元）") in found
    assert (6, "罚款上限（元）") in found
    assert (7, "裁量阶次") in found
    assert (8, "须全部具备的情节") in found
    assert (9, "罚款上限（元）") in found
    assert (10, "违法行为") in found
    assert (11, "裁量阶次") in found  # GG-15 has no 一般处罚
    assert (12, "违法行为") in found  # not the same as row 2
    messages = " ".join(e["message"] for e in record.errors)
    assert "不能为负数" in messages and "超过上限" in messages and "缺少“一般处罚”" in messages
    assert record.error_count == len(record.errors)


def test_overlapping_tiers_in_a_file_are_refused(world, reviewer):
    overlap = [
        row(),
        row(**{"裁量阶次": "从重处罚", "罚款下限（元）": 4000, "罚款上限（元）": 9000}),
    ]
    record = run_import(reviewer, world, xlsx(overlap))
    assert record.benchmark is None
    assert any("重叠" in e["message"] for e in record.errors)


def test_missing_columns_and_unreadable_files_are_refused(world, reviewer):
    with pytest.raises(errors.ValidationFailed) as exc:
        run_import(reviewer, world, xlsx([["x"]], header=["编号", "违法行为"]))
    assert exc.value.code == "missing_columns"
    with pytest.raises(errors.ValidationFailed) as exc:
        run_import(reviewer, world, b"not a spreadsheet")
    assert exc.value.code == "unreadable_file"
    with pytest.raises(errors.ValidationFailed) as exc:
        run_import(reviewer, world, xlsx([]))
    assert exc.value.code == "empty_file"


def test_too_many_rows_is_refused(world, reviewer, settings):
    settings.FAZHI_IMPORT_MAX_ROWS = 2
    with pytest.raises(errors.TooLarge):
        run_import(reviewer, world, xlsx([row(), row(), row()]))


def test_an_overlapping_version_is_recorded_as_the_problem(world, reviewer):
    run_import(reviewer, world, xlsx(GOOD))
    again = run_import(reviewer, world, xlsx(GOOD))
    assert again.benchmark is None
    assert "重叠" in again.errors[0]["message"]
    assert Benchmark.objects.count() == 1


def test_import_needs_the_capability_and_scope(world, reviewer):
    with pytest.raises(errors.PermissionDenied):
        import_services.benchmark_import(
            actor=world.planner, organisation=world.org, meta=META, file_name="a.xlsx", content=b""
        )
    with pytest.raises(errors.OutOfScope):
        discretion_jobs.benchmark_import_enqueue(
            actor=reviewer, organisation=world.other_org, meta=META, file_name="a.xlsx", content=b""
        )


def test_the_job_imports_the_stored_upload(world, reviewer, run_jobs):
    with run_jobs():
        job = discretion_jobs.benchmark_import_enqueue(
            actor=reviewer,
            organisation=world.org,
            meta=META,
            file_name="基准.xlsx",
            content=xlsx(GOOD),
        )
    job.refresh_from_db()
    assert job.state == "succeeded", job.error_message
    record = BenchmarkImport.objects.get(pk=job.result_id)
    assert record.benchmark is not None
    assert Attachment.objects.filter(pk=job.params["attachment"]).exists()
    assert (job.done, job.total) == (3, 3)


def test_the_job_refuses_a_bad_heading_at_once(world, reviewer):
    bad = BenchmarkMeta(
        title="x",
        issuing_body="y",
        effective_from=dt.date(2025, 2, 1),
        effective_to=dt.date(2025, 1, 1),
    )
    with pytest.raises(errors.ValidationFailed) as exc:
        discretion_jobs.benchmark_import_enqueue(
            actor=reviewer, organisation=world.org, meta=bad, file_name="a.xlsx", content=xlsx(GOOD)
        )
    assert exc.value.code == "invalid_period"


def test_an_export_imports_again_as_the_same_benchmark(world, reviewer, run_jobs):
    sample, _ = load_sample(organisation=world.tree.province)
    with run_jobs():
        job = discretion_jobs.benchmark_export_enqueue(actor=world.planner, benchmark_id=sample.pk)
    job.refresh_from_db()
    assert job.state == "succeeded", job.error_message
    _, handle = attachment_open(user=world.planner, pk=int(job.result_id))
    with handle:
        content = handle.read()
    again = run_import(reviewer, world, content)
    assert again.error_count == 0, again.errors
    assert again.benchmark is not None

    def shape(benchmark: Benchmark) -> list[tuple[object, ...]]:
        return [
            (
                item.code,
                item.violation,
                item.first_violation_list,
                tier.tier,
                tier.requires_all,
                tier.requires_any,
                tier.fine_kind,
                tier.fine_min,
                tier.fine_max,
                tier.multiple_min,
                tier.multiple_max,
                tier.gains_floor,
                tier.confiscation,
            )
            for item in benchmark.items.order_by("position")
            for tier in item.tiers.order_by("id")
        ]

    assert shape(again.benchmark) == shape(sample)
