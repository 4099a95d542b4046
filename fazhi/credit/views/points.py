"""Pages: practice points (不良执业行为记分): the entries, the scores of a cycle, recording an
entry, and the threshold alerts with their handling."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fazhi.core import clock, errors, feedback, listing, params
from fazhi.core.access import acting_user
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap
from fazhi.credit import inputs
from fazhi.credit import jobs as credit_jobs
from fazhi.credit.events import PointsEvent
from fazhi.credit.models import AlertState, PointSubject
from fazhi.credit.selectors import credit as selectors
from fazhi.credit.services import points as services
from fazhi.credit.workflows import POINT_ALERT


@login_required
@require_GET
def point_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.CREDIT_VIEW, action=PointsEvent.LISTED)
    cycle = params.year(request.GET, "cycle")
    subject = params.choice(request.GET, "subject", PointSubject.values)
    entity_id = params.object_id(request.GET, "entity")
    entries = selectors.point_entry_list(
        user=user, cycle=cycle, subject=subject, entity_id=entity_id
    )
    entries_listing = listing.paginate(request, entries)
    filters = [
        listing.Filter("cycle", "记分周期（年度）", cycle or "", placeholder="如 2026"),
        listing.Filter("subject", "记分对象", subject or "", choices=PointSubject.choices),
    ]
    entity_name = entity_id and selectors.point_entity_name(user=user, entity_id=entity_id)
    if entity_id and entity_name:  # from the entity page: the one entity, or all
        filters.append(listing.Filter("entity", "医疗机构", entity_id, [(entity_id, entity_name)]))
    return render(
        request,
        "credit/point_list.html",
        {
            "page": entries_listing.page,
            "listing": entries_listing,
            "filters": filters,
            "can_record": has_cap(user, Cap.CREDIT_RECORD),
        },
    )


@login_required
@require_POST
def point_export(request: HttpRequest) -> HttpResponse:
    """Start an Excel export of the filtered entries as a background job (the job page)."""
    user = acting_user(request, Cap.CREDIT_VIEW, action=PointsEvent.EXPORTED)
    job = credit_jobs.points_export_enqueue(
        actor=user,
        filters={
            "cycle": params.year(request.GET, "cycle"),
            "subject": params.choice(request.GET, "subject", PointSubject.values),
            "entity": params.object_id(request.GET, "entity"),
        },
    )
    return redirect("core:job_detail", pk=job.pk)


@login_required
@require_GET
def point_scores(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.CREDIT_VIEW, action=PointsEvent.LISTED)
    cycle = params.year(request.GET, "cycle", default=clock.this_year())
    assert cycle is not None
    subject = params.choice(request.GET, "subject", PointSubject.values)
    scores = selectors.point_scores(user=user, cycle=cycle, subject=subject)
    scores_listing = listing.paginate(request, scores)
    labels = dict(PointSubject.choices)
    return render(
        request,
        "credit/point_scores.html",
        {
            "page": scores_listing.page,
            "listing": scores_listing,
            "rows": [(row, labels[row["subject"]]) for row in scores_listing.page],
            "cycle": cycle,
            "filters": [
                listing.Filter("cycle", "记分周期（年度）", cycle, placeholder="如 2026"),
                listing.Filter("subject", "记分对象", subject or "", choices=PointSubject.choices),
            ],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def point_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.CREDIT_RECORD, action=PointsEvent.RECORDED)
    form = request.POST if request.method == "POST" else request.GET
    subject = params.choice(form, "subject", PointSubject.values) or PointSubject.INSTITUTION
    if request.method == "POST":
        try:
            entity = inputs.entity_named(user, params.object_id(form, "entity"))
            entry = services.points_record(
                actor=user,
                entity=entity,
                subject=subject,
                behaviour=form.get("behaviour", ""),
                case=inputs.case_named(user, params.object_id(form, "case")),
                practitioner_name=form.get("practitioner_name", ""),
                practitioner_number=form.get("practitioner_number", ""),
                on=params.date(form, "on"),
            )
        except (errors.ValidationFailed, errors.Conflict) as exc:
            feedback.error_message(request, exc)
        else:
            messages.success(request, f"已记分：{entry.behaviour}，{entry.points}分。")
            return redirect("credit:point_list")
    organisation = user.organisation
    return render(
        request,
        "credit/point_new.html",
        {
            "subjects": PointSubject.choices,
            "subject": subject,
            "behaviours": services.behaviours(
                subject=subject, organisation=organisation, on=clock.today()
            ),
            "form": form,
            **inputs.picked(user, form),
        },
    )


@login_required
@require_GET
def alert_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.CREDIT_VIEW, action=PointsEvent.ALERT_LISTED)
    state = params.choice(request.GET, "state", AlertState.values)
    cycle = params.year(request.GET, "cycle")
    alerts = selectors.points_alert_list(user=user, state=state, cycle=cycle)
    alerts_listing = listing.paginate(request, alerts)
    can_handle = has_cap(user, Cap.CREDIT_DECIDE)
    return render(
        request,
        "credit/alert_list.html",
        {
            "page": alerts_listing.page,
            "listing": alerts_listing,
            "rows": [
                (alert, can_handle and POINT_ALERT.allows(alert, "handle"))
                for alert in alerts_listing.page
            ],
            "filters": [
                listing.Filter("state", "状态", state or "", choices=AlertState.choices),
                listing.Filter("cycle", "记分周期（年度）", cycle or "", placeholder="如 2026"),
            ],
        },
    )


@login_required
@require_POST
def alert_handle(request: HttpRequest, alert_id: int) -> HttpResponse:
    user = acting_user(request, Cap.CREDIT_DECIDE, action=PointsEvent.ALERT_HANDLED)
    alert = selectors.points_alert_get(user=user, alert_id=alert_id)
    try:
        services.points_alert_handle(
            actor=user, alert=alert, handling=request.POST.get("handling", "")
        )
    except (errors.ValidationFailed, errors.Conflict) as exc:
        feedback.error_message(request, exc)
    else:
        messages.success(request, f"已登记对“{alert.entity.name}”{alert.consequence}的处理情况。")
    return redirect("credit:alert_list")


urlpatterns = [
    path("points/", point_list, name="point_list"),
    path("points/export/", point_export, name="point_export"),
    path("points/scores/", point_scores, name="point_scores"),
    path("points/new/", point_new, name="point_new"),
    path("alerts/", alert_list, name="alert_list"),
    path("alerts/<id:alert_id>/handle/", alert_handle, name="alert_handle"),
]
