"""Every read of appeals, narrowed to the user's data scope, and the figures of a year.

Figures (``appeal_figures``): the appeals *received* in the year (the copy of the application or
complaint received, ``received_on``), one row per kind and a total, with these columns:

- 收到数: appeals received in the year;
- 按期答复（答辩）: of them, those whose answer (defence) clock was met on or before its due date;
- 负责人出庭: of them, those with a hearing or session where the head appeared;
- 尚未审结: of them, those with no outcome recorded yet;
- one column per outcome (维持, 变更, …): of them, those decided with that outcome;
- 纠错: reconsiderations decided against the act (变更, 撤销, 确认违法, 确认无效, 责令履行);
- 败诉: lawsuits decided against the act (the same outcomes), decision 0073.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from fazhi.appeals.events import AppealEvent
from fazhi.appeals.models import Appeal, AppealHearing, AppealKind, AppealState, Outcome
from fazhi.core import clock, exports
from fazhi.core.models import Deadline, User
from fazhi.core.models.deadlines import DeadlineState
from fazhi.core.roles import Cap
from fazhi.core.scope import get_scoped, require_cap, scoped
from fazhi.matters.models import Matter, MatterKind


def _appeals(user: User | Any) -> QuerySet[Appeal]:
    return scoped(Appeal.objects.all(), user).select_related("organisation")


def appeal_list(
    *,
    user: User | Any,
    kind: str | None = None,
    state: str | None = None,
    outcome: str | None = None,
    year: int | None = None,
    q: str | None = None,
    due: str | None = None,
) -> QuerySet[Appeal]:
    """The appeals in scope, newest receipt first; refused without ``appeal.view``; ``due``:
    only the appeals whose answer (defence) is in that urgency (``DUE``)."""
    require_cap(user, Cap.APPEAL_VIEW, action=AppealEvent.LISTED)
    qs = _appeals(user)
    if due:
        qs = qs.filter(pk__in=answers_due(user=user).get(due, []))
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if year:
        qs = qs.filter(received_on__gte=dt.date(year, 1, 1), received_on__lte=dt.date(year, 12, 31))
    if q:
        qs = qs.filter(Q(applicant__icontains=q) | Q(act__icontains=q) | Q(reference__icontains=q))
    return qs.order_by("-received_on", "-id")


ANSWER_RULES = ("reconsideration.answer", "reconsideration.answer_simple", "litigation.defence")
SOON_DAYS = 3
# The urgency of an answer (defence) not yet submitted, most urgent first.
DUE: dict[str, str] = {
    "overdue": "已逾期",
    "soon": f"{SOON_DAYS}日内到期",
    "later": "未到期",
}


def answers_due(*, user: User | Any) -> dict[str, list[int]]:
    """The appeals in scope still waiting for their answer (defence), by urgency of its clock:
    ``overdue`` (past its due date), ``soon`` (due today or within ``SOON_DAYS`` days),
    ``later`` (due later, or its due date not yet known). Ids, newest receipt first."""
    waiting = dict(
        _appeals(user)
        .filter(state=AppealState.RECEIVED)
        .order_by("-received_on", "-id")
        .values_list("pk", "received_on")
    )
    clocks = Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(Appeal),
        object_id__in=[str(pk) for pk in waiting],
        rule_key__in=ANSWER_RULES,
        state__in=(
            DeadlineState.OPEN,
            DeadlineState.OVERDUE,
            DeadlineState.STOPPED,
            DeadlineState.CALENDAR_UNKNOWN,
        ),
    ).values_list("object_id", "state", "due_date")
    today = clock.today()
    soon = today + dt.timedelta(days=SOON_DAYS)
    buckets: dict[str, list[int]] = {key: [] for key in DUE}
    for object_id, state, due_date in clocks:
        if state == DeadlineState.OVERDUE or (due_date is not None and due_date < today):
            key = "overdue"
        elif due_date is not None and due_date <= soon and state == DeadlineState.OPEN:
            key = "soon"
        else:
            key = "later"
        buckets[key].append(int(object_id))
    rank = {pk: i for i, pk in enumerate(waiting)}
    return {key: sorted(ids, key=rank.__getitem__) for key, ids in buckets.items()}


def appeal_get(*, user: User | Any, appeal_id: int) -> Appeal:
    require_cap(user, Cap.APPEAL_VIEW, action=AppealEvent.VIEWED)
    return get_scoped(
        _appeals(user).select_related(
            "penalty_case", "challenge", "created_by", "disclosure_request", "reconsideration"
        ),
        appeal_id,
    )


def disclosure_requests_pickable(*, user: User | Any, limit: int = 200) -> list[Matter]:
    """The latest disclosure requests in the user's scope, to link an appeal to (decision 0084)."""
    return list(
        scoped(Matter.objects.filter(kind=MatterKind.DISCLOSURE), user).order_by(
            "-received_on", "-id"
        )[:limit]
    )


def disclosure_request_get(*, user: User | Any, matter_id: int) -> Matter:
    """A disclosure request in the user's scope, to link an appeal to; 404 otherwise."""
    return get_scoped(
        scoped(Matter.objects.filter(kind=MatterKind.DISCLOSURE), user).select_related(
            "organisation"
        ),
        matter_id,
        among=Matter.objects.filter(kind=MatterKind.DISCLOSURE),
    )


def reconsiderations_pickable(*, user: User | Any, limit: int = 200) -> list[Appeal]:
    """The latest reconsiderations in the user's scope, for a lawsuit that follows one."""
    return list(
        _appeals(user)
        .filter(kind=AppealKind.RECONSIDERATION)
        .order_by("-received_on", "-id")[:limit]
    )


def appeal_hearings(*, appeal: Appeal) -> list[AppealHearing]:
    """The appeal's hearings, oldest first (the caller read the appeal through ``appeal_get``)."""
    return list(appeal.hearings.order_by("held_on", "pk"))


@dataclass(frozen=True)
class FigureRow:
    label: str
    values: list[int]


COLUMNS: list[tuple[str, str]] = [
    ("received", "收到数"),
    ("on_time", "按期答复（答辩）"),
    ("head_appeared", "负责人出庭"),
    ("pending", "尚未审结"),
    *[(str(o.value), str(o.label)) for o in Outcome],
    ("corrected", "纠错"),
    ("lost", "败诉"),
]

DEFINITIONS = [
    "统计对象：本年收到申请书（起诉状）副本的行政复议、行政诉讼案件（按收到日期）。",
    "按期答复（答辩）：在法定期限届满前（含当日）提交书面答复或答辩状的件数。",
    "负责人出庭：至少一次审理（开庭、听证）由机关负责人出庭或参加的件数。",
    "尚未审结：尚未登记复议决定或裁判结果的件数；各结果列为已审结的件数。",
    "纠错：行政复议决定变更、撤销（部分撤销）、确认违法、确认无效或责令履行的件数。",
    "败诉：行政诉讼判决变更、撤销（部分撤销）、确认违法、确认无效或判决履行（给付）的件数；"
    "调解、撤回（撤诉）、驳回不计入纠错或败诉。",
]


def _count(rows: list[Appeal], on_time: set[int]) -> list[int]:
    values = {key: 0 for key, _ in COLUMNS}
    for appeal in rows:
        values["received"] += 1
        values["on_time"] += appeal.pk in on_time
        values["head_appeared"] += appeal.head_appeared
        values["pending"] += not appeal.outcome
        if appeal.outcome:
            values[appeal.outcome] += 1
        values["corrected"] += appeal.corrected
        values["lost"] += appeal.lost
    return [values[key] for key, _ in COLUMNS]


def appeal_figures(*, user: User | Any, year: int) -> list[FigureRow]:
    """One row per kind and the total (two queries, whatever the number of appeals)."""
    rows = list(
        appeal_list(user=user, year=year)
        .select_related(None)
        .only("pk", "kind", "head_appeared", "outcome", "corrected", "lost")
    )
    met = Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(Appeal),
        object_id__in=[str(a.pk) for a in rows],
        state=DeadlineState.MET,
    ).values_list("object_id", flat=True)
    on_time = {int(pk) for pk in met}
    figures = [
        FigureRow(str(kind.label), _count([a for a in rows if a.kind == kind], on_time))
        for kind in AppealKind
    ]
    figures.append(FigureRow("合计", _count(rows, on_time)))
    return figures


def appeal_figures_xlsx(*, user: User | Any, year: int) -> bytes:
    figures = appeal_figures(user=user, year=year)
    return exports.xlsx_bytes(
        [
            (
                f"{year}年复议应诉统计",
                ["类型", *[label for _, label in COLUMNS]],
                [[row.label, *row.values] for row in figures],
            ),
            ("统计口径", ["口径"], [[d] for d in DEFINITIONS]),
        ]
    )


def appeal_rows_xlsx(*, user: User | Any, appeals: QuerySet[Appeal]) -> bytes:
    """The listed appeals as a workbook (the list page's 导出)."""
    headers = [
        "类型",
        "程序",
        "申请人（原告）",
        "复议机关（人民法院）",
        "案号",
        "被申请（被诉）的行政行为",
        "申请（起诉）日期",
        "收到副本日期",
        "提交答复（答辩）日期",
        "负责人出庭",
        "状态",
        "结果",
        "决定（裁判）日期",
        "纠错",
        "败诉",
        "整改完成日期",
    ]
    rows = (
        [
            a.get_kind_display(),
            a.get_procedure_display(),
            a.applicant,
            a.reviewing_body,
            a.reference,
            a.act,
            a.lodged_on,
            a.received_on,
            a.answered_on,
            "是" if a.head_appeared else "否",
            a.get_state_display(),
            a.outcome_label,
            a.decided_on,
            "是" if a.corrected else "否",
            "是" if a.lost else "否",
            a.followed_up_on,
        ]
        for a in appeals
    )
    return exports.xlsx_bytes([("复议应诉", headers, rows)])
