"""Turns FazhiError raised in a page view into a Chinese error page with its code."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fazhi.core import errors, feedback
from fazhi.core.audit import record_denial


class FazhiErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        code = getattr(request, "fazhi_error_code", None)
        if code and not response.has_header(feedback.HEADER):
            response[feedback.HEADER] = code
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if request.path.startswith("/api/"):
            return None  # the API renders its own envelope
        if isinstance(exception, DjangoPermissionDenied):
            exception = errors.PermissionDenied()
        if not isinstance(exception, errors.FazhiError):
            return None
        if isinstance(exception, errors.PermissionDenied) and request.user.is_authenticated:
            record_denial(
                actor=request.user,
                action=f"{request.method} {request.path}",
                reason=exception.code,
                **exception.details,
            )
        feedback.note_error(request, exception)
        template = (
            "core/error_fragment.html" if request.headers.get("HX-Request") else "core/error.html"
        )
        return render(request, template, {"error": exception}, status=exception.http_status)
