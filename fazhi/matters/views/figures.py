"""Page: the figures of incoming matters for a year (by channel, category, outcome and
timeliness, each with its definition) and their Excel export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from fazhi.core import clock, params
from fazhi.core.access import acting_user
from fazhi.core.roles import Cap
from fazhi.matters.events import MatterEvent
from fazhi.matters.models import MatterKind
from fazhi.matters.selectors import figures as figure_selectors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def matter_figures(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.MATTER_VIEW, action=MatterEvent.LISTED)
    year = params.year(request.GET, "year", default=clock.this_year())
    assert year is not None
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            figure_selectors.figures_xlsx(user=user, year=year), content_type=XLSX
        )
        response["Content-Disposition"] = content_disposition_header(True, f"来件统计-{year}.xlsx")
        return response
    sections = [
        (
            MatterKind(kind).label,
            figure_selectors.matter_counts(user=user, year=year, kind=kind),
            figure_selectors.timeliness(user=user, year=year, kind=kind),
        )
        for kind in figure_selectors.FIGURE_KINDS
    ]
    return render(request, "matters/figures.html", {"year": year, "sections": sections})


urlpatterns = [path("statistics/figures/", matter_figures, name="matter_figures")]
