"""Pages: organisations, departments, users, officers and credentials.

Views parse a form, call one service or selector and render. Capability checks raise
``errors.PermissionDenied``; the middleware renders it and records the denial. A service's
``ValidationFailed`` is shown on the form.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_POST

from fazhi.core import clock, errors, params, selectors, services
from fazhi.core.models import (
    Department,
    Organisation,
    OrganisationKind,
    OrganisationLevel,
    Role,
    User,
)
from fazhi.core.models.org import CredentialStatus
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap

# --- helpers -------------------------------------------------------------------------------------


def _user(request: HttpRequest, cap: Cap) -> User:
    user = request.user
    assert isinstance(user, User)
    if not has_cap(user, cap):
        raise errors.PermissionDenied(attempted=str(cap))
    return user


def _bootstrap(form: forms.BaseForm) -> forms.BaseForm:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")
    return form


def _show(form: forms.BaseForm, exc: errors.FazhiError) -> None:
    field = exc.details.get("field")
    form.add_error(field if field in form.fields else None, exc.message)


PAGE_SIZE = 100


def _paginate(request: HttpRequest, items: Any) -> Any:
    """One page of ``items`` (a queryset or list); the template shows core/org_pager.html."""
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def _form_page(
    request: HttpRequest, form: forms.BaseForm, *, title: str, back: str, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "core/org_form.html",
        {"form": form, "title": title, "back": back},
        status=400 if form.errors else status,
    )


class OrgChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return "　" * max(int(obj.depth) - 1, 0) + str(obj.name)


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
        self.fields["parent"].queryset = selectors.organisation_parent_choices(user=user)  # type: ignore[attr-defined]
        if editing:
            # Kind and level are fixed at creation; a move changes only the parent.
            del self.fields["kind"]
            del self.fields["level"]
        _bootstrap(self)


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    user = _user(request, Cap.ORG_VIEW)
    organisations = list(selectors.organisation_list(user=user))
    return render(
        request,
        "core/org_list.html",
        {"organisations": organisations, "can_manage": has_cap(user, Cap.ORG_MANAGE)},
    )


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request, Cap.ORG_VIEW)
    org = selectors.organisation_get(user=user, pk=pk)
    return render(
        request,
        "core/org_detail.html",
        {
            "org": org,
            "children": list(selectors.organisation_list(user=user).filter(parent=org)),
            "departments": list(selectors.department_list(user=user, organisation=org)),
            "officer_count": selectors.officer_list(user=user, organisation=org).count(),
            "can_manage": has_cap(user, Cap.ORG_MANAGE),
            "department_form": _bootstrap(DepartmentForm()),
        },
    )


@login_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    user = _user(request, Cap.ORG_MANAGE)
    initial: dict[str, Any] = {}
    if parent_id := params.object_id(request.GET, "parent"):
        parent = selectors.organisation_get(user=user, pk=parent_id)
        initial = {"parent": parent, "division_code": parent.division_code}
    form = OrganisationForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = services.organisation_create(
                actor=user,
                name=data["name"],
                short_name=data["short_name"],
                kind=data["kind"],
                level=data["level"],
                division_code=data["division_code"],
                parent=data["parent"],
            )
        except errors.ValidationFailed as exc:
            _show(form, exc)
        else:
            messages.success(request, f"已创建机构“{org.name}”。")
            return redirect("core:organisation_detail", pk=org.pk)
    return _form_page(request, form, title="新建机构", back="core:organisation_list")


@login_required
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request, Cap.ORG_MANAGE)
    org = selectors.organisation_get(user=user, pk=pk)
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
            org = services.organisation_update(
                actor=user,
                organisation=org,
                name=data["name"],
                short_name=data["short_name"],
                division_code=None if moving else data["division_code"],
            )
            if new_parent is not None and moving:
                org = services.organisation_move(
                    actor=user,
                    organisation=org,
                    new_parent=new_parent,
                    division_code=data["division_code"],
                )
        except errors.ValidationFailed as exc:
            _show(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("core:organisation_detail", pk=org.pk)
    return _form_page(request, form, title=f"编辑机构：{org.name}", back="core:organisation_list")


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=200)


@login_required
@require_POST
def organisation_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request, Cap.ORG_MANAGE)
    org = selectors.organisation_get(user=user, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        raise errors.ValidationFailed("请填写停用原因。", code="reason_required")
    services.organisation_deactivate(
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
            "departments": list(selectors.department_list(user=user, organisation=org)),
            "department_form": form,
            "can_manage": True,
        },
        status=status,
    )


@login_required
@require_POST
def department_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request, Cap.ORG_MANAGE)
    org = selectors.organisation_get(user=user, pk=pk)
    form = DepartmentForm(request.POST)
    if form.is_valid():
        try:
            services.department_create(actor=user, organisation=org, name=form.cleaned_data["name"])
        except errors.ValidationFailed as exc:
            _show(form, exc)
        else:
            form = DepartmentForm()
    _bootstrap(form)
    if not request.htmx:  # type: ignore[attr-defined]
        for message in form.errors.get("name", []):
            messages.error(request, str(message))
        return redirect("core:organisation_detail", pk=org.pk)
    return _departments_fragment(request, user, org, form)


@login_required
@require_POST
def department_rename(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request, Cap.ORG_MANAGE)
    department = selectors.department_get(user=user, pk=pk)
    form = DepartmentForm(request.POST)
    if form.is_valid():
        try:
            services.department_rename(
                actor=user, department=department, name=form.cleaned_data["name"]
            )
        except errors.ValidationFailed as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, "科室名称无效。")
    return redirect("core:organisation_detail", pk=department.organisation_id)


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
        self.fields["organisation"].queryset = selectors.organisation_list(  # type: ignore[attr-defined]
            user=user, include_inactive=False
        )
        self.fields["department"].queryset = selectors.department_list(user=user)  # type: ignore[attr-defined]
        if editing:
            del self.fields["username"]
            del self.fields["password1"]
            del self.fields["password2"]
        _bootstrap(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "password1" in self.fields and data.get("password1") != data.get("password2"):
            self.add_error("password2", "两次输入的密码不一致。")
        return data


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    user = _user(request, Cap.ORG_MANAGE)
    q = request.GET.get("q", "").strip()
    role = params.choice(request.GET, "role", Role.values) or ""
    page = _paginate(request, selectors.user_list(user=user, q=q or None, role=role or None))
    users = list(page.object_list)
    locked = selectors.locked_usernames([u.username for u in users])
    return render(
        request,
        "core/user_list.html",
        {
            "page": page,
            "users": users,
            "locked": locked,
            "q": q,
            "role": role,
            "roles": Role.choices,
        },
    )


@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    user = _user(request, Cap.ORG_MANAGE)
    form = UserForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.user_create(
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
                _show(form, exc)
        else:
            messages.success(request, f"已创建用户“{created.username}”。")
            return redirect("core:user_list")
    return _form_page(request, form, title="新建用户", back="core:user_list")


@login_required
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request, Cap.ORG_MANAGE)
    target = selectors.user_get(user=user, pk=pk)
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
            services.user_update(
                actor=user,
                user=target,
                full_name=data["full_name"],
                email=data["email"],
                role=data["role"],
                organisation=data["organisation"],
                department=data["department"],
            )
        except errors.ValidationFailed as exc:
            _show(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("core:user_list")
    return render(
        request,
        "core/user_edit.html",
        {
            "form": form,
            "target": target,
            "locked": bool(selectors.locked_usernames([target.username])),
            "reason_form": _bootstrap(ReasonForm()),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request, Cap.ORG_MANAGE)
    target = selectors.user_get(user=user, pk=pk)
    services.user_deactivate(actor=user, user=target, reason=request.POST.get("reason", ""))
    messages.success(request, f"已停用用户“{target.username}”。")
    return redirect("core:user_edit", pk=target.pk)


@login_required
@require_POST
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request, Cap.ORG_MANAGE)
    target = selectors.user_get(user=user, pk=pk)
    services.user_reactivate(actor=user, user=target)
    messages.success(request, f"已启用用户“{target.username}”。")
    return redirect("core:user_edit", pk=target.pk)


@login_required
@require_POST
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request, Cap.ORG_MANAGE)
    target = selectors.user_get(user=user, pk=pk)
    services.user_unlock(actor=user, user=target)
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
    user = _user(request, Cap.ORG_MANAGE)
    target = selectors.user_get(user=user, pk=pk)
    form = _bootstrap(ResetPasswordForm(request.POST or None))
    if request.method == "POST" and form.is_valid():
        try:
            services.user_reset_password(
                actor=user, user=target, new_password=form.cleaned_data["password1"]
            )
        except errors.ValidationFailed as exc:
            form.add_error("password1", exc.message)
        else:
            messages.success(request, f"已重置“{target.username}”的密码。")
            return redirect("core:user_edit", pk=target.pk)
    return _form_page(request, form, title=f"重置密码：{target.username}", back="core:user_list")


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
        self.fields["organisation"].queryset = selectors.organisation_list(  # type: ignore[attr-defined]
            user=user, include_inactive=False
        )
        self.fields["department"].queryset = selectors.department_list(user=user)  # type: ignore[attr-defined]
        self.fields["user"].queryset = selectors.user_list(user=user, active=True)  # type: ignore[attr-defined]
        if editing:
            del self.fields["organisation"]
        else:
            del self.fields["is_active"]
        _bootstrap(self)


@login_required
def officer_list(request: HttpRequest) -> HttpResponse:
    user = _user(request, Cap.ORG_VIEW)
    q = request.GET.get("q", "").strip()
    show = request.GET.get("show", "")
    today = clock.today()
    officers = selectors.officer_list(user=user, q=q or None)
    if show == "attention":
        officers = officers.filter(pk__in=_needs_attention(user, today))
    page = _paginate(request, officers)
    rows = [(officer, selectors.credential_state(officer, today=today)) for officer in page]
    return render(
        request,
        "core/officer_list.html",
        {
            "page": page,
            "rows": rows,
            "q": q,
            "show": show,
            "today": today,
            "can_manage": has_cap(user, Cap.ORG_MANAGE),
            "warn_days": selectors.EXPIRY_WARNING_DAYS,
        },
    )


def _needs_attention(user: User, today: Any) -> Any:
    """Officers without a credential valid beyond the warning window (expiring, expired, none,
    suspended or revoked), as a subquery of ids."""
    covered = selectors.credential_list(user=user, status=CredentialStatus.VALID).filter(
        issued_on__lte=today,
        expires_on__gt=today + dt.timedelta(days=selectors.EXPIRY_WARNING_DAYS),
    )
    return (
        selectors.officer_list(user=user).exclude(pk__in=covered.values("officer_id")).values("pk")
    )


@login_required
def officer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request, Cap.ORG_VIEW)
    officer = selectors.officer_get(user=user, pk=pk)
    today = clock.today()
    return render(
        request,
        "core/officer_detail.html",
        {
            "officer": officer,
            "state": selectors.credential_state(officer, today=today),
            "credentials": list(officer.credentials.all()),
            "can_manage": has_cap(user, Cap.ORG_MANAGE),
            "status_choices": [
                (CredentialStatus.SUSPENDED, "暂扣"),
                (CredentialStatus.REVOKED, "注销/吊销"),
                (CredentialStatus.VALID, "恢复有效"),
            ],
        },
    )


@login_required
def officer_create(request: HttpRequest) -> HttpResponse:
    user = _user(request, Cap.ORG_MANAGE)
    form = OfficerForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            officer = services.officer_create(
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
            _show(form, exc)
        else:
            messages.success(request, f"已登记执法人员“{officer.name}”。")
            return redirect("core:officer_detail", pk=officer.pk)
    return _form_page(request, form, title="登记执法人员", back="core:officer_list")


@login_required
def officer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request, Cap.ORG_MANAGE)
    officer = selectors.officer_get(user=user, pk=pk)
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
            services.officer_update(
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
            _show(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("core:officer_detail", pk=officer.pk)
    return _form_page(
        request, form, title=f"编辑执法人员：{officer.name}", back="core:officer_list"
    )


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
    user = _user(request, Cap.ORG_MANAGE)
    officer = selectors.officer_get(user=user, pk=pk)
    form = _bootstrap(CredentialForm(request.POST or None))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.credential_issue(
                actor=user,
                officer=officer,
                number=data["number"],
                issued_on=data["issued_on"],
                expires_on=data["expires_on"],
                issuing_authority=data["issuing_authority"],
            )
        except errors.ValidationFailed as exc:
            _show(form, exc)
        else:
            messages.success(request, "已登记执法证。")
            return redirect("core:officer_detail", pk=officer.pk)
    return _form_page(request, form, title=f"登记执法证：{officer.name}", back="core:officer_list")


@login_required
@require_POST
def credential_status(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request, Cap.ORG_MANAGE)
    credential = selectors.credential_get(user=user, pk=pk)
    try:
        services.credential_update_status(
            actor=user,
            credential=credential,
            status=request.POST.get("status", ""),
            reason=request.POST.get("reason", ""),
        )
    except errors.ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"执法证 {credential.number} 状态已变更。")
    return redirect("core:officer_detail", pk=credential.officer_id)


urlpatterns: list[URLPattern] = [
    path("org/", organisation_list, name="organisation_list"),
    path("org/new/", organisation_create, name="organisation_create"),
    path("org/<id:pk>/", organisation_detail, name="organisation_detail"),
    path("org/<id:pk>/edit/", organisation_edit, name="organisation_edit"),
    path("org/<id:pk>/deactivate/", organisation_deactivate, name="organisation_deactivate"),
    path("org/<id:pk>/departments/", department_create, name="department_create"),
    path("departments/<id:pk>/rename/", department_rename, name="department_rename"),
    path("users/", user_list, name="user_list"),
    path("users/new/", user_create, name="user_create"),
    path("users/<id:pk>/", user_edit, name="user_edit"),
    path("users/<id:pk>/deactivate/", user_deactivate, name="user_deactivate"),
    path("users/<id:pk>/reactivate/", user_reactivate, name="user_reactivate"),
    path("users/<id:pk>/unlock/", user_unlock, name="user_unlock"),
    path("users/<id:pk>/password/", user_reset_password, name="user_reset_password"),
    path("officers/", officer_list, name="officer_list"),
    path("officers/new/", officer_create, name="officer_create"),
    path("officers/<id:pk>/", officer_detail, name="officer_detail"),
    path("officers/<id:pk>/edit/", officer_edit, name="officer_edit"),
    path("officers/<id:pk>/credentials/new/", credential_issue, name="credential_issue"),
    path("credentials/<id:pk>/status/", credential_status, name="credential_status"),
]
