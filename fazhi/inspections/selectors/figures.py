"""Figures of random inspections, per plan and per year, computed from the records.

Every figure carries the task-list filter that reproduces it (traceable: DESIGN.md principle 9).

Definitions:
- drawn: the plan's tasks, cancelled ones (of a superseded draw) excepted;
- completed: tasks finished (inspected, or closed as could not inspect); completion rate =
  completed / drawn (监督完结率);
- problems found: inspected tasks ordered to correct or referred;
- referrals: case leads created from the tasks; cases that followed: those leads filed as cases;
- joint-inspection share: tasks of plans run jointly with other departments / drawn;
- credit/risk share: plans that set ratios by credit/risk grade / plans (of the year).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import get_scoped, require_cap, scoped
from fazhi.enforcement.models import CaseLead, CaseLeadState
from fazhi.inspections.events import FigureEvents
from fazhi.inspections.models import (
    InspectionPlan,
    InspectionTask,
    PlanKind,
    TaskOutcome,
    TaskState,
)
from fazhi.registry.models import SupervisionCategory

FINISHED = (TaskState.DONE, TaskState.COULD_NOT_INSPECT)
PROBLEM_OUTCOMES = (TaskOutcome.ORDERED_TO_CORRECT, TaskOutcome.REFERRED)


def percent(part: int, whole: int) -> Decimal | None:
    """A percentage with two decimals (98.38), or None when there is nothing to divide by."""
    if whole == 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass
class CategoryFigure:
    code: str
    name: str
    drawn: int
    completed: int
    problems: int
    link: dict[str, str]


@dataclass
class Figures:
    """One set of figures. ``links`` maps a figure's key to the task-list filter behind it."""

    title: str
    scope: dict[str, str]  # the base filter (year or plan)
    drawn: int = 0
    completed: int = 0
    inspected: int = 0
    not_inspected: int = 0
    problems: int = 0
    ordered_to_correct: int = 0
    referrals: int = 0
    cases_filed: int = 0
    joint_tasks: int = 0
    plans: int = 0
    plans_with_risk_ratio: int = 0
    categories: list[CategoryFigure] = field(default_factory=list)

    @property
    def completion_rate(self) -> Decimal | None:
        return percent(self.completed, self.drawn)

    @property
    def joint_share(self) -> Decimal | None:
        return percent(self.joint_tasks, self.drawn)

    @property
    def risk_ratio_share(self) -> Decimal | None:
        return percent(self.plans_with_risk_ratio, self.plans)

    def link(self, **extra: str) -> dict[str, str]:
        return {**self.scope, **extra}

    @property
    def links(self) -> dict[str, dict[str, str]]:
        return {
            "drawn": self.link(),
            "completed": self.link(finished="1"),
            "inspected": self.link(state=TaskState.DONE),
            "not_inspected": self.link(state=TaskState.COULD_NOT_INSPECT),
            "problems": self.link(problems="1"),
            "ordered_to_correct": self.link(outcome=TaskOutcome.ORDERED_TO_CORRECT),
            "referrals": self.link(referred="1"),
            "cases_filed": self.link(referred="1", case_filed="1"),
            "joint_tasks": self.link(joint="1"),
        }

    def sentence(self) -> str:
        """The report sentence, as in the Leshan report:
        "共完成…任务209家，其中公共场所卫生108家、…"."""
        parts = [f"{c.name}{c.completed}家" for c in self.categories if c.completed]
        text = f"共完成双随机监督抽查任务{self.completed}家"
        if parts:
            text += "，其中" + "、".join(parts)
        text += "。"
        rate = self.completion_rate
        if rate is not None:
            text += f"监督完结率{_pct(rate)}。"
        if self.problems:
            text += f"发现问题{self.problems}家，移交立案{self.referrals}件"
            text += f"，已立案{self.cases_filed}件。" if self.cases_filed else "。"
        return text

    def as_dict(self) -> dict[str, Any]:
        def num(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        return {
            "title": self.title,
            "scope": self.scope,
            "drawn": self.drawn,
            "completed": self.completed,
            "completion_rate": num(self.completion_rate),
            "inspected": self.inspected,
            "not_inspected": self.not_inspected,
            "problems": self.problems,
            "ordered_to_correct": self.ordered_to_correct,
            "referrals": self.referrals,
            "cases_filed": self.cases_filed,
            "joint_tasks": self.joint_tasks,
            "joint_share": num(self.joint_share),
            "plans": self.plans,
            "plans_with_risk_ratio": self.plans_with_risk_ratio,
            "risk_ratio_share": num(self.risk_ratio_share),
            "by_category": [
                {
                    "code": c.code,
                    "name": c.name,
                    "drawn": c.drawn,
                    "completed": c.completed,
                    "problems": c.problems,
                    "records": c.link,
                }
                for c in self.categories
            ],
            "sentence": self.sentence(),
            "records": self.links,
        }


def _pct(value: Decimal) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


def _compute(figures: Figures, tasks: QuerySet[InspectionTask], plans: Iterable[Any]) -> Figures:
    tasks = tasks.exclude(state=TaskState.CANCELLED)
    totals = tasks.aggregate(
        drawn=Count("pk"),
        completed=Count("pk", filter=Q(state__in=FINISHED)),
        inspected=Count("pk", filter=Q(state=TaskState.DONE)),
        not_inspected=Count("pk", filter=Q(state=TaskState.COULD_NOT_INSPECT)),
        problems=Count("pk", filter=Q(state=TaskState.DONE, outcome__in=PROBLEM_OUTCOMES)),
        ordered=Count("pk", filter=Q(outcome=TaskOutcome.ORDERED_TO_CORRECT)),
        joint=Count("pk", filter=Q(plan__is_joint=True)),
    )
    figures.drawn = totals["drawn"]
    figures.completed = totals["completed"]
    figures.inspected = totals["inspected"]
    figures.not_inspected = totals["not_inspected"]
    figures.problems = totals["problems"]
    figures.ordered_to_correct = totals["ordered"]
    figures.joint_tasks = totals["joint"]
    leads = CaseLead.objects.filter(source_task__in=tasks.values("pk")).aggregate(
        total=Count("pk"), filed=Count("pk", filter=Q(state=CaseLeadState.FILED))
    )
    figures.referrals = leads["total"]
    figures.cases_filed = leads["filed"]
    plan_rows = list(plans)
    figures.plans = len(plan_rows)
    figures.plans_with_risk_ratio = sum(1 for p in plan_rows if p["uses_risk_ratio"])
    per_category = {
        row["category"]: row
        for row in tasks.values("category").annotate(
            drawn=Count("pk"),
            completed=Count("pk", filter=Q(state__in=FINISHED)),
            problems=Count("pk", filter=Q(state=TaskState.DONE, outcome__in=PROBLEM_OUTCOMES)),
        )
    }
    for category in SupervisionCategory.objects.filter(pk__in=list(per_category)).order_by(
        "sort_order", "code"
    ):
        row = per_category[category.pk]
        figures.categories.append(
            CategoryFigure(
                code=category.code,
                name=category.name,
                drawn=row["drawn"],
                completed=row["completed"],
                problems=row["problems"],
                link=figures.link(category=category.code, finished="1"),
            )
        )
    return figures


def year_figures(*, user: User, year: int) -> Figures:
    """The figures of every plan of ``year`` in the user's scope."""
    require_cap(user, Cap.INSPECTION_VIEW, action=FigureEvents.VIEWED)
    # random and planned checks only: complaint checks are not drawn (decision 0091)
    plans = scoped(InspectionPlan.objects.filter(year=year).exclude(kind=PlanKind.COMPLAINT), user)
    tasks = scoped(
        InspectionTask.objects.filter(plan__year=year).exclude(plan__kind=PlanKind.COMPLAINT), user
    )
    figures = Figures(title=f"{year}年", scope={"year": str(year)})
    return _compute(figures, tasks, plans.values("pk", "uses_risk_ratio"))


def plan_figures(*, user: User, plan_id: int) -> Figures:
    require_cap(user, Cap.INSPECTION_VIEW, action=FigureEvents.VIEWED)
    plan = get_scoped(scoped(InspectionPlan.objects.all(), user), plan_id)
    tasks = InspectionTask.objects.filter(plan=plan)
    figures = Figures(title=plan.title, scope={"plan": str(plan.pk)})
    return _compute(figures, tasks, [{"pk": plan.pk, "uses_risk_ratio": plan.uses_risk_ratio}])


def plans_of_year(*, user: User, year: int) -> list[tuple[InspectionPlan, Figures]]:
    """Each plan of the year with its figures (for the per-plan table and the export)."""
    require_cap(user, Cap.INSPECTION_VIEW, action=FigureEvents.VIEWED)
    plans = scoped(
        InspectionPlan.objects.filter(year=year).exclude(kind=PlanKind.COMPLAINT), user
    ).order_by("id")
    return [(plan, plan_figures(user=user, plan_id=plan.pk)) for plan in plans]


def years_available(*, user: User) -> list[int]:
    require_cap(user, Cap.INSPECTION_VIEW, action=FigureEvents.VIEWED)
    years = scoped(InspectionPlan.objects.all(), user).values_list("year", flat=True).distinct()
    return sorted(set(years), reverse=True)


FIGURE_LABELS = {
    "drawn": "抽取任务数",
    "completed": "完成任务数",
    "completion_rate": "监督完结率（%）",
    "inspected": "实施检查数",
    "not_inspected": "无法检查数",
    "problems": "发现问题数",
    "ordered_to_correct": "责令整改数",
    "referrals": "移交立案数",
    "cases_filed": "已立案数",
    "joint_tasks": "部门联合抽查任务数",
    "joint_share": "部门联合抽查占比（%）",
    "plans": "抽查计划数",
    "plans_with_risk_ratio": "按信用风险分级抽查的计划数",
    "risk_ratio_share": "按信用风险分级抽查的计划占比（%）",
}


PLAN_HEADERS = [
    "计划",
    "类型",
    "抽取",
    "完成",
    "完结率（%）",
    "发现问题",
    "移交立案",
    "联合",
    "信用风险分级",
]
RECORD_HEADERS = ["任务编号", "计划", "检查对象", "专业类别", "状态", "结果", "完成日期"]


def figures_xlsx(*, user: User, year: int) -> bytes:
    """Excel: the year's figures, by category, by plan, and the task records behind them."""
    from fazhi.core.exports import xlsx_bytes
    from fazhi.inspections.selectors.tasks import task_list

    figures = year_figures(user=user, year=year)
    data = figures.as_dict()
    summary = [[FIGURE_LABELS[key], data[key]] for key in FIGURE_LABELS]
    summary.append(["文字表述", figures.sentence()])
    by_category = [[c.name, c.drawn, c.completed, c.problems] for c in figures.categories]
    by_plan = []
    for plan, pf in plans_of_year(user=user, year=year):
        by_plan.append(
            [
                plan.title,
                plan.get_kind_display(),
                pf.drawn,
                pf.completed,
                str(pf.completion_rate) if pf.completion_rate is not None else "",
                pf.problems,
                pf.referrals,
                "是" if plan.is_joint else "否",
                "是" if plan.uses_risk_ratio else "否",
            ]
        )
    records = [
        [
            t.number,
            t.plan.title,
            t.entity.name,
            t.category.name if t.category else "",
            t.get_state_display(),
            t.get_outcome_display() if t.outcome else "",
            t.completed_at.date().isoformat() if t.completed_at else "",
        ]
        for t in task_list(user=user, year=year).exclude(state=TaskState.CANCELLED)
    ]
    return xlsx_bytes(
        [
            (f"{year}年汇总", ["指标", "数值"], summary),
            ("分专业类别", ["专业类别", "抽取", "完成", "发现问题"], by_category),
            (
                "分计划",
                [
                    "计划",
                    "类型",
                    "抽取",
                    "完成",
                    "完结率（%）",
                    "发现问题",
                    "移交立案",
                    "联合",
                    "信用风险分级",
                ],
                by_plan,
            ),
            (
                "任务明细",
                ["任务编号", "计划", "检查对象", "专业类别", "状态", "结果", "完成日期"],
                records,
            ),
        ]
    )
