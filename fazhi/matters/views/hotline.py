"""Pages: hotline tickets (热线工单): their list, registration by hand, the import of a
platform's export (a background job) and the import's result. A ticket's own page and its steps
are the matters' (``views/matters.py``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from fazhi.core import errors, import_limits, listing, params
from fazhi.core.access import acting_user
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap
from fazhi.matters import jobs as matter_jobs
from fazhi.matters.events import HotlineEvent, MatterEvent
from fazhi.matters.hotline_import import COLUMNS, moment_param
from fazhi.matters.hotline_models import HotlinePlatform, HotlineState, TicketType
from fazhi.matters.models import Category
from fazhi.matters.selectors import hotline as hotline_selectors
from fazhi.matters.services import hotline as hotline_services
from fazhi.matters.steps import home_organisation

PAGE_SIZE = 50


@login_required
@require_GET
def hotline_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.MATTER_VIEW, action=MatterEvent.LISTED)
    state = params.choice(request.GET, "state", HotlineState.values)
    ticket_type = params.choice(request.GET, "type", TicketType.values)
    platform = params.choice(request.GET, "platform", HotlinePlatform.values)
    year = params.year(request.GET, "year")
    q = (request.GET.get("q") or "").strip()[:64] or None
    tickets = hotline_selectors.hotline_list(
        user=user, state=state, ticket_type=ticket_type, platform=platform, year=year, q=q
    )
    page_listing = listing.paginate(request, tickets, default_size=PAGE_SIZE)
    return render(
        request,
        "matters/hotline_list.html",
        {
            "page": page_listing.page,
            "listing": page_listing,
            "filters": [
                listing.Filter(
                    "q", "工单编号或内容", q or "", placeholder="工单编号、来电人或内容"
                ),
                listing.Filter("state", "状态", state or "", choices=HotlineState.choices),
                listing.Filter("type", "诉求类型", ticket_type or "", choices=TicketType.choices),
                listing.Filter(
                    "platform", "来源平台", platform or "", choices=HotlinePlatform.choices
                ),
                listing.Filter("year", "年度", year or "", placeholder="如 2026"),
            ],
            "can_handle": has_cap(user, Cap.MATTER_HANDLE),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def hotline_register(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.MATTER_HANDLE, action=HotlineEvent.RECEIVED)
    if request.method == "POST":
        data = request.POST
        try:
            matter = hotline_services.hotline_register(
                actor=user,
                organisation=home_organisation(user),
                platform=data.get("platform", ""),
                ticket_no=data.get("ticket_no", ""),
                ticket_type=data.get("ticket_type", ""),
                called_at=moment_param(data, "called_at"),
                received_on=params.date(data, "received_on"),
                caller_name=data.get("caller_name", ""),
                caller_phone=data.get("caller_phone", ""),
                content=data.get("content", ""),
                category=data.get("category") or Category.OTHER,
                platform_due=params.date(data, "platform_due"),
                handling_unit=data.get("handling_unit", ""),
            )
        except (errors.ValidationFailed, errors.Conflict) as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已登记。")
            return redirect("matters:matter_detail", matter_id=matter.pk)
    return render(
        request,
        "matters/hotline_register.html",
        {
            "platforms": HotlinePlatform.choices,
            "types": TicketType.choices,
            "categories": Category.choices,
            "data": request.POST,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def hotline_import_upload(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.MATTER_HANDLE, action=HotlineEvent.IMPORTED)
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise errors.ValidationFailed("请选择要导入的文件。", code="file_required")
            job = matter_jobs.hotline_import_enqueue(
                actor=user,
                organisation=home_organisation(user),
                platform=request.POST.get("platform", ""),
                file_name=upload.name or "upload.xlsx",
                content=import_limits.read_upload(upload),
            )
        except errors.FazhiError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("core:job_detail", pk=job.pk)
    return render(
        request,
        "matters/hotline_import.html",
        {"platforms": HotlinePlatform.choices, "columns": COLUMNS},
    )


@login_required
@require_GET
def hotline_import_detail(request: HttpRequest, hotline_import_id: int) -> HttpResponse:
    user = acting_user(request, Cap.MATTER_VIEW, action=HotlineEvent.IMPORTED)
    batch = hotline_selectors.hotline_import_get(user=user, import_id=hotline_import_id)
    return render(request, "matters/hotline_import_detail.html", {"batch": batch})


urlpatterns = [
    path("hotline/", hotline_list, name="hotline_list"),
    path("new/hotline/", hotline_register, name="register_hotline"),
    path("hotline/import/", hotline_import_upload, name="hotline_import"),
    path(
        "hotline/imports/<id:hotline_import_id>/",
        hotline_import_detail,
        name="hotline_import_detail",
    ),
]
