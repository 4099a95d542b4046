"""Test-only: the retired version-1 announce service (decision 0057), to build the version-1
announcements that the tests about version 1 need (its draws, exports and their verification keep
working for the announcements made before version 2). No page, endpoint or loader can reach it.

It is the former ``services.announcements.plan_announce``, unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max

from fazhi.core import clock, errors, workflow
from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap, require_in_scope
from fazhi.inspections import drawengine
from fazhi.inspections.events import PlanEvents
from fazhi.inspections.frozen import build_pool, draw_inputs, freeze
from fazhi.inspections.models import (
    AnnouncementState,
    DrawAnnouncement,
    EntropyKind,
    InspectionPlan,
    PlanKind,
    Witness,
)
from fazhi.inspections.services.announcements import strata_meta
from fazhi.inspections.workflows import ANNOUNCE_STEPS, ANNOUNCEMENT, PLAN, first_allowed

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
SERVER_ENTROPY_SPEC = "服务器随机数（内部抽取，不可公开验证）"


def _without_context(meta: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in m.items() if k != "context_hash"} for m in meta]


def _clean_witnesses(witnesses: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    if not witnesses:
        raise errors.ValidationFailed(
            "见证人抽取须至少登记一名见证人及其承诺值。", code="witnesses_required"
        )
    out: list[tuple[str, str]] = []
    for name, commitment in witnesses:
        name, commitment = name.strip(), commitment.strip().lower()
        if not name:
            raise errors.ValidationFailed("请填写见证人姓名。", code="witness_name_required")
        if not _HEX64.match(commitment):
            raise errors.ValidationFailed(
                f"见证人“{name}”的承诺值须为64位十六进制SHA-256值。",
                code="bad_commitment",
                witness=name,
            )
        if any(commitment == c for _, c in out):
            raise errors.ValidationFailed(
                "两名见证人的承诺值相同，请各自重新生成。", code="duplicate_commitment"
            )
        out.append((name[:100], commitment))
    return out


def plan_announce_v1(
    *,
    actor: User,
    plan: InspectionPlan,
    entropy_kind: str,
    entropy_spec: str = "",
    witnesses: Sequence[tuple[str, str]] = (),
) -> DrawAnnouncement:
    """Publish the announcement: frozen, hashed candidate lists and pool, and the entropy source.

    Allowed on a draft plan, again on an announced plan not yet drawn (the newer announcement is
    the one that counts, the older one is superseded), and on a drawn plan whose re-draw has been
    approved (the plan workflow's three announcing steps).
    """
    require_cap(actor, Cap.INSPECTION_PLAN, action=PlanEvents.ANNOUNCED)
    require_in_scope(actor, plan.organisation, action=PlanEvents.ANNOUNCED)
    # Routine supervision (日常监督) takes every target of its strata, like a campaign, and has its
    # inspectors assigned at random by the same recorded, reproducible draw.
    if plan.kind not in (PlanKind.RANDOM, PlanKind.CAMPAIGN, PlanKind.ROUTINE):
        raise errors.ValidationFailed(
            "上级下达任务的计划直接导入任务清单，不需公告和抽取。", code="plan_kind_not_drawn"
        )
    if entropy_kind not in EntropyKind.values:
        raise errors.ValidationFailed("随机源类型不正确。", code="bad_entropy_kind")
    spec = entropy_spec.strip()
    clean_witnesses: list[tuple[str, str]] = []
    if entropy_kind == EntropyKind.WITNESSES:
        clean_witnesses = _clean_witnesses(witnesses)
        spec = spec or f"{len(clean_witnesses)}名见证人承诺—揭示"
    elif entropy_kind == EntropyKind.PUBLIC_NUMBER:
        if len(spec) < 4:
            raise errors.ValidationFailed(
                "请事先写明公开号码的来源，如“中国福利彩票3D 2026年12月5日开奖号码”。",
                code="entropy_spec_required",
            )
    else:
        spec = SERVER_ENTROPY_SPEC
    with transaction.atomic(durable=True):
        locked = (
            InspectionPlan.objects.select_for_update()
            .select_related("organisation")
            .get(pk=plan.pk)
        )
        step = first_allowed(PLAN, locked, ANNOUNCE_STEPS)
        PLAN.check(locked, step)
        last_number = locked.announcements.aggregate(n=Max("number"))["n"] or 0
        # Once the entropy source is public, announcing again could be repeated until the outcome
        # suits: a plan is announced once, and once per approved re-draw. Only when the draw of
        # the announcement awaiting it would be refused anyway (its candidate lists, pool or
        # parameters no longer match) may it be replaced by a new one.
        superseded = (
            locked.announcements.select_for_update()
            .filter(state=AnnouncementState.PUBLISHED)
            .defer("candidates_blob", "context_blob")
            .first()
        )
        if superseded is not None and superseded.algorithm_version != drawengine.ALGORITHM_VERSION:
            # a version-2 announcement is replaced only through an approved request
            # (``services.announcements_v2``)
            raise errors.InvalidTransition(
                "计划已公告且尚未抽取：替代该公告须写明理由并经领导批准（重新公告申请）。",
                code="reannouncement_not_approved",
            )
        if not locked.strata.exists():
            raise errors.ValidationFailed("请先设置抽查分层。", code="no_strata")
        frozen = freeze(locked)
        strata = frozen.strata
        pool = build_pool(locked)
        inputs = draw_inputs(locked, strata, pool)
        meta = strata_meta(frozen)
        pool_hash = drawengine.pool_hash(pool)
        params = inputs.params()
        # Compared: what the draw checks (lists, pool, parameters). Not the context: the draw uses
        # the announced one, so a changed context leaves the old announcement drawable, and a
        # new announcement (with a new entropy source) would let the outcome be chosen.
        if superseded is not None and (
            _without_context(superseded.strata) == _without_context(meta)
            and superseded.pool_hash == pool_hash
            and superseded.params == params
        ):
            raise errors.InvalidTransition(
                "计划已公告且抽取条件未变，不能重新公告；请进行抽取，"
                "如需重新抽取须说明理由并经领导批准。",
                code="already_announced",
            )
        commitments = [c for _, c in clean_witnesses]
        ahash = drawengine.announcement_hash(
            plan_id=locked.pk,
            algorithm_version=drawengine.ALGORITHM_VERSION,
            strata=meta,
            pool_hash_value=pool_hash,
            params=params,
            entropy_kind=entropy_kind,
            entropy_spec=spec,
            commitments=commitments,
        )
        if superseded is not None:
            workflow.transition(
                ANNOUNCEMENT,
                superseded,
                "supersede",
                actor=actor,
                locked=True,
                details={"plan": locked.pk, "number": superseded.number},
            )
        announcement = DrawAnnouncement.objects.create(
            plan=locked,
            number=last_number + 1,
            published_at=clock.now(),
            published_by=actor,
            algorithm_version=drawengine.ALGORITHM_VERSION,
            strata=meta,
            candidates_blob=drawengine.pack_lists(
                {s.key: (s.candidates, s.weights if s.weighted else None) for s in strata}
            ),
            context_blob=drawengine.pack_context(frozen.divisions, frozen.teams),
            pool=pool,
            pool_hash=pool_hash,
            params=params,
            entropy_kind=entropy_kind,
            entropy_spec=spec,
            announcement_hash=ahash,
            state=AnnouncementState.PUBLISHED,
        )
        Witness.objects.bulk_create(
            [
                Witness(announcement=announcement, position=i, name=name, commitment=commitment)
                for i, (name, commitment) in enumerate(clean_witnesses, start=1)
            ]
        )
        workflow.transition(
            PLAN,
            locked,
            step,
            actor=actor,
            locked=True,
            changes={"updated_at": clock.now()},
            details={
                "announcement": announcement.number,
                "announcement_hash": ahash,
                "algorithm_version": drawengine.ALGORITHM_VERSION,
                "lists": {m["key"]: [m["count"], m["hash"]] for m in meta},
                "pool_hash": pool_hash,
                "pool_size": len(pool),
                "entropy_kind": entropy_kind,
                "entropy_spec": spec,
                "commitments": commitments,
            },
        )
    return announcement


def drawn_plan_v1(w: Any, *, quota: int = 4, entropy: str = "public_number") -> tuple[Any, Any]:
    """A version-1 plan (one public-places stratum) announced and drawn, as before version 2:
    ``entropy`` "public_number" (a described lottery result) or "witnesses" (two secrets)."""
    from fazhi.inspections.services.draws import draw_run
    from fazhi.inspections.services.plans import stratum_add
    from fazhi.inspections.tests.draw_support import make_plan, secret_pair

    plan = make_plan(w)
    stratum_add(actor=w.planner, plan=plan, key="gg", category=w.public_places, quota=quota)
    if entropy == "witnesses":
        s1, c1 = secret_pair("a")
        s2, c2 = secret_pair("b")
        plan_announce_v1(
            actor=w.planner,
            plan=plan,
            entropy_kind="witnesses",
            witnesses=[("见证人甲", c1), ("见证人乙", c2)],
        )
        draw = draw_run(actor=w.planner, plan=plan, reveals=[s1, s2])
    else:
        plan_announce_v1(
            actor=w.planner,
            plan=plan,
            entropy_kind="public_number",
            entropy_spec="中国福利彩票3D 2026年12月5日开奖号码",
        )
        draw = draw_run(actor=w.planner, plan=plan, public_number="3 1 4")
    plan.refresh_from_db()
    return plan, draw
