"""The pre-check of a year's concluded cases as a background job (decision 0014): each case's
findings stored (``CaseFileCheck``) and the whole list as a workbook."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from fazhi.core import errors, jobs
from fazhi.core.exports import xlsx_bytes
from fazhi.core.jobs import Outcome, OutputFile, Progress
from fazhi.core.models import Job, User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap
from fazhi.core.services.jobs import job_enqueue
from fazhi.enforcement.events import CaseEvent
from fazhi.enforcement.review import catalogue, precheck
from fazhi.enforcement.selectors import file_review as review_selectors
from fazhi.enforcement.services.file_review import case_file_check_record

PRECHECK = "enforcement.case_file_precheck"
YEARS = (2000, 2100)
CHUNK = 200
HEADERS = ("结案年份", "案由", "当事人", "办案机构", "处理结果类别", "问题数", "问题")


def case_file_precheck_enqueue(*, actor: User, year: Any) -> Job:
    """Queue the pre-check of the year's concluded cases in the actor's scope."""
    require_cap(actor, Cap.CASE_FILE_REVIEW, action=CaseEvent.FILE_REVIEWED)
    if not isinstance(year, int) or isinstance(year, bool) or not YEARS[0] <= year <= YEARS[1]:
        raise errors.ValidationFailed("年份无效。", code="bad_year", field="year")
    if actor.organisation is None:
        raise errors.ValidationFailed("您不属于任何机构。", code="no_organisation")
    return job_enqueue(
        actor=actor, kind=PRECHECK, organisation=actor.organisation, params={"year": year}
    )


@jobs.kind(PRECHECK, "案卷自动预审", cap=Cap.CASE_FILE_REVIEW, unit="件", rerun=True, unique=True)
def case_file_precheck(job: Job, progress: Progress) -> Outcome:
    actor = jobs.starter(job)
    year = int(jobs.param(job, "year"))
    ids = list(review_selectors.concluded_cases(user=actor, year=year).values_list("pk", flat=True))
    total, with_problems, rows = len(ids), 0, []
    progress(0, total, f"正在预审{year}年办结的案件")
    for start in range(0, total, CHUNK):
        chunk = list(
            review_selectors.for_precheck(
                review_selectors.concluded_cases(user=actor).filter(
                    pk__in=ids[start : start + CHUNK]
                )
            )
        )
        review_selectors.deadlines_by_case(chunk)
        with transaction.atomic():
            for case in chunk:
                check = case_file_check_record(case)
                with_problems += bool(check.finding_count)
                rows.append(
                    (
                        year,
                        case.cause,
                        case.entity.name,
                        case.organisation.name,
                        catalogue.PROFILES[catalogue.profile(case)],
                        check.finding_count,
                        "；".join(f.message for f in precheck.from_json(check.findings)),
                    )
                )
        progress(min(start + CHUNK, total), total)
    return Outcome(
        f"已预审{year}年办结的{total}件案件，其中{with_problems}件发现问题。",
        file=OutputFile(
            name=f"案卷自动预审-{year}.xlsx",
            content=xlsx_bytes([("案卷预审", HEADERS, rows)]),
        ),
    )
