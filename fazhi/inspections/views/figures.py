"""Pages: figures of random inspections per year and per plan, each linked to its records."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from fazhi.core import clock, params
from fazhi.core.access import acting_user
from fazhi.inspections.selectors import figures as figure_selectors
from fazhi.inspections.views.items import XLSX


def _year(request: HttpRequest) -> int:
    return params.year(request.GET, default=clock.today().year) or 0


@login_required
def figures_year(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    year = _year(request)
    figures = figure_selectors.year_figures(user=user, year=year)
    years = figure_selectors.years_available(user=user)
    if year not in years:
        years = sorted({*years, year}, reverse=True)
    return render(
        request,
        "inspections/figures_year.html",
        {
            "figures": figures,
            "year": year,
            "years": years,
            "plans": figure_selectors.plans_of_year(user=user, year=year),
        },
    )


@login_required
def figures_plan(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    figures = figure_selectors.plan_figures(user=user, plan_id=pk)
    return render(request, "inspections/figures_plan.html", {"figures": figures, "plan_id": pk})


@login_required
def figures_export(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    year = _year(request)
    response = HttpResponse(figure_selectors.figures_xlsx(user=user, year=year), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''inspection-figures-{year}.xlsx"
    return response


urlpatterns: list[URLPattern] = [
    path("figures/", figures_year, name="figures_year"),
    path("figures/export.xlsx", figures_export, name="figures_export"),
    path("figures/plans/<id:pk>/", figures_plan, name="figures_plan"),
]
