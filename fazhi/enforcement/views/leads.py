"""Pages: case leads (案源): the list in scope, one lead, and the decision not to file one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST

from fazhi.core import detail, errors, feedback, listing, params
from fazhi.core.access import acting_user
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap
from fazhi.enforcement.events import CaseLeadEvent
from fazhi.enforcement.models import CaseLeadState
from fazhi.enforcement.selectors import leads as lead_selectors
from fazhi.enforcement.services import leads as lead_services
from fazhi.enforcement.workflows import CASE_LEAD

PAGE_SIZE = 50


@login_required
@require_GET
def lead_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.CASE_LEAD_VIEW, action=CaseLeadEvent.LISTED)
    state = params.choice(request.GET, "state", CaseLeadState.values)
    leads = lead_selectors.case_lead_list(user=user, state=state)
    leads_listing = listing.paginate(request, leads, default_size=PAGE_SIZE)
    can_decide = has_cap(user, Cap.CASE_LEAD_DECIDE)
    rows = [(lead, can_decide and CASE_LEAD.allows(lead, "dismiss")) for lead in leads_listing.page]
    return render(
        request,
        "enforcement/lead_list.html",
        {
            "page": leads_listing.page,
            "listing": leads_listing,
            "rows": rows,
            "filters": [
                listing.Filter("state", "状态", state or "", choices=CaseLeadState.choices)
            ],
        },
    )


@login_required
@require_GET
def lead_detail(request: HttpRequest, lead_id: int) -> HttpResponse:
    """One lead: where it came from, its facts, and the decision (立案 or 不予立案) when open."""
    user = acting_user(request, Cap.CASE_LEAD_VIEW, action=CaseLeadEvent.VIEWED)
    lead = lead_selectors.case_lead_get(user=user, lead_id=lead_id)
    can_decide = has_cap(user, Cap.CASE_LEAD_DECIDE) and CASE_LEAD.allows(lead, "dismiss")
    case = getattr(lead, "case", None) if has_cap(user, Cap.CASE_VIEW) else None
    actions = detail.only(
        (
            can_decide and has_cap(user, Cap.CASE_DECIDE),
            detail.Action(
                "立案", f"{reverse('enforcement:case_new')}?lead={lead.pk}", "folder-plus"
            ),
        ),
        (can_decide, detail.Action("不予立案", "#step-dismiss", "x-circle", danger=True)),
        (
            case is not None,
            detail.Action(
                "查看案件",
                reverse("enforcement:case_detail", args=[case.pk]) if case else "",
                "folder2-open",
            ),
        ),
    )
    return render(
        request,
        "enforcement/lead_detail.html",
        {"lead": lead, "actions": actions, "can_decide": can_decide, "case": case},
    )


@login_required
@require_POST
def lead_dismiss(request: HttpRequest, lead_id: int) -> HttpResponse:
    user = acting_user(request)
    lead = lead_selectors.case_lead_get(user=user, lead_id=lead_id)
    try:
        lead_services.case_lead_dismiss(
            actor=user, lead=lead, reason=request.POST.get("reason", "")
        )
    except (errors.ValidationFailed, errors.Conflict) as exc:
        feedback.error_message(request, exc)
    else:
        messages.success(request, f"已决定对{lead.entity.name}的案源不予立案。")
    return redirect("enforcement:lead_detail", lead_id=lead.pk)


urlpatterns = [
    path("leads/", lead_list, name="lead_list"),
    path("leads/<id:lead_id>/", lead_detail, name="lead_detail"),
    path("leads/<id:lead_id>/dismiss/", lead_dismiss, name="lead_dismiss"),
]
