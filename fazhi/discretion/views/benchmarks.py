"""Pages: the benchmarks in force and their items, and the officer's assistant."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST

from fazhi.core import clock, detail, errors, listing, params
from fazhi.core.access import acting_user
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap
from fazhi.discretion import engine
from fazhi.discretion import jobs as discretion_jobs
from fazhi.discretion.events import BenchmarkEvent
from fazhi.discretion.forms import AssistForm
from fazhi.discretion.selectors import benchmarks as benchmark_selectors
from fazhi.discretion.services import benchmarks as benchmark_services
from fazhi.discretion.services.benchmarks import tier_rule
from fazhi.registry.selectors import entities as entity_selectors
from fazhi.registry.selectors.entities import EntityFilters
from fazhi.registry.widgets import entity_picker

PAGE_SIZE = 50


@login_required
@require_GET
def benchmark_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.DISCRETION_VIEW, action=BenchmarkEvent.LISTED)
    on = params.date(request.GET, "on")
    show_all = params.boolean(request.GET, "all") or False
    in_force_on = None if show_all else (on or clock.today())
    benchmarks = benchmark_selectors.benchmark_list(user=user, in_force_on=in_force_on)
    benchmarks_listing = listing.paginate(request, benchmarks, default_size=PAGE_SIZE)
    return render(
        request,
        "discretion/benchmark_list.html",
        {
            "page": benchmarks_listing.page,
            "listing": benchmarks_listing,
            "filters": [
                listing.Filter(
                    "on",
                    "施行于",
                    on.isoformat() if on else "",
                    placeholder="默认今天，如 2026-01-01",
                ),
                listing.Filter(
                    "all",
                    "版本",
                    "true" if show_all else "",
                    choices=[("true", "包括已失效和尚未施行的版本")],
                    all_label="仅施行中的版本",
                ),
            ],
            "on": in_force_on,
            "show_all": show_all,
            "can_manage": has_cap(user, Cap.DISCRETION_MANAGE),
        },
    )


def _tier_rows(item: Any) -> list[dict[str, Any]]:
    rows = []
    for tier in item.tiers.all():
        rule = tier_rule(tier)
        rows.append(
            {
                "label": rule.label,
                "conditions": rule.conditions,
                "selected_by": "、".join(engine.circumstance_label(k) for k in rule.requires_all),
                "any_of": "、".join(engine.circumstance_label(k) for k in rule.requires_any),
                "measures": "；".join(rule.measures()),
            }
        )
    return rows


@login_required
@require_GET
def benchmark_detail(request: HttpRequest, benchmark_id: int) -> HttpResponse:
    user = acting_user(request, Cap.DISCRETION_VIEW, action=BenchmarkEvent.VIEWED)
    benchmark = benchmark_selectors.benchmark_get(user=user, benchmark_id=benchmark_id)
    items = [
        (item, _tier_rows(item))
        for item in benchmark_selectors.benchmark_items(benchmark=benchmark)
    ]
    actions = [
        detail.Action(
            "导出为Excel",
            reverse("discretion:benchmark_export", args=[benchmark.pk]),
            "file-earmark-spreadsheet",
            post=True,
        )
    ]
    return render(
        request,
        "discretion/benchmark_detail.html",
        {"benchmark": benchmark, "items": items, "actions": actions},
    )


@login_required
@require_POST
def benchmark_export(request: HttpRequest, benchmark_id: int) -> HttpResponse:
    """Writing the file runs in a background job; the job page offers the download."""
    user = acting_user(request, Cap.DISCRETION_VIEW, action=BenchmarkEvent.EXPORTED)
    job = discretion_jobs.benchmark_export_enqueue(actor=user, benchmark_id=benchmark_id)
    return redirect("core:job_detail", pk=job.pk)


@login_required
@require_GET
def item_assist(request: HttpRequest, item_id: int) -> HttpResponse:
    user = acting_user(request, Cap.DISCRETION_VIEW, action=BenchmarkEvent.PROPOSED)
    item = benchmark_selectors.benchmark_item_get(user=user, item_id=item_id)
    asked = "go" in request.GET
    form = AssistForm(request.GET if asked else None)
    answer = None
    status = 200
    if asked and form.is_valid():
        data = form.cleaned_data
        entity = None
        code = data["entity_code"].strip().upper()
        if data.get("entity"):
            entity = (
                entity_selectors.entity_list(user=user, filters=EntityFilters(active=None))
                .filter(pk=data["entity"])
                .first()
            )
            if entity is None:
                form.add_error("entity", "名录库中没有该检查对象（或不在您的数据范围内）。")
                return _assist_page(request, item, form, None, 400)
        elif code:
            entity = (
                entity_selectors.entity_list(user=user, filters=EntityFilters(active=None))
                .filter(Q(uscc=code) | Q(id_number=code))
                .first()
            )
            if entity is None:
                form.add_error(
                    "entity_code", "名录库中没有该代码的检查对象（或不在您的数据范围内）。"
                )
                return _assist_page(request, item, form, None, 400)
        try:
            answer = benchmark_services.discretion_propose(
                actor=user,
                item=item,
                circumstances=data["circumstances"],
                illegal_gains=data["illegal_gains"],
                amount=data["amount"],
                entity=entity,
            )
        except errors.ValidationFailed as exc:
            form.add_error(
                exc.details.get("field") if exc.details.get("field") in form.fields else None,
                exc.message,
            )
            status = 400
    elif asked:
        status = 400
    return _assist_page(request, item, form, answer, status)


def _assist_page(
    request: HttpRequest, item: Any, form: AssistForm, answer: Any, status: int
) -> HttpResponse:
    picker = entity_picker(attrs={"aria-describedby": "entity-help"})
    form.fields["entity"].widget = picker
    raw = form.data.get("entity") if form.is_bound else None
    if raw and params.is_id(str(raw)):
        chosen = (
            entity_selectors.entity_list(user=request.user, filters=EntityFilters(active=None))
            .filter(pk=int(raw))
            .first()
        )
        if chosen is not None:
            picker.picked(chosen.pk, chosen.name)
    actions = [
        detail.Action(
            "查看基准",
            reverse("discretion:benchmark_detail", args=[item.benchmark_id]),
            "journal-text",
        )
    ]
    return render(
        request,
        "discretion/item_assist.html",
        {
            "item": item,
            "tiers": _tier_rows(item),
            "form": form,
            "answer": answer,
            "actions": actions,
        },
        status=status,
    )


urlpatterns = [
    path("", benchmark_list, name="benchmark_list"),
    path("benchmarks/<id:benchmark_id>/", benchmark_detail, name="benchmark_detail"),
    path("benchmarks/<id:benchmark_id>/export/", benchmark_export, name="benchmark_export"),
    path("items/<id:item_id>/assist/", item_assist, name="item_assist"),
]
