"""Selectors: announcements, draws, their tasks, re-draw requests, and the published export."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from fazhi.core import audit_verify
from fazhi.core.events import EventName
from fazhi.core.models import AuditEvent, User
from fazhi.core.roles import Cap
from fazhi.core.scope import get_scoped, require_cap, scoped
from fazhi.inspections import drawengine, drawv2
from fazhi.inspections.events import (
    AnnouncementEvents,
    DrawEvents,
    PlanEvents,
    RedrawEvents,
    TaskEvents,
)
from fazhi.inspections.models import (
    AnnouncementState,
    Draw,
    DrawAnnouncement,
    InspectionPlan,
    InspectionTask,
    NamesPublic,
    PlanKind,
    ReannouncementRequest,
    RedrawRequest,
    RedrawState,
    TaskInspector,
    TaskState,
)
from fazhi.inspections.workflows import PLAN


def _require_view(user: User, action: EventName) -> None:
    require_cap(user, Cap.INSPECTION_VIEW, action=action)


def announcement_list(*, user: User, plan: InspectionPlan) -> QuerySet[DrawAnnouncement]:
    _require_view(user, AnnouncementEvents.LISTED)
    return (
        scoped(DrawAnnouncement.objects.filter(plan=plan), user, "plan__organisation")
        .defer("candidates_blob", "context_blob", "pool")
        .select_related("published_by")
        .prefetch_related("witnesses")
        .order_by("-number")
    )


def announcement_get(*, user: User, plan: InspectionPlan, number: int | str) -> DrawAnnouncement:
    _require_view(user, AnnouncementEvents.VIEWED)
    return get_scoped(
        scoped(DrawAnnouncement.objects.filter(plan=plan), user, "plan__organisation")
        .select_related("published_by", "plan", "plan__organisation")
        .prefetch_related("witnesses"),
        number,
        lookup="number",
        among=DrawAnnouncement.objects.filter(plan=plan),
    )


def draw_list(*, user: User, plan: InspectionPlan) -> QuerySet[Draw]:
    _require_view(user, DrawEvents.LISTED)
    return (
        scoped(Draw.objects.filter(plan=plan), user, "plan__organisation")
        .defer("result_blob", "context", "skip_log")
        .select_related("created_by", "approved_by", "announcement")
        .order_by("-number")
    )


def draw_get(*, user: User, plan: InspectionPlan, number: int | str) -> Draw:
    _require_view(user, DrawEvents.VIEWED)
    return get_scoped(
        scoped(Draw.objects.filter(plan=plan), user, "plan__organisation").select_related(
            "plan", "plan__organisation", "announcement", "created_by", "approved_by"
        ),
        number,
        lookup="number",
        among=Draw.objects.filter(plan=plan),
    )


def draw_task_list(*, user: User, draw: Draw) -> QuerySet[InspectionTask]:
    """The draw's tasks with their entity and inspectors (lead first), in draw order."""
    _require_view(user, TaskEvents.LISTED)
    return (
        scoped(InspectionTask.objects.filter(draw=draw), user, "plan__organisation")
        .select_related("entity", "category")
        .prefetch_related(
            Prefetch(
                "task_inspectors",
                queryset=TaskInspector.objects.select_related("officer").order_by(
                    "role", "officer_id"
                ),
            )
        )
        .order_by("number")
    )


def plan_draw_steps(*, user: User, plan: InspectionPlan) -> dict[str, Any]:
    """What the plan page may offer next: ``announce`` is ``"first"`` (a draft), ``"again"``
    (an announcement awaits its draw: for version 1 allowed only when the lists, pool or
    parameters have changed since, which the service decides; for version 2 once a re-announcement
    request is approved) or ``"redraw"`` (drawn, with a re-draw approved), else None;
    ``draw`` is whether an announcement awaits its draw."""
    _require_view(user, PlanEvents.VIEWED)
    published = (
        DrawAnnouncement.objects.filter(plan=plan, state=AnnouncementState.PUBLISHED)
        .only("pk", "algorithm_version")
        .first()
    )
    pending = published is not None
    announce: str | None = None
    if plan.kind != PlanKind.IMPORTED:
        if PLAN.allows(plan, "announce"):
            announce = "first"
        elif published is not None:
            # a version-2 announcement is replaced only after an approved request
            if (
                published.algorithm_version != drawv2.ALGORITHM_VERSION
                or ReannouncementRequest.objects.filter(
                    announcement=published, state=RedrawState.APPROVED
                ).exists()
            ):
                announce = "again"
        elif (
            PLAN.allows(plan, "announce_redraw")
            and RedrawRequest.objects.filter(plan=plan, state=RedrawState.APPROVED).exists()
        ):
            announce = "redraw"
    return {"announce": announce, "draw": pending and PLAN.allows(plan, "draw")}


def redraw_list(*, user: User, plan: InspectionPlan) -> QuerySet[RedrawRequest]:
    _require_view(user, RedrawEvents.LISTED)
    return (
        scoped(RedrawRequest.objects.filter(plan=plan), user, "plan__organisation")
        .select_related("requested_by", "decided_by", "draw")
        .order_by("-requested_at")
    )


def redraw_get(*, user: User, pk: int | str) -> RedrawRequest:
    _require_view(user, RedrawEvents.VIEWED)
    return get_scoped(
        scoped(RedrawRequest.objects.all(), user, "plan__organisation").select_related(
            "plan", "plan__organisation", "draw"
        ),
        pk,
    )


def reannouncement_list(*, user: User, plan: InspectionPlan) -> QuerySet[ReannouncementRequest]:
    _require_view(user, AnnouncementEvents.LISTED)
    return (
        scoped(ReannouncementRequest.objects.filter(plan=plan), user, "plan__organisation")
        .select_related("requested_by", "decided_by", "announcement")
        .order_by("-requested_at", "-pk")
    )


def reannouncement_get(*, user: User, pk: int | str) -> ReannouncementRequest:
    _require_view(user, AnnouncementEvents.VIEWED)
    return get_scoped(
        scoped(ReannouncementRequest.objects.all(), user, "plan__organisation").select_related(
            "plan", "plan__organisation", "announcement"
        ),
        pk,
    )


def export_draw(draw: Draw) -> dict[str, Any]:
    """The published export of one draw: everything ``verify_draw.py`` needs, nothing else.
    Callers reach ``draw`` through ``draw_get`` (scoped) or the public portal."""
    announcement = draw.announcement
    plan = draw.plan
    lists = drawengine.unpack_lists(bytes(announcement.candidates_blob))
    strata = []
    for meta in announcement.strata:
        ids, weights = lists.get(meta["key"], ([], None))
        strata.append(
            {
                "key": meta["key"],
                "category": meta["category"],
                "quota": meta["quota"],
                "ratio_bp": meta["ratio_bp"],
                "weighted": meta["weighted"],
                "candidates": ids,
                "weights": weights,
                "hash": meta["hash"],
            }
        )
    witnesses = [
        {"name": w.name, "commitment": w.commitment, "secret": w.revealed_secret}
        for w in announcement.witnesses.order_by("position")
    ]
    result = drawengine.unpack_result(bytes(draw.result_blob))
    result.update({"context": draw.context, "infeasible": draw.infeasible, "skips": draw.skip_log})
    if announcement.algorithm_version == drawv2.ALGORITHM_VERSION:
        return _export_v2(draw, strata, result)
    return {
        "format": drawengine.EXPORT_FORMAT,
        "algorithm_version": announcement.algorithm_version,
        "plan": {
            "id": plan.pk,
            "title": plan.title,
            "organisation": plan.organisation.name,
            "year": plan.year,
        },
        "announcement": {
            "number": announcement.number,
            "published_at": announcement.published_at.isoformat(),
            "hash": announcement.announcement_hash,
            "entropy_kind": announcement.entropy_kind,
            "entropy_spec": announcement.entropy_spec,
            "strata": announcement.strata,
            "pool_hash": announcement.pool_hash,
            **(
                {"context": drawengine.unpack_context(bytes(announcement.context_blob))}
                if announcement.context_blob
                else {}
            ),
        },
        "strata": strata,
        "pool": announcement.pool,
        "params": announcement.params,
        "entropy": {
            "kind": announcement.entropy_kind,
            "spec": announcement.entropy_spec,
            "value": draw.entropy_value,
            "witnesses": witnesses,
            "publicly_verifiable": announcement.entropy_kind != "server",
        },
        "draw": {
            "number": draw.number,
            "state": draw.state,
            "seed": draw.seed,
            "result_hash": draw.result_hash,
            "created_at": draw.created_at.isoformat(),
            "reason": draw.reason,
        },
        "result": result,
    }


def _export_v2(draw: Draw, strata: list[dict[str, Any]], result: dict[str, Any]) -> dict[str, Any]:
    """``fazhi-draw-export/2`` (``drawv2``): the announcement's declarations and commitments, the
    entropy record (sources' values, reveals or null) from which the entropy is recomputed."""
    announcement = draw.announcement
    plan = draw.plan
    witnesses = list(announcement.witnesses.order_by("position"))
    return {
        "format": drawv2.EXPORT_FORMAT,
        "algorithm_version": announcement.algorithm_version,
        "plan": {
            "id": plan.pk,
            "title": plan.title,
            "organisation": plan.organisation.name,
            "year": plan.year,
        },
        "announcement": {
            "number": announcement.number,
            "published_at": announcement.published_at.isoformat(),
            "hash": announcement.announcement_hash,
            "entropy_kind": announcement.entropy_kind,
            "names_public": announcement.names_public,
            "replaces": (
                {
                    "hash": announcement.replaces.announcement_hash,
                    "reason": announcement.replace_reason,
                }
                if announcement.replaces is not None
                else None
            ),
            "reveal_deadline": (
                drawv2.utc_text(announcement.reveal_deadline)
                if announcement.reveal_deadline is not None
                else None
            ),
            "sources": announcement.sources,
            "witnesses": [w.commitment for w in witnesses],
            "strata": announcement.strata,
            "pool_hash": announcement.pool_hash,
            "context": drawengine.unpack_context(bytes(announcement.context_blob)),
        },
        "strata": strata,
        "pool": announcement.pool,
        "params": announcement.params,
        "entropy": {
            "kind": announcement.entropy_kind,
            "record": draw.entropy_record,
            "value": draw.entropy_value,
            "witness_names": [w.name for w in witnesses],
            "publicly_verifiable": announcement.entropy_kind != drawv2.SERVER,
        },
        "draw": {
            "number": draw.number,
            "state": draw.state,
            "seed": draw.seed,
            "result_hash": draw.result_hash,
            "created_at": draw.created_at.isoformat(),
            "reason": draw.reason,
        },
        "result": result,
    }


# --- when a draw's names become public (version 2) ---------------------------------------------


def names_are_public(draw: Draw, today: dt.date) -> bool:
    """Are all of ``draw``'s entities and teams public on ``today`` (and its export with them)?
    Version 1 draws were published at the draw and stay so. Version 2 follows the setting fixed
    in its announcement: from the plan's window start, or once every result is published."""
    announcement = draw.announcement
    if announcement.algorithm_version != drawv2.ALGORITHM_VERSION:
        return True
    if announcement.names_public == NamesPublic.WINDOW_START:
        return today >= draw.plan.window_start
    return not (
        InspectionTask.objects.filter(draw=draw, published_at__isnull=True)
        .exclude(state=TaskState.CANCELLED)
        .exists()
    )


def public_task_condition(draw: Draw, today: dt.date) -> Q:
    """The tasks of ``draw`` whose entity and team may be shown to the public on ``today``."""
    announcement = draw.announcement
    if announcement.algorithm_version != drawv2.ALGORITHM_VERSION:
        return Q()
    if announcement.names_public == NamesPublic.WINDOW_START:
        return Q() if today >= draw.plan.window_start else Q(pk__in=[])
    return Q(published_at__isnull=False)


def draw_export(*, user: User, draw: Draw) -> dict[str, Any]:
    _require_view(user, DrawEvents.EXPORTED)
    draw_get(user=user, plan=draw.plan, number=draw.number)
    return export_draw(draw)


def draw_verify(*, user: User, draw: Draw) -> str | None:
    """Recompute ``draw`` from its export and compare with the stored tasks too.
    None when everything matches, else the first difference."""
    return verify_stored_draw(draw, draw_export(user=user, draw=draw))


def verify_stored_draw(draw: Draw, export: dict[str, Any]) -> str | None:
    """The checks behind the verify button, the API and ``fazhi draw verify``: recompute the draw
    from its export, then compare the stored tasks and the audit chain's record with it."""
    return (
        drawv2.verify_export(export)
        or stored_tasks_difference(draw, export["result"]["tasks"])
        or audit_record_difference(draw, export)
    )


# The event a draw writes in its own transaction: ``inspection_plan.drawn``, named
# ``inspection.drawn`` before the event names took one shape (draws made then keep it).
DRAWN_EVENTS = (str(PlanEvents.DRAWN), "inspection.drawn")

# what that event fixed, and where the export says it
_AUDITED = (
    ("seed", ("draw", "seed")),
    ("result_hash", ("draw", "result_hash")),
    ("entropy", ("entropy", "value")),
    ("announcement_hash", ("announcement", "hash")),
    ("algorithm_version", ("algorithm_version",)),
)


def audit_record_difference(draw: Draw, export: dict[str, Any]) -> str | None:
    """Does the draw's ``inspection_plan.drawn`` event (``inspection.drawn`` for older draws) in
    the audit chain (written in the draw's own transaction) still say what the stored draw says?
    A draw row rewritten consistently with a forged result would pass the recomputation but not
    this."""
    # A draw writes exactly one such event; the first is the one an anchored chain protects (an
    # event appended later, however well chained, cannot stand in for it).
    events = [
        candidate
        for candidate in AuditEvent.objects.filter(
            action__in=DRAWN_EVENTS,
            object_type=InspectionPlan._meta.label_lower,
            object_id=str(draw.plan_id),
        ).order_by("seq")
        if json.loads(candidate.details_json).get("draw") == draw.number
    ]
    if not events:
        return f"no {PlanEvents.DRAWN} audit event records draw {draw.number}"
    if len(events) > 1:
        return (
            f"{len(events)} {PlanEvents.DRAWN} audit events record draw {draw.number} "
            f"(events {', '.join(str(e.seq) for e in events)}); a draw writes one"
        )
    event = events[0]
    if not audit_verify.event_intact(event):
        return f"audit event {event.seq} no longer matches its hash or the chain"
    recorded = json.loads(event.details_json)
    for key, path in _AUDITED:
        value: Any = export
        for step in path:
            value = value.get(step) if isinstance(value, dict) else None
        if recorded.get(key) != value:
            return f"audit event {event.seq}: {key} {recorded.get(key)!r} != draw {value!r}"
    lists = {s["key"]: s["hash"] for s in export["announcement"]["strata"]}
    if recorded.get("lists") != lists:
        return f"audit event {event.seq}: list hashes differ from the draw's"
    if recorded.get("pool_hash") != export["announcement"]["pool_hash"]:
        return f"audit event {event.seq}: pool hash differs from the draw's"
    return None


def stored_tasks_difference(draw: Draw, tasks: list[list[Any]]) -> str | None:
    """Do the task rows in the database still say what the draw's result says?"""
    teams: dict[int, list[tuple[str, int]]] = {}
    for task_id, role, officer_id in TaskInspector.objects.filter(task__draw=draw).values_list(
        "task_id", "role", "officer_id"
    ):
        teams.setdefault(task_id, []).append((role, officer_id))
    rows = list(
        InspectionTask.objects.filter(draw=draw)
        .order_by("number")
        .values_list("id", "stratum_key", "entity_id")
    )
    if len(rows) != len(tasks):
        return f"database holds {len(rows)} tasks, the draw result {len(tasks)}"
    for index, ((task_id, key, entity), (r_key, r_entity, r_team)) in enumerate(
        zip(rows, tasks, strict=True)
    ):
        team = teams.get(task_id, [])
        lead = [o for role, o in team if role == "lead"]
        members = sorted(o for role, o in team if role != "lead")
        expected_lead = r_team[:1]
        if key != r_key or entity != r_entity:
            return f"task {index + 1}: database has {key}:{entity}, draw has {r_key}:{r_entity}"
        if lead != expected_lead or members != sorted(r_team[1:]):
            return f"task {index + 1}: database team {lead + members} != draw team {r_team}"
    return None
