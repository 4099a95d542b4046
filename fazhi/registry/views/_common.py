"""Helpers shared by the directory's pages."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from fazhi.core import errors, feedback
from fazhi.core.models import User
from fazhi.registry.selectors import entities as entity_selectors


def download(content: bytes, content_type: str, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(file_name)}"
    return response


def org_choices(user: User) -> list[tuple[int, str]]:
    return [
        (org.pk, org.name)
        for org in entity_selectors.organisations_for_registry(user=user).order_by("path")
    ]


def back_to_entity(request: HttpRequest, entity_id: int) -> HttpResponse:
    return redirect("registry:entity_detail", entity_id=entity_id)


def show_failure(request: HttpRequest, exc: errors.FazhiError) -> None:
    feedback.error_message(request, exc)


def require_visible(user: User, entity_id: int) -> None:
    """Another organisation's entity is a 404, recorded, before any of the input is looked at."""
    entity_selectors.entity_get(user=user, entity_id=entity_id)
