"""Helpers shared by the organisation, user and officer pages.

Those views parse a form, call one service or selector and render. Capability checks raise
``errors.PermissionDenied``; the middleware renders it and records the denial. A service's
``ValidationFailed`` is shown on the form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fazhi.core import errors, listing
from fazhi.core.widgets import bootstrap as bootstrap  # the pages' one form styling


def show_error(form: forms.BaseForm, exc: errors.FazhiError) -> None:
    field = exc.details.get("field")
    form.add_error(field if field in form.fields else None, exc.message)


PAGE_SIZE = 100


def paginate(request: HttpRequest, items: Any) -> listing.Listing:
    """One page of ``items`` (a queryset or list) as ``fazhi.core.listing`` does it; the template
    shows core/org_pager.html (the list pager) with ``listing``."""
    return listing.paginate(request, items, default_size=PAGE_SIZE)


def form_page(
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


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=200)
