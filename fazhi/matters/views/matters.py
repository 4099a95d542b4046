"""Pages: incoming matters (来件): the list, registration, the detail with its next steps,
its clocks and its timeline, and each step as a form post."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fazhi.core import clock, errors, params
from fazhi.core.access import acting_user
from fazhi.core.feedback import error_message
from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap
from fazhi.core.workflow import Workflow
from fazhi.matters.events import MatterEvent
from fazhi.matters.letters import letter_response, reply_letter
from fazhi.matters.models import (
    DISCLOSURE_CHANNELS,
    DISCLOSURE_REPLIES,
    HOTLINE_REPLIES,
    PETITION_CHANNELS,
    PETITION_REPLIES,
    PROPOSAL_KINDS,
    PROPOSAL_REPLIES,
    REPLY_REASONS,
    Category,
    Channel,
    Matter,
    MatterKind,
    MatterState,
    ReplyType,
    RequesterKind,
    Route,
    Satisfaction,
    Urgency,
)
from fazhi.matters.selectors import hotline as hotline_selectors
from fazhi.matters.selectors import matters as matter_selectors
from fazhi.matters.selectors import statistics as statistics_selectors
from fazhi.matters.services import disclosure as disclosure_services
from fazhi.matters.services import petitions as petition_services
from fazhi.matters.services.disclosure import DISCLOSURE_REQUESTERS
from fazhi.matters.services.petitions import PETITION_REQUESTERS
from fazhi.matters.services.satisfaction import (
    matter_record_satisfaction,
    satisfaction_allowed,
)
from fazhi.matters.steps import ACTIONS, home_organisation, run_step, step_of
from fazhi.matters.views.oversight import oversight_context
from fazhi.matters.workflows import workflow_of
from fazhi.registry.selectors.entities import entity_get

PAGE_SIZE = 50


def _labels(values: tuple[str, ...]) -> list[tuple[str, str]]:
    names = dict(Channel.choices) | dict(RequesterKind.choices)
    return [(str(v), str(names.get(v, v))) for v in values]


def _replies_of(kind: str) -> tuple[ReplyType, ...]:
    if kind == MatterKind.PETITION:
        return PETITION_REPLIES
    if kind == MatterKind.HOTLINE:
        return HOTLINE_REPLIES
    return PROPOSAL_REPLIES if kind in PROPOSAL_KINDS else DISCLOSURE_REPLIES


@login_required
@require_GET
def matter_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.MATTER_VIEW, action=MatterEvent.LISTED)
    kind = params.choice(request.GET, "kind", MatterKind.values)
    state = params.choice(request.GET, "state", MatterState.values)
    channel = params.choice(request.GET, "channel", Channel.values)
    year = params.year(request.GET, "year")
    q = (request.GET.get("q") or "").strip()[:50] or None
    owned = bool(params.boolean(request.GET, "owned"))
    matters = matter_selectors.matter_list(
        user=user,
        kind=kind,
        state=state,
        channel=channel,
        year=year,
        q=q,
        owned_by=user if owned else None,
    )
    filters = {"kind": kind, "state": state, "channel": channel, "year": year, "q": q}
    page = Paginator(matters, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "matters/matter_list.html",
        {
            "page": page,
            "filters": {k: ("" if v is None else str(v)) for k, v in filters.items()},
            "kinds": MatterKind.choices,
            "states": MatterState.choices,
            "channels": Channel.choices,
            "can_register": has_cap(user, Cap.MATTER_HANDLE),
        },
    )


# steps offered only when their guards pass too (the table's state alone offers them again)
GUARDED_STEPS = {"inspection"}


def _offered(table: Workflow[Matter], matter: Matter, name: str) -> bool:
    if name not in GUARDED_STEPS:
        return True
    if not any(a.name == name for a in table.available(matter)):
        return False
    try:
        table.check(matter, name)
    except errors.FazhiError:
        return False
    return True


@login_required
@require_GET
def matter_detail(request: HttpRequest, matter_id: int) -> HttpResponse:
    user = acting_user(request, Cap.MATTER_VIEW, action=MatterEvent.VIEWED)
    matter = matter_selectors.matter_get(user=user, matter_id=matter_id)
    table = workflow_of(matter)
    can_handle = has_cap(user, Cap.MATTER_HANDLE)
    is_hotline = matter.kind == MatterKind.HOTLINE
    return render(
        request,
        "matters/matter_detail.html",
        {
            "matter": matter,
            "state_label": table.state_label(matter.state),
            "actions": [
                (a, step_of(matter, a.name).fields)
                for a in table.available(matter)
                if _offered(table, matter, a.name)
            ]
            if can_handle
            else [],
            "deadlines": matter_selectors.matter_deadlines(matter=matter),
            "timeline": matter_selectors.matter_timeline(matter=matter),
            "approvers": matter_selectors.matter_approvers(matter=matter),
            "routes": Route.choices,
            "reply_types": [(str(v), v.label) for v in _replies_of(matter.kind)],
            "proposal": matter.proposal_detail if matter.kind in PROPOSAL_KINDS else None,
            "reasons": [
                (f"{t}:{code}", f"{ReplyType(t).label}：{label}")
                for t, pairs in REPLY_REASONS.items()
                for code, label in pairs
            ],
            "satisfactions": Satisfaction.choices,
            "can_rate": can_handle
            and not is_hotline  # a ticket's satisfaction is its call-back (回访)
            and satisfaction_allowed(matter),
            "entities": hotline_selectors.complaint_entities(matter=matter)
            if can_handle
            and matter.state == MatterState.ACCEPTED
            and matter.kind in (MatterKind.HOTLINE, MatterKind.PETITION)
            else [],
            "categories": hotline_selectors.inspection_categories()
            if can_handle and _offered(table, matter, "inspection")
            else [],
            "can_view_task": has_cap(user, Cap.INSPECTION_VIEW),
            **oversight_context(user, matter),
            "today": clock.today().isoformat(),
        },
    )


@login_required
@require_POST
def matter_step(request: HttpRequest, matter_id: int, action: str) -> HttpResponse:
    user = acting_user(request, Cap.MATTER_HANDLE)
    matter = matter_selectors.matter_get(user=user, matter_id=matter_id)
    data = request.POST.dict()
    if action == "reply" and ":" in data.get("reason", ""):
        data["reason"] = data["reason"].split(":", 1)[1]
    try:
        changed = run_step(actor=user, matter=matter, action=action, data=data)
    except (errors.ValidationFailed, errors.Conflict) as exc:
        messages.error(request, exc.message)
    else:
        label = workflow_of(changed).action(action).label
        messages.success(request, f"已{label}。")
    return redirect("matters:matter_detail", matter_id=matter.pk)


@login_required
@require_POST
def matter_satisfaction(request: HttpRequest, matter_id: int) -> HttpResponse:
    user = acting_user(request, Cap.MATTER_HANDLE)
    matter = matter_selectors.matter_get(user=user, matter_id=matter_id)
    try:
        matter_record_satisfaction(
            actor=user, matter=matter, satisfaction=request.POST.get("satisfaction", "")
        )
    except (errors.ValidationFailed, errors.Conflict) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已登记满意度。")
    return redirect("matters:matter_detail", matter_id=matter.pk)


@login_required
@require_http_methods(["GET", "POST"])
def matter_register(request: HttpRequest, kind: str) -> HttpResponse:
    user = acting_user(request, Cap.MATTER_HANDLE, action=MatterEvent.RECEIVED)
    if kind not in MatterKind.values:
        raise errors.NotFound()
    is_petition = kind == MatterKind.PETITION
    if request.method == "POST":
        data = request.POST
        try:
            if is_petition:
                entity_id = params.object_id(data, "entity")
                matter = petition_services.petition_register(
                    actor=user,
                    organisation=home_organisation(user),
                    channel=data.get("channel", ""),
                    received_on=params.date(data, "received_on"),
                    requester_kind=data.get("requester_kind", ""),
                    requester_name=data.get("requester_name", ""),
                    requester_contact=data.get("requester_contact", ""),
                    headcount=params.integer(data, "headcount", minimum=0) or 1,
                    title=data.get("title", ""),
                    content=data.get("content", ""),
                    category=data.get("category") or Category.OTHER,
                    urgency=data.get("urgency") or Urgency.NORMAL,
                    entity=entity_get(user=user, entity_id=entity_id) if entity_id else None,
                )
            else:
                matter = disclosure_services.disclosure_register(
                    actor=user,
                    organisation=home_organisation(user),
                    channel=data.get("channel", ""),
                    submitted_on=params.date(data, "submitted_on"),
                    confirmed_on=params.date(data, "confirmed_on"),
                    requester_kind=data.get("requester_kind", ""),
                    requester_name=data.get("requester_name", ""),
                    requester_contact=data.get("requester_contact", ""),
                    title=data.get("title", ""),
                    content=data.get("content", ""),
                )
        except errors.ValidationFailed as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已登记。")
            return redirect("matters:matter_detail", matter_id=matter.pk)
    return render(
        request,
        "matters/matter_register.html",
        {
            "kind": kind,
            "kind_label": MatterKind(kind).label,
            "is_petition": is_petition,
            "channels": _labels(PETITION_CHANNELS if is_petition else DISCLOSURE_CHANNELS),
            "requesters": _labels(PETITION_REQUESTERS if is_petition else DISCLOSURE_REQUESTERS),
            "categories": Category.choices,
            "urgencies": Urgency.choices,
            "data": _register_data(request, user),
            "can_pick_entity": has_cap(user, Cap.REGISTRY_VIEW),
        },
    )


def _register_data(request: HttpRequest, user: User) -> dict[str, str]:
    """The form's values: what was posted (kept after an error), or today's date in the date
    fields of a new form; the picked entity's name beside its id, for the picker."""
    if request.method != "POST":
        today = clock.today().isoformat()
        return {"received_on": today, "submitted_on": today}
    data = {key: request.POST.get(key, "") for key in request.POST}
    raw = data.get("entity", "")
    if raw and params.is_id(raw) and has_cap(user, Cap.REGISTRY_VIEW):
        try:
            data["entity_name"] = entity_get(user=user, entity_id=int(raw)).name
        except (errors.NotFound, errors.OutOfScope, errors.PermissionDenied):
            data["entity"] = ""
    return data


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def disclosure_statistics(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.MATTER_VIEW, action=MatterEvent.LISTED)
    year = params.year(request.GET, "year", default=clock.this_year())
    assert year is not None
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            statistics_selectors.disclosure_statistics_xlsx(user=user, year=year),
            content_type=XLSX,
        )
        response["Content-Disposition"] = (
            f"attachment; filename*=UTF-8''disclosure-requests-{year}.xlsx"
        )
        return response
    return render(
        request,
        "matters/disclosure_statistics.html",
        {
            "year": year,
            "headers": statistics_selectors.HEADERS,
            "rows": statistics_selectors.disclosure_statistics(user=user, year=year),
            "appeal_headers": statistics_selectors.APPEAL_HEADERS,
            "appeal_groups": statistics_selectors.disclosure_appeal_statistics(
                user=user, year=year
            ),
        },
    )


@login_required
@require_GET
def matter_reply_letter(request: HttpRequest, matter_id: int) -> HttpResponse:
    """The reply letter (答复书) as .docx, generated on request (decision 0078)."""
    user = acting_user(request, Cap.MATTER_VIEW, action=MatterEvent.VIEWED)
    try:
        letter = reply_letter(user=user, matter_id=matter_id)
    except errors.Conflict as exc:
        error_message(request, exc)
        return redirect("matters:matter_detail", matter_id=matter_id)
    return letter_response(letter)


urlpatterns = [
    path("", matter_list, name="matter_list"),
    path("<id:matter_id>/reply-letter.docx", matter_reply_letter, name="matter_reply_letter"),
    path("statistics/disclosure/", disclosure_statistics, name="disclosure_statistics"),
    path("new/petition/", matter_register, {"kind": "petition"}, name="register_petition"),
    path("new/disclosure/", matter_register, {"kind": "disclosure"}, name="register_disclosure"),
    path("<id:matter_id>/", matter_detail, name="matter_detail"),
    path("<id:matter_id>/satisfaction/", matter_satisfaction, name="matter_satisfaction"),
    *[
        path(f"<id:matter_id>/{action}/", matter_step, {"action": action}, name=f"matter_{action}")
        for action in ACTIONS
    ],
]
