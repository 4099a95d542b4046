"""Pages of protocol fazhi-draw/2: the announcement form (declared events, witnesses), the
witnesses' secrets shown once with QR codes, the printable anchor, reveals and re-announcements.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from fazhi.core import errors, feedback
from fazhi.core.access import acting_user
from fazhi.core.roles import Cap
from fazhi.inspections import drawv2
from fazhi.inspections.events import AnnouncementEvents, PlanEvents, ReannouncementEvents
from fazhi.inspections.models import PlanKind
from fazhi.inspections.selectors import draws as selectors
from fazhi.inspections.selectors.plans import plan_get
from fazhi.inspections.services import announcements_v2 as services

SOURCE_ROWS = 3


def qr_svg(text: str, title: str) -> SafeString:
    """An inline SVG QR code (segno, no script, no external asset)."""
    svg = segno.make(text, error="m").svg_inline(scale=3, title=title)
    return mark_safe(svg)  # noqa: S308 (segno's own SVG markup; the title is escaped by segno)


def _sources(post: Any) -> list[tuple[str, dict[str, Any]]]:
    rows: list[tuple[str, dict[str, Any]]] = []
    for i in range(1, SOURCE_ROWS + 1):
        kind = post.get(f"kind_{i}", "").strip()
        if not kind:
            continue
        if kind == "drand-quicknet":
            rows.append((kind, {"round": post.get(f"round_{i}", "")}))
        else:
            rows.append(
                (kind, {"period": post.get(f"period_{i}", ""), "date": post.get(f"date_{i}", "")})
            )
    return rows


def _witnesses(text: str) -> list[services.WitnessInput]:
    """One witness a line: ``姓名`` (Fazhi generates the secret) or ``姓名,自选秘密``."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        for sep in (",", "，"):
            if sep in line:
                name, _, secret = line.partition(sep)
                out.append(services.WitnessInput(name.strip(), secret.strip() or None))
                break
        else:
            out.append(services.WitnessInput(line))
    return out


def _deadline(raw: str) -> dt.datetime | None:
    if not raw.strip():
        return None
    try:
        value = dt.datetime.fromisoformat(raw.strip())
    except ValueError:
        raise errors.ValidationFailed(
            "揭示截止时间格式不正确。", code="bad_reveal_deadline"
        ) from None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


@login_required
def plan_announce(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request, Cap.INSPECTION_PLAN, action=PlanEvents.ANNOUNCED)
    plan = plan_get(user=user, pk=pk)
    values: dict[str, str] = {"witnesses": "", "reveal_deadline": "", "server": ""}
    if request.method == "POST":
        values = {k: str(request.POST.get(k, "")) for k in values}
        try:
            announced = services.plan_announce_v2(
                actor=user,
                plan=plan,
                sources=_sources(request.POST),
                witnesses=_witnesses(request.POST.get("witnesses", "")),
                reveal_deadline=_deadline(request.POST.get("reveal_deadline", "")),
                server=request.POST.get("server") == "1",
            )
        except (errors.ValidationFailed, errors.InvalidTransition, errors.Conflict) as exc:
            feedback.error_message(request, exc)
        else:
            announcement = announced.announcement
            if not announced.reveals:
                messages.success(request, "抽取公告已发布，请打印公告凭证张贴并送交见证人和媒体。")
                return redirect("inspections:announcement_detail", plan.pk, announcement.number)
            # the witnesses' secrets: this response only, never stored, never shown again
            response = render(
                request,
                "inspections/announcement_secrets.html",
                {
                    "plan": plan,
                    "announcement": announcement,
                    "secrets": [
                        {"name": name, "reveal": reveal, "qr": qr_svg(reveal, name)}
                        for name, reveal in announced.reveals
                    ],
                },
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request,
        "inspections/announcement_v2_form.html",
        {
            "plan": plan,
            "values": values,
            "kinds": [(k.key, k.label) for k in drawv2.SOURCE_KINDS.values()],
            "rows": range(1, SOURCE_ROWS + 1),
            "routine": plan.kind == PlanKind.ROUTINE,
        },
    )


@login_required
def announcement_anchor(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """The printable anchor: the announcement hash, the declared events and a QR code, to post
    and send to the media and the witnesses before the event."""
    user = acting_user(request)
    plan = plan_get(user=user, pk=pk)
    announcement = selectors.announcement_get(user=user, plan=plan, number=number)
    return render(
        request,
        "inspections/announcement_anchor.html",
        {
            "plan": plan,
            "announcement": announcement,
            "sources": [
                {
                    "text": drawv2.describe_source(s),
                    "not_before": drawv2.parse_instant(s["not_before"]),
                }
                for s in announcement.sources
            ],
            "witnesses": announcement.witnesses.order_by("position"),
            "qr": qr_svg(announcement.announcement_hash, "公告哈希"),
        },
    )


@login_required
@require_POST
def witness_reveal(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    user = acting_user(request, Cap.INSPECTION_DRAW, action=AnnouncementEvents.WITNESS_REVEALED)
    plan = plan_get(user=user, pk=pk)
    announcement = selectors.announcement_get(user=user, plan=plan, number=number)
    try:
        position = int(request.POST.get("position", ""))
    except ValueError:
        raise errors.ValidationFailed("见证人序号不正确。", code="bad_position") from None
    try:
        services.witness_reveal(
            actor=user,
            announcement=announcement,
            position=position,
            reveal=request.POST.get("reveal", ""),
        )
    except (errors.ValidationFailed, errors.Conflict) as exc:
        feedback.error_message(request, exc)
    else:
        messages.success(request, "揭示值与承诺值一致，已登记。")
    return redirect("inspections:announcement_detail", plan.pk, announcement.number)


@login_required
@require_POST
def reannouncement_request(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request, Cap.INSPECTION_PLAN, action=ReannouncementEvents.REQUESTED)
    plan = plan_get(user=user, pk=pk)
    try:
        services.reannouncement_request(
            actor=user, plan=plan, reason=request.POST.get("reason", "")
        )
    except (errors.ValidationFailed, errors.Conflict, errors.InvalidTransition) as exc:
        feedback.error_message(request, exc)
    else:
        messages.success(request, "重新公告申请已提交，待领导审批。")
    return redirect("inspections:plan_detail", plan.pk)


@login_required
@require_POST
def reannouncement_decide(request: HttpRequest, pk: int) -> HttpResponse:
    approve = request.POST.get("decision") == "approve"
    attempted = ReannouncementEvents.APPROVED if approve else ReannouncementEvents.REJECTED
    user = acting_user(request, Cap.INSPECTION_APPROVE, action=attempted)
    found = selectors.reannouncement_get(user=user, pk=pk)
    note = request.POST.get("note", "")
    try:
        if approve:
            services.reannouncement_approve(actor=user, request=found, note=note)
        else:
            services.reannouncement_reject(actor=user, request=found, note=note)
    except (errors.ValidationFailed, errors.Conflict) as exc:
        feedback.error_message(request, exc)
    else:
        messages.success(request, "已批准；可以发布替代公告。" if approve else "已驳回。")
    return redirect("inspections:plan_detail", found.plan_id)


urlpatterns: list[URLPattern] = [
    path("plans/<id:pk>/announce/", plan_announce, name="plan_announce"),
    path(
        "plans/<id:pk>/announcements/<id:number>/anchor/",
        announcement_anchor,
        name="announcement_anchor",
    ),
    path(
        "plans/<id:pk>/announcements/<id:number>/reveal/",
        witness_reveal,
        name="witness_reveal",
    ),
    path("plans/<id:pk>/reannounce/", reannouncement_request, name="reannouncement_request"),
    path("reannouncements/<id:pk>/decide/", reannouncement_decide, name="reannouncement_decide"),
]
