"""Services: the inspector pool (执法检查人员名录库): enrolment, qualified categories, region,
in/out of pool, leave periods and declared conflicts of interest (回避).

An officer enters the pool only with an enforcement credential valid on the enrolment date; the
draw checks validity again on the plan date (``selectors.pool.pool_eligible``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from django.db import transaction

from fazhi.core import audit, clock, errors
from fazhi.core.events import EventName
from fazhi.core.models import Officer, User
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap, require_cap, require_in_scope
from fazhi.inspections.events import ConflictEvents, InspectorEvents
from fazhi.inspections.models import ConflictDeclaration, InspectorLeave, InspectorProfile
from fazhi.registry.models import Entity, SupervisionCategory

_REGION_RE = re.compile(r"^\d{2}(\d{2}){0,2}$")


def _clean_regions(regions: Sequence[str]) -> list[str]:
    cleaned: list[str] = []
    for region in regions:
        region = region.strip()
        if not region:
            continue
        if not _REGION_RE.match(region):
            raise errors.ValidationFailed(
                f"区域须为2、4或6位行政区划代码前缀：{region}。", code="bad_region", region=region
            )
        if region not in cleaned:
            cleaned.append(region)
    return sorted(cleaned)


def _clean_categories(categories: Sequence[SupervisionCategory]) -> list[SupervisionCategory]:
    if not categories:
        raise errors.ValidationFailed(
            "请至少选择一个可检查的专业类别。", code="categories_required"
        )
    for category in categories:
        if not category.is_active:
            raise errors.ValidationFailed(
                f"专业类别“{category.name}”已停用。", code="inactive_category"
            )
    return sorted({c.pk: c for c in categories}.values(), key=lambda c: c.pk)


def _clean_cap(value: int | None) -> int | None:
    if value is None:
        return None
    if value < 1:
        raise errors.ValidationFailed("每个计划最多任务数须为正整数。", code="bad_workload_cap")
    return value


def _require_credential(officer: Officer, on: dt.date) -> str:
    credential = officer.valid_credential(on)
    if credential is None:
        raise errors.ValidationFailed(
            f"{officer.name}在{on.isoformat()}没有有效的执法证，不能入库。",
            code="no_valid_credential",
            officer_id=officer.pk,
        )
    return credential.number


def inspector_enrol(
    *,
    actor: User,
    officer: Officer,
    on: dt.date,
    categories: Sequence[SupervisionCategory],
    regions: Sequence[str] = (),
    max_tasks_per_plan: int | None = None,
) -> InspectorProfile:
    """Enrol ``officer`` in the pool of their organisation."""
    require_cap(actor, Cap.INSPECTION_PLAN, action=InspectorEvents.ENROLLED)
    require_in_scope(actor, officer.organisation, action=InspectorEvents.ENROLLED)
    if not officer.is_active:
        raise errors.ValidationFailed(f"{officer.name}不在岗，不能入库。", code="officer_inactive")
    credential_number = _require_credential(officer, on)
    chosen = _clean_categories(categories)
    region_list = _clean_regions(regions)
    cap = _clean_cap(max_tasks_per_plan)
    with transaction.atomic(durable=True):
        locked = Officer.objects.select_for_update().get(pk=officer.pk)
        if InspectorProfile.objects.filter(officer=locked).exists():
            raise errors.Conflict(
                f"{officer.name}已在执法检查人员名录库中。", code="already_enrolled"
            )
        profile = InspectorProfile.objects.create(
            officer=locked,
            organisation=locked.organisation,
            regions=region_list,
            max_tasks_per_plan=cap,
        )
        profile.categories.set(chosen)
        audit.append(
            actor=actor,
            action=InspectorEvents.ENROLLED,
            obj=profile,
            details={
                "officer_id": officer.pk,
                "credential": credential_number,
                "on": on.isoformat(),
                "categories": [c.code for c in chosen],
                "regions": region_list,
                "max_tasks_per_plan": cap,
            },
        )
    return profile


def inspector_update(
    *,
    actor: User,
    profile: InspectorProfile,
    categories: Sequence[SupervisionCategory],
    regions: Sequence[str] = (),
    max_tasks_per_plan: int | None = None,
) -> InspectorProfile:
    require_cap(actor, Cap.INSPECTION_PLAN, action=InspectorEvents.UPDATED)
    require_in_scope(actor, profile.organisation, action=InspectorEvents.UPDATED)
    chosen = _clean_categories(categories)
    region_list = _clean_regions(regions)
    cap = _clean_cap(max_tasks_per_plan)
    with transaction.atomic(durable=True):
        locked = InspectorProfile.objects.select_for_update().get(pk=profile.pk)
        before = {
            "categories": sorted(locked.categories.values_list("code", flat=True)),
            "regions": list(locked.regions),
            "max_tasks_per_plan": locked.max_tasks_per_plan,
        }
        locked.regions = region_list
        locked.max_tasks_per_plan = cap
        locked.save(update_fields=["regions", "max_tasks_per_plan", "updated_at"])
        locked.categories.set(chosen)
        after = {
            "categories": sorted(c.code for c in chosen),
            "regions": region_list,
            "max_tasks_per_plan": cap,
        }
        audit.append(
            actor=actor,
            action=InspectorEvents.UPDATED,
            obj=locked,
            details={"before": before, "after": after},
        )
    return locked


def inspector_leave_pool(
    *, actor: User, profile: InspectorProfile, reason: str
) -> InspectorProfile:
    """Take an inspector out of the pool (transfer, long absence, credential problem, …)."""
    require_cap(actor, Cap.INSPECTION_PLAN, action=InspectorEvents.LEFT_POOL)
    require_in_scope(actor, profile.organisation, action=InspectorEvents.LEFT_POOL)
    reason = (reason or "").strip()
    if not reason:
        raise errors.ValidationFailed("请填写出库理由。", code="reason_required")
    with transaction.atomic(durable=True):
        locked = InspectorProfile.objects.select_for_update().get(pk=profile.pk)
        if not locked.in_pool:
            raise errors.InvalidTransition("该人员已不在库中。", code="not_in_pool")
        locked.in_pool = False
        locked.save(update_fields=["in_pool", "updated_at"])
        audit.append(
            actor=actor,
            action=InspectorEvents.LEFT_POOL,
            obj=locked,
            details={"reason": reason[:500]},
        )
    return locked


def inspector_return_to_pool(
    *, actor: User, profile: InspectorProfile, on: dt.date
) -> InspectorProfile:
    require_cap(actor, Cap.INSPECTION_PLAN, action=InspectorEvents.RETURNED_TO_POOL)
    require_in_scope(actor, profile.organisation, action=InspectorEvents.RETURNED_TO_POOL)
    officer = profile.officer
    if not officer.is_active:
        raise errors.ValidationFailed(f"{officer.name}不在岗，不能入库。", code="officer_inactive")
    credential_number = _require_credential(officer, on)
    with transaction.atomic(durable=True):
        locked = InspectorProfile.objects.select_for_update().get(pk=profile.pk)
        if locked.in_pool:
            raise errors.InvalidTransition("该人员已在库中。", code="already_in_pool")
        locked.in_pool = True
        locked.save(update_fields=["in_pool", "updated_at"])
        audit.append(
            actor=actor,
            action=InspectorEvents.RETURNED_TO_POOL,
            obj=locked,
            details={"credential": credential_number, "on": on.isoformat()},
        )
    return locked


def _require_officer_manageable(actor: User, officer: Officer, *, action: EventName) -> None:
    """Planners manage any officer in scope; an officer may declare for themselves."""
    if officer.user_id is not None and officer.user_id == actor.pk and has_cap(actor, Cap.WRITE):
        return
    require_cap(actor, Cap.INSPECTION_PLAN, action=action)
    require_in_scope(actor, officer.organisation, action=action)


def inspector_leave_add(
    *, actor: User, officer: Officer, start: dt.date, end: dt.date, reason: str = ""
) -> InspectorLeave:
    """Record a leave or absence; the draw skips the officer on those days."""
    _require_officer_manageable(actor, officer, action=InspectorEvents.LEAVE_ADDED)
    if end < start:
        raise errors.ValidationFailed("结束日期不能早于开始日期。", code="bad_period")
    with transaction.atomic(durable=True):
        Officer.objects.select_for_update().get(pk=officer.pk)
        if InspectorLeave.objects.filter(officer=officer, start__lte=end, end__gte=start).exists():
            raise errors.ValidationFailed("与已登记的请假时段重叠。", code="leave_overlap")
        leave = InspectorLeave.objects.create(
            officer=officer, start=start, end=end, reason=(reason or "").strip()[:200]
        )
        audit.append(
            actor=actor,
            action=InspectorEvents.LEAVE_ADDED,
            obj=leave,
            organisation_id=officer.organisation_id,
            details={
                "officer_id": officer.pk,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "reason": leave.reason,
            },
        )
    return leave


def _require_planner(actor: User, officer: Officer, *, action: EventName) -> None:
    """Undoing a leave or a 回避 declaration widens who can be drawn: never the officer alone."""
    require_cap(actor, Cap.INSPECTION_PLAN, action=action)
    require_in_scope(actor, officer.organisation, action=action)
    if officer.user_id is not None and officer.user_id == actor.pk:
        raise errors.PermissionDenied(
            "本人不能撤回自己的回避申报或请假，须由其他计划管理人员办理。",
            code="own_record",
            attempted=action,
        )


def inspector_leave_cancel(*, actor: User, leave: InspectorLeave) -> None:
    officer = leave.officer
    _require_planner(actor, officer, action=InspectorEvents.LEAVE_CANCELLED)
    with transaction.atomic(durable=True):
        locked = InspectorLeave.objects.select_for_update().filter(pk=leave.pk).first()
        if locked is None:
            raise errors.NotFound()
        details = {
            "officer_id": officer.pk,
            "start": locked.start.isoformat(),
            "end": locked.end.isoformat(),
        }
        audit.append(
            actor=actor,
            action=InspectorEvents.LEAVE_CANCELLED,
            object_type="inspections.inspectorleave",
            object_id=locked.pk,
            organisation_id=officer.organisation_id,
            details=details,
        )
        locked.delete()


def conflict_declare(
    *, actor: User, officer: Officer, entity: Entity, reason: str, declared_on: dt.date
) -> ConflictDeclaration:
    """Declare that ``officer`` must not inspect ``entity`` (回避)."""
    _require_officer_manageable(actor, officer, action=ConflictEvents.DECLARED)
    reason = (reason or "").strip()
    if not reason:
        raise errors.ValidationFailed("请填写回避事由。", code="reason_required")
    if len(reason) > 300:
        raise errors.ValidationFailed("回避事由不能超过300个字符。", code="reason_too_long")
    with transaction.atomic(durable=True):
        Officer.objects.select_for_update().get(pk=officer.pk)
        if ConflictDeclaration.objects.filter(
            officer=officer, entity=entity, withdrawn_on__isnull=True
        ).exists():
            raise errors.Conflict("已有对该对象的有效回避申报。", code="already_declared")
        declaration = ConflictDeclaration.objects.create(
            officer=officer, entity=entity, reason=reason, declared_on=declared_on
        )
        audit.append(
            actor=actor,
            action=ConflictEvents.DECLARED,
            obj=declaration,
            organisation_id=officer.organisation_id,
            details={
                "officer_id": officer.pk,
                "entity_id": entity.pk,
                "reason": reason,
                "declared_on": declared_on.isoformat(),
            },
        )
    return declaration


def conflict_withdraw(
    *, actor: User, declaration: ConflictDeclaration, on: dt.date, reason: str
) -> ConflictDeclaration:
    _require_planner(actor, declaration.officer, action=ConflictEvents.WITHDRAWN)
    reason = (reason or "").strip()
    if not reason:
        raise errors.ValidationFailed("请填写撤回理由。", code="reason_required")
    if on < declaration.declared_on:
        raise errors.ValidationFailed("撤回日期不能早于申报日期。", code="bad_period")
    if on < clock.today():
        raise errors.ValidationFailed("撤回日期不能早于今天。", code="withdrawal_in_past")
    with transaction.atomic(durable=True):
        locked = ConflictDeclaration.objects.select_for_update().get(pk=declaration.pk)
        if locked.withdrawn_on is not None:
            raise errors.InvalidTransition("该回避申报已撤回。", code="already_withdrawn")
        locked.withdrawn_on = on
        locked.save(update_fields=["withdrawn_on"])
        audit.append(
            actor=actor,
            action=ConflictEvents.WITHDRAWN,
            obj=locked,
            organisation_id=declaration.officer.organisation_id,
            details={"on": on.isoformat(), "reason": reason[:500]},
        )
    return locked
