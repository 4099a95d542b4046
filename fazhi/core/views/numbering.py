"""Pages: document numbers (文书编号) — the document types in scope, creating a type, issuing the
next number, and the issued numbers with filters.

Reading needs ``Cap.ORG_VIEW``; creating a type ``Cap.ORG_MANAGE``; issuing
``Cap.DOCNUMBER_ISSUE``. A refused capability or an id outside the user's scope is raised to the
middleware, which records the denial and renders 403 or 404. A service's validation error is shown
on the form it came from; the service's transaction has rolled back, so nothing is written.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods

from fazhi.core import clock, errors, listing, params
from fazhi.core.access import acting_user
from fazhi.core.audit_events import DocumentEvents
from fazhi.core.models import DocumentType, User
from fazhi.core.roles import Cap
from fazhi.core.scope import can_act_in, has_cap
from fazhi.core.selectors import org as org_selectors
from fazhi.core.selectors.numbering import (
    document_number_list,
    document_type_get,
    document_types_with_counts,
)
from fazhi.core.services.numbering import document_number_take, document_type_create

PAGE_SIZE = 50
_SMALL = "form-control form-control-sm"
_SELECT = "form-select form-select-sm"


# --- forms ---------------------------------------------------------------------------------------
# Ids are plain integers: the view resolves them through the scoped selectors, so an id outside the
# user's scope is a 404 (and a recorded denial), not a form error. Key, name and prefix are
# validated by the service alone, which has the Chinese messages.


class DocumentTypeForm(forms.Form):
    organisation = params.FormIdField(label="机构", widget=forms.Select(attrs={"class": _SELECT}))
    key = forms.CharField(
        label="类型代码",
        required=False,
        help_text="小写字母开头，可含数字、-、_，如 penalty",
        widget=forms.TextInput(attrs={"class": _SMALL + " mono", "required": True}),
    )
    name = forms.CharField(
        label="文书名称",
        required=False,
        widget=forms.TextInput(attrs={"class": _SMALL, "required": True}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "type_%s")
        super().__init__(*args, **kwargs)
        # Declared here: as a class attribute, "prefix" would shadow ``BaseForm.prefix``.
        self.fields["prefix"] = forms.CharField(
            label="文号代字",
            required=False,
            help_text="如“泉卫医罚”；不含括号、空格和“号”字",
            widget=forms.TextInput(attrs={"class": _SMALL, "required": True}),
        )
        organisations = list(org_selectors.organisation_list(user=user, include_inactive=False))
        top = min((org.depth for org in organisations), default=0)  # indent below the user's
        self.fields["organisation"].widget.choices = [
            (org.pk, "　" * (org.depth - top) + org.name) for org in organisations
        ]
        self.fields["organisation"].initial = user.organisation_id


class IssueForm(forms.Form):
    document_type = params.FormIdField(
        label="文书类型", widget=forms.Select(attrs={"class": _SELECT})
    )
    year = forms.IntegerField(
        label="年度",
        required=False,
        min_value=params.MIN_YEAR,
        max_value=params.MAX_YEAR,
        error_messages={"invalid": "文号年份应为四位数字，如2024。"},
        widget=forms.NumberInput(attrs={"class": _SMALL}),
    )

    def __init__(self, *args: Any, types: list[DocumentType], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "issue_%s")
        super().__init__(*args, **kwargs)
        self.fields["document_type"].widget.choices = [
            (t.pk, f"{t.prefix} · {t.name}（{t.organisation.name}）") for t in types
        ]
        self.fields["year"].initial = clock.today().year


class NumberFilterForm(forms.Form):
    type = params.FormIdField(
        label="文书类型", required=False, widget=forms.Select(attrs={"class": _SELECT})
    )
    year = forms.IntegerField(
        label="年度",
        required=False,
        min_value=params.MIN_YEAR,
        max_value=params.MAX_YEAR,
        error_messages={"invalid": "年度应为四位数字，如2024。"},
        widget=forms.NumberInput(attrs={"class": _SMALL, "placeholder": "全部年度"}),
    )

    def __init__(self, *args: Any, types: list[DocumentType], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "filter_%s")
        super().__init__(*args, **kwargs)
        self.fields["type"].widget.choices = [("", "全部文书类型")] + [
            (t.pk, f"{t.prefix} · {t.name}") for t in types
        ]


def _show(form: forms.BaseForm, exc: errors.FazhiError) -> None:
    field = exc.details.get("field")
    form.add_error(field if field in form.fields else None, exc.message)


# --- reads ---------------------------------------------------------------------------------------


def _page(
    request: HttpRequest,
    user: User,
    *,
    types: list[DocumentType] | None = None,
    type_form: DocumentTypeForm | None = None,
    issue_form: IssueForm | None = None,
) -> HttpResponse:
    this_year = clock.today().year
    if types is None:
        types = document_types_with_counts(user=user, year=this_year)
    can_create = has_cap(user, Cap.ORG_MANAGE)
    can_issue = has_cap(user, Cap.DOCNUMBER_ISSUE)
    issuable = [t for t in types if can_act_in(user, t.organisation)] if can_issue else []
    if can_create and type_form is None:
        type_form = DocumentTypeForm(user=user)
    if can_issue and issue_form is None:
        issue_form = IssueForm(types=issuable)

    filters = NumberFilterForm(request.GET or None, types=types)
    numbers = document_number_list(user=user).select_related("document_type__organisation")
    if filters.is_bound:
        if filters.is_valid():
            if filters.cleaned_data["type"] is not None:
                numbers = numbers.filter(
                    document_type=document_type_get(user=user, pk=filters.cleaned_data["type"])
                )
            if filters.cleaned_data["year"] is not None:
                numbers = numbers.filter(year=filters.cleaned_data["year"])
        else:
            numbers = numbers.none()
    numbers_listing = listing.paginate(request, numbers, default_size=PAGE_SIZE)
    failed = bool((type_form and type_form.errors) or (issue_form and issue_form.errors))
    return render(
        request,
        "core/docnumber_list.html",
        {
            "types": types,
            "this_year": this_year,
            "type_form": type_form if can_create else None,
            "issue_form": issue_form if can_issue else None,
            "issuable": issuable,
            "filters": filters,
            "page": numbers_listing.page,
            "listing": numbers_listing,
        },
        status=400 if failed else 200,
    )


# --- pages ---------------------------------------------------------------------------------------


@login_required
@require_GET
def docnumber_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.ORG_VIEW, action=DocumentEvents.NUMBER_LISTED)
    return _page(request, user)


def _to_list(request: HttpRequest) -> HttpResponse:
    """GET on a form's URL: a link followed on the page re-rendered there after an error (the
    pager's, the filters') belongs to the list."""
    query = request.GET.urlencode()
    return redirect(reverse("core:docnumber_list") + (f"?{query}" if query else ""))


@login_required
@require_http_methods(["GET", "POST"])
def document_type_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _to_list(request)
    user = acting_user(request, Cap.ORG_MANAGE, action=DocumentEvents.TYPE_CREATED)
    form = DocumentTypeForm(request.POST, user=user)
    if form.is_valid():
        data = form.cleaned_data
        organisation = org_selectors.organisation_get(user=user, pk=data["organisation"])
        try:
            doc_type = document_type_create(
                actor=user,
                organisation=organisation,
                key=data["key"],
                name=data["name"],
                prefix=data["prefix"],
            )
        except errors.ValidationFailed as exc:
            _show(form, exc)
        else:
            messages.success(
                request, f"已新增文书类型“{doc_type.name}”，文号代字“{doc_type.prefix}”。"
            )
            return redirect("core:docnumber_list")
    return _page(request, user, type_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def docnumber_issue(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _to_list(request)
    user = acting_user(request, Cap.DOCNUMBER_ISSUE, action=DocumentEvents.NUMBER_ISSUED)
    types = document_types_with_counts(user=user, year=clock.today().year)
    issuable = [t for t in types if can_act_in(user, t.organisation)]
    form = IssueForm(request.POST, types=issuable)
    if form.is_valid():
        doc_type = document_type_get(user=user, pk=form.cleaned_data["document_type"])
        try:
            text = document_number_take(
                actor=user,
                organisation=doc_type.organisation,
                type_key=doc_type.key,
                year=form.cleaned_data["year"],
            )
        except (errors.ValidationFailed, errors.UnknownDocumentType, errors.Conflict) as exc:
            _show(form, exc)
        else:
            messages.success(
                request,
                format_html(
                    '已取得文号（{}）：<strong class="fs-4 mono user-select-all ms-1"'
                    ' id="issued-number">{}</strong>',
                    doc_type.name,
                    text,
                ),
            )
            return redirect("core:docnumber_list")
    return _page(request, user, types=types, issue_form=form)


urlpatterns: list[URLPattern] = [
    path("documents/numbers/", docnumber_list, name="docnumber_list"),
    path("documents/numbers/types/", document_type_new, name="document_type_create"),
    path("documents/numbers/issue/", docnumber_issue, name="docnumber_issue"),
]
