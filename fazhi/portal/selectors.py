"""Public selectors of the portal (一公开). No user: what they return is public by design.

- plans that have left draft, their announcements (with hashes) and draws (effective and
  superseded, both stay visible), each draw's export for verification;
- published inspection results, while their retention period runs (rule
  ``inspection.publicity_retention``: 5 years, 2 years when the party is a natural person),
  with the personal data of natural persons masked (see ``masking``).

The retention rule in force today applies to everything on the portal (a shortened period takes
results off at once; a lengthened one keeps them longer), per province.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from fazhi.core import clock, errors, rules
from fazhi.core.models import Organisation
from fazhi.inspections.models import (
    Draw,
    DrawAnnouncement,
    InspectionPlan,
    InspectionTask,
    PlanState,
    TaskFinding,
    TaskInspector,
    TaskState,
)
from fazhi.portal.masking import mask_id_number, mask_person_name
from fazhi.registry.models import Entity

RETENTION_RULE = "inspection.publicity_retention"
NATURAL_PERSON_VARIANT = "当事人为自然人"
PUBLIC_TASK_STATES = (TaskState.DONE, TaskState.COULD_NOT_INSPECT)


# --- masking of entities ----------------------------------------------------------------------


def public_entity_name(entity: Entity) -> str:
    return mask_person_name(entity.name) if entity.is_individual else entity.name


def public_entity_code(entity: Entity) -> str:
    return mask_id_number(entity.id_number) if entity.is_individual else entity.uscc


@dataclass(frozen=True)
class Retention:
    years: int
    natural_person_years: int
    citation: str


def _minus_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def retention(province: str | None = None, *, on: dt.date | None = None) -> Retention:
    rule = rules.rule(RETENTION_RULE, on=on or clock.today(), province=province)
    value = rule.value
    if value.unit != "years":
        raise errors.RulePackError(
            path=RETENTION_RULE, key=RETENTION_RULE, problem="保留期限须以年为单位"
        )
    return Retention(
        years=value.amount,
        natural_person_years=value.variants.get(NATURAL_PERSON_VARIANT, value.amount),
        citation=_public_citation(rule.source),
    )


def _public_citation(source: rules.Source) -> str:
    """The law and article for the public: whether staff have checked the rule pack's text
    against the official one is an administrators' matter (the rules page), not the portal's."""
    return f"《{source.law}》{source.article}" if source.article else f"《{source.law}》"


def _retention_filter(today: dt.date) -> Q:
    """Published tasks still within their retention period, per province and kind of party."""
    provinces = sorted(
        {code[:2] for code in Organisation.objects.values_list("division_code", flat=True)}
    )
    condition = Q(pk__in=[])
    for province in provinces:
        kept = retention(province, on=today)
        in_province = Q(organisation__division_code__startswith=province)
        condition |= in_province & (
            Q(entity__is_individual=False, published_at__date__gt=_minus_years(today, kept.years))
            | Q(
                entity__is_individual=True,
                published_at__date__gt=_minus_years(today, kept.natural_person_years),
            )
        )
    return condition


# --- plans, announcements and draws --------------------------------------------------------


def public_plans(*, organisation_id: int | None = None) -> QuerySet[InspectionPlan]:
    qs = InspectionPlan.objects.exclude(state=PlanState.DRAFT).select_related("organisation")
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    return qs.order_by("-year", "-id")


def public_plan(*, pk: int) -> InspectionPlan:
    plan = (
        public_plans()
        .prefetch_related(
            Prefetch(
                "announcements",
                queryset=DrawAnnouncement.objects.prefetch_related("witnesses").order_by("number"),
            ),
            Prefetch("draws", queryset=Draw.objects.order_by("number")),
            "strata__category",
        )
        .filter(pk=pk)
        .first()
    )
    if plan is None:
        raise errors.NotFound()
    return plan


def public_stratum_labels(plan: InspectionPlan) -> dict[str, str]:
    """Each stratum key of a published plan with the Chinese label the staff pages use
    (公共场所卫生·B级（较低风险）): frozen announcements and drawn tasks name strata by key."""
    from fazhi.inspections.selectors.plans import stratum_label

    return {s.key: stratum_label(s) for s in plan.strata.select_related("category")}


def public_draw(*, plan_pk: int, number: int) -> Draw:
    draw = (
        Draw.objects.exclude(plan__state=PlanState.DRAFT)
        .select_related("plan", "plan__organisation", "announcement")
        .filter(plan_id=plan_pk, number=number)
        .first()
    )
    if draw is None:
        raise errors.NotFound()
    return draw


def public_draw_tasks(draw: Draw) -> QuerySet[InspectionTask]:
    """The drawn tasks the public may see: for a version-2 draw, only once its names are public
    (the plan's setting: window start or each result's publication), never at the draw."""
    from fazhi.inspections.selectors.draws import public_task_condition

    return (
        InspectionTask.objects.filter(draw=draw)
        .filter(public_task_condition(draw, clock.today()))
        .select_related("entity", "category")
        .prefetch_related(
            Prefetch(
                "task_inspectors",
                queryset=TaskInspector.objects.select_related("officer").order_by("role"),
            )
        )
        .order_by("stratum_key", "number", "id")
    )


def public_draw_export(draw: Draw) -> dict[str, Any]:
    from fazhi.inspections.selectors.draws import export_draw, names_are_public

    if not names_are_public(draw, clock.today()):
        raise errors.NotFound("抽取名单尚未公开：可验证的导出文件在名单公开后提供。")
    return export_draw(draw)


def public_draw_names_pending(draw: Draw) -> bool:
    from fazhi.inspections.selectors.draws import names_are_public

    return not names_are_public(draw, clock.today())


# --- results --------------------------------------------------------------------------------


def public_results(
    *, q: str = "", organisation_id: int | None = None, today: dt.date | None = None
) -> QuerySet[InspectionTask]:
    """Published results still within their retention period, newest first."""
    today = today or clock.today()
    qs = InspectionTask.objects.filter(
        state__in=PUBLIC_TASK_STATES, published_at__isnull=False
    ).filter(_retention_filter(today))
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    if q:
        # natural persons cannot be found by their name: it is masked on the portal
        qs = qs.filter(
            Q(entity__is_individual=False)
            & (Q(entity__name__icontains=q) | Q(entity__uscc=q.upper()))
        )
    return qs.select_related("entity", "category", "plan", "organisation").order_by(
        "-published_at", "-id"
    )


def public_entity_results(*, entity_id: int, today: dt.date | None = None) -> tuple[Entity, Any]:
    """An entity and its published results (with findings); 404 when none is on the portal."""
    results = list(
        public_results(today=today)
        .filter(entity_id=entity_id)
        .prefetch_related(
            Prefetch("findings", queryset=TaskFinding.objects.select_related("item")),
        )
    )
    if not results:
        raise errors.NotFound()
    return results[0].entity, results
