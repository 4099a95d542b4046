"""Public pages (一公开): no login, read only, through the portal's public selectors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import URLPattern, path

from fazhi.core import clock, errors, params
from fazhi.core.models import Organisation
from fazhi.credit.models import ListKind
from fazhi.credit.selectors.credit import public_list_entries
from fazhi.enforcement.selectors import publicity as decisions
from fazhi.inspections import drawengine
from fazhi.portal import selectors
from fazhi.portal.masking import mask_text

PAGE_SIZE = 50


def _organisation_id(request: HttpRequest) -> int | None:
    return params.object_id(request.GET, "org")


def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/index.html",
        {
            "plans": selectors.public_plans()[:10],
            "results": [
                {"task": task, "entity_name": selectors.public_entity_name(task.entity)}
                for task in selectors.public_results()[:10]
            ],
        },
    )


def plan_list(request: HttpRequest) -> HttpResponse:
    organisation_id = _organisation_id(request)
    page = Paginator(selectors.public_plans(organisation_id=organisation_id), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "portal/plan_list.html",
        {
            "page": page,
            "organisations": Organisation.objects.filter(is_active=True).order_by("path"),
            "org": organisation_id,
        },
    )


def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.public_plan(pk=pk)
    return render(
        request,
        "portal/plan_detail.html",
        {"plan": plan, "stratum_names": selectors.public_stratum_labels(plan)},
    )


def draw_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    draw = selectors.public_draw(plan_pk=pk, number=number)
    tasks = [
        {
            "task": task,
            "entity_name": selectors.public_entity_name(task.entity),
            "entity_code": selectors.public_entity_code(task.entity),
        }
        for task in selectors.public_draw_tasks(draw)
    ]
    return render(
        request,
        "portal/draw_detail.html",
        {
            "draw": draw,
            "tasks": tasks,
            "stratum_names": selectors.public_stratum_labels(draw.plan),
            "names_pending": selectors.public_draw_names_pending(draw),
        },
    )


def draw_export(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    draw = selectors.public_draw(plan_pk=pk, number=number)
    body = json.dumps(selectors.public_draw_export(draw), ensure_ascii=False, indent=1)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="draw-{draw.plan_id}-{draw.number}.json"'
    )
    return response


_DOWNLOADS = {
    "verify_draw.py": ("scripts", "verify_draw.py"),
    "draw-export.schema.json": ("docs", "draw-export.schema.json"),
    "draw-export-2.schema.json": ("docs", "draw-export-2.schema.json"),
    "draw-protocol.md": ("docs", "draw-protocol.md"),
}
_CONTENT_TYPES = {
    ".py": "text/x-python",
    ".json": "application/schema+json",
    ".md": "text/markdown",
}


def download(request: HttpRequest, name: str) -> HttpResponseBase:
    """The draw engine and the standalone verify script, for anyone who wants to recompute."""
    if name == "drawengine.zip":  # the engine package, zipped on request (decision 0058)
        response = HttpResponse(drawengine.package_zip(), content_type="application/zip")
        response["Content-Disposition"] = 'attachment; filename="drawengine.zip"'
        return response
    parts = _DOWNLOADS.get(name)
    if parts is None:
        raise errors.NotFound()
    file = Path(settings.BASE_DIR).joinpath(*parts)
    if not file.is_file():
        raise errors.NotFound("文件缺失。")
    return FileResponse(
        file.open("rb"),
        as_attachment=True,
        filename=name,
        content_type=f"{_CONTENT_TYPES[file.suffix]}; charset=utf-8",
    )


def verify_page(request: HttpRequest) -> HttpResponse:
    """The browser verifier: the citizen opens an export file and it is checked locally."""
    return render(request, "portal/verify_draw.html")


def result_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    organisation_id = _organisation_id(request)
    page = Paginator(
        selectors.public_results(q=q, organisation_id=organisation_id), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    rows = [
        {
            "task": task,
            "entity_name": selectors.public_entity_name(task.entity),
            "entity_code": selectors.public_entity_code(task.entity),
        }
        for task in page.object_list
    ]
    return render(
        request,
        "portal/result_list.html",
        {"page": page, "rows": rows, "q": q, "retention": selectors.retention()},
    )


def entity_results(request: HttpRequest, pk: int) -> HttpResponse:
    entity, results = selectors.public_entity_results(entity_id=pk)
    return render(
        request,
        "portal/entity_results.html",
        {
            "entity": entity,
            "entity_name": selectors.public_entity_name(entity),
            "entity_code": selectors.public_entity_code(entity),
            "results": results,
            "today": clock.today(),
        },
    )


def credit_lists(request: HttpRequest) -> HttpResponse:
    """The red and black lists while an entry is listed (a pending repair application keeps it
    published); a natural person's name, id number and personal data in the grounds masked."""
    kind = params.choice(request.GET, "kind", ListKind.values)
    page = Paginator(public_list_entries(kind=kind), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "entry": entry,
            "entity_name": selectors.public_entity_name(entry.entity),
            "entity_code": selectors.public_entity_code(entry.entity),
            "grounds": mask_text(
                entry.grounds.replace(entry.entity.name, selectors.public_entity_name(entry.entity))
                if entry.entity.is_individual
                else entry.grounds
            ),
        }
        for entry in page.object_list
    ]
    return render(
        request,
        "portal/credit_lists.html",
        {"page": page, "rows": rows, "kind": kind or "", "kinds": ListKind.choices},
    )


def _public_text(text: str, entity_name: str, is_individual: bool, masked_name: str) -> str:
    if is_individual and entity_name:
        text = text.replace(entity_name, masked_name)
    return mask_text(text)


def _decision_row(case: Any) -> dict[str, Any]:
    name = selectors.public_entity_name(case.entity)
    return {
        "case": case,
        "entity_name": name,
        "entity_code": selectors.public_entity_code(case.entity),
        "penalty": decisions.penalty_text(case),
        "cause": _public_text(case.cause, case.entity.name, case.entity.is_individual, name),
    }


def decision_list(request: HttpRequest) -> HttpResponse:
    """行政处罚决定公示: published decisions not withdrawn, newest first (decision 0082)."""
    q = request.GET.get("q", "").strip()[: decisions.Q_MAX]
    organisation_id = _organisation_id(request)
    page = Paginator(
        decisions.public_decisions(q=q, organisation_id=organisation_id), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/decision_list.html",
        {"page": page, "rows": [_decision_row(case) for case in page.object_list], "q": q},
    )


def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = decisions.public_decision(pk=pk)
    row = _decision_row(case)
    row["facts"] = _public_text(
        case.facts, case.entity.name, case.entity.is_individual, row["entity_name"]
    )
    return render(request, "portal/decision_detail.html", row)


urlpatterns: list[URLPattern] = [
    path("", index, name="index"),
    path("plans/", plan_list, name="plan_list"),
    path("plans/<id:pk>/", plan_detail, name="plan_detail"),
    path("plans/<id:pk>/draws/<id:number>/", draw_detail, name="draw_detail"),
    path("plans/<id:pk>/draws/<id:number>/export.json", draw_export, name="draw_export"),
    path("downloads/<str:name>", download, name="download"),
    path("verify/", verify_page, name="verify"),
    path("results/", result_list, name="result_list"),
    path("results/entities/<id:pk>/", entity_results, name="entity_results"),
    path("credit/", credit_lists, name="credit_lists"),
    path("decisions/", decision_list, name="decision_list"),
    path("decisions/<id:pk>/", decision_detail, name="decision_detail"),
]
