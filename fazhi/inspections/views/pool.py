"""Pages: the inspector pool (执法检查人员名录库), leave periods and conflict declarations."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST

from fazhi.core import clock, detail, errors, params
from fazhi.core.access import acting_user
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap
from fazhi.inspections.events import ConflictEvents, InspectorEvents
from fazhi.inspections.selectors import pool as pool_selectors
from fazhi.inspections.services import pool as pool_services
from fazhi.inspections.views.items import BootstrapForm
from fazhi.registry.models import SupervisionCategory

_SOFT_ERRORS = (errors.ValidationFailed, errors.Conflict)


class ProfileForm(BootstrapForm):
    categories = forms.ModelMultipleChoiceField(
        label="可检查专业类别",
        queryset=SupervisionCategory.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    regions = forms.CharField(
        label="负责区域（行政区划代码前缀，逗号分隔，空为不限）", required=False
    )
    max_tasks_per_plan = forms.IntegerField(
        label="每个计划最多任务数", required=False, min_value=0, max_value=params.INTEGER_MAX
    )


class EnrolForm(ProfileForm):
    officer = params.FormIdField(label="执法人员", widget=forms.Select)


class LeaveForm(BootstrapForm):
    start = params.FormDateField(label="开始日期", widget=forms.DateInput(attrs={"type": "date"}))
    end = params.FormDateField(label="结束日期", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="事由", max_length=200, required=False)


class ConflictForm(BootstrapForm):
    entity = forms.CharField(label="检查对象（统一社会信用代码/身份证号/编号）", max_length=40)
    reason = forms.CharField(label="回避事由", max_length=300)
    declared_on = params.FormDateField(
        label="申报日期", widget=forms.DateInput(attrs={"type": "date"}), required=False
    )


def _regions(text: str) -> list[str]:
    return [part for part in text.replace("，", ",").replace(" ", ",").split(",") if part]


def _report(request: HttpRequest, exc: errors.FazhiError) -> None:
    messages.error(request, exc.message)


@login_required
def pool_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    in_pool_param = request.GET.get("in_pool", "1")
    in_pool = params.boolean({"in_pool": in_pool_param}, "in_pool")
    category = request.GET.get("category", "")
    q = request.GET.get("q", "").strip()
    profiles = pool_selectors.pool_list(user=user, in_pool=in_pool, category=category or None, q=q)
    can_edit = has_cap(user, Cap.INSPECTION_PLAN)
    form = EnrolForm()
    if can_edit:
        form.fields["officer"].widget.choices = [
            (o.pk, f"{o.name}（{o.organisation.name}）")
            for o in pool_selectors.officers_not_enrolled(user=user)
        ]
    today = clock.today()
    rows = [(p, p.officer.valid_credential(today)) for p in profiles]
    return render(
        request,
        "inspections/pool_list.html",
        {
            "rows": rows,
            "form": form,
            "can_edit": can_edit,
            "categories": SupervisionCategory.objects.filter(is_active=True),
            "category": category,
            "in_pool": in_pool_param,
            "q": q,
            "today": today,
        },
    )


@login_required
@require_POST
def pool_enrol(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.INSPECTION_PLAN, action=InspectorEvents.ENROLLED)
    form = EnrolForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择执法人员并填写正确的信息。")
        return redirect("inspections:pool_list")
    data = form.cleaned_data
    officer = pool_selectors.officer_for_enrolment(user=user, pk=data["officer"])
    try:
        profile = pool_services.inspector_enrol(
            actor=user,
            officer=officer,
            on=clock.today(),
            categories=list(data["categories"]),
            regions=_regions(data["regions"]),
            max_tasks_per_plan=data["max_tasks_per_plan"],
        )
    except _SOFT_ERRORS as exc:
        _report(request, exc)
        return redirect("inspections:pool_list")
    messages.success(request, f"{officer.name}已入库。")
    return redirect("inspections:pool_detail", pk=profile.pk)


@login_required
def pool_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    profile = pool_selectors.pool_get(user=user, pk=pk)
    officer = profile.officer
    today = clock.today()
    form = ProfileForm(
        initial={
            "categories": list(profile.categories.all()),
            "regions": ",".join(profile.regions),
            "max_tasks_per_plan": profile.max_tasks_per_plan,
        }
    )
    is_self = officer.user_id == user.pk
    can_edit = has_cap(user, Cap.INSPECTION_PLAN)
    can_declare = can_edit or is_self
    actions = detail.only(
        (can_edit, detail.Action("修改", "#step-edit", "pencil")),
        (can_declare, detail.Action("登记请假/外出", "#step-leave", "calendar-x")),
        (can_declare, detail.Action("申报回避", "#step-conflict", "person-x")),
        (
            can_edit and profile.in_pool,
            detail.Action("出库", "#step-out", "box-arrow-right", danger=True),
        ),
        (
            can_edit and not profile.in_pool,
            detail.Action(
                "重新入库",
                reverse("inspections:pool_in", args=[profile.pk]),
                "box-arrow-in-left",
                post=True,
            ),
        ),
    )
    return render(
        request,
        "inspections/pool_detail.html",
        {
            "profile": profile,
            "officer": officer,
            "credential": officer.valid_credential(today),
            "credentials": list(officer.credentials.all()),
            "form": form,
            "leave_form": LeaveForm(),
            "conflict_form": ConflictForm(initial={"declared_on": today}),
            "leaves": pool_selectors.leave_list(user=user, officer=officer),
            "conflicts": pool_selectors.conflict_list(user=user, officer=officer),
            "actions": actions,
            "can_edit": can_edit,
            "can_declare": can_declare,
            "today": today,
        },
    )


@login_required
@require_POST
def pool_update(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request, Cap.INSPECTION_PLAN, action=InspectorEvents.UPDATED)
    profile = pool_selectors.pool_get(user=user, pk=pk)
    form = ProfileForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            pool_services.inspector_update(
                actor=user,
                profile=profile,
                categories=list(data["categories"]),
                regions=_regions(data["regions"]),
                max_tasks_per_plan=data["max_tasks_per_plan"],
            )
        except _SOFT_ERRORS as exc:
            _report(request, exc)
        else:
            messages.success(request, "已保存。")
    else:
        messages.error(request, "输入的数据不符合要求。")
    return redirect("inspections:pool_detail", pk=pk)


@login_required
@require_POST
def pool_out(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request, Cap.INSPECTION_PLAN, action=InspectorEvents.LEFT_POOL)
    profile = pool_selectors.pool_get(user=user, pk=pk)
    try:
        pool_services.inspector_leave_pool(
            actor=user, profile=profile, reason=request.POST.get("reason", "")
        )
    except _SOFT_ERRORS as exc:
        _report(request, exc)
    else:
        messages.success(request, "已出库。")
    return redirect("inspections:pool_detail", pk=pk)


@login_required
@require_POST
def pool_in(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request, Cap.INSPECTION_PLAN, action=InspectorEvents.RETURNED_TO_POOL)
    profile = pool_selectors.pool_get(user=user, pk=pk)
    try:
        pool_services.inspector_return_to_pool(actor=user, profile=profile, on=clock.today())
    except _SOFT_ERRORS as exc:
        _report(request, exc)
    else:
        messages.success(request, "已重新入库。")
    return redirect("inspections:pool_detail", pk=pk)


@login_required
@require_POST
def leave_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    profile = pool_selectors.pool_get(user=user, pk=pk)
    form = LeaveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写正确的起止日期。")
        return redirect("inspections:pool_detail", pk=pk)
    try:
        pool_services.inspector_leave_add(actor=user, officer=profile.officer, **form.cleaned_data)
    except _SOFT_ERRORS as exc:
        _report(request, exc)
    else:
        messages.success(request, "已登记请假/外出。")
    return redirect("inspections:pool_detail", pk=pk)


@login_required
@require_POST
def leave_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request, Cap.INSPECTION_PLAN, action=InspectorEvents.LEAVE_CANCELLED)
    leave = pool_selectors.leave_get(user=user, pk=pk)
    profile_pk = pool_selectors.pool_list(user=user, in_pool=None).get(officer=leave.officer).pk
    pool_services.inspector_leave_cancel(actor=user, leave=leave)
    messages.success(request, "已取消该请假登记。")
    return redirect("inspections:pool_detail", pk=profile_pk)


@login_required
@require_POST
def conflict_declare(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    profile = pool_selectors.pool_get(user=user, pk=pk)
    form = ConflictForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写检查对象和回避事由。")
        return redirect("inspections:pool_detail", pk=pk)
    data = form.cleaned_data
    try:
        entity = pool_selectors.entity_for_conflict(user=user, ref=data["entity"])
        pool_services.conflict_declare(
            actor=user,
            officer=profile.officer,
            entity=entity,
            reason=data["reason"],
            declared_on=data["declared_on"] or clock.today(),
        )
    except (*_SOFT_ERRORS, errors.NotFound) as exc:
        _report(request, exc)
    else:
        messages.success(request, "已登记回避申报。")
    return redirect("inspections:pool_detail", pk=pk)


@login_required
@require_POST
def conflict_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request, Cap.INSPECTION_PLAN, action=ConflictEvents.WITHDRAWN)
    declaration = pool_selectors.conflict_get(user=user, pk=pk)
    profile_pk = (
        pool_selectors.pool_list(user=user, in_pool=None).get(officer=declaration.officer).pk
    )
    try:
        pool_services.conflict_withdraw(
            actor=user,
            declaration=declaration,
            on=clock.today(),
            reason=request.POST.get("reason", ""),
        )
    except (*_SOFT_ERRORS, errors.InvalidTransition) as exc:
        _report(request, exc)
    else:
        messages.success(request, "已撤回回避申报。")
    return redirect("inspections:pool_detail", pk=profile_pk)


urlpatterns: list[URLPattern] = [
    path("pool/", pool_list, name="pool_list"),
    path("pool/enrol/", pool_enrol, name="pool_enrol"),
    path("pool/<id:pk>/", pool_detail, name="pool_detail"),
    path("pool/<id:pk>/update/", pool_update, name="pool_update"),
    path("pool/<id:pk>/out/", pool_out, name="pool_out"),
    path("pool/<id:pk>/in/", pool_in, name="pool_in"),
    path("pool/<id:pk>/leaves/", leave_add, name="pool_leave_add"),
    path("pool/leaves/<id:pk>/cancel/", leave_cancel, name="pool_leave_cancel"),
    path("pool/<id:pk>/conflicts/", conflict_declare, name="pool_conflict_declare"),
    path("pool/conflicts/<id:pk>/withdraw/", conflict_withdraw, name="pool_conflict_withdraw"),
]
