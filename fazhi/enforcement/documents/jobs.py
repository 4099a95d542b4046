"""A batch of case documents (e.g. every decision of a year) as a background job: one .docx per
case in the starter's scope, in a .zip stored as the job's file (decision 0014)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from fazhi.core import clock, errors, jobs
from fazhi.core.jobs import Outcome, OutputFile, Progress
from fazhi.core.models import Job, User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap
from fazhi.core.services.jobs import job_enqueue
from fazhi.enforcement.documents import catalogue
from fazhi.enforcement.events import CaseEvent
from fazhi.enforcement.models import PenaltyCase
from fazhi.enforcement.selectors import cases as case_selectors

BATCH = "enforcement.case_documents"
# documents counted by the decision's year; the others by the filing's year
BY_DECISION = ("decision", "service_receipt", "demand_notice", "closure_report")
YEARS = (2000, 2100)


def batch_cases(*, user: User | Any, key: str, year: int) -> Any:
    """The cases in ``user``'s scope a batch of ``key`` for ``year`` reads."""
    cases = case_selectors.penalty_case_list(user=user)
    if key in BY_DECISION:
        return cases.filter(decided_on__year=year).order_by("decided_on", "pk")
    return cases.filter(filed_on__year=year).order_by("filed_on", "pk")


def case_documents_batch_enqueue(*, actor: User, key: str, year: Any) -> Job:
    """Queue the batch of one document type for a year, for the actor's scope."""
    require_cap(actor, Cap.CASE_VIEW, action=CaseEvent.LISTED)
    if key not in catalogue.KINDS:
        raise errors.ValidationFailed(
            "没有这种执法文书。", code="unknown_case_document", field="key"
        )
    if not isinstance(year, int) or isinstance(year, bool) or not YEARS[0] <= year <= YEARS[1]:
        raise errors.ValidationFailed("年份无效。", code="bad_year", field="year")
    if actor.organisation is None:
        raise errors.ValidationFailed("您不属于任何机构。", code="no_organisation")
    return job_enqueue(
        actor=actor,
        kind=BATCH,
        organisation=actor.organisation,
        params={"key": key, "year": year},
    )


@jobs.kind(BATCH, "执法文书批量生成", cap=Cap.CASE_VIEW, writes=False, unit="份", rerun=True)
def case_documents_batch(job: Job, progress: Progress) -> Outcome:
    actor = jobs.starter(job)
    key, year = str(jobs.param(job, "key")), int(jobs.param(job, "year"))
    if key not in catalogue.KINDS:
        raise errors.ValidationFailed("没有这种执法文书。", code="unknown_case_document")
    kind = catalogue.KINDS[key]
    today = clock.today()
    cases: list[PenaltyCase] = [
        case
        for case in batch_cases(user=actor, key=key, year=year).prefetch_related(
            "case_officers__officer__credentials", "challenges"
        )
        if kind.available(case, today)
    ]
    buffer = io.BytesIO()
    total = len(cases)
    progress(0, total, f"正在生成{year}年的{kind.label}")
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for done, case in enumerate(cases, start=1):
            document = catalogue.render(case, key, today)
            archive.writestr(f"{done:04d}-{document.filename}", document.content)
            if done % 10 == 0 or done == total:
                progress(done, total)
    return Outcome(
        f"已生成{total}份{kind.label}。",
        file=OutputFile(name=f"{kind.label}-{year}.zip", content=buffer.getvalue()),
    )
