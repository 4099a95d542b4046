"""Services: the version-2 announcement (``fazhi-draw/2``), witness reveals and re-announcements.

``plan_announce_v2`` freezes the lists, pool and context like version 1 and declares the entropy:
future public events of registered kinds (``drawv2.SOURCE_KINDS``) in a declared order, optional
witnesses with salted commitments (secrets generated here and shown once, or chosen by the
witness and salted here), a reveal deadline before the first event, and when names become
public. Server randomness is allowed for routine supervision only.

No grinding: a published announcement not yet drawn is replaced only with an approved
re-announcement request (``draw_reannouncement`` workflow: a written reason, a leader other than
the requester, before the declared event happens); the replacement names the one it replaces.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max

from fazhi.core import audit, clock, errors, workflow
from fazhi.core.events import EventName
from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap, require_in_scope
from fazhi.inspections import drawengine, drawv2
from fazhi.inspections.events import AnnouncementEvents, PlanEvents, ReannouncementEvents
from fazhi.inspections.frozen import build_pool, draw_inputs, freeze
from fazhi.inspections.models import (
    AnnouncementState,
    DrawAnnouncement,
    EntropyKind,
    InspectionPlan,
    PlanKind,
    PlanState,
    ReannouncementRequest,
    RedrawState,
    Witness,
)
from fazhi.inspections.services.announcements import strata_meta
from fazhi.inspections.workflows import (
    ANNOUNCE_STEPS,
    ANNOUNCEMENT,
    PLAN,
    REANNOUNCE,
    first_allowed,
)


@dataclass(frozen=True)
class WitnessInput:
    """A witness to register: ``secret`` None has Fazhi generate a 128-bit secret; a text is the
    witness's own choice (salted here)."""

    name: str
    secret: str | None = None


@dataclass
class Announced:
    announcement: DrawAnnouncement
    # (witness name, reveal string) for each witness: shown once, never stored
    reveals: list[tuple[str, str]] = field(default_factory=list)


def _source_error(exc: drawv2.SourceError) -> errors.ValidationFailed:
    return errors.ValidationFailed(exc.message, code=exc.code)


def _declare(
    sources: Sequence[tuple[str, Mapping[str, Any]]], now: dt.datetime
) -> list[dict[str, Any]]:
    if not sources:
        raise errors.ValidationFailed(
            "请至少声明一个未来的公开随机事件（如福彩3D某期开奖号码或drand某一轮次）。",
            code="sources_required",
        )
    if len(sources) > 5:
        raise errors.ValidationFailed("随机源最多声明5个。", code="too_many_sources")
    declared: list[dict[str, Any]] = []
    for kind, event in sources:
        try:
            declaration = drawv2.declare_source(kind, event)
        except drawv2.SourceError as exc:
            raise _source_error(exc) from None
        if drawv2.parse_instant(declaration["not_before"]) <= now:
            raise errors.ValidationFailed(
                f"{drawv2.describe_source(declaration)}已经发生或正在发生：公告须在随机事件之前发布。",
                code="event_not_future",
            )
        if declaration in declared:
            raise errors.ValidationFailed("同一随机事件不能重复声明。", code="duplicate_source")
        declared.append(declaration)
    return declared


def _witnesses(
    witnesses: Sequence[WitnessInput],
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(name, commitment) to store and (name, reveal string) to show once."""
    stored: list[tuple[str, str]] = []
    shown: list[tuple[str, str]] = []
    for w in witnesses:
        name = w.name.strip()[:100]
        if not name:
            raise errors.ValidationFailed("请填写见证人姓名。", code="witness_name_required")
        salt = secrets.token_hex(drawv2.SALT_HEX // 2)
        if w.secret is None or not w.secret.strip():
            secret = secrets.token_hex(drawv2.SECRET_HEX // 2)
        else:
            try:
                secret = drawv2.check_chosen_secret(w.secret)
            except drawv2.SourceError as exc:
                raise _source_error(exc) from None
        stored.append((name, drawv2.witness_commitment(salt, secret)))
        shown.append((name, f"{salt}:{secret}"))
    return stored, shown


def plan_announce_v2(
    *,
    actor: User,
    plan: InspectionPlan,
    sources: Sequence[tuple[str, Mapping[str, Any]]] = (),
    witnesses: Sequence[WitnessInput] = (),
    reveal_deadline: dt.datetime | None = None,
    server: bool = False,
) -> Announced:
    """Publish a version-2 announcement. ``sources``: (kind, event) in the order they are
    combined; ``server``: server randomness instead (routine supervision only)."""
    require_cap(actor, Cap.INSPECTION_PLAN, action=PlanEvents.ANNOUNCED)
    require_in_scope(actor, plan.organisation, action=PlanEvents.ANNOUNCED)
    if plan.kind not in (PlanKind.RANDOM, PlanKind.CAMPAIGN, PlanKind.ROUTINE):
        raise errors.ValidationFailed(
            "上级下达任务的计划直接导入任务清单，不需公告和抽取。", code="plan_kind_not_drawn"
        )
    now = clock.now()
    if server:
        if plan.kind != PlanKind.ROUTINE:
            raise errors.ValidationFailed(
                "服务器随机数不可公开验证，只能用于日常监督计划；双随机抽查和专项检查"
                "须声明未来的公开随机事件。",
                code="server_entropy_not_allowed",
            )
        if sources or witnesses:
            raise errors.ValidationFailed(
                "使用服务器随机数时不声明随机事件和见证人。", code="server_entropy_exclusive"
            )
        declared: list[dict[str, Any]] = []
    else:
        declared = _declare(sources, now)
    deadline_text: str | None = None
    if witnesses:
        first = drawv2.earliest_event(declared)
        if reveal_deadline is None or first is None:
            raise errors.ValidationFailed(
                "有见证人时须规定揭示截止时间。", code="reveal_deadline_required"
            )
        if not now < reveal_deadline <= first:
            raise errors.ValidationFailed(
                "揭示截止时间须晚于公告时间，且不晚于第一个随机事件发生的时间。",
                code="bad_reveal_deadline",
            )
        deadline_text = drawv2.utc_text(reveal_deadline)
    stored, shown = _witnesses(witnesses)
    with transaction.atomic(durable=True):
        locked = (
            InspectionPlan.objects.select_for_update()
            .select_related("organisation")
            .get(pk=plan.pk)
        )
        step = first_allowed(PLAN, locked, ANNOUNCE_STEPS)
        PLAN.check(locked, step)
        if not locked.strata.exists():
            raise errors.ValidationFailed("请先设置抽查分层。", code="no_strata")
        current = (
            locked.announcements.select_for_update()
            .filter(state=AnnouncementState.PUBLISHED)
            .defer("candidates_blob", "context_blob")
            .first()
        )
        request: ReannouncementRequest | None = None
        if current is not None:
            request = (
                locked.reannouncements.select_for_update()
                .filter(announcement=current, state=RedrawState.APPROVED)
                .first()
            )
            if request is None:
                raise errors.InvalidTransition(
                    "计划已公告且尚未抽取：替代该公告须写明理由并经领导批准（重新公告申请）。",
                    code="reannouncement_not_approved",
                )
        frozen = freeze(locked)
        pool = build_pool(locked)
        inputs = draw_inputs(locked, frozen.strata, pool)
        meta = strata_meta(frozen)
        pool_hash = drawengine.pool_hash(pool)
        params = inputs.params()
        kind = EntropyKind.SERVER if server else EntropyKind.PUBLIC_EVENT
        replaces = (
            {"hash": current.announcement_hash, "reason": request.reason}
            if current is not None and request is not None
            else None
        )
        commitments = [c for _, c in stored]
        ahash = drawv2.announcement_hash(
            plan_id=locked.pk,
            strata=meta,
            pool_hash_value=pool_hash,
            params=params,
            entropy_kind=str(kind),
            sources=declared,
            commitments=commitments,
            reveal_deadline=deadline_text,
            names_public=locked.names_public,
            replaces=replaces,
        )
        if current is not None and request is not None:
            workflow.transition(
                REANNOUNCE,
                request,
                "use",
                actor=actor,
                locked=True,
                ctx={"now": now},
                details={"plan": locked.pk, "announcement": current.number},
            )
            workflow.transition(
                ANNOUNCEMENT,
                current,
                "supersede",
                actor=actor,
                locked=True,
                details={"plan": locked.pk, "number": current.number},
            )
        last_number = locked.announcements.aggregate(n=Max("number"))["n"] or 0
        announcement = DrawAnnouncement.objects.create(
            plan=locked,
            number=last_number + 1,
            published_at=now,
            published_by=actor,
            algorithm_version=drawv2.ALGORITHM_VERSION,
            strata=meta,
            candidates_blob=drawengine.pack_lists(
                {s.key: (s.candidates, s.weights if s.weighted else None) for s in frozen.strata}
            ),
            context_blob=drawengine.pack_context(frozen.divisions, frozen.teams),
            pool=pool,
            pool_hash=pool_hash,
            params=params,
            entropy_kind=kind,
            entropy_spec="；".join(drawv2.describe_source(d) for d in declared)[:300]
            or "服务器随机数（日常监督，不可公开验证）",
            sources=declared,
            reveal_deadline=reveal_deadline if witnesses else None,
            names_public=locked.names_public,
            replaces=current,
            replace_reason=request.reason if request is not None else "",
            announcement_hash=ahash,
            state=AnnouncementState.PUBLISHED,
        )
        Witness.objects.bulk_create(
            [
                Witness(announcement=announcement, position=i, name=name, commitment=commitment)
                for i, (name, commitment) in enumerate(stored, start=1)
            ]
        )
        workflow.transition(
            PLAN,
            locked,
            step,
            actor=actor,
            locked=True,
            changes={"updated_at": now},
            details={
                "announcement": announcement.number,
                "announcement_hash": ahash,
                "algorithm_version": drawv2.ALGORITHM_VERSION,
                "lists": {m["key"]: [m["count"], m["hash"]] for m in meta},
                "pool_hash": pool_hash,
                "pool_size": len(pool),
                "entropy_kind": str(kind),
                "sources": declared,
                "commitments": commitments,
                "reveal_deadline": deadline_text,
                "names_public": locked.names_public,
                "replaces": replaces,
            },
        )
    return Announced(announcement=announcement, reveals=shown)


def witness_reveal(
    *, actor: User, announcement: DrawAnnouncement, position: int, reveal: str
) -> Witness:
    """Record a witness's reveal (``"<salt>:<secret>"``) before the deadline; it must match the
    commitment. A witness who does not reveal in time is simply withheld at the draw."""
    require_cap(actor, Cap.INSPECTION_DRAW, action=AnnouncementEvents.WITNESS_REVEALED)
    require_in_scope(
        actor, announcement.plan.organisation, action=AnnouncementEvents.WITNESS_REVEALED
    )
    if announcement.algorithm_version != drawv2.ALGORITHM_VERSION:
        raise errors.InvalidTransition("该公告的见证人在抽取时揭示。", code="reveal_not_applicable")
    value = reveal.strip()
    with transaction.atomic(durable=True):
        InspectionPlan.objects.select_for_update().get(pk=announcement.plan_id)
        locked = DrawAnnouncement.objects.select_for_update().get(pk=announcement.pk)
        witness = locked.witnesses.select_for_update().filter(position=position).first()
        if witness is None:
            raise errors.NotFound()
        if locked.reveal_deadline is None or clock.now() >= locked.reveal_deadline:
            raise errors.Conflict("揭示截止时间已过，不再接受揭示。", code="reveal_too_late")
        if witness.revealed_secret is not None:
            raise errors.Conflict("该见证人已揭示。", code="already_revealed")
        try:
            drawv2.split_reveal(value)
        except drawv2.SourceError as exc:
            raise _source_error(exc) from None
        if not drawv2.reveal_matches(witness.commitment, value):
            raise errors.ValidationFailed(
                f"见证人“{witness.name}”的揭示值与其承诺值不符。",
                code="witness_reveal_mismatch",
            )
        witness.revealed_secret = value
        witness.revealed_at = clock.now()
        witness.save(update_fields=["revealed_secret", "revealed_at"])
        workflow.transition(
            ANNOUNCEMENT,
            locked,
            "reveal",
            actor=actor,
            locked=True,
            details={"plan": locked.plan_id, "number": locked.number, "witness": position},
        )
    return witness


def reannouncement_request(
    *, actor: User, plan: InspectionPlan, reason: str
) -> ReannouncementRequest:
    """Ask to replace the plan's published, not yet drawn version-2 announcement."""
    require_cap(actor, Cap.INSPECTION_PLAN, action=ReannouncementEvents.REQUESTED)
    require_in_scope(actor, plan.organisation, action=ReannouncementEvents.REQUESTED)
    reason = reason.strip()
    if len(reason) < 4:
        raise errors.ValidationFailed("请写明重新公告的理由。", code="reason_required")
    with transaction.atomic(durable=True):
        locked = InspectionPlan.objects.select_for_update().get(pk=plan.pk)
        current = locked.announcements.filter(state=AnnouncementState.PUBLISHED).first()
        if locked.state != PlanState.ANNOUNCED or current is None:
            raise errors.InvalidTransition(
                "计划没有待抽取的公告。", code="no_published_announcement"
            )
        first = drawv2.earliest_event(current.sources)
        if first is not None and clock.now() >= first:
            raise errors.Conflict(
                "公告声明的公开随机事件已经发生，不能再替代该公告。",
                code="event_already_happened",
            )
        if locked.reannouncements.filter(
            state__in=[RedrawState.PENDING, RedrawState.APPROVED]
        ).exists():
            raise errors.Conflict("已有待审批或已批准的重新公告申请。", code="reannouncement_open")
        request = ReannouncementRequest.objects.create(
            plan=locked,
            announcement=current,
            reason=reason[:500],
            requested_by=actor,
            requested_at=clock.now(),
            state=RedrawState.PENDING,
        )
        audit.append(
            actor=actor,
            action=ReannouncementEvents.REQUESTED,
            obj=request,
            details={"plan": locked.pk, "announcement": current.number, "reason": request.reason},
        )
    return request


def reannouncement_approve(
    *, actor: User, request: ReannouncementRequest, note: str = ""
) -> ReannouncementRequest:
    return _decide(actor, request, "approve", ReannouncementEvents.APPROVED, note.strip())


def reannouncement_reject(
    *, actor: User, request: ReannouncementRequest, note: str
) -> ReannouncementRequest:
    note = note.strip()
    if not note:
        raise errors.ValidationFailed("驳回须写明意见。", code="note_required")
    return _decide(actor, request, "reject", ReannouncementEvents.REJECTED, note)


def _decide(
    actor: User, request: ReannouncementRequest, action: str, attempted: EventName, note: str
) -> ReannouncementRequest:
    require_cap(actor, Cap.INSPECTION_APPROVE, action=attempted)
    require_in_scope(actor, request.plan.organisation, action=attempted)
    with transaction.atomic(durable=True):
        plan = InspectionPlan.objects.select_for_update().get(pk=request.plan_id)
        locked = plan.reannouncements.select_for_update().get(pk=request.pk)
        return workflow.transition(
            REANNOUNCE,
            locked,
            action,
            actor=actor,
            locked=True,
            ctx={"actor": actor, "now": clock.now()},
            changes={"decided_by": actor, "decided_at": clock.now(), "decision_note": note[:500]},
            details={"plan": plan.pk, "note": note[:500]},
        )
