"""Pages: organisations and their departments."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST

from fazhi.core import detail, errors, params
from fazhi.core.access import acting_user
from fazhi.core.audit_events import OrganisationEvents
from fazhi.core.models import (
    Organisation,
    OrganisationKind,
    OrganisationLevel,
    User,
)
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap
from fazhi.core.selectors import org as org_selectors
from fazhi.core.selectors import people as people_selectors
from fazhi.core.services import org as org_services
from fazhi.core.views._orgadmin import (
    OrgChoice,
    ReasonForm,
    bootstrap,
    form_page,
    show_error,
)

# --- organisations -------------------------------------------------------------------------------


class OrganisationForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100)
    short_name = forms.CharField(label="机关代字", max_length=20, required=False)
    kind = forms.ChoiceField(label="类型", choices=OrganisationKind.choices)
    level = forms.ChoiceField(label="层级", choices=OrganisationLevel.choices)
    division_code = forms.CharField(label="行政区划代码", max_length=6, min_length=6)
    parent = OrgChoice(label="上级机构", queryset=Organisation.objects.none())

    def __init__(self, *args: Any, user: User, editing: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = org_selectors.organisation_parent_choices(user=user)  # type: ignore[attr-defined]
        if editing:
            # Kind and level are fixed at creation; a move changes only the parent.
            del self.fields["kind"]
            del self.fields["level"]
        bootstrap(self)


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.ORG_VIEW, action=OrganisationEvents.ORGANISATION_LISTED)
    organisations = list(org_selectors.organisation_list(user=user))
    return render(
        request,
        "core/org_list.html",
        {"organisations": organisations, "can_manage": has_cap(user, Cap.ORG_MANAGE)},
    )


def _org_actions(user: Any, org: Any) -> list[detail.Action]:
    manage = has_cap(user, Cap.ORG_MANAGE) and org.is_active
    return detail.only(
        (
            manage,
            detail.Action("编辑", reverse("core:organisation_edit", args=[org.pk]), "pencil"),
        ),
        (
            manage and org.kind == "commission",
            detail.Action(
                "新建下级机构",
                f"{reverse('core:organisation_create')}?parent={org.pk}",
                "diagram-3",
            ),
        ),
    )


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request, Cap.ORG_VIEW, action=OrganisationEvents.ORGANISATION_VIEWED)
    org = org_selectors.organisation_get(user=user, pk=pk)
    return render(
        request,
        "core/org_detail.html",
        {
            "org": org,
            "children": list(org_selectors.organisation_list(user=user).filter(parent=org)),
            "departments": list(org_selectors.department_list(user=user, organisation=org)),
            "officer_count": people_selectors.officer_list(user=user, organisation=org).count(),
            "can_manage": has_cap(user, Cap.ORG_MANAGE),
            "actions": _org_actions(user, org),
            "department_form": bootstrap(DepartmentForm()),
        },
    )


@login_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.ORG_MANAGE, action=OrganisationEvents.ORGANISATION_CREATED)
    initial: dict[str, Any] = {}
    if parent_id := params.object_id(request.GET, "parent"):
        parent = org_selectors.organisation_get(user=user, pk=parent_id)
        initial = {"parent": parent, "division_code": parent.division_code}
    form = OrganisationForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = org_services.organisation_create(
                actor=user,
                name=data["name"],
                short_name=data["short_name"],
                kind=data["kind"],
                level=data["level"],
                division_code=data["division_code"],
                parent=data["parent"],
            )
        except errors.ValidationFailed as exc:
            show_error(form, exc)
        else:
            messages.success(request, f"已创建机构“{org.name}”。")
            return redirect("core:organisation_detail", pk=org.pk)
    return form_page(request, form, title="新建机构", back="core:organisation_list")


@login_required
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request, Cap.ORG_MANAGE, action=OrganisationEvents.ORGANISATION_UPDATED)
    org = org_selectors.organisation_get(user=user, pk=pk)
    form = OrganisationForm(
        request.POST or None,
        user=user,
        editing=True,
        initial={
            "name": org.name,
            "short_name": org.short_name,
            "division_code": org.division_code,
            "parent": org.parent,
        },
    )
    if org.parent is None or org.pk == user.organisation_id:
        del form.fields["parent"]  # the root, and one's own organisation, stay where they are
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        new_parent = data.get("parent")
        moving = new_parent is not None and new_parent.pk != org.parent_id
        try:
            if moving and (data["name"], data["short_name"]) != (org.name, org.short_name):
                # two services, two transactions: a failed move must not leave a committed rename
                raise errors.ValidationFailed(
                    "移动机构与更名须分别提交。", code="mixed_change", field="parent"
                )
            org = org_services.organisation_update(
                actor=user,
                organisation=org,
                name=data["name"],
                short_name=data["short_name"],
                division_code=None if moving else data["division_code"],
            )
            if new_parent is not None and moving:
                org = org_services.organisation_move(
                    actor=user,
                    organisation=org,
                    new_parent=new_parent,
                    division_code=data["division_code"],
                )
        except errors.ValidationFailed as exc:
            show_error(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("core:organisation_detail", pk=org.pk)
    return form_page(request, form, title=f"编辑机构：{org.name}", back="core:organisation_list")


@login_required
@require_POST
def organisation_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request, Cap.ORG_MANAGE, action=OrganisationEvents.ORGANISATION_DEACTIVATED)
    org = org_selectors.organisation_get(user=user, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        raise errors.ValidationFailed("请填写停用原因。", code="reason_required")
    org_services.organisation_deactivate(
        actor=user, organisation=org, reason=form.cleaned_data["reason"]
    )
    messages.success(request, f"已停用“{org.name}”。")
    return redirect("core:organisation_detail", pk=org.pk)


# --- departments ---------------------------------------------------------------------------------


class DepartmentForm(forms.Form):
    name = forms.CharField(label="科室名称", max_length=100)


def _departments_fragment(
    request: HttpRequest, user: User, org: Organisation, form: forms.BaseForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "core/org_departments.html",
        {
            "org": org,
            "departments": list(org_selectors.department_list(user=user, organisation=org)),
            "department_form": form,
            "can_manage": True,
        },
        status=status,
    )


@login_required
@require_POST
def department_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request, Cap.ORG_MANAGE, action=OrganisationEvents.DEPARTMENT_CREATED)
    org = org_selectors.organisation_get(user=user, pk=pk)
    form = DepartmentForm(request.POST)
    if form.is_valid():
        try:
            org_services.department_create(
                actor=user, organisation=org, name=form.cleaned_data["name"]
            )
        except errors.ValidationFailed as exc:
            show_error(form, exc)
        else:
            form = DepartmentForm()
    bootstrap(form)
    if not request.htmx:  # type: ignore[attr-defined]
        for message in form.errors.get("name", []):
            messages.error(request, str(message))
        return redirect("core:organisation_detail", pk=org.pk)
    return _departments_fragment(request, user, org, form)


@login_required
@require_POST
def department_rename(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request, Cap.ORG_MANAGE, action=OrganisationEvents.DEPARTMENT_RENAMED)
    department = org_selectors.department_get(user=user, pk=pk)
    form = DepartmentForm(request.POST)
    if form.is_valid():
        try:
            org_services.department_rename(
                actor=user, department=department, name=form.cleaned_data["name"]
            )
        except errors.ValidationFailed as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, "科室名称无效。")
    return redirect("core:organisation_detail", pk=department.organisation_id)


urlpatterns: list[URLPattern] = [
    path("org/", organisation_list, name="organisation_list"),
    path("org/new/", organisation_create, name="organisation_create"),
    path("org/<id:pk>/", organisation_detail, name="organisation_detail"),
    path("org/<id:pk>/edit/", organisation_edit, name="organisation_edit"),
    path("org/<id:pk>/deactivate/", organisation_deactivate, name="organisation_deactivate"),
    path("org/<id:pk>/departments/", department_create, name="department_create"),
    path("departments/<id:pk>/rename/", department_rename, name="department_rename"),
]
