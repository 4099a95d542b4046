"""Pages: deputies' suggestions and CPPCC proposals (建议提案): the list (with its Excel export),
registration of an assigned one, and the year's figures. A matter's detail and steps are the
shared matter pages (``views/matters.py``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from fazhi.core import clock, errors, feedback, listing, params
from fazhi.core.access import acting_user
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap
from fazhi.matters.events import MatterEvent
from fazhi.matters.models import PROPOSAL_KINDS, Category, MatterKind, RequesterKind
from fazhi.matters.models_proposals import HandlingRole
from fazhi.matters.selectors import proposals as proposal_selectors
from fazhi.matters.services import proposals as proposal_services
from fazhi.matters.services.proposals import PROPOSERS
from fazhi.matters.steps import home_organisation
from fazhi.matters.workflows_proposals import ProposalState

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KIND_CHOICES = [(str(k), MatterKind(k).label) for k in PROPOSAL_KINDS]


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


@login_required
@require_GET
def proposal_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.MATTER_VIEW, action=MatterEvent.LISTED)
    kind = params.choice(request.GET, "kind", [str(k) for k in PROPOSAL_KINDS])
    state = params.choice(request.GET, "state", ProposalState.values)
    role = params.choice(request.GET, "role", HandlingRole.values)
    year = params.year(request.GET, "year")
    q = (request.GET.get("q") or "").strip()[:50] or None
    rows = proposal_selectors.proposal_list(
        user=user, kind=kind, state=state, role=role, year=year, q=q
    )
    if request.GET.get("format") == "xlsx":
        export_year = year or clock.this_year()
        return _xlsx(
            proposal_selectors.proposals_xlsx(user=user, year=export_year, qs=rows),
            f"proposals-{export_year}.xlsx",
        )
    rows_listing = listing.paginate(request, rows, default_size=PAGE_SIZE)
    return render(
        request,
        "matters/proposal_list.html",
        {
            "page": rows_listing.page,
            "listing": rows_listing,
            "filters": [
                listing.Filter("kind", "类型", kind or "", choices=KIND_CHOICES),
                listing.Filter("state", "状态", state or "", choices=ProposalState.choices),
                listing.Filter("role", "办理方式", role or "", choices=HandlingRole.choices),
                listing.Filter("year", "交办年份", year or "", placeholder="如 2026"),
                listing.Filter("q", "编号、案由或提出人", q or ""),
            ],
            "can_register": has_cap(user, Cap.MATTER_HANDLE),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_register(request: HttpRequest, kind: str) -> HttpResponse:
    user = acting_user(request, Cap.MATTER_HANDLE, action=MatterEvent.RECEIVED)
    if kind not in PROPOSAL_KINDS:
        raise errors.NotFound()
    if request.method == "POST":
        data = request.POST
        try:
            matter = proposal_services.proposal_register(
                actor=user,
                organisation=home_organisation(user),
                kind=kind,
                reference=data.get("reference", ""),
                session=data.get("session", ""),
                role=data.get("role", ""),
                assigned_on=params.date(data, "assigned_on"),
                requester_kind=data.get("requester_kind", ""),
                requester_name=data.get("requester_name", ""),
                headcount=params.integer(data, "headcount", minimum=0, maximum=100_000) or 1,
                lead_unit=data.get("lead_unit", ""),
                co_units=data.get("co_units", ""),
                title=data.get("title", ""),
                content=data.get("content", ""),
                category=data.get("category") or Category.OTHER,
            )
        except (errors.ValidationFailed, errors.Conflict) as exc:
            feedback.error_message(request, exc)
        else:
            messages.success(request, "已登记。")
            return redirect("matters:matter_detail", matter_id=matter.pk)
    return render(
        request,
        "matters/proposal_register.html",
        {
            "kind": kind,
            "kind_label": MatterKind(kind).label,
            "requesters": [(str(v), RequesterKind(v).label) for v in PROPOSERS[MatterKind(kind)]],
            "roles": HandlingRole.choices,
            "categories": Category.choices,
            "data": request.POST
            if request.method == "POST"
            else {"assigned_on": clock.today().isoformat()},
        },
    )


@login_required
@require_GET
def proposal_figures(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.MATTER_VIEW, action=MatterEvent.LISTED)
    year = params.year(request.GET, "year", default=clock.this_year())
    assert year is not None
    if request.GET.get("format") == "xlsx":
        return _xlsx(
            proposal_selectors.proposals_xlsx(user=user, year=year), f"proposals-{year}.xlsx"
        )
    figures = proposal_selectors.proposal_figures(user=user, year=year)
    return render(
        request,
        "matters/proposal_figures.html",
        {
            "year": year,
            "headers": proposal_selectors.FIGURE_HEADERS,
            "rows": proposal_selectors.figure_rows(figures),
        },
    )


urlpatterns = [
    path("proposals/", proposal_list, name="proposal_list"),
    path("proposals/figures/", proposal_figures, name="proposal_figures"),
    path(
        "proposals/new/suggestion/",
        proposal_register,
        {"kind": "suggestion"},
        name="register_suggestion",
    ),
    path(
        "proposals/new/proposal/", proposal_register, {"kind": "proposal"}, name="register_proposal"
    ),
]
