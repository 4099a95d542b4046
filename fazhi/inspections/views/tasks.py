"""Pages: inspection tasks. "My tasks" and the task page are phone-sized (掌上执法): one column,
big touch targets, findings saved item by item with htmx."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.views.decorators.http import require_POST

from fazhi.core import clock, detail, errors, listing, params
from fazhi.core.access import acting_user
from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap
from fazhi.core.selectors import org as org_selectors
from fazhi.core.views.files import attachment_response
from fazhi.inspections import jobs as inspection_jobs
from fazhi.inspections.events import TaskEvents
from fazhi.inspections.models import (
    FindingResult,
    InspectionTask,
    OutcomeReason,
    TaskOutcome,
    TaskState,
)
from fazhi.inspections.selectors import plans as plan_selectors
from fazhi.inspections.selectors import pool as pool_selectors
from fazhi.inspections.selectors import tasks as task_selectors
from fazhi.inspections.services import publicity as publicity_services
from fazhi.inspections.services import tasks as task_services
from fazhi.inspections.services import teams as team_services
from fazhi.inspections.workflows import TASK
from fazhi.registry.selectors.entities import category_list

_SOFT_ERRORS = (errors.ValidationFailed, errors.InvalidTransition, errors.Conflict)


class CompleteForm(forms.Form):
    outcome = forms.ChoiceField(choices=TaskOutcome.choices)
    notes = forms.CharField(required=False)
    recheck_date = params.FormDateField(required=False)
    facts = forms.CharField(required=False)
    reason = forms.ChoiceField(choices=[("", ""), *OutcomeReason.choices], required=False)


class RecheckForm(forms.Form):
    on = params.FormDateField()
    passed = forms.TypedChoiceField(
        choices=[("1", "合格"), ("0", "不合格")], coerce=lambda v: v == "1"
    )
    notes = forms.CharField(required=False)
    facts = forms.CharField(required=False)


def _item_rows(task: InspectionTask) -> list[dict[str, Any]]:
    findings = {f.item_id: f for f in task.findings.all()}
    return [
        {"item": item, "finding": findings.get(item.pk)} for item in task_services.task_items(task)
    ]


def _task_actions(task: InspectionTask, context: dict[str, Any]) -> list[detail.Action]:
    """The header's next steps: the same checks that show each step's form on the page."""
    recording = context["can_record"]
    lead = context["case_lead"]
    return detail.only(
        (context["can_assign_team"], detail.Action("确定检查组", "#team-form", "people")),
        (
            recording and task.state == TaskState.ASSIGNED,
            detail.Action("开始检查", "#start-button", "play-circle"),
        ),
        (
            recording and task.state == TaskState.IN_PROGRESS,
            detail.Action("录入检查结果", "#complete-form", "clipboard-check"),
        ),
        (
            recording and context["recheck_due"],
            detail.Action("复查", "#recheck-form", "arrow-repeat"),
        ),
        (
            context["can_publish"] and bool(task.outcome) and not task.published_at,
            detail.Action("公示结果", "#publish-form", "megaphone"),
        ),
        (
            lead is not None and context["can_view_lead"],
            detail.Action(
                "查看案源",
                reverse("enforcement:lead_detail", args=[lead.pk]) if lead else "",
                "folder2-open",
            ),
        ),
    )


def _origin_url(user: User, task: InspectionTask) -> str:
    """The page of the matter a complaint check came from (by the URL convention
    ``<app>:<model>_detail``, no import of that app), for a reader of matters (the matter's page
    checks its scope again); else no link, the label alone."""
    if task.origin_type_id is None or not has_cap(user, Cap.MATTER_VIEW):
        return ""
    origin_type = ContentType.objects.get_for_id(task.origin_type_id)
    try:
        return reverse(f"{origin_type.app_label}:{origin_type.model}_detail", args=[task.origin_id])
    except NoReverseMatch:
        return ""


def _task_context(user: User, task: InspectionTask) -> dict[str, Any]:
    assigned = task_services.is_assigned(user, task)
    can_assign_team = (
        task.draw_id is None
        and TASK.allows(task, "assign_team")
        and has_cap(user, Cap.INSPECTION_PLAN)
    )
    context: dict[str, Any] = {
        "task": task,
        "rows": _item_rows(task),
        "assigned": assigned,
        "can_record": assigned and has_cap(user, Cap.INSPECTION_RECORD),
        "can_publish": has_cap(user, Cap.INSPECTION_PLAN),
        "results": FindingResult.choices,
        "outcomes": TaskOutcome.choices,
        "reasons": OutcomeReason.choices,
        "case_lead": task_selectors.task_case_lead(task),
        "today": clock.today(),
        "tomorrow": clock.today() + dt.timedelta(days=1),
        "State": TaskState,
        "can_assign_team": can_assign_team,
        "team_candidates": task_selectors.team_candidates(user=user, task=task)
        if can_assign_team
        else [],
        "recheck_due": TASK.allows(task, "recheck")
        and task.outcome == TaskOutcome.ORDERED_TO_CORRECT
        and task.rechecked_on is None,
    }
    context["can_view_lead"] = has_cap(user, Cap.CASE_LEAD_VIEW)
    context["origin_url"] = _origin_url(user, task)
    context["actions"] = _task_actions(task, context)
    return context


@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.INSPECTION_RECORD, action=TaskEvents.LISTED)
    tasks = list(task_selectors.my_tasks(user=user, open_only=False))
    today = clock.today()
    open_tasks = [t for t in tasks if t.state in task_selectors.OPEN_STATES]
    rechecks = sorted(
        (
            t
            for t in tasks
            if t.state == TaskState.DONE
            and t.outcome == TaskOutcome.ORDERED_TO_CORRECT
            and t.rechecked_on is None
        ),
        key=lambda t: t.recheck_date or today,
    )
    finished = [t for t in tasks if t.state not in task_selectors.OPEN_STATES][:20]
    return render(
        request,
        "inspections/task_mine.html",
        {"open_tasks": open_tasks, "rechecks": rechecks, "finished": finished, "today": today},
    )


FIGURE_FILTERS = ("finished", "problems", "referred", "case_filed", "joint")


def _task_filters(query: Any) -> dict[str, Any]:
    """The task list's filters from a query string (the page and its export read the same)."""
    return {
        "state": params.choice(query, "state", TaskState.values) or None,
        "outcome": params.choice(query, "outcome", TaskOutcome.values) or None,
        "plan_id": params.object_id(query, "plan"),
        "inspector_id": params.object_id(query, "inspector"),
        "organisation_id": params.object_id(query, "organisation"),
        "year": params.year(query),
        "category": query.get("category") or None,
        "q": (query.get("q") or "").strip()[:100],
        **{name: bool(params.boolean(query, name)) for name in FIGURE_FILTERS},
    }


@login_required
@require_POST
def task_export(request: HttpRequest) -> HttpResponse:
    """Start an export of the filtered list (the list's query string) as a background job."""
    user = acting_user(request)
    job = inspection_jobs.task_export_enqueue(actor=user, filters=_task_filters(request.GET))
    return redirect("core:job_detail", pk=job.pk)


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    query = request.GET
    filters = _task_filters(query)
    state = filters["state"] or ""
    outcome = filters["outcome"] or ""
    plan_id = filters["plan_id"]
    inspector_id = filters["inspector_id"]
    organisation_id = filters["organisation_id"]
    q = filters["q"]
    flags = {name: filters[name] for name in FIGURE_FILTERS}
    tasks = task_selectors.task_list(user=user, **filters)
    rows = listing.paginate(request, tasks)
    plans = [(p.pk, p.title) for p in plan_selectors.plan_list(user=user)[:200]]
    inspectors = [
        (profile.officer_id, f"{profile.officer.name}（{profile.organisation.name}）")
        for profile in pool_selectors.pool_list(user=user)[:500]
    ]
    organisations = [(o.pk, o.name) for o in org_selectors.organisation_list(user=user)]
    bar = [
        listing.Filter("q", "检查对象或任务编号", q, placeholder="名称、代码或任务编号"),
        listing.Filter("plan", "抽查计划", plan_id or "", choices=plans),
        listing.Filter("state", "状态", state, choices=TaskState.choices),
        listing.Filter("outcome", "检查结果", outcome, choices=TaskOutcome.choices),
        listing.Filter("inspector", "检查人员", inspector_id or "", choices=inspectors),
    ]
    if len(organisations) > 1:
        bar.append(
            listing.Filter("organisation", "实施机构", organisation_id or "", choices=organisations)
        )
    figure_labels = {
        "finished": "已完成",
        "problems": "发现问题",
        "referred": "已移送",
        "case_filed": "已立案",
        "joint": "联合抽查",
    }
    narrowed = [label for name, label in figure_labels.items() if flags[name]]
    if year := params.year(query):
        narrowed.insert(0, f"{year}年")
    if category := query.get("category"):
        narrowed.append(_category_name(category))
    return render(
        request,
        "inspections/task_list.html",
        {
            "page": rows.page,
            "listing": rows,
            "filters": bar,
            "narrowed": narrowed,
            "plan_id": plan_id,
            "can_publish": has_cap(user, Cap.INSPECTION_PLAN),
            "can_record": has_cap(user, Cap.INSPECTION_RECORD),
        },
    )


def _category_name(code: str) -> str:
    found = category_list().filter(code=code).values_list("name", flat=True).first()
    return found or "指定专业类别"


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    task = task_selectors.task_get(user=user, pk=pk)
    return render(request, "inspections/task_detail.html", _task_context(user, task))


def _back(pk: int) -> HttpResponse:
    return redirect("inspections:task_detail", pk=pk)


def _again(
    request: HttpRequest, user: User, task: InspectionTask, *, status: int, **extra: Any
) -> HttpResponse:
    """The task page again, in answer to a POST: a confirmation to give or an error to correct,
    with what the user chose kept (``posted``, ``posted_item``)."""
    task = task_selectors.task_get(user=user, pk=task.pk)
    context = {**_task_context(user, task), **extra}
    posted_item = extra.get("posted_item")
    if posted_item is not None:
        for row in context["rows"]:
            if row["item"].pk == posted_item["item"]:
                row["posted"] = posted_item
    return render(request, "inspections/task_detail.html", context, status=status)


@login_required
@require_POST
def task_start(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request, Cap.INSPECTION_RECORD, action=TaskEvents.STARTED)
    task = task_selectors.task_get(user=user, pk=pk)
    window_start = task.plan.window_start
    if (
        TASK.allows(task, "start")
        and clock.today() < window_start
        and request.POST.get("early") != "1"
    ):
        # Before the plan's window: ask first (the page again, with a confirmation).
        return _again(request, user, task, status=200, confirm_start=True)
    try:
        task_services.task_start(actor=user, task=task)
    except _SOFT_ERRORS as exc:
        messages.error(request, exc.message)
    return _back(pk)


@login_required
@require_POST
def task_finding(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    user = acting_user(request, Cap.INSPECTION_RECORD, action=TaskEvents.FINDING_RECORDED)
    task = task_selectors.task_get(user=user, pk=pk)
    item = next((i for i in task_services.task_items(task) if i.pk == item_pk), None)
    if item is None:
        raise errors.NotFound()
    error: errors.FazhiError | None = None
    try:
        task_services.task_record_finding(
            actor=user,
            task=task,
            item=item,
            result=request.POST.get("result", ""),
            note=request.POST.get("note", ""),
        )
    except _SOFT_ERRORS as exc:
        error = exc
    if request.headers.get("HX-Request"):
        task = task_selectors.task_get(user=user, pk=pk)
        row = next(r for r in _item_rows(task) if r["item"].pk == item_pk)
        context = {**_task_context(user, task), "row": row, "error": error}
        if error is not None:  # keep the choice the user made (a 不合格 without its note)
            row["posted"] = {
                "result": request.POST.get("result", ""),
                "note": request.POST.get("note", ""),
            }
        return render(request, "inspections/task_item_row.html", context)
    if error is not None:
        posted_item = {
            "item": item_pk,
            "result": request.POST.get("result", ""),
            "note": request.POST.get("note", ""),
            "error": error.message,
        }
        return _again(request, user, task, status=400, posted_item=posted_item)
    return _back(pk)


@login_required
@require_POST
def task_photo(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request, Cap.INSPECTION_RECORD, action=TaskEvents.PHOTO_ATTACHED)
    task = task_selectors.task_get(user=user, pk=pk)
    upload = request.FILES.get("photo")
    if upload is None:
        messages.error(request, "请选择要上传的照片。")
        return _back(pk)
    try:
        task_services.task_attach_photo(
            actor=user,
            task=task,
            file=upload,
            filename=upload.name or "photo.jpg",
            content_type=upload.content_type or "",
            caption=request.POST.get("caption", ""),
        )
    except _SOFT_ERRORS as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "照片已上传并登记哈希。")
    return _back(pk)


@login_required
def task_photo_file(request: HttpRequest, pk: int, photo_pk: int) -> FileResponse:
    user = acting_user(request)
    task = task_selectors.task_get(user=user, pk=pk)
    photo = next((p for p in task.photos.all() if p.pk == photo_pk), None)
    if photo is None:
        raise errors.NotFound()
    return attachment_response(user=user, pk=photo.attachment_id, inline=True)


@login_required
@require_POST
def task_complete(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request, Cap.INSPECTION_RECORD, action=TaskEvents.COMPLETED)
    task = task_selectors.task_get(user=user, pk=pk)
    form = CompleteForm(request.POST)
    posted = {key: request.POST.get(key, "") for key in CompleteForm.base_fields}
    if not form.is_valid():
        return _again(
            request,
            user,
            task,
            status=400,
            posted=posted,
            complete_error="请选择检查结果并填写正确的日期。",
        )
    data = form.cleaned_data
    if data["outcome"] == TaskOutcome.NOT_INSPECTED and request.POST.get("confirmed") != "1":
        # Closing a task without inspecting it ends it: ask first.
        reason = dict(OutcomeReason.choices).get(data["reason"], "")
        return _again(request, user, task, status=200, posted=posted, confirm_close=reason)
    try:
        task_services.task_complete(
            actor=user,
            task=task,
            outcome=data["outcome"],
            notes=data["notes"],
            recheck_date=data["recheck_date"]
            if data["outcome"] == TaskOutcome.ORDERED_TO_CORRECT
            else None,
            facts=data["facts"] if data["outcome"] == TaskOutcome.REFERRED else "",
            reason=data["reason"] if data["outcome"] == TaskOutcome.NOT_INSPECTED else "",
        )
    except _SOFT_ERRORS as exc:
        return _again(request, user, task, status=400, posted=posted, complete_error=exc.message)
    messages.success(
        request,
        "任务已关闭（未检查）。"
        if data["outcome"] == TaskOutcome.NOT_INSPECTED
        else "检查结果已提交。",
    )
    return _back(pk)


@login_required
@require_POST
def task_recheck(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request, Cap.INSPECTION_RECORD, action=TaskEvents.RECHECKED)
    task = task_selectors.task_get(user=user, pk=pk)
    form = RecheckForm(request.POST)
    posted = {key: request.POST.get(key, "") for key in RecheckForm.base_fields}
    if not form.is_valid():
        return _again(
            request,
            user,
            task,
            status=400,
            recheck=posted,
            recheck_error="请填写复查日期和复查结论。",
        )
    try:
        task_services.task_recheck(actor=user, task=task, **form.cleaned_data)
    except _SOFT_ERRORS as exc:
        return _again(request, user, task, status=400, recheck=posted, recheck_error=exc.message)
    messages.success(request, "复查结果已登记。")
    return _back(pk)


@login_required
@require_POST
def task_team(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request, Cap.INSPECTION_PLAN, action=TaskEvents.TEAM_ASSIGNED)
    task = task_selectors.task_get(user=user, pk=pk)
    ids = [value for value in request.POST.getlist("officers") if params.is_id(value)]
    lead = request.POST.get("lead", "")
    if lead in ids:
        ids.remove(lead)
        ids.insert(0, lead)
    try:
        team_services.task_assign_inspectors(
            actor=user, task=task, officer_ids=[int(i) for i in ids]
        )
    except _SOFT_ERRORS as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "检查组已确定。")
    return _back(pk)


@login_required
@require_POST
def task_publish(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request, Cap.INSPECTION_PLAN, action=TaskEvents.PUBLISHED)
    task = task_selectors.task_get(user=user, pk=pk)
    try:
        publicity_services.task_publish(actor=user, task=task)
    except _SOFT_ERRORS as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "检查结果已在门户网站公示。")
    return _back(pk)


@login_required
@require_POST
def plan_publish(request: HttpRequest, pk: int) -> HttpResponse:
    from fazhi.inspections.selectors.plans import plan_get

    user = acting_user(request, Cap.INSPECTION_PLAN, action=TaskEvents.PUBLISHED)
    plan = plan_get(user=user, pk=pk)
    job = inspection_jobs.plan_publish_results_enqueue(actor=user, plan=plan)
    return redirect("core:job_detail", pk=job.pk)


urlpatterns: list[URLPattern] = [
    path("tasks/", task_list, name="task_list"),
    path("tasks/publish-plan/<id:pk>/", plan_publish, name="task_plan_publish"),
    path("tasks/export/", task_export, name="task_export"),
    path("tasks/mine/", my_tasks, name="task_mine"),
    path("tasks/<id:pk>/", task_detail, name="task_detail"),
    path("tasks/<id:pk>/start/", task_start, name="task_start"),
    path("tasks/<id:pk>/findings/<id:item_pk>/", task_finding, name="task_finding"),
    path("tasks/<id:pk>/photos/", task_photo, name="task_photo"),
    path("tasks/<id:pk>/photos/<id:photo_pk>/", task_photo_file, name="task_photo_file"),
    path("tasks/<id:pk>/complete/", task_complete, name="task_complete"),
    path("tasks/<id:pk>/recheck/", task_recheck, name="task_recheck"),
    path("tasks/<id:pk>/publish/", task_publish, name="task_publish"),
    path("tasks/<id:pk>/team/", task_team, name="task_team"),
]
