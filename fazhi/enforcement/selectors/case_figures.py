"""Figures of penalty cases for a year (issue #11 section 6), in the user's scope, with exact
definitions (``DEFINITIONS``, shown on the page and in the workbook):

- 立案数: cases filed in the year under the general procedure (``filed_on``);
- 简易程序: decisions on the spot in the year;
- 作出决定数: decisions in the year, both procedures (``decided_on``); of which 给予处罚 and the
  outcomes without penalty;
- 结案数: cases closed in the year (``closed_on``);
- 在办数: cases filed in the year not yet closed, archived, withdrawn or transferred;
- 罚款 / 没收金额: the sums decided in the year (exact, in yuan);
- 法制审核率: general-procedure decisions in the year with a legal review, over all of them;
- 听证数: hearings held in the year; 移送数: cases filed in the year and transferred;
  撤销立案数: filed in the year and withdrawn;
- 超期数: cases filed in the year whose decision period is overdue or was met late;
- 移送公安机关数: cases handed to the police in the year (the instant of the transfer, after
  the head's approval; a case counts once even when transferred twice);
- 申请法院强制执行数: cases whose application to the court was made in the year; 法院执行完毕:
  cases the court enforced in the year.

Rows by source (案件来源) and by supervision category (a party in several categories counts in
each of them; the total row counts each case once).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType

from fazhi.core.models import Deadline, User
from fazhi.enforcement.models import (
    CaseLeadSource,
    CaseOutcome,
    CaseProcedure,
    CaseState,
    PenaltyCase,
)
from fazhi.enforcement.selectors.cases import penalty_case_list

ENDED = (CaseState.CLOSED, CaseState.ARCHIVED, CaseState.WITHDRAWN, CaseState.TRANSFERRED)

COLUMNS = [
    ("filed", "立案数"),
    ("summary", "简易程序"),
    ("decided", "作出决定数"),
    ("punished", "给予处罚"),
    ("not_punished", "不予处罚"),
    ("closed", "结案数"),
    ("in_progress", "在办数"),
    ("fines", "罚款金额（元）"),
    ("confiscations", "没收金额（元）"),
    ("reviewed", "经法制审核的决定"),
    ("review_rate", "法制审核率（%）"),
    ("hearings", "听证数"),
    ("transferred", "移送数"),
    ("withdrawn", "撤销立案数"),
    ("overdue", "超期数"),
    ("police", "移送公安机关数"),
    ("court_applied", "申请法院强制执行数"),
    ("court_enforced", "法院强制执行完毕数"),
]

DEFINITIONS = [
    "立案数：当年立案的普通程序案件。",
    "简易程序：当年当场作出的处罚决定。",
    "作出决定数：当年作出处理决定的案件（含简易程序）；给予处罚与不予处罚（含首违不罚、事实不成立、移送司法机关）分列。",
    "结案数：当年结案的案件。",
    "在办数：当年立案、尚未结案、归档、撤销立案或移送的案件。",
    "罚款、没收金额：当年作出的处罚决定所确定的金额。",
    "法制审核率：当年作出决定的普通程序案件中经法制审核的比例。",
    "听证数：当年举行的听证；移送数、撤销立案数：当年立案后移送、撤销的案件。",
    "超期数：当年立案、处理决定期限已逾期或逾期完成的案件。",
    "移送公安机关数：经负责人批准、当年实际移送公安机关的涉嫌犯罪案件（同一案件只计一次）；"
    "移送数另含移送其他行政机关的案件，按立案年度统计。",
    "申请法院强制执行数：当年向人民法院申请强制执行的案件；法院强制执行完毕数：当年经法院强制执行完毕的案件。",
    "按监督类别统计时，当事人属于多个类别的在每个类别中各计一次；合计行每件案件只计一次。",
]


@dataclass
class Row:
    label: str
    counts: dict[str, Any] = field(default_factory=dict)
    decided_general: int = 0

    def __post_init__(self) -> None:
        for key, _ in COLUMNS:
            self.counts.setdefault(key, Decimal("0.00") if key in ("fines", "confiscations") else 0)

    def add(
        self,
        case: PenaltyCase,
        year: int,
        overdue: set[int],
        marked: dict[str, set[int]] | None = None,
    ) -> None:
        c = self.counts
        general = case.procedure == CaseProcedure.GENERAL
        filed_now = case.filed_on.year == year
        if filed_now and general:
            c["filed"] += 1
        if case.decided_on and case.decided_on.year == year:
            if not general:
                c["summary"] += 1
            c["decided"] += 1
            if case.outcome == CaseOutcome.PENALTY:
                c["punished"] += 1
                c["fines"] += case.fine or 0
                c["confiscations"] += case.confiscation or 0
            else:
                c["not_punished"] += 1
            if general:
                self.decided_general += 1
                c["reviewed"] += 1 if case.legal_review_on else 0
        if case.closed_on and case.closed_on.year == year:
            c["closed"] += 1
        if filed_now and case.state not in ENDED:
            c["in_progress"] += 1
        if case.hearing_held_on and case.hearing_held_on.year == year:
            c["hearings"] += 1
        if filed_now and case.state == CaseState.TRANSFERRED:
            c["transferred"] += 1
        if filed_now and case.state == CaseState.WITHDRAWN:
            c["withdrawn"] += 1
        if filed_now and case.pk in overdue:
            c["overdue"] += 1
        for key, ids in (marked or {}).items():  # counted by their own dates in the year
            if case.pk in ids:
                c[key] += 1

    def finish(self) -> None:
        rate = (
            Decimal(self.counts["reviewed"] * 100) / self.decided_general
            if self.decided_general
            else None
        )
        self.counts["review_rate"] = rate.quantize(Decimal("0.1")) if rate is not None else "—"

    def values(self) -> list[Any]:
        return [self.counts[key] for key, _ in COLUMNS]


@dataclass
class CaseFigures:
    year: int
    total: Row
    by_source: list[Row]
    by_category: list[Row]


def case_figures(*, user: User | Any, year: int) -> CaseFigures:
    """The year's figures in the user's scope (refused without ``case.view``)."""
    from django.db.models import Q

    from fazhi.enforcement.execution_models import CourtEnforcement, PoliceTransfer

    scoped = penalty_case_list(user=user).prefetch_related(None)
    in_scope = scoped.values("pk")
    marked = {
        "police": set(
            PoliceTransfer.objects.filter(case__in=in_scope, transferred_at__year=year).values_list(
                "case_id", flat=True
            )
        ),
        "court_applied": set(
            CourtEnforcement.objects.filter(case__in=in_scope, applied_on__year=year).values_list(
                "case_id", flat=True
            )
        ),
        "court_enforced": set(
            CourtEnforcement.objects.filter(case__in=in_scope, enforced_on__year=year).values_list(
                "case_id", flat=True
            )
        ),
    }
    extra = set().union(*marked.values())
    cases = list(
        scoped.filter(
            Q(filed_on__year=year)
            | Q(decided_on__year=year)
            | Q(closed_on__year=year)
            | Q(hearing_held_on__year=year)
            | Q(pk__in=extra)
        ).prefetch_related("entity__categories")
    )
    overdue = {
        int(pk)
        for pk in Deadline.objects.filter(
            content_type=ContentType.objects.get_for_model(PenaltyCase),
            object_id__in=[str(c.pk) for c in cases],
            rule_key="penalty.decision",
            state__in=("overdue", "late"),
        ).values_list("object_id", flat=True)
    }
    total = Row("合计")
    sources = {value: Row(str(label)) for value, label in CaseLeadSource.choices}
    categories: dict[str, Row] = {}
    for case in cases:
        total.add(case, year, overdue, marked)
        sources[case.source].add(case, year, overdue, marked)
        for category in case.entity.categories.all():
            row = categories.setdefault(category.code, Row(category.name))
            row.add(case, year, overdue, marked)
    rows = [total, *sources.values(), *categories.values()]
    for row in rows:
        row.finish()
    return CaseFigures(
        year=year,
        total=total,
        by_source=list(sources.values()),
        by_category=sorted(categories.values(), key=lambda r: r.label),
    )


def case_figures_xlsx(*, user: User | Any, year: int) -> bytes:
    """Excel: the figures by source and by category, and the definitions."""
    from fazhi.core.exports import xlsx_bytes

    figures = case_figures(user=user, year=year)
    headers = ["分组", *[label for _, label in COLUMNS]]
    by_source = [[r.label, *r.values()] for r in [*figures.by_source, figures.total]]
    by_category = [[r.label, *r.values()] for r in [*figures.by_category, figures.total]]
    return xlsx_bytes(
        [
            (f"{year}年按案件来源", headers, by_source),
            (f"{year}年按监督类别", headers, by_category),
            ("统计口径", ["说明"], [[d] for d in DEFINITIONS]),
        ]
    )
