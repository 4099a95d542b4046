"""Practice points (不良执业行为记分): an entry with the points of the behaviour in the province's
pack; the cycle's total, and an alert for each threshold it reaches (decision 0066)."""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.db.models import Sum

from fazhi.core import audit, errors, workflow
from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap, require_in_scope
from fazhi.credit.events import PointsEvent
from fazhi.credit.models import PointAlert, PointEntry, PointSubject
from fazhi.credit.services._common import day, province_rule, text
from fazhi.credit.workflows import POINT_ALERT
from fazhi.enforcement.models import PenaltyCase
from fazhi.registry.models import Entity, EntityKind

POINTS_RULE = "credit.points.{subject}"
THRESHOLDS_RULE = "credit.points_thresholds.{subject}"
MEDICAL_KINDS = (
    EntityKind.HOSPITAL,
    EntityKind.CLINIC,
    EntityKind.COMMUNITY_HEALTH_CENTRE,
    EntityKind.MEDICAL_AESTHETICS,
    EntityKind.RADIATION_USER,
)
PRACTITIONER_NUMBER = re.compile(r"^[0-9A-Za-z]{6,30}$")


def cycle_of(on: dt.date) -> int:
    """The scoring cycle: the calendar year of the day the points were given (decision 0066)."""
    return on.year


def behaviours(*, subject: str, organisation: object, on: dt.date) -> dict[str, int]:
    """The behaviours the province scores for ``subject`` on ``on``, with their points."""
    rule = province_rule(POINTS_RULE.format(subject=subject), organisation, on)  # type: ignore[arg-type]
    return dict(rule.value.points) if rule is not None else {}


def score(*, entity: Entity, subject: str, practitioner_number: str, cycle: int) -> int:
    total = PointEntry.objects.filter(
        entity=entity, subject=subject, practitioner_number=practitioner_number, cycle=cycle
    ).aggregate(total=Sum("points"))["total"]
    return int(total or 0)


def points_record(
    *,
    actor: User,
    entity: Entity,
    subject: str,
    behaviour: str,
    case: PenaltyCase | None = None,
    practitioner_name: str = "",
    practitioner_number: str = "",
    on: dt.date | None = None,
) -> PointEntry:
    """Score one behaviour of a medical institution or of one of its practitioners, with the
    points the province's pack gives it; each threshold the cycle's total reaches for the first
    time raises an alert for the leader (the workbench)."""
    require_cap(actor, Cap.CREDIT_RECORD, action=PointsEvent.RECORDED)
    require_in_scope(actor, entity.organisation, action=PointsEvent.RECORDED)
    if subject not in PointSubject.values:
        raise errors.ValidationFailed("请选择记分对象。", code="unknown_subject", field="subject")
    if entity.kind not in MEDICAL_KINDS:
        raise errors.ValidationFailed(
            "不良执业行为记分只适用于医疗机构及其医务人员。", code="not_medical", field="entity"
        )
    on = day(on, field="on", label="记分日期")
    name = text(
        practitioner_name,
        field="practitioner_name",
        label="医务人员姓名",
        max_length=50,
        required=subject == PointSubject.PRACTITIONER,
    )
    number = (practitioner_number or "").strip()
    if subject == PointSubject.PRACTITIONER:
        if not PRACTITIONER_NUMBER.match(number):
            raise errors.ValidationFailed(
                "请填写医务人员的执业证书编码（6至30位字母或数字）。",
                code="bad_practitioner_number",
                field="practitioner_number",
            )
    elif name or number:
        raise errors.ValidationFailed(
            "对医疗机构记分不填写医务人员。", code="practitioner_for_institution"
        )
    rule = province_rule(POINTS_RULE.format(subject=subject), entity.organisation, on)
    if rule is None:
        raise errors.Conflict("本省规则包未规定不良执业行为记分分值。", code="no_points_rule")
    if behaviour not in rule.value.points:
        raise errors.ValidationFailed(
            "请从本省规则包的不良执业行为中选择。", code="unknown_behaviour", field="behaviour"
        )
    if case is not None:
        require_in_scope(actor, case.organisation, action=PointsEvent.RECORDED)
        if case.entity_id != entity.pk or case.decided_on is None:
            raise errors.ValidationFailed(
                "关联案件须为对该机构已作出决定的案件。", code="case_mismatch", field="case"
            )
    with transaction.atomic(durable=True):
        Entity.objects.select_for_update().filter(pk=entity.pk).first()  # one scorer at a time
        entry = PointEntry.objects.create(
            organisation=entity.organisation,
            entity=entity,
            subject=subject,
            practitioner_name=name,
            practitioner_number=number,
            case=case,
            behaviour=behaviour,
            points=rule.value.points[behaviour],
            cycle=cycle_of(on),
            scored_on=on,
            basis=rule.citation,
            recorded_by=actor,
        )
        audit.append(
            actor=actor,
            action=PointsEvent.RECORDED,
            obj=entry,
            details={
                "entity": entity.pk,
                "subject": subject,
                "behaviour": behaviour,
                "points": entry.points,
                "case": case.pk if case else None,
            },
        )
        _raise_alerts(actor, entry)
    return entry


def _raise_alerts(actor: User, entry: PointEntry) -> None:
    rule = province_rule(
        THRESHOLDS_RULE.format(subject=entry.subject), entry.organisation, entry.scored_on
    )
    if rule is None:
        return
    total = score(
        entity=entry.entity,
        subject=entry.subject,
        practitioner_number=entry.practitioner_number,
        cycle=entry.cycle,
    )
    reached = [(name, limit) for name, limit in rule.value.points.items() if total >= limit]
    known = set(
        PointAlert.objects.filter(
            entity=entry.entity,
            subject=entry.subject,
            practitioner_number=entry.practitioner_number,
            cycle=entry.cycle,
        ).values_list("consequence", flat=True)
    )
    for name, limit in reached:
        if name in known:
            continue
        alert = PointAlert.objects.create(
            organisation=entry.organisation,
            entity=entry.entity,
            subject=entry.subject,
            practitioner_name=entry.practitioner_name,
            practitioner_number=entry.practitioner_number,
            cycle=entry.cycle,
            consequence=name,
            threshold=limit,
            score=total,
            reached_on=entry.scored_on,
        )
        audit.append(
            actor=actor,
            action=PointsEvent.ALERT_RAISED,
            obj=alert,
            details={"to": alert.state, "score": total, "threshold": limit, "basis": rule.citation},
        )


def points_alert_handle(
    *, actor: User, alert: PointAlert, handling: str, on: dt.date | None = None
) -> PointAlert:
    """The leader records what was done (focus supervision, the interview, the revalidation
    suspended)."""
    require_cap(actor, Cap.CREDIT_DECIDE, action=PointsEvent.ALERT_HANDLED)
    require_in_scope(actor, alert.organisation, action=PointsEvent.ALERT_HANDLED)
    handling = text(handling, field="handling", label="处理情况", max_length=2000, required=False)
    on = day(on, field="on", label="处理日期")
    with transaction.atomic(durable=True):
        return workflow.transition(
            POINT_ALERT,
            alert,
            "handle",
            actor=actor,
            ctx={"reason": handling},
            changes={"handling": handling, "handled_on": on, "handled_by": actor},
            details={"on": on.isoformat()},
        )
