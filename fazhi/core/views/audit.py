"""Pages: the audit chain (审计记录) — the filtered list, one event, an object's history — and
the download of a stored attachment."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from fazhi.core import events as vocabulary
from fazhi.core import listing, params
from fazhi.core.access import acting_user
from fazhi.core.audit_events import AuditChainEvents
from fazhi.core.roles import Cap
from fazhi.core.selectors import audit as audit_selectors
from fazhi.core.views.files import attachment_response

PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    # Chinese choices; the field stays a text field so that a link may still name an event's
    # prefix ("inspection_plan.") or an older name.
    action = forms.CharField(label="动作", required=False, max_length=80)
    object_type = forms.CharField(label="对象类型", required=False, max_length=80)
    object_id = forms.CharField(
        label="对象编号", required=False, max_length=64, widget=forms.HiddenInput
    )
    actor = forms.CharField(label="操作人", required=False, max_length=150)
    date_from = params.FormDateField(
        label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = params.FormDateField(
        label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        actions = sorted(((e.value, e.label) for e in vocabulary.all_events()), key=lambda c: c[1])
        self.fields["action"].widget = forms.Select(choices=[("", "全部"), *actions])
        self.fields["object_type"].widget = forms.Select(
            choices=[("", "全部"), *audit_selectors.object_type_choices()]
        )
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", f"{css} form-control-sm")


def _label_events(rows: Any) -> None:
    """Each event gets its object's title and its organisation's name (no codes on screen)."""
    labels = audit_selectors.audit_labels(rows)
    for event in rows:
        key = f"{event.object_type}:{event.object_id}"
        event.object_title = labels["objects"].get(key, "")
        event.organisation_name = labels["organisations"].get(event.organisation_id, "")


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v not in ("", None)}
    user = acting_user(request, Cap.AUDIT_VIEW, action=AuditChainEvents.EVENT_LISTED)
    events = audit_selectors.audit_event_list(user=user, **filters)
    if form.is_bound and not form.is_valid():
        events = events.none()
    rows = listing.paginate(request, events, default_size=PAGE_SIZE)
    _label_events(rows.page.object_list)
    template = (
        "core/audit_rows.html" if request.headers.get("HX-Request") else "core/audit_list.html"
    )
    return render(request, template, {"form": form, "page": rows.page, "listing": rows})


@login_required
def audit_detail(request: HttpRequest, seq: int) -> HttpResponse:
    user = acting_user(request, Cap.AUDIT_VIEW, action=AuditChainEvents.EVENT_VIEWED)
    event = audit_selectors.audit_event_get(user=user, seq=seq)
    _label_events([event])
    return render(request, "core/audit_detail.html", {"event": event, "actions": []})


@login_required
def audit_object_history(request: HttpRequest, object_type: str, object_id: str) -> HttpResponse:
    """The history partial by URL, for pages that load it with htmx."""
    user = acting_user(request, Cap.AUDIT_VIEW, action=AuditChainEvents.EVENT_LISTED)
    events = audit_selectors.audit_event_list(
        user=user, object_type=object_type, object_id=object_id
    ).order_by("seq")
    return render(request, "core/audit_object_history.html", {"events": events, "can_open": True})


@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """A stored attachment, scoped like every read (another district's file is "not found")."""
    return attachment_response(user=acting_user(request), pk=pk)


urlpatterns: list[URLPattern] = [
    path("audit/", audit_list, name="audit_list"),
    path("audit/<id:seq>/", audit_detail, name="audit_detail"),
    path(
        "audit/history/<str:object_type>/<str:object_id>/",
        audit_object_history,
        name="audit_object_history",
    ),
    path("attachments/<id:pk>/", attachment_download, name="attachment_download"),
]
