"""Pages: an entity's licences."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from fazhi.core import errors, feedback
from fazhi.core.access import acting_user
from fazhi.core.roles import Cap
from fazhi.registry.events import LicenceEvent
from fazhi.registry.forms import LicenceForm
from fazhi.registry.selectors import licences as licence_selectors
from fazhi.registry.services import licences as licence_services
from fazhi.registry.views._common import (
    back_to_entity,
    require_visible,
    show_failure,
)


@login_required
@require_POST
def licence_add(request: HttpRequest, entity_id: int) -> HttpResponse:
    user = acting_user(request)
    require_visible(user, entity_id)
    form = LicenceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "许可证信息不完整或日期格式错误。")
        return back_to_entity(request, entity_id)
    try:
        licence_services.licence_add(
            actor=user,
            entity_id=entity_id,
            **form.cleaned_data,
        )
    except errors.ValidationFailed as exc:
        show_failure(request, exc)
    else:
        messages.success(request, "许可证已添加。")
    return back_to_entity(request, entity_id)


@login_required
@require_http_methods(["GET", "POST"])
def licence_edit(request: HttpRequest, licence_id: int) -> HttpResponse:
    user = acting_user(request, Cap.REGISTRY_MANAGE, action=LicenceEvent.UPDATED)
    licence = licence_selectors.licence_get(user=user, licence_id=licence_id)
    form = LicenceForm(
        request.POST or None,
        initial={
            "kind": licence.kind,
            "number": licence.number,
            "scope": licence.scope,
            "valid_from": licence.valid_from,
            "valid_to": licence.valid_to,
        },
    )
    form.fields["kind"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            licence_services.licence_update(
                actor=user,
                licence_id=licence.pk,
                number=data["number"],
                scope=data["scope"],
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
                clear_valid_to=data["valid_to"] is None,
            )
        except errors.ValidationFailed as exc:
            feedback.note_error(request, exc)
            form.add_error(None, exc.message)
        else:
            messages.success(request, "许可证已更新。")
            return back_to_entity(request, licence.entity_id)
    return render(request, "registry/licence_form.html", {"form": form, "licence": licence})


urlpatterns = [
    path("<id:entity_id>/licences/", licence_add, name="licence_add"),
    path("licences/<id:licence_id>/edit/", licence_edit, name="licence_edit"),
]
