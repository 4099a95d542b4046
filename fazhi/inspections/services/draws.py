"""Services: the draw (the heart of 双随机).

``draw_run`` recomputes the lists under the plan's row lock, refuses the draw when any hash
differs from the announcement's (the refusal is audited after the rollback), computes the draw
with the standard-library engine ``fazhi.inspections.drawengine`` and stores its tasks in bulk
(COPY on PostgreSQL for large draws). A plan has one effective draw; a re-draw needs an approved
request (``services.redraws``) and a new announcement, and the old draw stays visible as
superseded.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import Max

from fazhi.core import audit, clock, errors, workflow
from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap, require_in_scope
from fazhi.inspections import drawengine, drawv2
from fazhi.inspections.events import DrawEvents, PlanEvents
from fazhi.inspections.frozen import (
    build_pool,
    current_context,
    current_lists,
    draw_inputs,
    ratio_bp,
)
from fazhi.inspections.models import (
    Draw,
    DrawAnnouncement,
    DrawState,
    EntropyKind,
    InspectionPlan,
    InspectionTask,
    InspectorRole,
    RedrawRequest,
    TaskInspector,
    TaskState,
    Witness,
)
from fazhi.inspections.services.draws_v2 import entropy_v2
from fazhi.inspections.services.plans import plan_window_deadline_ensure
from fazhi.inspections.workflows import ANNOUNCEMENT, DRAW, PLAN, REDRAW, TASK

COPY_THRESHOLD = 2000  # tasks; above it PostgreSQL gets COPY instead of INSERTs


def _entropy(
    announcement: DrawAnnouncement, reveals: Sequence[str], public_number: str
) -> tuple[str, list[Witness]]:
    if announcement.entropy_kind == EntropyKind.WITNESSES:
        witnesses = list(announcement.witnesses.order_by("position"))
        secrets_ = [r.strip() for r in reveals]
        if any(len(s) > 200 for s in secrets_):
            raise errors.ValidationFailed("揭示值不能超过200个字符。", code="reveal_too_long")
        if len(secrets_) != len(witnesses) or any(not s for s in secrets_):
            raise errors.ValidationFailed(
                f"请填写全部{len(witnesses)}名见证人的揭示值。", code="reveals_required"
            )
        for witness, secret in zip(witnesses, secrets_, strict=True):
            if drawengine.witness_commitment(secret) != witness.commitment:
                raise errors.ValidationFailed(
                    f"见证人“{witness.name}”的揭示值与其承诺值不符。",
                    code="witness_reveal_mismatch",
                    witness=witness.name,
                )
            witness.revealed_secret = secret
        return drawengine.witness_entropy(secrets_), witnesses
    if announcement.entropy_kind == EntropyKind.PUBLIC_NUMBER:
        if not public_number.strip():
            raise errors.ValidationFailed(
                f"请填写公开号码：{announcement.entropy_spec}。", code="public_number_required"
            )
        value = drawengine.normalise_public_number(public_number)
        if not value:
            raise errors.ValidationFailed(
                "公开号码只能包含数字、空格和常用分隔符（如逗号、顿号、短横线）。",
                code="public_number_invalid",
            )
        return value[:200], []
    return secrets.token_hex(32), []


def _task_defaults() -> dict[str, Any]:
    """Column defaults for COPY: every concrete column, so later fields need no change here."""
    values: dict[str, Any] = {}
    for f in InspectionTask._meta.concrete_fields:
        if f.primary_key:
            continue
        values[str(f.column)] = f.get_default()
    return values


def _copy_text(value: Any) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = str(value)
    if any(c in text for c in "\\\t\n\r"):
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def _copy_lines(table: str, columns: Sequence[str], lines: Iterator[str]) -> None:
    """COPY in text format from rows already rendered (``_copy_text`` per value, tab-joined),
    written in blocks: far cheaper per row than ``write_row``."""
    with connection.cursor() as cursor:
        raw = cursor.cursor
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with raw.copy(sql) as copy:
            block: list[str] = []
            for line in lines:
                block.append(line)
                if len(block) >= 5000:
                    copy.write("\n".join(block) + "\n")
                    block.clear()
            if block:
                copy.write("\n".join(block) + "\n")


def _store_tasks(*, plan: InspectionPlan, draw: Draw, tasks: list[list[Any]]) -> None:
    """Tasks belong to the plan's organisation (the one that runs the inspection)."""
    now = clock.now()
    category_of = {s.key: s.category_id for s in plan.strata.all()}
    numbers = [f"{plan.year}-{plan.pk}-{draw.number}-{i:06d}" for i in range(1, len(tasks) + 1)]
    if connection.vendor == "postgresql" and len(tasks) > COPY_THRESHOLD:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [InspectionTask._meta.db_table, len(tasks)],
            )
            ids = [r[0] for r in cursor.fetchall()]
        base = _task_defaults()
        base.update(
            {
                "plan_id": plan.pk,
                "draw_id": draw.pk,
                "state": TaskState.ASSIGNED,
                "created_at": now,
                "organisation_id": plan.organisation_id,
            }
        )
        columns = ["id", *base]
        # every value but five is the same in each row: render those once
        template = [_copy_text(v) for v in base.values()]
        index = {c: i for i, c in enumerate(base)}
        at_key, at_category = index["stratum_key"], index["category_id"]
        at_entity, at_number = index["entity_id"], index["number"]
        key_text = {key: _copy_text(key) for key in category_of}

        def task_lines() -> Iterator[str]:
            row = list(template)
            for task_id, number, (key, entity, _team) in zip(ids, numbers, tasks, strict=True):
                row[at_key] = key_text[key]
                row[at_category] = str(category_of[key])
                row[at_entity] = str(entity)
                row[at_number] = _copy_text(number)
                yield f"{task_id}\t" + "\t".join(row)

        _copy_lines(InspectionTask._meta.db_table, columns, task_lines())

        lead, member = str(InspectorRole.LEAD), str(InspectorRole.MEMBER)

        def member_lines() -> Iterator[str]:
            for task_id, (_key, _entity, team) in zip(ids, tasks, strict=True):
                for position, officer_id in enumerate(team):
                    yield f"{task_id}\t{int(officer_id)}\t{lead if position == 0 else member}"

        _copy_lines(TaskInspector._meta.db_table, ["task_id", "officer_id", "role"], member_lines())
        return
    created = InspectionTask.objects.bulk_create(
        [
            InspectionTask(
                plan=plan,
                draw=draw,
                stratum_key=key,
                category_id=category_of[key],
                entity_id=entity,
                organisation_id=plan.organisation_id,
                number=number,
                state=TaskState.ASSIGNED,
            )
            for number, (key, entity, _team) in zip(numbers, tasks, strict=True)
        ],
        batch_size=1000,
    )
    TaskInspector.objects.bulk_create(
        [
            TaskInspector(
                task_id=task.pk,
                officer_id=officer_id,
                role=InspectorRole.LEAD if position == 0 else InspectorRole.MEMBER,
            )
            for task, (_key, _entity, team) in zip(created, tasks, strict=True)
            for position, officer_id in enumerate(team)
        ],
        batch_size=2000,
    )


def draw_run(
    *,
    actor: User,
    plan: InspectionPlan,
    reveals: Sequence[str] = (),
    public_number: str = "",
    values: Sequence[str] = (),
) -> Draw:
    """Run the draw of ``plan``'s latest announcement. Exactly one of concurrent calls wins: the
    plan row is locked and an announcement is drawn once (the partial unique index on effective
    draws is the backstop). A refused attempt is recorded in the audit chain after rollback.

    Version 1 takes the witnesses' ``reveals`` or the ``public_number``; version 2 the results
    of the declared events, in declared order (``values``; its witnesses revealed beforehand)."""
    require_cap(actor, Cap.INSPECTION_DRAW, action=PlanEvents.DRAWN)
    require_in_scope(actor, plan.organisation, action=PlanEvents.DRAWN)
    try:
        with transaction.atomic(durable=True):
            return _draw_locked(
                actor=actor,
                plan_id=plan.pk,
                reveals=reveals,
                public_number=public_number,
                values=values,
            )
    except (errors.ValidationFailed, errors.Conflict) as exc:
        with transaction.atomic(durable=True):
            audit.append(
                actor=actor,
                action=DrawEvents.REFUSED,
                obj=plan,
                details={"code": exc.code, "message": exc.message, **_scalars(exc.details)},
            )
        raise


def _scalars(details: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v
        for k, v in details.items()
        if isinstance(v, str | int | float | bool | list) and k not in {"code", "message"}
    }


def _redraw_supersedes(
    actor: User, plan: InspectionPlan, previous: Draw, announcement: DrawAnnouncement
) -> RedrawRequest:
    """A re-draw: its approved request is used, the effective draw superseded and its tasks
    cancelled; refused unless ``announcement`` was published after the approval and none of the
    tasks has started."""
    redraw = (
        plan.redraws.select_for_update()
        .filter(draw=previous)
        .order_by("-requested_at", "-pk")
        .first()
    )
    if redraw is None:
        raise errors.Conflict(
            "计划已有有效抽取；重新抽取须先经领导批准。", code="redraw_not_approved"
        )
    workflow.transition(
        REDRAW, redraw, "use", actor=actor, locked=True, ctx={"announcement": announcement}
    )
    workflow.transition(DRAW, previous, "supersede", actor=actor, locked=True)
    # Locked before the check: task_start locks its row too, so none can start meanwhile. One
    # event on the old draw lists the cancelled tasks (a draw may have 50,000).
    old_tasks = (
        InspectionTask.objects.select_for_update()
        .filter(draw=previous)
        .order_by("pk")
        .only("pk", "state")
    )
    workflow.transition_many(TASK, old_tasks, "cancel", actor=actor, subject=previous)
    return redraw


def _draw_locked(
    *,
    actor: User,
    plan_id: int,
    reveals: Sequence[str],
    public_number: str,
    values: Sequence[str],
) -> Draw:
    plan = InspectionPlan.objects.select_for_update().select_related("organisation").get(pk=plan_id)
    PLAN.check(plan, "draw")
    number = (plan.draws.aggregate(n=Max("number"))["n"] or 0) + 1
    # The latest announcement, drawn once: of two concurrent draws the second finds it drawn.
    announcement = plan.announcements.select_for_update().order_by("-number").first()
    assert announcement is not None  # an announced or drawn plan has one
    workflow.transition(
        ANNOUNCEMENT, announcement, "draw", actor=actor, locked=True, details={"draw": number}
    )
    previous = (
        plan.draws.select_for_update()
        .filter(state=DrawState.EFFECTIVE)
        .defer("result_blob", "context", "skip_log")
        .first()
    )
    redraw: RedrawRequest | None = None
    if previous is not None:
        redraw = _redraw_supersedes(actor, plan, previous, announcement)
    version_2 = announcement.algorithm_version == drawv2.ALGORITHM_VERSION
    record: dict[str, Any] = {}
    witnesses: list[Witness] = []
    if version_2:
        entropy, record = entropy_v2(announcement, values)
    else:
        entropy, witnesses = _entropy(announcement, reveals, public_number)

    # The engine ranks the lists fixed in the announcement; meanwhile the database recomputes
    # the current lists' counts and hashes, which must be exactly those announced.
    announced = {m["key"]: m for m in announcement.strata}
    frozen_lists = drawengine.unpack_lists(bytes(announcement.candidates_blob))
    plan_strata = list(plan.strata.order_by("key"))
    strata = [
        drawengine.Stratum(
            key=stratum.key,
            category=stratum.category_id,
            candidates=frozen_lists.get(stratum.key, ([], None))[0],
            quota=stratum.quota,
            ratio_bp=ratio_bp(stratum),
            weighted=stratum.weighted,
            weights=frozen_lists.get(stratum.key, ([], None))[1] if stratum.weighted else None,
        )
        for stratum in plan_strata
    ]
    inputs = draw_inputs(plan, strata, list(announcement.pool), entropy)
    if version_2:
        inputs = dataclasses.replace(
            inputs,
            algorithm_version=drawv2.ALGORITHM_VERSION,
            announcement_hash=announcement.announcement_hash,
        )
    # The facts the engine reads for a drawn entity (its division code and last team) are those
    # fixed in the announcement: an edit after it cannot reach the draw, and the draw stays a
    # function of its published inputs. (Announcements made before the context was fixed carry
    # none: for them the facts are read now.)
    fixed_context = bytes(announcement.context_blob)

    def context_for(entity_ids: list[int]) -> Mapping[int, tuple[str, Sequence[int]]]:
        if fixed_context:
            return drawengine.context_lookup(fixed_context, entity_ids)
        return current_context(entity_ids)

    if version_2:
        # Version 2 draws exactly what was announced: lists, pool and context changed since
        # apply to the next announcement only (re-announcing needs an approval), so an officer
        # cannot force a new announcement, and a new entropy source, by editing the pool.
        outcome = drawengine.run(inputs, context_for)
        if outcome.pool_hash != announcement.pool_hash or any(
            s.hash() != announced.get(s.key, {}).get("hash") for s in strata
        ):
            raise errors.Conflict("公告数据不完整，不能抽取。", code="announcement_corrupt")
        if inputs.params() != announcement.params:
            raise errors.Conflict("公告后抽取参数已变化。", code="params_changed")
    else:
        outcome = _run_checked_v1(
            plan, plan_strata, announcement, strata, frozen_lists, inputs, context_for
        )
    result = outcome.result

    draw = Draw.objects.create(
        plan=plan,
        announcement=announcement,
        number=number,
        state=DrawState.EFFECTIVE,
        seed=outcome.seed,
        entropy_value=entropy,
        entropy_record=record,
        params=inputs.params(),
        context=result["context"],
        result_blob=drawengine.pack_result(
            {k: v for k, v in result.items() if k not in ("context", "infeasible", "skips")}
        ),
        result_hash=outcome.result_hash,
        task_count=len(result["tasks"]),
        infeasible=result["infeasible"],
        skip_log=result["skips"],
        reason=redraw.reason if redraw else "",
        created_by=actor,
        approved_by=redraw.decided_by if redraw else None,
    )
    if witnesses:
        now = clock.now()
        for witness in witnesses:
            witness.revealed_at = now
        Witness.objects.bulk_update(witnesses, ["revealed_secret", "revealed_at"])
    _store_tasks(plan=plan, draw=draw, tasks=result["tasks"])
    # the one event a draw's verification reads back (``selectors.draws.audit_record_difference``)
    workflow.transition(
        PLAN,
        plan,
        "draw",
        actor=actor,
        locked=True,
        changes={"updated_at": clock.now()},
        details={
            "draw": number,
            "announcement": announcement.number,
            "announcement_hash": announcement.announcement_hash,
            "algorithm_version": announcement.algorithm_version,
            "seed": outcome.seed,
            "entropy_kind": announcement.entropy_kind,
            "entropy": entropy,
            "lists": outcome.list_hashes,
            "pool_hash": outcome.pool_hash,
            "result_hash": outcome.result_hash,
            "tasks": len(result["tasks"]),
            "infeasible_strata": sorted(result["infeasible"]["strata"]),
            "infeasible_tasks": len(result["infeasible"]["tasks"]),
            "supersedes": previous.number if previous else None,
            "reason": draw.reason,
        },
    )
    plan_window_deadline_ensure(actor=actor, plan=plan)
    return draw


def _run_checked_v1(
    plan: InspectionPlan,
    plan_strata: list[Any],
    announcement: DrawAnnouncement,
    strata: list[drawengine.Stratum],
    frozen_lists: Mapping[str, Any],
    inputs: drawengine.DrawInputs,
    context_for: Any,
) -> drawengine.DrawOutcome:
    """Version 1: the draw is refused when the current lists, pool or parameters no longer
    match the announcement's."""
    announced = {m["key"]: m for m in announcement.strata}
    fixed_context = bytes(announcement.context_blob)
    with current_lists(plan, plan_strata, overlap=bool(fixed_context)) as current:
        outcome = drawengine.run(inputs, context_for)
    changed = sorted(
        s.key
        for s in strata
        if s.key not in announced
        or s.key not in frozen_lists
        or current.lists.get(s.key) != (announced[s.key]["count"], announced[s.key]["hash"])
        or s.hash() != announced[s.key]["hash"]
    )
    if changed or set(announced) != {s.key for s in strata}:
        raise errors.Conflict(
            "公告后候选名单已发生变化（哈希值不一致），本次抽取被拒绝。请重新公告后再抽取。",
            code="candidates_changed",
            strata=changed or sorted(set(announced) ^ {s.key for s in strata}),
        )
    pool = build_pool(plan)
    if drawengine.pool_hash(pool) != announcement.pool_hash or (
        outcome.pool_hash != announcement.pool_hash  # the stored pool the engine used
    ):
        raise errors.Conflict(
            "公告后检查人员库已发生变化（哈希值不一致），本次抽取被拒绝。请重新公告后再抽取。",
            code="pool_changed",
        )
    if inputs.params() != announcement.params:
        raise errors.Conflict("公告后抽取参数已变化。", code="params_changed")
    return outcome
