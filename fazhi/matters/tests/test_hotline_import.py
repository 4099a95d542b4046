"""Importing a hotline platform's export: the background job, the cells as typed, bad rows
reported by row, column and reason with nothing written, and a re-import that never
duplicates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client

from fazhi.core import errors
from fazhi.core.models import AuditEvent, Deadline, Job
from fazhi.core.models.jobs import JobState
from fazhi.core.testing import at
from fazhi.matters import jobs as matter_jobs
from fazhi.matters.hotline_models import HotlineImport, HotlinePlatform, HotlineTicket, TicketType
from fazhi.matters.models import Matter, MatterKind, MatterState, RequesterKind
from fazhi.matters.services.hotline_import import hotline_import
from fazhi.matters.tests.hotline_support import make_hotline_world, workbook
from fazhi.matters.tests.support import TODAY, World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(at(TODAY), tick=True):
        yield


@pytest.fixture
def world() -> World:
    return make_hotline_world()


def good(number: object, **kw: Any) -> list[Any]:
    row = {
        "no": number,
        "at": "2025-09-30 09:15:00",
        "caller": "王五",
        "phone": "13800000000",
        "type": "投诉",
        "content": "某诊所无证行医。",
        "unit": "松溪区卫生健康局",
        "due": "2025-10-14",
    }
    row.update(kw)
    return list(row.values())


def run(world: World, content: bytes, name: str = "工单.xlsx", **kw: Any) -> HotlineImport:
    return hotline_import(
        actor=kw.pop("actor", world.officer),
        organisation=world.org,
        platform=kw.pop("platform", HotlinePlatform.H12345),
        file_name=name,
        content=content,
    )


def test_a_clean_file_is_imported_as_a_background_job(world: World, run_jobs: Any) -> None:
    content = workbook(
        [
            good("GD001"),
            good("GD002", type="咨询类", caller="", phone=""),
            good("GD003", type="意见建议", at="2025/10/9 8:05"),
        ],
        title="12345热线工单导出（2025年10月）",
    )
    with run_jobs():
        job = matter_jobs.hotline_import_enqueue(
            actor=world.officer,
            organisation=world.org,
            platform=HotlinePlatform.H12345,
            file_name="工单.xlsx",
            content=content,
        )
    job = Job.objects.get(pk=job.pk)
    assert job.state == JobState.SUCCEEDED, job.error_message
    assert job.result_summary == "已导入3张工单。"
    batch = HotlineImport.objects.get(pk=int(job.result_id))
    assert (batch.row_count, batch.imported, batch.skipped, batch.error_count) == (3, 3, 0, 0)
    tickets = {t.ticket_no: t for t in HotlineTicket.objects.select_related("matter")}
    first = tickets["GD001"]
    assert first.ticket_type == TicketType.COMPLAINT and first.import_batch == batch
    assert first.platform_due == dt.date(2025, 10, 14) and first.handling_unit == "松溪区卫生健康局"
    matter = first.matter
    assert (matter.kind, matter.state, matter.organisation) == (
        MatterKind.HOTLINE,
        MatterState.RECEIVED,
        world.org,
    )
    assert matter.received_on == dt.date(2025, 9, 30)
    assert matter.requester_name == "王五" and matter.requester_contact == "13800000000"
    assert tickets["GD002"].matter.requester_kind == RequesterKind.ANONYMOUS
    assert tickets["GD002"].ticket_type == TicketType.CONSULTATION
    assert tickets["GD003"].ticket_type == TicketType.SUGGESTION
    assert tickets["GD003"].matter.received_on == dt.date(2025, 10, 9)
    # the service level, the same computation as a ticket entered by hand (across the holiday)
    deadline = Deadline.objects.get(object_id=str(matter.pk), rule_key="hotline.complaint")
    assert deadline.due_date == dt.date(2025, 10, 14)
    assert deadline.state == "overdue"  # today is 2025-12-31, no reply recorded
    assert AuditEvent.objects.filter(action="hotline.imported").count() == 1


def test_cells_as_typed_serial_dates_aliases_and_numbers(world: World) -> None:
    header = ["工单号", "受理时间", "诉求人", "联系电话", "工单类型", "工单内容", "派单时间"]
    called = dt.datetime(2025, 9, 30, 9, 15)  # noqa: DTZ001 - typed into the sheet as Excel does
    rows = [
        ["GD10", called, "", 13800000000, "求助", "求助内容", "2025年10月9日"],
        [20250930001, 45930.5, "", "", "举报", "举报内容", ""],
    ]
    batch = run(world, workbook(rows, header=header))
    assert batch.error_count == 0, batch.errors
    by_no = {t.ticket_no: t for t in HotlineTicket.objects.select_related("matter")}
    assert by_no["GD10"].matter.received_on == dt.date(2025, 10, 9)
    assert by_no["GD10"].matter.requester_contact == "13800000000"
    assert by_no["20250930001"].ticket_type == TicketType.COMPLAINT
    assert by_no["20250930001"].matter.received_on == dt.date(2025, 9, 30)


def test_bad_rows_are_reported_by_row_column_and_reason_and_nothing_is_imported(
    world: World,
) -> None:
    rows = [
        good("GD001"),
        good("GD001"),  # duplicate in the file
        good("", type="表扬"),
        good("GD004", at="昨天"),
        good("GD005", at="2026-03-01 10:00"),  # after today
        good("GD006", content=""),
        good(123456789012345678),  # a number Excel cut to 15 digits
        good("GD008", due="2025-09-01"),
    ]
    batch = run(world, workbook(rows))
    found = {(e["row"], e["column"], e["code"]) for e in batch.errors}
    assert found == {
        (3, "工单编号", "duplicate_in_file"),
        (4, "工单编号", "missing_ticket_no"),
        (4, "诉求类型", "bad_ticket_type"),
        (5, "来电时间", "bad_called_at"),
        (6, "来电时间", "date_in_future"),
        (7, "诉求内容", "missing_content"),
        (8, "工单编号", "numeric_code"),
        (9, "办理时限", "date_before_receipt"),
    }
    assert all(e["message"] for e in batch.errors)
    assert batch.error_count == 9 - 1 and batch.imported == 0
    assert not Matter.objects.exists() and not Deadline.objects.exists()


def test_missing_columns_and_an_empty_file(world: World) -> None:
    batch = run(world, workbook([good("GD1")], header=["工单编号", "来电时间"]))
    assert {e["column"] for e in batch.errors} == {"诉求类型", "诉求内容"}
    assert {e["code"] for e in batch.errors} == {"missing_header"}
    empty = run(world, workbook([]))
    assert [e["code"] for e in empty.errors] == ["no_rows"]
    assert not Matter.objects.exists()


def test_a_re_import_skips_the_tickets_already_imported(world: World, run_jobs: Any) -> None:
    run(world, workbook([good("GD001"), good("GD002")]))
    with run_jobs():
        job = matter_jobs.hotline_import_enqueue(
            actor=world.officer,
            organisation=world.org,
            platform=HotlinePlatform.H12345,
            file_name="工单2.xlsx",
            content=workbook([good("GD002"), good("GD003"), good("GD001")]),
        )
    job = Job.objects.get(pk=job.pk)
    assert job.result_summary == "已导入1张工单，跳过2张已导入的工单。"
    batch = HotlineImport.objects.get(pk=int(job.result_id))
    assert (batch.imported, batch.skipped) == (1, 2)
    assert [(s["row"], s["ticket_no"]) for s in batch.skipped_rows] == [(2, "GD002"), (4, "GD001")]
    assert HotlineTicket.objects.count() == 3 and Matter.objects.count() == 3
    # the same numbers from another platform are other tickets
    other = run(world, workbook([good("GD001")]), platform=HotlinePlatform.H12320)
    assert other.imported == 1


def test_csv_exports_are_read_too(world: World) -> None:
    text = "工单编号,来电时间,来电人,电话,诉求类型,诉求内容\nGD1,2025-09-30 09:00,,,咨询,问题\n"
    batch = run(world, text.encode("gb18030"), name="工单.csv")
    assert batch.imported == 1 and batch.error_count == 0


def test_permission_and_bad_platform(world: World) -> None:
    content = workbook([good("GD1")])
    for actor in (world.viewer, world.stranger):
        with pytest.raises(errors.PermissionDenied):
            matter_jobs.hotline_import_enqueue(
                actor=actor,
                organisation=world.org,
                platform=HotlinePlatform.H12345,
                file_name="a.xlsx",
                content=content,
            )
    with pytest.raises(errors.ValidationFailed) as exc:
        run(world, content, platform="weibo")
    assert exc.value.code == "bad_platform"
    with pytest.raises(errors.ValidationFailed):
        run(world, b"not a spreadsheet at all", name="a.xlsx")
    assert not Job.objects.exists() and not HotlineImport.objects.exists()


REHANDLE_HEADER = [
    "工单编号",
    "来电时间",
    "来电人",
    "电话",
    "诉求类型",
    "诉求内容",
    "承办单位",
    "办理时限",
    "是否重办",
]


def test_a_known_ticket_marked_rehandled_is_reported_not_skipped_silently(
    world: World, run_jobs: Any
) -> None:
    run(world, workbook([good("GD001"), good("GD002")]))
    known = HotlineTicket.objects.get(ticket_no="GD002").matter
    content = workbook(
        [good("GD001", r="否"), good("GD002", r="是"), good("GD003", r="1")],
        header=REHANDLE_HEADER,
    )
    with run_jobs():
        job = matter_jobs.hotline_import_enqueue(
            actor=world.officer,
            organisation=world.org,
            platform=HotlinePlatform.H12345,
            file_name="工单3.xlsx",
            content=content,
        )
    job = Job.objects.get(pk=job.pk)
    assert "1张平台标记为重办" in job.result_summary
    batch = HotlineImport.objects.get(pk=int(job.result_id))
    assert (batch.imported, batch.skipped, batch.rehandle_marked) == (1, 2, 1)
    first = batch.skipped_rows[0]  # the marked rows first
    assert (first["row"], first["ticket_no"], first["rehandle"], first["matter"]) == (
        3,
        "GD002",
        True,
        known.pk,
    )
    assert "重办" in first["message"]
    assert not batch.skipped_rows[1].get("rehandle")
    known.refresh_from_db()
    assert known.state == MatterState.RECEIVED  # the import changes no ticket's state
    event = AuditEvent.objects.filter(action="hotline.imported").latest("seq")
    assert event.details["rehandle_marked"] == 1
    # a new ticket marked 重办 is imported as any other
    assert HotlineTicket.objects.filter(ticket_no="GD003").exists()
    client = Client()
    client.force_login(world.officer)
    page = client.get(f"/matters/hotline/imports/{batch.pk}/").content.decode()
    assert "平台标记为重办" in page and f'href="/matters/{known.pk}/"' in page


def test_a_bad_rehandle_cell_is_an_error_of_its_row(world: World) -> None:
    batch = run(world, workbook([good("GD001", r="也许")], header=REHANDLE_HEADER))
    assert batch.imported == 0 and batch.error_count == 1
    assert batch.errors[0]["column"] == "重办" and batch.errors[0]["code"] == "bad_rehandle"
