"""Pages: the item list (随机抽查事项清单). Thin: parse, call a service or selector, render."""

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
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap
from fazhi.inspections.events import ItemEvents
from fazhi.inspections.selectors import items as item_selectors
from fazhi.inspections.services import items as item_services
from fazhi.registry.models import EntityKind, SupervisionCategory

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class BootstrapForm(forms.Form):
    """Adds Bootstrap's classes to the widgets (the CSP forbids inline styles)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            elif isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            else:
                widget.attrs.setdefault("class", "form-control")


class ItemForm(BootstrapForm):
    category = forms.ModelChoiceField(
        label="专业类别", queryset=SupervisionCategory.objects.filter(is_active=True)
    )
    code = forms.CharField(label="事项编码", max_length=40, required=False)
    name = forms.CharField(label="抽查事项", max_length=200, required=False)
    legal_basis = forms.CharField(
        label="检查依据", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    content = forms.CharField(
        label="检查内容", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    applicable_kinds = forms.MultipleChoiceField(
        label="适用对象类型",
        choices=EntityKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    default_ratio = forms.DecimalField(
        label="默认抽查比例（%）", required=False, max_digits=6, decimal_places=2
    )
    frequency = forms.CharField(label="抽查频次", max_length=100, required=False)


@login_required
def item_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    active_param = request.GET.get("active", "")
    active = params.boolean(request.GET, "active")
    category = request.GET.get("category", "")
    q = request.GET.get("q", "").strip()
    items = item_selectors.item_list(user=user, category=category or None, active=active, q=q)
    context: dict[str, Any] = {
        "items": items,
        "categories": SupervisionCategory.objects.filter(is_active=True),
        "category": category,
        "active": active_param,
        "q": q,
        "can_edit": has_cap(user, Cap.INSPECTION_PLAN),
        "query": request.GET.urlencode(),
    }
    return render(request, "inspections/item_list.html", context)


@login_required
def item_export(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    active = params.boolean(request.GET, "active")
    content = item_selectors.item_export_xlsx(
        user=user,
        category=request.GET.get("category") or None,
        active=active,
        q=request.GET.get("q", "").strip(),
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''item-list.xlsx"
    return response


@login_required
def item_create(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.INSPECTION_PLAN, action=ItemEvents.CREATED)
    form = ItemForm(request.POST or None)
    error: errors.FazhiError | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        assert user.organisation is not None
        try:
            item = item_services.item_create(
                actor=user,
                organisation=user.organisation,
                category=data["category"],
                code=data["code"],
                name=data["name"],
                legal_basis=data["legal_basis"],
                content=data["content"],
                applicable_kinds=data["applicable_kinds"],
                default_ratio=data["default_ratio"],
                frequency=data["frequency"],
            )
        except errors.ValidationFailed as exc:
            error = exc
        else:
            messages.success(request, f"已新增抽查事项 {item.code}。")
            return redirect("inspections:item_detail", pk=item.pk)
    return render(
        request, "inspections/item_form.html", {"form": form, "error": error, "item": None}
    )


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    item = item_selectors.item_get(user=user, pk=pk)
    initial = {
        "category": item.category,
        "code": item.code,
        "name": item.name,
        "legal_basis": item.legal_basis,
        "content": item.content,
        "applicable_kinds": item.applicable_kinds,
        "default_ratio": item.default_ratio,
        "frequency": item.frequency,
    }
    form = ItemForm(request.POST or None, initial=initial)
    form.fields["code"].disabled = True
    error: errors.FazhiError | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item_services.item_update(
                actor=user,
                item=item,
                category=data["category"],
                name=data["name"],
                legal_basis=data["legal_basis"],
                content=data["content"],
                applicable_kinds=data["applicable_kinds"],
                default_ratio=data["default_ratio"],
                frequency=data["frequency"],
            )
        except errors.ValidationFailed as exc:
            error = exc
        else:
            messages.success(request, "已保存。")
            return redirect("inspections:item_detail", pk=item.pk)
    return render(
        request,
        "inspections/item_form.html",
        {
            "form": form,
            "error": error,
            "item": item,
            "can_edit": has_cap(user, Cap.INSPECTION_PLAN),
            "kind_labels": item_selectors.kind_labels(item.applicable_kinds),
        },
    )


@login_required
@require_POST
def item_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request, Cap.INSPECTION_PLAN, action=ItemEvents.DEACTIVATED)
    item = item_selectors.item_get(user=user, pk=pk)
    try:
        item_services.item_deactivate(actor=user, item=item, reason=request.POST.get("reason", ""))
    except (errors.ValidationFailed, errors.InvalidTransition) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已停用抽查事项 {item.code}。")
    return redirect("inspections:item_detail", pk=item.pk)


@login_required
@require_POST
def item_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request, Cap.INSPECTION_PLAN, action=ItemEvents.REACTIVATED)
    item = item_selectors.item_get(user=user, pk=pk)
    try:
        item_services.item_reactivate(actor=user, item=item)
    except errors.InvalidTransition as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已启用抽查事项 {item.code}。")
    return redirect("inspections:item_detail", pk=item.pk)


urlpatterns: list[URLPattern] = [
    path("items/", item_list, name="item_list"),
    path("items/new/", item_create, name="item_create"),
    path("items/export.xlsx", item_export, name="item_export"),
    path("items/<id:pk>/", item_detail, name="item_detail"),
    path("items/<id:pk>/deactivate/", item_deactivate, name="item_deactivate"),
    path("items/<id:pk>/reactivate/", item_reactivate, name="item_reactivate"),
]
