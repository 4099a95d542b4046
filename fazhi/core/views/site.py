"""Page: 网站信息 — the public site's identity (agency name, 主办单位, contact, 网站标识码,
ICP 备案号). Administrators (``org.manage``) read it; the root organisation's administrators
change it (``site_settings_update`` checks). A format error is shown next to its field, the input
kept."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods

from fazhi.core import errors
from fazhi.core.access import acting_user
from fazhi.core.audit_events import SiteEvents
from fazhi.core.models import SiteSettings
from fazhi.core.roles import Cap
from fazhi.core.scope import has_root_cap
from fazhi.core.selectors.site import root_organisation_name, site_settings_get
from fazhi.core.services.site import FIELDS, site_settings_update


class SiteSettingsForm(forms.ModelForm[SiteSettings]):
    class Meta:
        model = SiteSettings
        fields = list(FIELDS)

    def __init__(self, *args: Any, disabled: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"
            field.disabled = disabled
        fallback = root_organisation_name()
        if fallback:
            self.fields["site_name"].widget.attrs["placeholder"] = fallback
            self.fields["sponsor"].widget.attrs["placeholder"] = fallback

    def _post_clean(self) -> None:
        # The service validates (with its Chinese messages), not the model.
        pass


@login_required
@require_http_methods(["GET", "POST"])
def site_settings(request: HttpRequest) -> HttpResponse:
    action = SiteEvents.SITE_SETTINGS_UPDATED if request.method == "POST" else None
    user = acting_user(request, Cap.ORG_MANAGE, action=action or SiteEvents.SITE_SETTINGS_VIEWED)
    row = site_settings_get(user=user)
    can_edit = has_root_cap(user, Cap.ORG_MANAGE)
    status = 200
    if request.method == "POST":
        form = SiteSettingsForm(request.POST, instance=row)
        if form.is_valid():
            try:
                site_settings_update(
                    actor=user, **{field: form.cleaned_data[field] for field in FIELDS}
                )
            except errors.ValidationFailed as exc:
                field = exc.details.get("field")
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                messages.success(request, "网站信息已保存，门户网站和登录页即时生效。")
                return redirect("core:site_settings")
        status = 400
    else:
        form = SiteSettingsForm(instance=row, disabled=not can_edit)
    return render(
        request,
        "core/site_settings.html",
        {"form": form, "can_edit": can_edit},
        status=status,
    )


urlpatterns: list[URLPattern] = [
    path("site/", site_settings, name="site_settings"),
]
