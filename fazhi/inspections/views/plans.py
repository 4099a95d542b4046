"""Pages: inspection plans, their strata and imported task lists. Thin: parse, call, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST

from fazhi.core import clock, detail, errors, feedback, import_limits, listing, params
from fazhi.core.access import acting_user
from fazhi.core.models import Organisation, User
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap, visible_organisations
from fazhi.inspections.events import PlanEvents, StratumEvents
from fazhi.inspections.models import (
    PLANNED_KINDS,
    InspectionItem,
    InspectionPlan,
    NamesPublic,
    PlanKind,
    PlanState,
    RedrawState,
)
from fazhi.inspections.selectors import draws as draw_selectors
from fazhi.inspections.selectors import plans as selectors
from fazhi.inspections.selectors.items import item_choices_for_planning
from fazhi.inspections.services import plans as services
from fazhi.inspections.workflows import PLAN
from fazhi.registry.models import EntityKind, RiskGrade, SupervisionCategory

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class StyledForm(forms.Form):
    """Bootstrap classes on every widget (the CSP forbids inline styles)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class PlanForm(StyledForm):
    organisation: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label="实施机构", queryset=Organisation.objects.none()
    )
    kind = forms.ChoiceField(label="计划类型", choices=PLANNED_KINDS)
    title = forms.CharField(label="计划名称", max_length=200)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    window_start = params.FormDateField(
        label="实施开始日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    window_end = params.FormDateField(
        label="实施结束日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    lead_department = forms.CharField(label="牵头部门", max_length=100, required=False)
    is_joint = forms.BooleanField(label="部门联合抽查", required=False)
    joint_departments = forms.CharField(
        label="联合部门（每行一个）", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    items = forms.ModelMultipleChoiceField(
        label="抽查事项",
        queryset=InspectionItem.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    uses_risk_ratio = forms.BooleanField(label="按信用风险分级确定比例", required=False)
    team_size = forms.IntegerField(label="每组检查人员数", min_value=2, max_value=9, initial=2)
    per_entity_yearly_cap = forms.IntegerField(
        label="每户年度检查次数上限（留空按规则包）",
        required=False,
        min_value=1,
        max_value=params.SMALLINT_MAX,
    )
    external_source = forms.CharField(
        label="任务来源（上级下达任务必填）", max_length=200, required=False
    )
    notes = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    names_public = forms.ChoiceField(
        label="抽取名单公开时间", choices=NamesPublic.choices, required=False
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        orgs = visible_organisations(user)
        org_field = self.fields["organisation"]
        assert isinstance(org_field, forms.ModelChoiceField)
        org_field.queryset = orgs
        items_field = self.fields["items"]
        assert isinstance(items_field, forms.ModelMultipleChoiceField)
        items_field.queryset = item_choices_for_planning(user=user)

    def plan_values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["joint_departments"] = [
            line.strip() for line in data.get("joint_departments", "").splitlines() if line.strip()
        ]
        data["items"] = list(data.get("items") or [])
        data["names_public"] = data.get("names_public") or NamesPublic.RESULT_PUBLISHED
        return data


class StratumForm(StyledForm):
    key = forms.SlugField(
        label="分层代码（可不填）",
        max_length=60,
        required=False,
        help_text="不填时按专业类别和风险等级自动生成。",
    )
    category = forms.ModelChoiceField(
        label="专业类别", queryset=SupervisionCategory.objects.filter(is_active=True)
    )
    risk_grade = forms.ChoiceField(
        label="风险等级", choices=[("", "不限"), *RiskGrade.choices], required=False
    )
    quota = forms.IntegerField(
        label="抽取数量", required=False, min_value=1, max_value=params.INTEGER_MAX
    )
    ratio = forms.DecimalField(
        label="抽取比例（%）", required=False, max_digits=5, decimal_places=2
    )
    weighted = forms.BooleanField(label="按风险加权", required=False)
    kinds = forms.MultipleChoiceField(
        label="对象类型（专项筛选）",
        choices=EntityKind.choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    division_prefix = forms.CharField(label="区划前缀（专项筛选，逗号分隔）", required=False)


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    year = params.year(request.GET)
    state = params.choice(request.GET, "state", PlanState.values) or ""
    kind = params.choice(request.GET, "kind", PlanKind.values) or ""
    q = request.GET.get("q", "").strip()
    plans = selectors.plan_list(user=user, year=year, state=state, kind=kind, q=q)
    rows = listing.paginate(request, plans)
    this_year = clock.today().year
    years = [(y, f"{y}年") for y in range(this_year + 1, this_year - 6, -1)]
    return render(
        request,
        "inspections/plan_list.html",
        {
            "page": rows.page,
            "listing": rows,
            "filters": [
                listing.Filter("q", "计划名称", q, placeholder="计划名称"),
                listing.Filter("year", "年度", year or "", choices=years),
                listing.Filter("kind", "计划类型", kind, choices=PlanKind.choices),
                listing.Filter("state", "状态", state, choices=PlanState.choices),
            ],
            "can_plan": has_cap(user, Cap.INSPECTION_PLAN),
        },
    )


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.INSPECTION_PLAN, action=PlanEvents.CREATED)
    today = clock.today()
    form = PlanForm(
        request.POST or None,
        user=user,
        initial={
            "team_size": 2,
            "year": today.year,  # this year, from the one clock
            "window_start": today,
            "window_end": dt.date(today.year, 12, 31),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(actor=user, **form.plan_values())
        except errors.ValidationFailed as exc:
            form.add_error(None, exc.message)
        else:
            if plan.kind == PlanKind.IMPORTED or not PLAN.allows(plan, "add_stratum"):
                messages.success(request, "计划已创建。")
                return redirect("inspections:plan_detail", plan.pk)
            # the creation flow's second step: the strata, before the planner leaves the plan
            messages.success(request, "计划基本信息已保存。下一步：添加抽查分层。")
            return redirect("inspections:plan_strata", plan.pk)
    return render(request, "inspections/plan_form.html", {"form": form, "plan": None})


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request, Cap.INSPECTION_PLAN, action=PlanEvents.UPDATED)
    plan = selectors.plan_get(user=user, pk=pk)
    initial = {
        "organisation": plan.organisation,
        "kind": plan.kind,
        "title": plan.title,
        "year": plan.year,
        "window_start": plan.window_start,
        "window_end": plan.window_end,
        "lead_department": plan.lead_department,
        "is_joint": plan.is_joint,
        "joint_departments": "\n".join(plan.joint_departments or []),
        "items": list(plan.items.all()),
        "uses_risk_ratio": plan.uses_risk_ratio,
        "team_size": plan.team_size,
        "per_entity_yearly_cap": plan.per_entity_yearly_cap,
        "external_source": plan.external_source,
        "notes": plan.notes,
        "names_public": plan.names_public,
    }
    form = PlanForm(request.POST or None, user=user, initial=initial)
    form.fields["organisation"].disabled = True
    form.fields["kind"].disabled = True
    if request.method == "POST" and form.is_valid():
        values = form.plan_values()
        values.pop("organisation")
        values.pop("kind")
        items = values.pop("items")
        try:
            services.plan_update(actor=user, plan=plan, items=items, **values)
        except errors.ValidationFailed as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "计划已保存。")
            return redirect("inspections:plan_detail", plan.pk)
    return render(request, "inspections/plan_form.html", {"form": form, "plan": plan})


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    plan = selectors.plan_get(user=user, pk=pk)
    return _plan_page(request, user, plan)


def _plan_page(request: HttpRequest, user: User, plan: InspectionPlan) -> HttpResponse:
    """The plan page. Its strata are listed here and edited on the strata step."""
    can_plan = has_cap(user, Cap.INSPECTION_PLAN)
    steps = draw_selectors.plan_draw_steps(user=user, plan=plan)
    redraws = list(draw_selectors.redraw_list(user=user, plan=plan))
    awaiting = has_cap(user, Cap.INSPECTION_APPROVE) and any(
        r.state == RedrawState.PENDING for r in redraws
    )
    actions = _plan_actions(user, plan, steps, can_plan=can_plan)
    if awaiting:  # a leader sent here from the workbench: the approval is the next step
        actions.insert(0, detail.Action("审批重新抽取申请", "#redraws", "check2-square"))
    return render(
        request,
        "inspections/plan_detail.html",
        {
            "plan": plan,
            "actions": actions,
            "strata": selectors.stratum_list(user=user, plan=plan),
            "items": plan.items.select_related("category"),
            "announcements": draw_selectors.announcement_list(user=user, plan=plan),
            "draws": draw_selectors.draw_list(user=user, plan=plan),
            "redraws": redraws,
            "visit_cap": selectors.plan_visit_cap_report(
                user=user,
                plan=plan,
                check_candidates=bool(params.boolean(request.GET, "check_cap")),
            ),
            "can_edit_strata": can_plan and PLAN.allows(plan, "add_stratum"),
            "can_plan": can_plan,
            "can_draw": has_cap(user, Cap.INSPECTION_DRAW),
            "steps": steps,
            "progress": selectors.plan_progress(user=user, plan=plan),
            "can_approve": has_cap(user, Cap.INSPECTION_APPROVE),
            "import_errors": None,
        },
    )


def _plan_actions(
    user: User, plan: InspectionPlan, steps: dict[str, Any], *, can_plan: bool
) -> list[detail.Action]:
    """The header's actions: the plan's next step first (the main button), then the edits."""
    draft = plan.state == PlanState.DRAFT
    announce = reverse("inspections:plan_announce", args=[plan.pk])
    return detail.only(
        (
            can_plan and plan.kind == PlanKind.IMPORTED and draft,
            detail.Action(
                "导入任务清单",
                reverse("inspections:plan_import", args=[plan.pk]),
                "file-earmark-arrow-up",
            ),
        ),
        (
            can_plan and steps.get("announce") == "first",
            detail.Action("发布抽取公告", announce, "megaphone"),
        ),
        (
            can_plan and steps.get("announce") == "redraw",
            detail.Action("发布重新抽取公告", announce, "megaphone"),
        ),
        (
            has_cap(user, Cap.INSPECTION_DRAW) and bool(steps.get("draw")),
            detail.Action("抽取", reverse("inspections:draw_run", args=[plan.pk]), "shuffle"),
        ),
        (
            can_plan and draft,
            detail.Action("修改", reverse("inspections:plan_edit", args=[plan.pk]), "pencil"),
        ),
        (
            can_plan and steps.get("announce") == "again",
            detail.Action(
                "重新公告",
                announce,
                "arrow-repeat",
                confirm="仅当公告后候选名单、检查人员库或抽取参数发生变化（原公告已无法抽取）时"
                "才需要重新公告。继续吗？",
            ),
        ),
    )


@login_required
def plan_strata(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 2 of a new plan (after its basics, before the announcement): its strata."""
    user = acting_user(request, Cap.INSPECTION_PLAN)
    plan = selectors.plan_get(user=user, pk=pk)
    if not PLAN.allows(plan, "add_stratum"):
        messages.info(request, "该计划已公告或已抽取，分层不能再修改。")
        return redirect("inspections:plan_detail", plan.pk)
    return _strata_page(request, user, plan)


def _strata_page(
    request: HttpRequest,
    user: User,
    plan: InspectionPlan,
    *,
    form: StratumForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The strata step; after a refused stratum, with that form: its errors beside its fields
    and the planner's input kept."""
    return render(
        request,
        "inspections/plan_strata.html",
        {
            "plan": plan,
            "strata": selectors.stratum_list(user=user, plan=plan),
            "stratum_form": form or StratumForm(),
        },
        status=status,
    )


@login_required
@require_POST
def stratum_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request, Cap.INSPECTION_PLAN, action=StratumEvents.ADDED)
    plan = selectors.plan_get(user=user, pk=pk)
    form = StratumForm(request.POST)
    if not form.is_valid():
        messages.error(request, "分层信息不完整，请按提示修改。")
        return _strata_page(request, user, plan, form=form, status=400)
    data = form.cleaned_data
    prefixes = [p.strip() for p in data["division_prefix"].split(",") if p.strip()]
    try:
        services.stratum_add(
            actor=user,
            plan=plan,
            key=data["key"]
            or selectors.stratum_key_for(
                user=user,
                plan=plan,
                category_code=data["category"].code,
                grade=data["risk_grade"] or "",
            ),
            category=data["category"],
            risk_grade=data["risk_grade"] or "",
            quota=data["quota"],
            ratio=data["ratio"],
            weighted=data["weighted"],
            filter={"kind": data["kinds"], "division_prefix": prefixes},
        )
    except errors.ValidationFailed as exc:
        feedback.note_error(request, exc)
        form.add_error(None, exc.message)
        return _strata_page(request, user, plan, form=form, status=400)
    messages.success(request, "分层已添加。")
    return redirect("inspections:plan_strata", plan.pk)


@login_required
@require_POST
def stratum_remove(request: HttpRequest, pk: int, stratum_pk: int) -> HttpResponse:
    user = acting_user(request, Cap.INSPECTION_PLAN, action=StratumEvents.REMOVED)
    plan = selectors.plan_get(user=user, pk=pk)
    stratum = selectors.stratum_get(user=user, plan=plan, pk=stratum_pk)
    services.stratum_remove(actor=user, stratum=stratum)
    messages.success(request, "分层已删除。")
    return redirect("inspections:plan_strata", plan.pk)


@login_required
def plan_import(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request, Cap.INSPECTION_PLAN, action=PlanEvents.IMPORTED)
    plan = selectors.plan_get(user=user, pk=pk)
    problems: list[dict[str, Any]] = []
    problem_count = 0
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择要导入的 .xlsx 文件。")
        else:
            try:
                content = import_limits.read_upload(upload)
                count = services.plan_import_tasks(actor=user, plan=plan, content=content)
            except errors.ValidationFailed as exc:
                messages.error(request, exc.message)
                problems = list(exc.details.get("errors", []))
                problem_count = int(exc.details.get("error_count", len(problems)))
            else:
                messages.success(request, f"已导入{count}项任务。")
                return redirect("inspections:plan_detail", plan.pk)
    context = {"plan": plan, "problems": problems, "problem_count": problem_count}
    return render(request, "inspections/plan_import.html", context)


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(services.import_template(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="task-list-template.xlsx"'
    return response


urlpatterns: list[URLPattern] = [
    path("plans/", plan_list, name="plan_list"),
    path("plans/new/", plan_create, name="plan_create"),
    path("plans/import-template.xlsx", import_template, name="plan_import_template"),
    path("plans/<id:pk>/", plan_detail, name="plan_detail"),
    path("plans/<id:pk>/edit/", plan_edit, name="plan_edit"),
    path("plans/<id:pk>/strata/", plan_strata, name="plan_strata"),
    path("plans/<id:pk>/strata/add/", stratum_add, name="stratum_add"),
    path("plans/<id:pk>/strata/<id:stratum_pk>/remove/", stratum_remove, name="stratum_remove"),
    path("plans/<id:pk>/import/", plan_import, name="plan_import"),
]
