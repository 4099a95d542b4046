"""Pages: the workbench, the deadline calculator, deadline list and detail, the holiday calendar.

Views parse input, call a service or selector, and render. Validation and state errors of an
action come back as a message on the page; permission and scope errors go to the middleware,
which records the denial and renders the error page.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET, require_POST

from fazhi.core import (
    clock,
    detail,
    errors,
    feedback,
    listing,
    params,
    periods,
    rules,
    scope,
    todo,
)
from fazhi.core.access import acting_user
from fazhi.core.audit_events import CalendarEvents, DeadlineEvents
from fazhi.core.calendar import current as current_calendar
from fazhi.core.models import User
from fazhi.core.models.calendar import DayKind
from fazhi.core.models.deadlines import DeadlineState
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap, has_root_cap, require_root_cap
from fazhi.core.selectors import calendar as calendar_selectors
from fazhi.core.selectors import deadlines as deadline_selectors
from fazhi.core.services import calendar as calendar_services
from fazhi.core.services import deadlines as deadline_services
from fazhi.core.workflows import DEADLINE

DATE_RE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:\s*(?:\.\.|~|至|—)\s*(\d{4}-\d{2}-\d{2}))?\s*(.*)")


def _province(user: User) -> str | None:
    return user.organisation.province_code() if user.organisation else None


def parse_date(value: str | None, label: str = "日期") -> dt.date:
    try:
        return params.to_date(value or "", label)
    except errors.InvalidParameter:
        raise errors.ValidationFailed(
            f"{label}无效，请按 YYYY-MM-DD 填写（{params.MIN_DATE}至{params.MAX_DATE}）。",
            code="invalid_date",
        ) from None


def parse_day_lines(text: str) -> tuple[list[dt.date], dict[dt.date, str]]:
    """Lines like "2027-02-05..2027-02-12 春节" or "2027-02-07 春节" -> dates and names."""
    days: list[dt.date] = []
    names: dict[dt.date, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = DATE_RE.fullmatch(line)
        if not match:
            raise errors.ValidationFailed(f"第{number}行无法识别：{line}", code="invalid_date")
        first = parse_date(match.group(1), f"第{number}行的日期")
        last = parse_date(match.group(2), f"第{number}行的日期") if match.group(2) else first
        if last < first or (last - first).days > 31:
            raise errors.ValidationFailed(
                f"第{number}行的日期范围无效：{line}", code="invalid_date"
            )
        day = first
        while day <= last:
            days.append(day)
            if match.group(3):
                names[day] = match.group(3).strip()
            day += dt.timedelta(days=1)
    return days, names


# --- workbench ------------------------------------------------------------------------------


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    today = clock.today()
    board = deadline_selectors.deadline_workbench(user=user, today=today)
    return render(
        request,
        "core/workbench.html",
        {
            "board": board,
            "today": today,
            "sees_all": has_cap(user, Cap.DEADLINE_APPROVE),
            "todos": todo.todo_for(user),
        },
    )


# --- calculator -----------------------------------------------------------------------------


@login_required
@require_GET
def deadline_calculator(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    province = _province(user)
    choices = rules.period_rules(province=province)
    rule_key = request.GET.get("rule_key", "")
    start_text = request.GET.get("start_date", "")
    context: dict[str, Any] = {
        "choices": choices,
        "rule_key": rule_key,
        "start_date": start_text,
        "province": province,
        "province_pack": rules.province_pack_title(province),
    }
    if rule_key or start_text:
        try:
            start = parse_date(start_text, "起算日")
            context["result"] = periods.compute_due(rule_key, start, province=province, trace=True)
        except errors.FazhiError as exc:
            feedback.note_error(request, exc)
            context["error"] = exc
    template = (
        "core/deadline_calculator_result.html"
        if request.headers.get("HX-Request")
        else "core/deadline_calculator.html"
    )
    return render(request, template, context)


# --- deadlines ------------------------------------------------------------------------------


@login_required
@require_GET
def deadline_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.DEADLINE_VIEW, action=DeadlineEvents.DEADLINE_LISTED)
    state = params.choice(request.GET, "state", DeadlineState.values) or ""
    qs = deadline_selectors.deadline_list(
        user=user,
        state=state or None,
        rule_key=request.GET.get("rule_key") or None,
    )
    rows = listing.paginate(request, qs)
    rule_choices = [(r.key, r.title) for r in rules.period_rules(province=_province(user))]
    return render(
        request,
        "core/deadline_list.html",
        {
            "page": rows.page,
            "listing": rows,
            "filters": [
                listing.Filter("state", "状态", state, choices=DeadlineState.choices),
                listing.Filter(
                    "rule_key", "期限种类", request.GET.get("rule_key", ""), choices=rule_choices
                ),
            ],
        },
    )


@login_required
@require_GET
def deadline_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request, Cap.DEADLINE_VIEW, action=DeadlineEvents.DEADLINE_VIEWED)
    deadline = deadline_selectors.deadline_get(user=user, pk=pk)
    try:
        rule: rules.Rule | None = rules.rule(
            deadline.rule_key,
            on=deadline.start_date,
            province=deadline.organisation.province_code(),
        )
    except errors.UnknownRule:
        rule = None
    can_manage = has_cap(user, Cap.DEADLINE_MANAGE)
    can_approve = (
        has_cap(user, Cap.DEADLINE_APPROVE) and periods.extension_rule(deadline) is not None
    )
    # the steps the workflow table offers from this state (a completion waiting for the
    # calendar has none left)
    steps = (
        set() if deadline.met_on else {a.name for a in DEADLINE.available(deadline)} & PAGE_STEPS
    )
    actions = detail.only(
        (can_manage and "complete" in steps, detail.Action("办结", "#step-complete", "check2")),
        (can_manage and "stop" in steps, detail.Action("中止计时", "#step-stop", "pause")),
        (can_manage and "resume" in steps, detail.Action("恢复计时", "#step-resume", "play")),
        (
            can_manage and can_approve and "extend" in steps,
            detail.Action("批准延长", "#step-extend", "calendar-plus"),
        ),
    )
    return render(
        request,
        "core/deadline_detail.html",
        {
            "deadline": deadline,
            "rule": rule,
            "today": clock.today(),
            "can_manage": can_manage,
            "can_approve": can_approve,
            "steps": steps,
            "actions": actions,
        },
    )


# What a user does on the page; the other actions are the system's (refresh, recompute) or a
# domain's (cancel, when its matter is withdrawn).
PAGE_STEPS = {"stop", "resume", "extend", "complete"}


def _run(
    request: HttpRequest, pk: int, action: Callable[[User, Any], Any], done: str
) -> HttpResponse:
    user = acting_user(request)  # the service checks the capability and the scope
    deadline = deadline_selectors.deadline_get(user=user, pk=pk)
    try:
        action(user, deadline)
    except (errors.ValidationFailed, errors.Conflict, errors.UnknownRule) as exc:
        messages.error(request, exc.message)
    except errors.CalendarUnknown as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("core:deadline_detail", pk=pk)


@login_required
@require_POST
def deadline_stop(request: HttpRequest, pk: int) -> HttpResponse:
    return _run(
        request,
        pk,
        lambda user, d: deadline_services.deadline_stop(
            actor=user,
            deadline=d,
            on=parse_date(request.POST.get("on"), "中止日期"),
            reason=request.POST.get("reason", ""),
        ),
        "已中止计时。",
    )


@login_required
@require_POST
def deadline_resume(request: HttpRequest, pk: int) -> HttpResponse:
    return _run(
        request,
        pk,
        lambda user, d: deadline_services.deadline_resume(
            actor=user, deadline=d, on=parse_date(request.POST.get("on"), "恢复日期")
        ),
        "已恢复计时，届满日期已重新计算。",
    )


@login_required
@require_POST
def deadline_extend(request: HttpRequest, pk: int) -> HttpResponse:
    return _run(
        request,
        pk,
        lambda user, d: deadline_services.deadline_extend(
            actor=user, deadline=d, reason=request.POST.get("reason", "")
        ),
        "已批准延长。",
    )


@login_required
@require_POST
def deadline_complete(request: HttpRequest, pk: int) -> HttpResponse:
    return _run(
        request,
        pk,
        lambda user, d: deadline_services.deadline_complete(
            actor=user, deadline=d, on=parse_date(request.POST.get("on"), "完成日期")
        ),
        "已办结。",
    )


# --- holiday calendar -----------------------------------------------------------------------


def _require_calendar_editor(user: User, action: str) -> None:
    """Checked here before the input is parsed, and again by the service."""
    require_root_cap(user, Cap.CALENDAR_MANAGE, action=action, message=scope.CALENDAR_ROOT_ONLY)


@login_required
def calendar_index(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.CALENDAR_MANAGE, action=CalendarEvents.CALENDAR_VIEWED)
    form = {"year": "", "source": "", "holidays": "", "workdays": ""}
    if request.method == "POST":
        _require_calendar_editor(user, CalendarEvents.YEAR_PUBLISHED)
        form = {k: request.POST.get(k, "") for k in form}
        try:
            holidays, names = parse_day_lines(form["holidays"])
            workdays, workday_names = parse_day_lines(form["workdays"])
            year = params.year(form) or 0
            calendar_services.calendar_year_publish(
                actor=user,
                year=year,
                source=form["source"],
                holidays=holidays,
                workdays=workdays,
                names={**names, **workday_names},
            )
        except (errors.ValidationFailed, errors.Conflict) as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{year} 年节假日安排已录入，未办结的期限已重新计算。")
            return redirect("core:calendar_year", year=year)
    years = list(calendar_selectors.calendar_year_list())
    cal = current_calendar()
    counts: dict[int, list[int]] = {}
    for day in cal.holidays | cal.workdays:
        pair = counts.setdefault(day.year, [0, 0])
        pair[0 if day in cal.holidays else 1] += 1
    rows = [(y, counts.get(y.year, [0, 0])) for y in years]
    next_year = (years[0].year + 1) if years else clock.today().year
    return render(
        request,
        "core/calendar_index.html",
        {
            "rows": rows,
            "form": form,
            "next_year": next_year,
            "can_edit": has_root_cap(user, Cap.CALENDAR_MANAGE),
        },
    )


@login_required
@require_POST
def calendar_seed(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    _require_calendar_editor(user, CalendarEvents.CALENDAR_SEEDED)
    try:
        added = calendar_services.calendar_seed_from_package(actor=user)
    except errors.ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"已导入：{'、'.join(map(str, added))}"
            if added
            else "软件包中的年度均已录入，无新增。",
        )
    return redirect("core:calendar")


@login_required
def calendar_year(request: HttpRequest, year: int) -> HttpResponse:
    user = acting_user(request, Cap.CALENDAR_MANAGE, action=CalendarEvents.CALENDAR_VIEWED)
    row = calendar_selectors.calendar_year_list().filter(year=year).first()
    if row is None:
        raise errors.NotFound(f"{year} 年尚未录入。")
    if request.method == "POST":
        _require_calendar_editor(user, CalendarEvents.DAY_SET)
        try:
            day = parse_date(request.POST.get("date"))
            if request.POST.get("delete"):
                calendar_services.calendar_day_delete(actor=user, day=day)
                messages.success(request, f"已删除 {day}。")
            else:
                calendar_services.calendar_day_set(
                    actor=user,
                    day=day,
                    kind=request.POST.get("kind", ""),
                    name=request.POST.get("name", ""),
                )
                messages.success(request, f"已保存 {day}。")
        except (errors.ValidationFailed, errors.NotFound) as exc:
            messages.error(request, exc.message)
        return redirect("core:calendar_year", year=year)
    days = list(calendar_selectors.calendar_day_list(year=year))
    return render(
        request,
        "core/calendar_year.html",
        {
            "year": row,
            "days": days,
            "kinds": DayKind.choices,
            "can_edit": has_root_cap(user, Cap.CALENDAR_MANAGE),
        },
    )


urlpatterns: list[URLPattern] = [
    path("deadlines/calculator/", deadline_calculator, name="deadline_calculator"),
    path("deadlines/", deadline_list, name="deadline_list"),
    path("deadlines/<id:pk>/", deadline_detail, name="deadline_detail"),
    path("deadlines/<id:pk>/stop/", deadline_stop, name="deadline_stop"),
    path("deadlines/<id:pk>/resume/", deadline_resume, name="deadline_resume"),
    path("deadlines/<id:pk>/extend/", deadline_extend, name="deadline_extend"),
    path("deadlines/<id:pk>/complete/", deadline_complete, name="deadline_complete"),
    path("calendar/", calendar_index, name="calendar"),
    path("calendar/seed/", calendar_seed, name="calendar_seed"),
    path("calendar/<year:year>/", calendar_year, name="calendar_year"),
]
