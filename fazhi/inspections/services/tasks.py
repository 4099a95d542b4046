"""Services: inspection tasks and their results (掌上执法).

Only an inspector assigned to a task records its results; anyone else is refused with
``not_assigned`` (a PermissionDenied, so the boundary writes it into the audit chain).

States: the ``inspection_task`` workflow (``fazhi.inspections.workflows``): assigned, started
(in progress), done or could not inspect; a re-draw cancels assigned tasks (``services.draws``).
Recording a finding or a photo, a re-check and publishing keep the state, through the same table.

A ``done`` task ordered to correct gets a re-check date, a deadline fixed by that decision
(``FIXED_RULE``) met by ``task_recheck``.
A referred task creates an ``enforcement.CaseLead`` in state ``new``. Completion opens the result
publicity deadline (rule ``inspection.result_publicity``); ``services.publicity.task_publish``
publishes the result on the portal and meets it. A task no draw assigned gets its team from
``services.teams``.
"""

from __future__ import annotations

import datetime as dt
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from fazhi.core import clock, errors, workflow
from fazhi.core.models import User
from fazhi.core.periods import FIXED_RULE
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap, visible_organisations
from fazhi.core.services import deadlines as deadline_services
from fazhi.enforcement.models import CaseLeadSource
from fazhi.enforcement.services.leads import case_lead_create
from fazhi.inspections.events import TaskEvents
from fazhi.inspections.models import (
    FindingResult,
    InspectionItem,
    InspectionTask,
    OutcomeReason,
    PlanKind,
    TaskFinding,
    TaskInspector,
    TaskOutcome,
    TaskPhoto,
    TaskState,
)
from fazhi.inspections.workflows import TASK

PUBLICITY_RULE = "inspection.result_publicity"

FINISHED_STATES = (TaskState.DONE, TaskState.COULD_NOT_INSPECT)
PHOTO_MAX_BYTES = 20 * 1024 * 1024


def lead_source(task: InspectionTask) -> str:
    """The source of a case lead a task refers: a complaint check's lead is a complaint's
    (decision 0091), every other task's a random inspection's."""
    if task.plan.kind == PlanKind.COMPLAINT:
        return CaseLeadSource.COMPLAINT
    return CaseLeadSource.RANDOM_INSPECTION


def is_assigned(user: User, task: InspectionTask) -> bool:
    return TaskInspector.objects.filter(task=task, officer__user=user).exists()


def _require_assigned(actor: User, task: InspectionTask, *, action: TaskEvents) -> None:
    """Only an inspector assigned to the task may record its results."""
    require_cap(actor, Cap.INSPECTION_RECORD, action=action)
    if not is_assigned(actor, task):
        raise errors.PermissionDenied(
            "您不是该任务的检查人员，不能录入检查结果。",
            code="not_assigned",
            attempted=action,
            task_id=task.pk,
        )


def lock_task(task: InspectionTask) -> InspectionTask:
    return InspectionTask.objects.select_for_update().select_related("plan").get(pk=task.pk)


def task_items(task: InspectionTask) -> list[InspectionItem]:
    """The items to check on this task: the plan's items of the task's category (all the plan's
    items when the task has no category); when the plan lists none, the organisation's active
    items of that category."""
    plan_items = task.plan.items.select_related("category").order_by("code", "id")
    if task.category_id is not None:
        plan_items = plan_items.filter(category_id=task.category_id)
    items = list(plan_items)
    if items or task.plan.items.exists():
        return items
    fallback = InspectionItem.objects.filter(organisation=task.organisation, is_active=True)
    if task.category_id is not None:
        fallback = fallback.filter(category_id=task.category_id)
    return list(fallback.select_related("category").order_by("code", "id"))


# --- deadlines ------------------------------------------------------------------------------
# Deadlines are opened and met inside the task's own transaction (``deadline_attach``,
# ``deadlines_close_for``), so an obligation and the change that creates it commit together.


def _assignee(user: User | None, task: InspectionTask) -> User | None:
    """``user`` when they can see the task's organisation (an inspector lent by another
    organisation cannot), else nobody: the deadline is then on the organisation's workbench."""
    if user is None:
        return None
    return user if visible_organisations(user).filter(pk=task.organisation_id).exists() else None


def _attach_deadline(
    *,
    actor: User,
    task: InspectionTask,
    title: str,
    rule_key: str,
    start: dt.date,
    assignee: User | None,
    due_date: dt.date | None = None,
) -> None:
    deadline_services.deadline_attach(
        actor=actor,
        organisation=task.organisation,
        title=title,
        rule_key=rule_key,
        start_date=start,
        subject=task,
        assignee=_assignee(assignee, task),
        due_date=due_date,
    )


def _close_plan_window_if_finished(*, actor: User, task: InspectionTask, on: dt.date) -> None:
    """The last task of a plan to finish meets the plan's window deadline."""
    open_left = (
        InspectionTask.objects.filter(plan_id=task.plan_id)
        .exclude(state__in=[*FINISHED_STATES, TaskState.CANCELLED])
        .exists()
    )
    if not open_left:
        deadline_services.deadlines_close_for(
            actor=actor, subject=task.plan, rule_key=FIXED_RULE, on=on
        )


def close_task_deadlines(*, actor: User, task: InspectionTask, rule_key: str, on: dt.date) -> None:
    deadline_services.deadlines_close_for(actor=actor, subject=task, rule_key=rule_key, on=on)


def task_start(*, actor: User, task: InspectionTask) -> InspectionTask:
    _require_assigned(actor, task, action=TaskEvents.STARTED)
    with transaction.atomic(durable=True):
        return workflow.transition(TASK, lock_task(task), "start", actor=actor, locked=True)


def task_record_finding(
    *,
    actor: User,
    task: InspectionTask,
    item: InspectionItem,
    result: str,
    note: str = "",
) -> TaskFinding:
    """Record (or correct) the finding for one item: 合格 / 不合格 / 不涉及."""
    _require_assigned(actor, task, action=TaskEvents.FINDING_RECORDED)
    if result not in FindingResult.values:
        raise errors.ValidationFailed("检查结论须为合格、不合格或不涉及。", code="bad_result")
    note = (note or "").strip()
    if result == FindingResult.FAIL and not note:
        raise errors.ValidationFailed("结论为不合格时须写明存在的问题。", code="note_required")
    if item.pk not in {i.pk for i in task_items(task)}:
        raise errors.ValidationFailed("该事项不属于本任务的检查事项。", code="item_not_in_task")
    with transaction.atomic(durable=True):
        locked = lock_task(task)
        TASK.check(locked, "record_finding")
        finding = TaskFinding.objects.filter(task=locked, item=item).first()
        previous = finding.result if finding else None
        if finding is None:
            finding = TaskFinding.objects.create(task=locked, item=item, result=result, note=note)
        else:
            finding.result = result
            finding.note = note
            finding.save(update_fields=["result", "note"])
        workflow.transition(
            TASK,
            locked,
            "record_finding",
            actor=actor,
            locked=True,
            details={"item": item.code, "result": result, "previous": previous, "note": note},
        )
    return finding


def task_attach_photo(
    *,
    actor: User,
    task: InspectionTask,
    file: IO[bytes] | Any,
    filename: str,
    content_type: str = "",
    caption: str = "",
) -> TaskPhoto:
    """Store a site photo (hashed, type detected) before the transaction, then, inside it, link
    it to the task as a photo (``attachment_link``: row, link and chained event) with the task's
    own record of it (caption, order)."""
    from fazhi.core.models import AttachmentKind
    from fazhi.core.services.attachments import attachment_link, attachment_store_blob

    _require_assigned(actor, task, action=TaskEvents.PHOTO_ATTACHED)
    # before the file is stored, and again under the lock
    TASK.check(InspectionTask.objects.only("state").get(pk=task.pk), "attach_photo")
    blob = attachment_store_blob(
        actor=actor,
        organisation=task.organisation,
        file=file,
        filename=filename,
        content_type=content_type,
        images_only=True,  # a photo is shown inline: it must decode as a raster image
    )
    with transaction.atomic(durable=True):
        locked = lock_task(task)
        TASK.check(locked, "attach_photo")  # the state may have changed while the file was stored
        link = attachment_link(
            actor=actor, attachment_or_blob=blob, subject=locked, kind=AttachmentKind.PHOTO
        )
        photo = TaskPhoto.objects.create(
            task=locked, attachment=link.attachment, caption=(caption or "").strip()[:200]
        )
        workflow.transition(
            TASK,
            locked,
            "attach_photo",
            actor=actor,
            locked=True,
            details={"attachment_id": link.attachment_id, "sha256": blob.sha256},
        )
    return photo


def check_findings(task: InspectionTask, outcome: str) -> None:
    """Every item of the task has a finding, and the findings support ``outcome`` (the guard of
    the ``complete`` step)."""
    items = task_items(task)
    findings = {f.item_id: f.result for f in task.findings.all()}
    missing = [item.code for item in items if item.pk not in findings]
    if missing:
        raise errors.ValidationFailed(
            f"以下检查事项尚未录入结论：{'、'.join(missing)}。",
            code="findings_incomplete",
            missing=",".join(missing),
        )
    failed = sum(1 for r in findings.values() if r == FindingResult.FAIL)
    if outcome == TaskOutcome.NO_PROBLEM and failed:
        raise errors.ValidationFailed(
            "存在不合格的检查事项，结果不能为未发现问题。", code="findings_contradict_outcome"
        )
    if outcome in (TaskOutcome.ORDERED_TO_CORRECT, TaskOutcome.REFERRED) and not failed:
        raise errors.ValidationFailed(
            "没有不合格的检查事项，不能责令整改或移交立案。", code="no_failed_finding"
        )


def _finding_counts(task: InspectionTask) -> dict[str, int]:
    counts = {r: 0 for r in FindingResult.values}
    for result in task.findings.values_list("result", flat=True):
        counts[result] += 1
    return counts


def task_complete(
    *,
    actor: User,
    task: InspectionTask,
    outcome: str,
    notes: str = "",
    recheck_date: dt.date | None = None,
    facts: str = "",
    reason: str = "",
) -> InspectionTask:
    """Finish a task with its outcome.

    - ``no_problem``: every item recorded, none failed;
    - ``ordered_to_correct``: some item failed; ``recheck_date`` (after today) becomes a deadline;
    - ``referred``: some item failed; ``facts`` go into a new case lead for the penalty module;
    - ``not_inspected``: ``reason`` is closed / not_found / other (other needs ``notes``).
    """
    _require_assigned(actor, task, action=TaskEvents.COMPLETED)
    if outcome not in TaskOutcome.values:
        raise errors.ValidationFailed("未知的检查结果。", code="bad_outcome")
    notes = (notes or "").strip()
    facts = (facts or "").strip()
    today = clock.today()
    if outcome == TaskOutcome.NOT_INSPECTED:
        if reason not in OutcomeReason.values:
            raise errors.ValidationFailed(
                "请选择无法检查的原因（已关闭、查无此户或其他）。", code="reason_required"
            )
        if reason == OutcomeReason.OTHER and not notes:
            raise errors.ValidationFailed("原因为“其他”时须在备注中说明。", code="notes_required")
    elif reason:
        raise errors.ValidationFailed("只有无法检查时才填写原因。", code="reason_not_allowed")
    if outcome == TaskOutcome.ORDERED_TO_CORRECT:
        if recheck_date is None:
            raise errors.ValidationFailed("责令整改须确定复查日期。", code="recheck_date_required")
        if recheck_date <= today:
            raise errors.ValidationFailed("复查日期须晚于今天。", code="recheck_date_not_future")
    elif recheck_date is not None:
        raise errors.ValidationFailed("只有责令整改时才填写复查日期。", code="recheck_not_allowed")
    if outcome == TaskOutcome.REFERRED and not facts:
        raise errors.ValidationFailed("移交立案须写明违法事实。", code="facts_required")

    with transaction.atomic(durable=True):
        locked = lock_task(task)
        action = "not_inspected" if outcome == TaskOutcome.NOT_INSPECTED else "complete"
        TASK.check(locked, action, {"outcome": outcome})  # before a case lead is created
        counts = _finding_counts(locked) if action == "complete" else {}
        now = clock.now()
        details: dict[str, Any] = {
            "outcome": outcome,
            "reason": reason,
            "findings": counts,
            "recheck_date": recheck_date.isoformat() if recheck_date else None,
        }
        if outcome == TaskOutcome.REFERRED:
            lead = case_lead_create(
                actor=actor,
                organisation=locked.organisation,
                entity=locked.entity,
                source=lead_source(locked),
                facts=facts,
                source_task=locked,
            )
            details["case_lead_id"] = lead.pk
        workflow.transition(
            TASK,
            locked,
            action,
            actor=actor,
            locked=True,
            ctx={"outcome": outcome},
            changes={
                "outcome": outcome,
                "outcome_reason": reason,
                "recheck_date": recheck_date,
                "notes": notes,
                "completed_at": now,
            },
            details=details,
        )
        _attach_deadline(
            actor=actor,
            task=locked,
            title=f"抽查结果公示：{locked.number}",
            rule_key=PUBLICITY_RULE,
            start=timezone.localdate(now),
            assignee=locked.plan.created_by,
        )
        _close_plan_window_if_finished(actor=actor, task=locked, on=timezone.localdate(now))
        if recheck_date is not None:
            _attach_deadline(
                actor=actor,
                task=locked,
                title=f"整改复查：{locked.number}",
                rule_key=FIXED_RULE,
                start=timezone.localdate(now),
                assignee=actor,
                due_date=recheck_date,
            )
    return locked


def task_recheck(
    *,
    actor: User,
    task: InspectionTask,
    on: dt.date,
    passed: bool,
    notes: str = "",
    facts: str = "",
) -> InspectionTask:
    """Record the re-check of a task ordered to correct. A failed re-check may be referred for a
    penalty case with ``facts`` (a new case lead)."""
    _require_assigned(actor, task, action=TaskEvents.RECHECKED)
    notes = (notes or "").strip()
    facts = (facts or "").strip()
    if on > clock.today():
        raise errors.ValidationFailed("复查日期不能晚于今天。", code="recheck_in_future")
    if not passed and not notes:
        raise errors.ValidationFailed("复查不合格时须写明情况。", code="notes_required")
    if passed and facts:
        raise errors.ValidationFailed("复查合格时不能移交立案。", code="facts_not_allowed")
    with transaction.atomic(durable=True):
        locked = lock_task(task)
        TASK.check(locked, "recheck", {"on": on})
        details: dict[str, Any] = {"on": on.isoformat(), "passed": passed, "notes": notes}
        if facts:
            lead = case_lead_create(
                actor=actor,
                organisation=locked.organisation,
                entity=locked.entity,
                source=lead_source(locked),
                facts=facts,
                source_task=locked,
            )
            details["case_lead_id"] = lead.pk
        workflow.transition(
            TASK,
            locked,
            "recheck",
            actor=actor,
            locked=True,
            ctx={"on": on},
            changes={"rechecked_on": on, "recheck_passed": passed, "recheck_notes": notes},
            details=details,
        )
        close_task_deadlines(actor=actor, task=locked, rule_key=FIXED_RULE, on=on)
    return locked
