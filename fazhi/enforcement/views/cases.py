"""Pages: penalty cases. The list in scope with filters, a case with its state, next steps,
deadlines and timeline, the filing form and one form per step (``forms.STEPS``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fazhi.core import clock, errors, feedback, listing, params
from fazhi.core.access import acting_user
from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap, visible_organisations
from fazhi.core.selectors import people
from fazhi.core.selectors.attachments import attachments_for
from fazhi.core.widgets import bootstrap
from fazhi.enforcement import forms as case_forms
from fazhi.enforcement import policy, spot_forms
from fazhi.enforcement.events import CaseEvent
from fazhi.enforcement.models import CaseLeadSource, CaseLeadState, CaseProcedure, CaseState
from fazhi.enforcement.selectors import case_figures as figure_selectors
from fazhi.enforcement.selectors import cases as case_selectors
from fazhi.enforcement.selectors import leads as lead_selectors
from fazhi.enforcement.services import cases as case_services
from fazhi.enforcement.services.case_execution import surcharge_for
from fazhi.enforcement.views import review as review_views
from fazhi.registry.models import Entity
from fazhi.registry.widgets import entity_picker

PAGE_SIZE = 50
REFUSALS = (errors.ValidationFailed, errors.Conflict, errors.UnknownDocumentType)


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.CASE_VIEW, action=CaseEvent.LISTED)
    state = params.choice(request.GET, "state", CaseState.values)
    source = params.choice(request.GET, "source", CaseLeadSource.values)
    procedure = params.choice(request.GET, "procedure", CaseProcedure.values)
    year = params.year(request.GET, "year")
    cases = case_selectors.list_columns(
        case_selectors.penalty_case_list(
            user=user, state=state, source=source, procedure=procedure, year=year
        )
    )
    cases_listing = listing.paginate(request, cases, default_size=PAGE_SIZE, ids_first=True)
    return render(
        request,
        "enforcement/case_list.html",
        {
            "page": cases_listing.page,
            "listing": cases_listing,
            "filters": [
                listing.Filter("state", "状态", state or "", choices=CaseState.choices),
                listing.Filter("source", "案件来源", source or "", choices=CaseLeadSource.choices),
                listing.Filter("procedure", "程序", procedure or "", choices=CaseProcedure.choices),
                listing.Filter("year", "立案年份", year or "", placeholder="如 2026"),
            ],
            "can_file": has_cap(user, Cap.CASE_DECIDE),
            "can_spot": has_cap(user, Cap.CASE_HANDLE),
        },
    )


def named_select(choices: list[tuple[Any, str]]) -> forms.Select:
    """A select of names, searchable (Tom Select) however short the list is today."""
    return forms.Select(
        choices=[("", "请选择"), *choices],
        attrs={"class": "form-select form-select-sm", "data-search": ""},
    )


def _named_choices(form: forms.Form, *, user: User, case: Any) -> forms.Form:
    """A step's fields that take a record (an officer, an approving leader, a preservation)
    become selects of names: the page never asks for, or shows, a record's number."""
    if "officer" in form.fields:
        if "reason" in form.fields:  # a recusal: one of the case's officers
            officers = [
                (link.officer_id, link.officer.name)
                for link in case.case_officers.select_related("officer")
                if not link.recused_on
            ]
        else:
            officers = [
                (o.pk, o.name)
                for o in people.officer_list(user=user, organisation=case.organisation, active=True)
            ]
        form.fields["officer"].widget = named_select(officers)
    if "approved_by" in form.fields:
        leaders = [
            (u.pk, u.display_name)
            for u in people.user_list(user=user, active=True)
            if has_cap(u, Cap.CASE_DECIDE)
            and u.organisation is not None
            and case.organisation.path.startswith(u.organisation.path)
        ]
        form.fields["approved_by"].widget = named_select(leaders)
    if "item" in form.fields:
        if has_cap(user, Cap.DISCRETION_VIEW):
            form.fields["item"].widget = named_select(benchmark_item_choices(user))
        else:
            del form.fields["item"]
    if "preservation" in form.fields:
        open_ones = [
            (p.pk, f"{p.registered_on:%Y-%m-%d}登记：{p.items[:30]}")
            for p in case.preservations.all()
            if not p.decided_on
        ]
        form.fields["preservation"].widget = named_select(open_ones)
    return form


def benchmark_item_choices(user: User) -> list[tuple[Any, str]]:
    """The items of the benchmarks in force today, by name (the discretion assistant's list)."""
    from fazhi.discretion.selectors.benchmarks import benchmark_items, benchmark_list

    return [
        (item.pk, f"{benchmark.title}：{item.violation}")
        for benchmark in benchmark_list(user=user, in_force_on=clock.today())
        for item in benchmark_items(benchmark=benchmark)
    ]


def _filing_choices(form: forms.Form, *, user: User) -> None:
    """The filing form names its lead, organisation and handler (selects by name, not numbers)."""
    leads = (
        [
            (lead.pk, f"{lead.entity.name}：{lead.facts[:30]}")
            for lead in lead_selectors.case_lead_list(user=user, state=CaseLeadState.NEW)
        ]
        if has_cap(user, Cap.CASE_LEAD_VIEW)
        else []
    )
    form.fields["lead"].widget = named_select(leads)
    organisation_choices(form, user=user)
    for name in ("act_ended_on", "filed_on"):
        form.fields[name].widget = past_date_input()
    form.fields["facts"].widget.attrs["rows"] = 4
    party_picker(form, user=user, help_text="按名称或统一社会信用代码搜索；按案源立案时不填")
    handler_choices(form, user=user)


def past_date_input() -> forms.DateInput:
    """The browser's date picker (not typed text), up to today."""
    return forms.DateInput(
        format="%Y-%m-%d", attrs={"type": "date", "max": clock.today().isoformat()}
    )


def organisation_choices(form: forms.Form, *, user: User) -> None:
    """The organisations in the user's scope, by name."""
    form.fields["organisation"].widget = named_select(
        [(o.pk, o.name) for o in visible_organisations(user).order_by("path")]
    )


def party_picker(form: forms.Form, *, user: User, help_text: str) -> None:
    """The form's ``entity`` as the directory's picker, keeping the posted (scoped) choice."""
    picker = entity_picker()
    form.fields["entity"].widget = picker
    form.fields["entity"].label = "当事人"
    form.fields["entity"].help_text = help_text
    raw = form.data.get("entity") if form.is_bound else form.initial.get("entity")
    if raw and params.is_id(str(raw)):
        chosen = (
            Entity.objects.filter(pk=int(raw), organisation__in=visible_organisations(user))
            .only("name")
            .first()
        )
        if chosen is not None:
            picker.picked(chosen.pk, chosen.name)


def handler_choices(form: forms.Form, *, user: User) -> None:
    """The form's ``handler`` (主办人): the users in scope who may handle cases, by name."""
    form.fields["handler"].widget = named_select(
        [
            (u.pk, f"{u.display_name}（{u.organisation.name if u.organisation else ''}）")
            for u in people.user_list(user=user, active=True)
            if has_cap(u, Cap.CASE_HANDLE)
        ]
    )


@login_required
@require_GET
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    user = acting_user(request, Cap.CASE_VIEW, action=CaseEvent.VIEWED)
    case = case_selectors.penalty_case_detail(user=user, case_id=case_id)
    steps = [
        (
            step,
            _named_choices(step.form(auto_id=f"{step.name}-%s"), user=user, case=case),
            reverse(f"enforcement:case_{step.name}", args=[case.pk]),
        )
        for step in case_forms.offered(case)
        if has_cap(user, step.cap)
    ]
    return render(
        request,
        "enforcement/case_detail.html",
        {
            "case": case,
            "steps": steps,
            "officers": case.case_officers.select_related("officer"),
            "preservations": case.preservations.all(),
            "deadlines": case_selectors.case_deadlines(case),
            "timeline": case_selectors.case_timeline(case),
            "decision_changes": case_selectors.case_decision_changes(case),
            "review_reasons": policy.legal_review_reasons(case),
            "deliberation_reasons": policy.deliberation_reasons(case),
            "challenges": case.challenges.all(),
            "evidence": attachments_for(user=user, subject=case),
            "can_add_evidence": has_cap(user, Cap.CASE_HANDLE)
            and case.state in case_services.EVIDENCE_STATES,
            "file_problems": (
                policy.completeness_problems(case) if case.state == CaseState.CLOSED else []
            ),
            "surcharge": (
                surcharge_for(case, clock.today()) if case.state == CaseState.SERVED else None
            ),
            **review_views.case_section(user, case),
        },
    )


@login_required
@require_POST
def case_step(request: HttpRequest, case_id: int, step: str) -> HttpResponse:
    found = case_forms.STEPS[step]
    user = acting_user(request, found.cap, action=case_forms.step_event(found))
    case = case_selectors.penalty_case_get(user=user, case_id=case_id)
    form = found.form(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
    else:
        try:
            found.call(user, case, form.cleaned_data)
        except REFUSALS as exc:
            feedback.error_message(request, exc)
        else:
            messages.success(request, f"已{found.label}。")
    return redirect("enforcement:case_detail", case_id=case.pk)


@login_required
@require_POST
def case_evidence(request: HttpRequest, case_id: int) -> HttpResponse:
    user = acting_user(request, Cap.CASE_HANDLE, action="attachment.linked")
    case = case_selectors.penalty_case_get(user=user, case_id=case_id)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "请选择要上传的证据文件。")
    else:
        try:
            case_services.case_evidence_add(
                actor=user,
                case=case,
                file=upload,
                filename=upload.name or "证据",
                content_type=upload.content_type or "",
            )
        except REFUSALS as exc:
            feedback.error_message(request, exc)
        else:
            messages.success(request, "已上传证据材料。")
    return redirect("enforcement:case_detail", case_id=case.pk)


def _form_errors(form: Any) -> str:
    parts = []
    for name, errs in form.errors.items():
        label = f"{form.fields[name].label}：" if name in form.fields else ""
        parts += [f"{label}{err}" for err in errs]
    return "；".join(parts)


def file_from_form(user: User, data: dict[str, Any]) -> Any:
    """Filing from the form's cleaned data: the ids are read in the user's scope."""
    lead = (
        lead_selectors.case_lead_get(user=user, lead_id=data["lead"]) if data.get("lead") else None
    )
    organisation = lead.organisation if lead else user.organisation
    if not lead and data.get("organisation"):
        organisation = visible_organisations(user).filter(pk=data["organisation"]).first()
    if organisation is None:
        raise errors.ValidationFailed("您不属于任何机构。", code="no_organisation")
    entity = spot_forms.scoped_entity(user, data["entity"]) if data.get("entity") else None
    handler = User.objects.filter(pk=data["handler"]).first()
    if handler is None:
        raise errors.ValidationFailed("没有该主办人。", code="bad_handler", field="handler")
    return case_services.case_file(
        actor=user,
        organisation=organisation,
        handler=handler,
        cause=data["cause"],
        act_ended_on=data["act_ended_on"],
        lead=lead,
        entity=entity,
        source=data.get("source") or "",
        facts=data.get("facts") or "",
        filed_on=data.get("filed_on"),
        life_or_health_harm=bool(data.get("life_or_health_harm")),
        complex_case=bool(data.get("complex_case")),
        serious_violation=bool(data.get("serious_violation")),
        major_public_interest=bool(data.get("major_public_interest")),
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.CASE_DECIDE, action=CaseEvent.FILED)
    initial = {
        "lead": params.object_id(request.GET, "lead"),
        "entity": params.object_id(request.GET, "entity"),
    }
    form = case_forms.FileForm(request.POST or None, initial=initial)
    _filing_choices(form, user=user)
    bootstrap(form)
    if request.method == "POST" and form.is_valid():
        try:
            case = file_from_form(user, form.cleaned_data)
        except REFUSALS as exc:
            feedback.error_message(request, exc)
        else:
            messages.success(request, f"已立案：{case.cause}。")
            return redirect("enforcement:case_detail", case_id=case.pk)
    return render(request, "enforcement/case_new.html", {"form": form})


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def case_figures(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.CASE_VIEW, action=CaseEvent.LISTED)
    year = params.year(request.GET, default=clock.today().year) or clock.today().year
    figures = figure_selectors.case_figures(user=user, year=year)
    return render(
        request,
        "enforcement/case_figures.html",
        {
            "figures": figures,
            "year": year,
            "filters": [listing.Filter("year", "年份", year, placeholder="如 2026")],
            "columns": [label for _, label in figure_selectors.COLUMNS],
            "definitions": figure_selectors.DEFINITIONS,
        },
    )


@login_required
@require_GET
def case_figures_export(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.CASE_VIEW, action=CaseEvent.LISTED)
    year = params.year(request.GET, default=clock.today().year) or clock.today().year
    response = HttpResponse(
        figure_selectors.case_figures_xlsx(user=user, year=year), content_type=XLSX
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''case-figures-{year}.xlsx"
    return response


urlpatterns = [
    path("cases/", case_list, name="case_list"),
    path("cases/figures/", case_figures, name="case_figures"),
    path("cases/figures/export.xlsx", case_figures_export, name="case_figures_export"),
    path("cases/new/", case_new, name="case_new"),
    path("cases/<id:case_id>/", case_detail, name="case_detail"),
    path("cases/<id:case_id>/evidence/", case_evidence, name="case_evidence"),
    *(
        path(f"cases/<id:case_id>/{name}/", case_step, {"step": name}, name=f"case_{name}")
        for name in case_forms.STEPS
    ),
]
