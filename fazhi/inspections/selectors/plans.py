"""Selectors: inspection plans, their strata, and the yearly visit-cap warning."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from fazhi.core import errors
from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import get_scoped, require_cap, scoped
from fazhi.inspections.events import PlanEvents
from fazhi.inspections.models import (
    InspectionPlan,
    InspectionTask,
    PlanKind,
    PlanState,
    PlanStratum,
    TaskState,
)
from fazhi.registry.models import RiskGrade

VISIT_CAP_RULE = "inspection.visit_cap"
NO_VISIT_CAP = "本省规则包未规定同一对象年度检查次数上限（国办发〔2024〕54号由各地各部门公布）"
VISIT_CAP_COUNT = "同一层级"


def plan_list(
    *,
    user: User,
    year: int | None = None,
    state: str = "",
    kind: str = "",
    q: str = "",
) -> QuerySet[InspectionPlan]:
    require_cap(user, Cap.INSPECTION_VIEW, action=PlanEvents.LISTED)
    qs = scoped(InspectionPlan.objects.all(), user)
    if year:
        qs = qs.filter(year=year)
    if state:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(title__icontains=q)
    return (
        qs.select_related("organisation")
        .annotate(stratum_count=Count("strata", distinct=True))
        .order_by("-year", "-id")
    )


def plan_get(*, user: User, pk: int | str) -> InspectionPlan:
    require_cap(user, Cap.INSPECTION_VIEW, action=PlanEvents.VIEWED)
    return get_scoped(
        scoped(InspectionPlan.objects.all(), user).select_related("organisation", "created_by"), pk
    )


def stratum_list(*, user: User, plan: InspectionPlan) -> QuerySet[PlanStratum]:
    plan_get(user=user, pk=plan.pk)
    return plan.strata.select_related("category").order_by("key")


def stratum_get(*, user: User, plan: InspectionPlan, pk: int | str) -> PlanStratum:
    return get_scoped(stratum_list(user=user, plan=plan), pk, among=plan.strata.all())


@dataclass(frozen=True)
class VisitCapReport:
    cap: int | None
    source: str  # "plan" (override), the rule's citation, or why there is no cap
    over: list[tuple[int, str, int]]  # (entity id, name, visits this year), at most ``limit``
    over_count: int
    # before the draw: candidates already at the cap, who would exceed it if drawn
    candidates_at_cap: int | None = None


def visit_cap(plan: InspectionPlan) -> tuple[int | None, str]:
    """The per-entity yearly visit cap for this plan: its own override, else the rule pack."""
    if plan.per_entity_yearly_cap:
        return plan.per_entity_yearly_cap, "计划设定"
    from fazhi.core import rules

    try:
        rule = rules.rule(
            VISIT_CAP_RULE, on=plan.window_start, province=plan.organisation.province_code()
        )
    except errors.FazhiError:  # no province figure, or none in force on that date
        return (
            None,
            "本省规则包未规定同一对象年度检查次数上限（国办发〔2024〕54号由各地各部门公布）",
        )
    counts = rule.value.counts
    return counts.get(VISIT_CAP_COUNT), rule.citation


def plan_visit_cap_report(
    *, user: User, plan: InspectionPlan, limit: int = 50, check_candidates: bool = False
) -> VisitCapReport:
    """Entities of this plan's live tasks visited more often this year, by this organisation,
    than the cap allows. A warning, never a refusal: complaint-driven and assigned checks are
    exempt from the cap and the plan may have good reason."""
    plan_get(user=user, pk=plan.pk)
    cap, source = visit_cap(plan)
    if cap is None:
        return VisitCapReport(cap=None, source=source, over=[], over_count=0)
    entity_ids = (
        InspectionTask.objects.filter(plan=plan)
        .exclude(state=TaskState.CANCELLED)
        .values("entity_id")
    )
    over_qs = (
        InspectionTask.objects.filter(
            entity_id__in=entity_ids,
            plan__year=plan.year,
            plan__organisation_id=plan.organisation_id,
        )
        .exclude(state=TaskState.CANCELLED)
        .values("entity_id", "entity__name")
        .annotate(visits=Count("id"))
        .filter(visits__gt=cap)
        .order_by("-visits", "entity_id")
    )
    rows = list(over_qs[:limit])
    at_cap: int | None = None
    if check_candidates and not rows and plan.state in (PlanState.DRAFT, PlanState.ANNOUNCED):
        # runs every stratum's candidate query: on request only (a national directory)
        from fazhi.inspections.frozen import stratum_queryset

        visited = (
            InspectionTask.objects.filter(
                plan__year=plan.year, plan__organisation_id=plan.organisation_id
            )
            .exclude(state=TaskState.CANCELLED)
            .values("entity_id")
            .annotate(visits=Count("id"))
            .filter(visits__gte=cap)
            .values("entity_id")
        )
        at_cap = sum(
            stratum_queryset(plan, s).filter(id__in=visited).count() for s in plan.strata.all()
        )
    return VisitCapReport(
        cap=cap,
        source=source,
        over=[(r["entity_id"], r["entity__name"], r["visits"]) for r in rows],
        over_count=over_qs.count() if len(rows) == limit else len(rows),
        candidates_at_cap=at_cap,
    )


def stratum_label(stratum: PlanStratum) -> str:
    """A stratum as users name it: its category and risk grade (公共场所卫生·B级（较低风险）)."""
    grade = dict(RiskGrade.choices).get(stratum.risk_grade, "") if stratum.risk_grade else ""
    return f"{stratum.category.name}·{grade}" if grade else stratum.category.name


def stratum_labels(*, user: User, plan: InspectionPlan) -> dict[str, str]:
    """Each stratum key of the plan with its label (for frozen announcements that name keys)."""
    return {s.key: stratum_label(s) for s in stratum_list(user=user, plan=plan)}


def stratum_key_for(*, user: User, plan: InspectionPlan, category_code: str, grade: str) -> str:
    """A key for a new stratum when the planner gives none: from its category's code and grade,
    with a number when the plan has it already (public_places, public_places_b_2)."""
    base = f"{category_code}_{grade.lower()}" if grade else category_code
    taken = set(stratum_list(user=user, plan=plan).values_list("key", flat=True))
    key, n = base[:56], 2
    while key in taken:
        key, n = f"{base[:56]}_{n}", n + 1
    return key


PLAN_STEPS = ("草稿", "分层", "公告", "抽取", "实施", "公示", "完成")


def plan_progress(*, user: User, plan: InspectionPlan) -> dict[str, Any]:
    """Where a plan stands in its steps (草稿 → 分层 → 公告 → 抽取 → 实施 → 公示 → 完成): the
    index of the current step and the task counts the last steps depend on (three queries)."""
    plan_get(user=user, pk=plan.pk)
    tasks = InspectionTask.objects.filter(plan=plan).exclude(state=TaskState.CANCELLED)
    total = tasks.count()
    finished = tasks.filter(state__in=(TaskState.DONE, TaskState.COULD_NOT_INSPECT))
    open_count = total - finished.count()
    unpublished = finished.filter(published_at__isnull=True).count()
    has_strata = plan.kind == PlanKind.IMPORTED or plan.strata.exists()
    if plan.state == PlanState.CLOSED:
        current = 6
    elif plan.state == PlanState.DRAFT:
        current = 2 if has_strata else 1
    elif plan.state == PlanState.ANNOUNCED:
        current = 3
    elif open_count or not total:
        current = 4
    else:
        current = 5 if unpublished else 6
    steps = [
        {"label": label, "done": index < current, "current": index == current}
        for index, label in enumerate(PLAN_STEPS)
    ]
    return {
        "steps": steps,
        "current": PLAN_STEPS[current],
        "total": total,
        "open": open_count,
        "unpublished": unpublished,
    }
