"""Pages: the red and black lists (红黑名单): the list, entry by hand, the detail with its
grounds and next steps (repair application, approval, rejection, removal)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fazhi.core import errors, feedback, listing, params
from fazhi.core.access import acting_user
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap
from fazhi.credit import inputs
from fazhi.credit import jobs as credit_jobs
from fazhi.credit.events import CreditListEvent
from fazhi.credit.models import ListKind, ListState
from fazhi.credit.selectors import credit as selectors
from fazhi.credit.services import lists as services
from fazhi.credit.workflows import AUTOMATIC, CREDIT_LIST

STEPS: dict[str, tuple[Callable[..., Any], Cap]] = {
    "apply_repair": (services.credit_list_apply_repair, Cap.CREDIT_RECORD),
    "approve_repair": (services.credit_list_approve_repair, Cap.CREDIT_DECIDE),
    "reject_repair": (services.credit_list_reject_repair, Cap.CREDIT_DECIDE),
    "remove": (services.credit_list_remove, Cap.CREDIT_DECIDE),
}


@login_required
@require_GET
def list_entries(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.CREDIT_VIEW, action=CreditListEvent.LISTED)
    kind = params.choice(request.GET, "kind", ListKind.values)
    state = params.choice(request.GET, "state", ListState.values)
    q = (request.GET.get("q") or "").strip()[:50] or None
    entries = selectors.credit_list_entries(user=user, kind=kind, state=state, q=q)
    entries_listing = listing.paginate(request, entries)
    return render(
        request,
        "credit/list_entries.html",
        {
            "page": entries_listing.page,
            "listing": entries_listing,
            "filters": [
                listing.Filter("kind", "名单", kind or "", choices=ListKind.choices),
                listing.Filter("state", "状态", state or "", choices=ListState.choices),
                listing.Filter("q", "主体名称", q or ""),
            ],
            "can_enter": has_cap(user, Cap.CREDIT_DECIDE),
        },
    )


@login_required
@require_POST
def list_entries_export(request: HttpRequest) -> HttpResponse:
    """Start an Excel export of the filtered list (the page's query string) as a background job;
    the job page offers the file when it is written."""
    user = acting_user(request, Cap.CREDIT_VIEW, action=CreditListEvent.EXPORTED)
    job = credit_jobs.lists_export_enqueue(
        actor=user,
        filters={
            "kind": params.choice(request.GET, "kind", ListKind.values),
            "state": params.choice(request.GET, "state", ListState.values),
            "q": request.GET.get("q"),
        },
    )
    return redirect("core:job_detail", pk=job.pk)


@login_required
@require_http_methods(["GET", "POST"])
def list_entry_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.CREDIT_DECIDE, action=CreditListEvent.ENTERED)
    form = request.POST if request.method == "POST" else request.GET
    if request.method == "POST":
        try:
            entry = services.credit_list_enter(
                actor=user,
                entity=inputs.entity_named(user, params.object_id(form, "entity")),
                kind=form.get("kind", ""),
                grounds=form.get("grounds", ""),
                basis=form.get("basis", ""),
                case=inputs.case_named(user, params.object_id(form, "case")),
                on=params.date(form, "on"),
            )
        except (errors.ValidationFailed, errors.Conflict) as exc:
            feedback.error_message(request, exc)
        else:
            messages.success(request, f"已列入{entry.get_kind_display()}并公示。")
            return redirect("credit:list_entry_detail", entry.pk)
    return render(
        request,
        "credit/list_entry_new.html",
        {"kinds": ListKind.choices, "form": form, **inputs.picked(user, form)},
    )


@login_required
@require_GET
def list_entry_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    user = acting_user(request, Cap.CREDIT_VIEW, action=CreditListEvent.VIEWED)
    entry = selectors.credit_list_entry_get(user=user, entry_id=entry_id)
    steps = [
        action
        for action in CREDIT_LIST.available(entry)
        if action.name not in AUTOMATIC
        and has_cap(user, STEPS[action.name][1])
        and (action.name != "apply_repair" or entry.kind == ListKind.BLACK)
        and (action.name != "remove" or entry.kind == ListKind.RED)
    ]
    return render(request, "credit/list_entry_detail.html", {"entry": entry, "steps": steps})


@login_required
@require_POST
def list_entry_step(request: HttpRequest, entry_id: int, action: str) -> HttpResponse:
    service, cap = STEPS[action]
    user = acting_user(request, cap, action=CREDIT_LIST.action(action).event)
    entry = selectors.credit_list_entry_get(user=user, entry_id=entry_id)
    try:
        service(
            actor=user,
            entry=entry,
            reason=request.POST.get("reason", ""),
            on=params.date(request.POST, "on"),
        )
    except (errors.ValidationFailed, errors.Conflict) as exc:
        feedback.error_message(request, exc)
    else:
        messages.success(request, f"已{CREDIT_LIST.action(action).label}。")
    return redirect("credit:list_entry_detail", entry.pk)


urlpatterns = [
    path("lists/", list_entries, name="list_entries"),
    path("lists/new/", list_entry_new, name="list_entry_new"),
    path("lists/export/", list_entries_export, name="list_entries_export"),
    path("lists/<id:entry_id>/", list_entry_detail, name="list_entry_detail"),
    *[
        path(
            f"lists/<id:entry_id>/{name}/",
            list_entry_step,
            {"action": name},
            name=f"list_entry_{name}",
        )
        for name in STEPS
    ],
]
