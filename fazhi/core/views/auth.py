"""Core pages. Views parse input, call a service or selector, and render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from fazhi.core.models import User
from fazhi.core.services import people as people_services


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = people_services.user_change_password(
            actor=request.user,
            old_password=form.cleaned_data["old_password"],
            new_password=form.cleaned_data["new_password1"],
        )
        update_session_auth_hash(request, user)
        messages.success(request, "密码已修改。")
        return redirect("core:workbench")
    return render(request, "core/password_change.html", {"form": form})
