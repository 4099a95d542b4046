"""Pages: officers and their enforcement credentials."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST

from fazhi.core import clock, detail, errors, params
from fazhi.core.access import acting_user
from fazhi.core.audit_events import OfficerEvents
from fazhi.core.models import (
    Credential,
    Department,
    Organisation,
    User,
)
from fazhi.core.models.org import CredentialState
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap
from fazhi.core.selectors import org as org_selectors
from fazhi.core.selectors import people as people_selectors
from fazhi.core.services import people as people_services
from fazhi.core.views._orgadmin import (
    OrgChoice,
    bootstrap,
    form_page,
    paginate,
    show_error,
)
from fazhi.core.workflows import CREDENTIAL

# --- officers and credentials --------------------------------------------------------------------


class OfficerForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    organisation = OrgChoice(label="所属机构", queryset=Organisation.objects.none())
    department = forms.ModelChoiceField(
        label="科室", queryset=Department.objects.none(), required=False
    )
    title = forms.CharField(label="职务", max_length=50, required=False)
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    user = forms.ModelChoiceField(label="登录账号", queryset=User.objects.none(), required=False)
    has_legal_qualification = forms.BooleanField(label="具有法律职业资格", required=False)
    is_active = forms.BooleanField(label="在岗", required=False, initial=True)

    def __init__(self, *args: Any, user: User, editing: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = org_selectors.organisation_list(  # type: ignore[attr-defined]
            user=user, include_inactive=False
        )
        self.fields["department"].queryset = org_selectors.department_list(user=user)  # type: ignore[attr-defined]
        self.fields["user"].queryset = people_selectors.user_list(user=user, active=True)  # type: ignore[attr-defined]
        if editing:
            del self.fields["organisation"]
        else:
            del self.fields["is_active"]
        bootstrap(self)


@login_required
def officer_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.ORG_VIEW, action=OfficerEvents.OFFICER_LISTED)
    q = request.GET.get("q", "").strip()
    show = request.GET.get("show", "")
    today = clock.today()
    officers = people_selectors.officer_list(user=user, q=q or None)
    if show == "attention":
        officers = officers.filter(pk__in=_needs_attention(user, today))
    rows_listing = paginate(request, officers)
    page = rows_listing.page
    rows = [
        (officer, people_selectors.credential_standing(officer, today=today)) for officer in page
    ]
    return render(
        request,
        "core/officer_list.html",
        {
            "page": page,
            "listing": rows_listing,
            "rows": rows,
            "q": q,
            "show": show,
            "today": today,
            "can_manage": has_cap(user, Cap.ORG_MANAGE),
            "warn_days": people_selectors.EXPIRY_WARNING_DAYS,
        },
    )


def _needs_attention(user: User, today: Any) -> Any:
    """Officers without a credential valid beyond the warning window (expiring, expired, none,
    suspended or revoked), as a subquery of ids."""
    covered = people_selectors.credential_list(user=user, state=CredentialState.VALID).filter(
        issued_on__lte=today,
        expires_on__gt=today + dt.timedelta(days=people_selectors.EXPIRY_WARNING_DAYS),
    )
    return (
        people_selectors.officer_list(user=user)
        .exclude(pk__in=covered.values("officer_id"))
        .values("pk")
    )


# The header badge's colour for a credential standing (``credential_standing().css``).
STANDING_TONES = {"ok": "success", "expiring": "warning", "expired": "danger", "none": "danger"}


@login_required
def officer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request, Cap.ORG_VIEW, action=OfficerEvents.OFFICER_VIEWED)
    officer = people_selectors.officer_get(user=user, pk=pk)
    today = clock.today()
    standing = people_selectors.credential_standing(officer, today=today)
    return render(
        request,
        "core/officer_detail.html",
        {
            "officer": officer,
            "standing": standing,
            # each credential with the steps its state allows (workflows.CREDENTIAL)
            "credentials": [(c, CREDENTIAL.available(c)) for c in officer.credentials.all()],
            "can_manage": has_cap(user, Cap.ORG_MANAGE),
            "standing_tone": STANDING_TONES.get(standing.css, "secondary"),
            "actions": detail.only(
                (
                    has_cap(user, Cap.ORG_MANAGE),
                    detail.Action(
                        "登记执法证",
                        reverse("core:credential_issue", args=[officer.pk]),
                        "person-vcard",
                    ),
                ),
                (
                    has_cap(user, Cap.ORG_MANAGE),
                    detail.Action(
                        "编辑", reverse("core:officer_edit", args=[officer.pk]), "pencil"
                    ),
                ),
            ),
        },
    )


@login_required
def officer_create(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.ORG_MANAGE, action=OfficerEvents.OFFICER_CREATED)
    form = OfficerForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            officer = people_services.officer_create(
                actor=user,
                organisation=data["organisation"],
                name=data["name"],
                department=data["department"],
                user=data["user"],
                title=data["title"],
                phone=data["phone"],
                has_legal_qualification=data["has_legal_qualification"],
            )
        except errors.ValidationFailed as exc:
            show_error(form, exc)
        else:
            messages.success(request, f"已登记执法人员“{officer.name}”。")
            return redirect("core:officer_detail", pk=officer.pk)
    return form_page(request, form, title="登记执法人员", back="core:officer_list")


@login_required
def officer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request, Cap.ORG_MANAGE, action=OfficerEvents.OFFICER_UPDATED)
    officer = people_selectors.officer_get(user=user, pk=pk)
    form = OfficerForm(
        request.POST or None,
        user=user,
        editing=True,
        initial={
            "name": officer.name,
            "department": officer.department,
            "title": officer.title,
            "phone": officer.phone,
            "user": officer.user,
            "has_legal_qualification": officer.has_legal_qualification,
            "is_active": officer.is_active,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            people_services.officer_update(
                actor=user,
                officer=officer,
                name=data["name"],
                department=data["department"],
                title=data["title"],
                phone=data["phone"],
                user=data["user"],
                has_legal_qualification=data["has_legal_qualification"],
                is_active=data["is_active"],
            )
        except errors.ValidationFailed as exc:
            show_error(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("core:officer_detail", pk=officer.pk)
    return form_page(request, form, title=f"编辑执法人员：{officer.name}", back="core:officer_list")


class CredentialForm(forms.Form):
    number = forms.CharField(label="证件编号", max_length=40)
    issued_on = params.FormDateField(
        label="发证日期", widget=forms.DateInput(attrs={"type": "date"})
    )
    expires_on = params.FormDateField(
        label="有效期至", widget=forms.DateInput(attrs={"type": "date"})
    )
    issuing_authority = forms.CharField(label="发证机关", max_length=100, required=False)


@login_required
def credential_issue(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request, Cap.ORG_MANAGE, action=OfficerEvents.CREDENTIAL_ISSUED)
    officer = people_selectors.officer_get(user=user, pk=pk)
    form = bootstrap(CredentialForm(request.POST or None))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            people_services.credential_issue(
                actor=user,
                officer=officer,
                number=data["number"],
                issued_on=data["issued_on"],
                expires_on=data["expires_on"],
                issuing_authority=data["issuing_authority"],
            )
        except errors.ValidationFailed as exc:
            show_error(form, exc)
        else:
            messages.success(request, "已登记执法证。")
            return redirect("core:officer_detail", pk=officer.pk)
    return form_page(request, form, title=f"登记执法证：{officer.name}", back="core:officer_list")


def _credential_step(name: str, service: Callable[..., Credential]) -> Callable[..., HttpResponse]:
    """The page of one step of the credential table (``workflows.CREDENTIAL``): its service,
    with the reason typed on the officer's page."""
    event = CREDENTIAL.action(name).event

    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        user = acting_user(request, Cap.ORG_MANAGE, action=event)
        credential = people_selectors.credential_get(user=user, pk=pk)
        try:
            changed = service(
                actor=user, credential=credential, reason=request.POST.get("reason", "")
            )
        except (errors.ValidationFailed, errors.Conflict) as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, f"执法证 {credential.number} 已变更为“{changed.get_state_display()}”。"
            )
        return redirect("core:officer_detail", pk=credential.officer_id)

    view.__name__ = f"credential_{name}"
    return view


credential_suspend = _credential_step("suspend", people_services.credential_suspend)
credential_revoke = _credential_step("revoke", people_services.credential_revoke)
credential_reinstate = _credential_step("reinstate", people_services.credential_reinstate)


urlpatterns: list[URLPattern] = [
    path("officers/", officer_list, name="officer_list"),
    path("officers/new/", officer_create, name="officer_create"),
    path("officers/<id:pk>/", officer_detail, name="officer_detail"),
    path("officers/<id:pk>/edit/", officer_edit, name="officer_edit"),
    path("officers/<id:pk>/credentials/new/", credential_issue, name="credential_issue"),
    path("credentials/<id:pk>/suspend/", credential_suspend, name="credential_suspend"),
    path("credentials/<id:pk>/revoke/", credential_revoke, name="credential_revoke"),
    path("credentials/<id:pk>/reinstate/", credential_reinstate, name="credential_reinstate"),
]
