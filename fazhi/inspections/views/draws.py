"""Pages: the announcement, the draw, its result and verification, re-draws."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST

from fazhi.core import clock, detail, errors, feedback
from fazhi.core.access import acting_user
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap
from fazhi.inspections import drawengine, drawv2
from fazhi.inspections.events import PlanEvents, RedrawEvents
from fazhi.inspections.models import EntropyKind
from fazhi.inspections.selectors import draws as selectors
from fazhi.inspections.selectors.plans import plan_get, plan_visit_cap_report, stratum_labels
from fazhi.inspections.services import draws as draw_services
from fazhi.inspections.services import redraws as redraw_services

REASONS = {
    "credential_invalid": "抽取日无有效执法证",
    "on_leave": "实施期间请假/外出",
    "conflict": "已申报回避",
    "workload_cap": "已达本计划任务上限",
    "same_team": "与该对象上次检查人员组合相同",
    "same_team_unavoidable": "无其他人选，沿用上次组合",
    "not_enough_inspectors": "符合条件的检查人员不足",
    "quota_exceeds_candidates": "候选对象少于抽取数量（已全部抽取，不从其他分层补足）",
    "no_candidates": "没有候选对象",
    "no_quota_or_ratio": "未设置数量或比例",
}
SKIP_LOG_PAGE = 200


@login_required
def announcement_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    user = acting_user(request)
    plan = plan_get(user=user, pk=pk)
    announcement = selectors.announcement_get(user=user, plan=plan, number=number)
    version_2 = announcement.algorithm_version == drawv2.ALGORITHM_VERSION
    actions = detail.only(
        (
            announcement.state == "published" and has_cap(user, Cap.INSPECTION_DRAW),
            detail.Action("抽取", reverse("inspections:draw_run", args=[plan.pk]), "shuffle"),
        ),
        (
            True,
            detail.Action(
                "返回计划", reverse("inspections:plan_detail", args=[plan.pk]), "arrow-left"
            ),
        ),
    )
    return render(
        request,
        "inspections/announcement_detail.html",
        {
            "actions": actions,
            "title": f"{plan.title} · 抽取公告第{announcement.number}号",
            "plan": plan,
            "announcement": announcement,
            "pool_size": len(announcement.pool),
            "witnesses": announcement.witnesses.order_by("position"),
            "version_2": version_2,
            "sources": [
                {
                    "text": drawv2.describe_source(s),
                    "not_before": drawv2.parse_instant(s["not_before"]),
                }
                for s in announcement.sources
            ],
            "reveals_open": version_2
            and announcement.reveal_deadline is not None
            and clock.now() < announcement.reveal_deadline
            and announcement.state == "published",
            "reannouncements": selectors.reannouncement_list(user=user, plan=plan).filter(
                announcement=announcement
            )
            if version_2
            else [],
            "can_draw": has_cap(user, Cap.INSPECTION_DRAW),
            "can_plan": has_cap(user, Cap.INSPECTION_PLAN),
            "can_approve": has_cap(user, Cap.INSPECTION_APPROVE),
            "stratum_names": stratum_labels(user=user, plan=plan),
        },
    )


@login_required
def draw_run(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request, Cap.INSPECTION_DRAW, action=PlanEvents.DRAWN)
    plan = plan_get(user=user, pk=pk)
    announcement = selectors.announcement_list(user=user, plan=plan).first()
    if announcement is None:
        raise errors.InvalidTransition("计划尚未公告，不能抽取。", code="plan_not_announced")
    witnesses = list(announcement.witnesses.order_by("position"))
    sources = [drawv2.describe_source(s) for s in announcement.sources]
    if request.method == "POST":
        reveals = [request.POST.get(f"reveal_{w.position}", "") for w in witnesses]
        try:
            draw = draw_services.draw_run(
                actor=user,
                plan=plan,
                reveals=reveals,
                public_number=request.POST.get("public_number", ""),
                values=[request.POST.get(f"value_{i}", "") for i in range(1, len(sources) + 1)],
            )
        except (errors.ValidationFailed, errors.Conflict) as exc:
            feedback.error_message(request, exc)
        else:
            messages.success(request, f"抽取完成：{draw.task_count}项任务。")
            return redirect("inspections:draw_detail", plan.pk, draw.number)
    return render(
        request,
        "inspections/draw_form.html",
        {
            "plan": plan,
            "announcement": announcement,
            "witnesses": witnesses,
            "version_2": announcement.algorithm_version == drawv2.ALGORITHM_VERSION,
            "sources": sources,
        },
    )


def _reason(code: str) -> str:
    return REASONS.get(code, code)


@login_required
def draw_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    user = acting_user(request)
    plan = plan_get(user=user, pk=pk)
    draw = selectors.draw_get(user=user, plan=plan, number=number)
    tasks = Paginator(selectors.draw_task_list(user=user, draw=draw), 100).get_page(
        request.GET.get("page")
    )
    infeasible_strata = [
        (key, _reason(v.get("code", "")), v)
        for key, v in sorted(draw.infeasible.get("strata", {}).items())
    ]
    infeasible_tasks = [
        (key, _reason(v.get("code", "")), v)
        for key, v in sorted(draw.infeasible.get("tasks", {}).items())
    ]
    skips: list[tuple[str, list[tuple[Any, str]]]] = []
    for key, entries in list(draw.skip_log.items())[:SKIP_LOG_PAGE]:
        skips.append((key, [(officer, _reason(code)) for officer, code in entries]))
    result = drawengine.unpack_result(bytes(draw.result_blob))
    excluded = [(o, _reason(c)) for o, c in sorted(result.get("pool_excluded", {}).items())]
    actions = [
        detail.Action(
            "导出验证数据（JSON）",
            reverse("inspections:draw_export", args=[plan.pk, draw.number]),
            "filetype-json",
        ),
        detail.Action(
            "重新计算验证",
            reverse("inspections:draw_verify", args=[plan.pk, draw.number]),
            "patch-check",
            post=True,
        ),
    ]
    return render(
        request,
        "inspections/draw_detail.html",
        {
            "actions": actions,
            "title": f"{plan.title} · 第{draw.number}次抽取",
            "plan": plan,
            "draw": draw,
            "announcement": draw.announcement,
            "tasks": tasks,
            "counts": sorted(result.get("counts", {}).items()),
            "infeasible_strata": infeasible_strata,
            "infeasible_tasks": infeasible_tasks[:SKIP_LOG_PAGE],
            "infeasible_task_count": len(infeasible_tasks),
            "skips": skips,
            "skip_count": len(draw.skip_log),
            "excluded": excluded,
            "stratum_names": stratum_labels(user=user, plan=plan),
            "visit_cap": plan_visit_cap_report(user=user, plan=plan),
            "can_draw": has_cap(user, Cap.INSPECTION_DRAW),
        },
    )


@login_required
def draw_export(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    user = acting_user(request)
    plan = plan_get(user=user, pk=pk)
    draw = selectors.draw_get(user=user, plan=plan, number=number)
    body = json.dumps(selectors.draw_export(user=user, draw=draw), ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="draw-{plan.pk}-{draw.number}.json"'
    return response


@login_required
@require_POST
def draw_verify(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    user = acting_user(request)
    plan = plan_get(user=user, pk=pk)
    draw = selectors.draw_get(user=user, plan=plan, number=number)
    problem = selectors.draw_verify(user=user, draw=draw)
    if problem:
        messages.error(request, f"验证未通过：{problem}")
    else:
        messages.success(
            request,
            "验证通过：按公告的名单、人员库、参数和随机源重新计算，结果一致。"
            + (
                "但本次使用服务器随机数，随机源不可公开验证。"
                if draw.announcement.entropy_kind == EntropyKind.SERVER
                else ""
            ),
        )
    return redirect("inspections:draw_detail", plan.pk, draw.number)


@login_required
@require_POST
def redraw_request(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request, Cap.INSPECTION_DRAW, action=RedrawEvents.REQUESTED)
    plan = plan_get(user=user, pk=pk)
    try:
        redraw_services.redraw_request(actor=user, plan=plan, reason=request.POST.get("reason", ""))
    except (errors.ValidationFailed, errors.Conflict) as exc:
        feedback.error_message(request, exc)
    else:
        messages.success(request, "重新抽取申请已提交，待领导审批。")
    return redirect("inspections:plan_detail", plan.pk)


@login_required
@require_POST
def redraw_decide(request: HttpRequest, pk: int) -> HttpResponse:
    approve = request.POST.get("decision") == "approve"
    attempted = RedrawEvents.APPROVED if approve else RedrawEvents.REJECTED
    user = acting_user(request, Cap.INSPECTION_APPROVE, action=attempted)
    redraw = selectors.redraw_get(user=user, pk=pk)
    note = request.POST.get("note", "")
    try:
        if approve:
            redraw_services.redraw_approve(actor=user, request=redraw, note=note)
        else:
            redraw_services.redraw_reject(actor=user, request=redraw, note=note)
    except (errors.ValidationFailed, errors.Conflict) as exc:
        feedback.error_message(request, exc)
    else:
        messages.success(request, "已批准；请重新发布抽取公告后抽取。" if approve else "已驳回。")
    return redirect("inspections:plan_detail", redraw.plan_id)


def engine_download(request: HttpRequest) -> HttpResponse:
    """The draw engine package as a zip, built on request (standard library only; decision 0058)."""
    response = HttpResponse(drawengine.package_zip(), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="drawengine.zip"'
    return response


urlpatterns: list[URLPattern] = [
    # announcing is version 2 only (``views.draws_v2``); the version-1 form is retired
    # (decision 0057), version-1 announcements and draws are still shown and verified here
    path(
        "plans/<id:pk>/announcements/<id:number>/",
        announcement_detail,
        name="announcement_detail",
    ),
    path("plans/<id:pk>/draw/", draw_run, name="draw_run"),
    path("plans/<id:pk>/draws/<id:number>/", draw_detail, name="draw_detail"),
    path("plans/<id:pk>/draws/<id:number>/export.json", draw_export, name="draw_export"),
    path("plans/<id:pk>/draws/<id:number>/verify/", draw_verify, name="draw_verify"),
    path("plans/<id:pk>/redraw/", redraw_request, name="redraw_request"),
    path("redraws/<id:pk>/decide/", redraw_decide, name="redraw_decide"),
    path("drawengine.zip", engine_download, name="drawengine_download"),
]
