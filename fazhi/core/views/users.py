"""Pages: users (accounts, roles, passwords, lockouts)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_POST

from fazhi.core import errors, params
from fazhi.core.access import acting_user
from fazhi.core.audit_events import UserEvents
from fazhi.core.models import (
    Department,
    Organisation,
    Role,
    User,
)
from fazhi.core.roles import Cap
from fazhi.core.selectors import org as org_selectors
from fazhi.core.selectors import people as people_selectors
from fazhi.core.services import people as people_services
from fazhi.core.views._orgadmin import (
    OrgChoice,
    ReasonForm,
    bootstrap,
    form_page,
    paginate,
    show_error,
)

# --- users ---------------------------------------------------------------------------------------


class UserForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    full_name = forms.CharField(label="姓名", max_length=50)
    email = forms.EmailField(label="电子邮箱", required=False)
    organisation = OrgChoice(label="所属机构", queryset=Organisation.objects.none())
    department = forms.ModelChoiceField(
        label="科室", queryset=Department.objects.none(), required=False
    )
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    password1 = forms.CharField(
        label="初始密码",
        widget=forms.PasswordInput(render_value=False),
        help_text="至少10位，包含大写字母、小写字母、数字、符号中的至少三类。",
    )
    password2 = forms.CharField(label="确认密码", widget=forms.PasswordInput(render_value=False))

    def __init__(self, *args: Any, user: User, editing: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = org_selectors.organisation_list(  # type: ignore[attr-defined]
            user=user, include_inactive=False
        )
        self.fields["department"].queryset = org_selectors.department_list(user=user)  # type: ignore[attr-defined]
        if editing:
            del self.fields["username"]
            del self.fields["password1"]
            del self.fields["password2"]
        bootstrap(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "password1" in self.fields and data.get("password1") != data.get("password2"):
            self.add_error("password2", "两次输入的密码不一致。")
        return data


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.ORG_MANAGE, action=UserEvents.USER_LISTED)
    q = request.GET.get("q", "").strip()
    role = params.choice(request.GET, "role", Role.values) or ""
    rows = paginate(request, people_selectors.user_list(user=user, q=q or None, role=role or None))
    page = rows.page
    users = list(page.object_list)
    locked = people_selectors.locked_usernames([u.username for u in users])
    return render(
        request,
        "core/user_list.html",
        {
            "page": page,
            "listing": rows,
            "users": users,
            "locked": locked,
            "q": q,
            "role": role,
            "roles": Role.choices,
        },
    )


@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.ORG_MANAGE, action=UserEvents.USER_CREATED)
    form = UserForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = people_services.user_create(
                actor=user,
                username=data["username"],
                full_name=data["full_name"],
                email=data["email"],
                organisation=data["organisation"],
                department=data["department"],
                role=data["role"],
                password=data["password1"],
            )
        except errors.ValidationFailed as exc:
            if exc.details.get("field") == "password":
                form.add_error("password1", exc.message)
            else:
                show_error(form, exc)
        else:
            messages.success(request, f"已创建用户“{created.username}”。")
            return redirect("core:user_list")
    return form_page(request, form, title="新建用户", back="core:user_list")


@login_required
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request, Cap.ORG_MANAGE, action=UserEvents.USER_UPDATED)
    target = people_selectors.user_get(user=user, pk=pk)
    form = UserForm(
        request.POST or None,
        user=user,
        editing=True,
        initial={
            "full_name": target.full_name,
            "email": target.email,
            "organisation": target.organisation,
            "department": target.department,
            "role": target.role,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            people_services.user_update(
                actor=user,
                user=target,
                full_name=data["full_name"],
                email=data["email"],
                role=data["role"],
                organisation=data["organisation"],
                department=data["department"],
            )
        except errors.ValidationFailed as exc:
            show_error(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("core:user_list")
    return render(
        request,
        "core/user_edit.html",
        {
            "form": form,
            "target": target,
            "locked": bool(people_selectors.locked_usernames([target.username])),
            "reason_form": bootstrap(ReasonForm()),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request, Cap.ORG_MANAGE, action=UserEvents.USER_DEACTIVATED)
    target = people_selectors.user_get(user=user, pk=pk)
    people_services.user_deactivate(actor=user, user=target, reason=request.POST.get("reason", ""))
    messages.success(request, f"已停用用户“{target.username}”。")
    return redirect("core:user_edit", pk=target.pk)


@login_required
@require_POST
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request, Cap.ORG_MANAGE, action=UserEvents.USER_REACTIVATED)
    target = people_selectors.user_get(user=user, pk=pk)
    people_services.user_reactivate(actor=user, user=target)
    messages.success(request, f"已启用用户“{target.username}”。")
    return redirect("core:user_edit", pk=target.pk)


@login_required
@require_POST
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request, Cap.ORG_MANAGE, action=UserEvents.USER_UNLOCKED)
    target = people_selectors.user_get(user=user, pk=pk)
    people_services.user_unlock(actor=user, user=target)
    messages.success(request, f"已解除“{target.username}”的登录锁定。")
    return redirect("core:user_edit", pk=target.pk)


class ResetPasswordForm(forms.Form):
    password1 = forms.CharField(label="新密码", widget=forms.PasswordInput)
    password2 = forms.CharField(label="确认新密码", widget=forms.PasswordInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") != data.get("password2"):
            self.add_error("password2", "两次输入的密码不一致。")
        return data


@login_required
def user_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request, Cap.ORG_MANAGE, action=UserEvents.PASSWORD_RESET)
    target = people_selectors.user_get(user=user, pk=pk)
    form = bootstrap(ResetPasswordForm(request.POST or None))
    if request.method == "POST" and form.is_valid():
        try:
            people_services.user_reset_password(
                actor=user, user=target, new_password=form.cleaned_data["password1"]
            )
        except errors.ValidationFailed as exc:
            form.add_error("password1", exc.message)
        else:
            messages.success(request, f"已重置“{target.username}”的密码。")
            return redirect("core:user_edit", pk=target.pk)
    return form_page(request, form, title=f"重置密码：{target.username}", back="core:user_list")


urlpatterns: list[URLPattern] = [
    path("users/", user_list, name="user_list"),
    path("users/new/", user_create, name="user_create"),
    path("users/<id:pk>/", user_edit, name="user_edit"),
    path("users/<id:pk>/deactivate/", user_deactivate, name="user_deactivate"),
    path("users/<id:pk>/reactivate/", user_reactivate, name="user_reactivate"),
    path("users/<id:pk>/unlock/", user_unlock, name="user_unlock"),
    path("users/<id:pk>/password/", user_reset_password, name="user_reset_password"),
]
