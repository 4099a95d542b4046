"""Background exports of credit's lists (kinds in ``fazhi.core.jobs``; decision 0083): the red
and black lists, the practice-point entries and the credit records, each as an Excel file with
the filters of its page and no row limit.

Pages and the API start them through the ``*_enqueue`` services below, which check the
capability and the filters at once (a bad filter is a 400, nothing queued); the job reads through
the same scoped selectors as the page, as the user who started it, writes the rows to a temporary
file as they are read (constant memory) and records one audit event per export.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from fazhi.core import audit, errors, jobs
from fazhi.core.events import EventName
from fazhi.core.exports import xlsx_write
from fazhi.core.jobs import Outcome, OutputFile, Progress
from fazhi.core.models import Job, User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap
from fazhi.core.services.jobs import job_enqueue
from fazhi.credit.events import CreditEvent, CreditListEvent, PointsEvent
from fazhi.credit.models import (
    CreditListEntry,
    CreditRecord,
    ListKind,
    ListState,
    PointEntry,
    PointSubject,
)
from fazhi.credit.selectors import credit as selectors

LISTS_EXPORT = "credit.lists_export"
POINTS_EXPORT = "credit.points_export"
RECORDS_EXPORT = "credit.records_export"

LIST_HEADERS = [
    "名单",
    "主体",
    "统一社会信用代码",
    "列入事由",
    "列入依据",
    "列入日期",
    "认定机关",
    "状态",
]
POINT_HEADERS = [
    "记分日期",
    "医疗机构",
    "记分对象",
    "医务人员姓名",
    "不良执业行为",
    "记分",
    "记分周期（年度）",
    "关联案件",
    "依据",
    "记分机关",
]
RECORD_HEADERS = [
    "当事人",
    "统一社会信用代码",
    "案由",
    "决定书文号",
    "决定日期",
    "生效日期",
    "处罚内容",
    "作出机关",
]


# --- the filters: checked when the export is asked for ------------------------------------------


def _choice(value: Any, choices: list[str], name: str) -> str | None:
    if value in (None, ""):
        return None
    if value not in choices:
        raise errors.ValidationFailed("筛选条件不正确。", code="invalid_parameter", field=name)
    return str(value)


def _number(value: Any, name: str, *, minimum: int, maximum: int) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise errors.ValidationFailed("筛选条件不正确。", code="invalid_parameter", field=name)
    return value


def _text(value: Any) -> str | None:
    return (str(value or "")).strip()[:50] or None


def lists_filters(kind: Any = None, state: Any = None, q: Any = None) -> dict[str, Any]:
    return {
        "kind": _choice(kind, ListKind.values, "kind"),
        "state": _choice(state, ListState.values, "state"),
        "q": _text(q),
    }


def points_filters(cycle: Any = None, subject: Any = None, entity: Any = None) -> dict[str, Any]:
    return {
        "cycle": _number(cycle, "cycle", minimum=1900, maximum=2999),
        "subject": _choice(subject, PointSubject.values, "subject"),
        "entity_id": _number(entity, "entity", minimum=1, maximum=2**53),
    }


def records_filters(year: Any = None, q: Any = None) -> dict[str, Any]:
    return {"year": _number(year, "year", minimum=1900, maximum=2999), "q": _text(q)}


# --- starting them ------------------------------------------------------------------------------


def _enqueue(actor: User, kind: str, action: EventName, filters: dict[str, Any]) -> Job:
    require_cap(actor, Cap.CREDIT_VIEW, action=action)
    assert actor.organisation is not None
    return job_enqueue(
        actor=actor, kind=kind, organisation=actor.organisation, params={"filters": filters}
    )


def lists_export_enqueue(*, actor: User, filters: dict[str, Any]) -> Job:
    """Export the red and black lists (the list page's filters) in the background."""
    return _enqueue(actor, LISTS_EXPORT, CreditListEvent.EXPORTED, lists_filters(**filters))


def points_export_enqueue(*, actor: User, filters: dict[str, Any]) -> Job:
    """Export the practice-point entries (the entries page's filters) in the background."""
    return _enqueue(actor, POINTS_EXPORT, PointsEvent.EXPORTED, points_filters(**filters))


def records_export_enqueue(*, actor: User, filters: dict[str, Any]) -> Job:
    """Export the credit records (the records page's filters) in the background."""
    return _enqueue(actor, RECORDS_EXPORT, CreditEvent.EXPORTED, records_filters(**filters))


# --- running them -------------------------------------------------------------------------------


def _write(
    job: Job,
    progress: Progress,
    *,
    qs: QuerySet[Any],
    row: Callable[[Any], list[Any]],
    title: str,
    headers: list[str],
    action: EventName,
    model: type[Any],
) -> Outcome:
    actor = jobs.starter(job)
    filters = dict(jobs.param(job, "filters"))
    total = qs.count()
    rows: Iterator[list[Any]] = (row(obj) for obj in qs.iterator(chunk_size=500))
    rows = jobs.counted(rows, progress, message=f"正在导出{title}", total=lambda: total)
    target = tempfile.TemporaryFile()  # noqa: SIM115 - handed on in the outcome
    try:
        count = xlsx_write(target, title, headers, rows)
        with transaction.atomic(durable=True):
            audit.append(
                actor=actor,
                action=action,
                object_type=model._meta.label_lower,
                details={"format": "xlsx", "count": count, "filters": filters},
            )
    except BaseException:
        target.close()
        raise
    return Outcome(f"已导出{count}条{title}。", file=OutputFile(name=f"{title}.xlsx", file=target))


def _day(value: Any) -> str:
    return value.isoformat() if value else ""


@jobs.kind(LISTS_EXPORT, "红黑名单导出", cap=Cap.CREDIT_VIEW, writes=False, unit="条", rerun=True)
def lists_export(job: Job, progress: Progress) -> Outcome:
    actor = jobs.starter(job)
    qs = selectors.credit_list_entries(user=actor, **lists_filters(**jobs.param(job, "filters")))

    def row(e: CreditListEntry) -> list[Any]:
        return [
            e.get_kind_display(),
            e.entity.name,
            e.entity.uscc,
            e.grounds,
            e.basis,
            _day(e.listed_on),
            e.organisation.name,
            e.get_state_display(),
        ]

    return _write(
        job,
        progress,
        qs=qs,
        row=row,
        title="红黑名单",
        headers=LIST_HEADERS,
        action=CreditListEvent.EXPORTED,
        model=CreditListEntry,
    )


@jobs.kind(
    POINTS_EXPORT, "不良执业行为记分导出", cap=Cap.CREDIT_VIEW, writes=False, unit="条", rerun=True
)
def points_export(job: Job, progress: Progress) -> Outcome:
    actor = jobs.starter(job)
    qs = selectors.point_entry_list(user=actor, **points_filters_stored(job))

    def row(e: PointEntry) -> list[Any]:
        return [
            _day(e.scored_on),
            e.entity.name,
            e.get_subject_display(),
            e.practitioner_name,
            e.behaviour,
            e.points,
            e.cycle,
            (e.case.decision_number or e.case.cause) if e.case else "",
            e.basis,
            e.organisation.name,
        ]

    return _write(
        job,
        progress,
        qs=qs,
        row=row,
        title="不良执业行为记分",
        headers=POINT_HEADERS,
        action=PointsEvent.EXPORTED,
        model=PointEntry,
    )


def points_filters_stored(job: Job) -> dict[str, Any]:
    """The stored filters (``entity_id`` as the selector names it)."""
    stored = dict(jobs.param(job, "filters"))
    return points_filters(stored.get("cycle"), stored.get("subject"), stored.get("entity_id"))


@jobs.kind(RECORDS_EXPORT, "信用记录导出", cap=Cap.CREDIT_VIEW, writes=False, unit="条", rerun=True)
def records_export(job: Job, progress: Progress) -> Outcome:
    actor = jobs.starter(job)
    qs = selectors.credit_record_list(user=actor, **records_filters(**jobs.param(job, "filters")))

    def row(r: CreditRecord) -> list[Any]:
        return [
            r.entity.name,
            r.entity.uscc,
            r.cause,
            r.decision_number,
            _day(r.decided_on),
            _day(r.effective_on),
            r.penalty,
            r.organisation.name,
        ]

    return _write(
        job,
        progress,
        qs=qs,
        row=row,
        title="信用记录",
        headers=RECORD_HEADERS,
        action=CreditEvent.EXPORTED,
        model=CreditRecord,
    )
