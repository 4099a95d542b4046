"""Turns FazhiError raised in a page view into a Chinese error page with its code; renews the
session's idle window at most once a minute."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fazhi.core import clock, errors, feedback
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


# The session's idle window (SESSION_COOKIE_AGE) is renewed by saving the session, which is a
# database write and a commit on every page. Renewing it when the last renewal is a minute old
# keeps the idle timeout within a minute of exact and leaves reads without a write.
RENEW_AFTER_SECONDS = 60
_RENEWED_KEY = "_fz_renewed"


class SessionRenewalMiddleware:
    """After ``SessionMiddleware``: marks a signed-in session for saving (a new expiry of
    SESSION_COOKIE_AGE from now) when its last renewal is ``RENEW_AFTER_SECONDS`` old or more."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if session.session_key is not None:
            renewed = session.get(_RENEWED_KEY)  # loads the session: a stale key becomes None
            now = int(clock.now().timestamp())
            stale = not isinstance(renewed, int) or not 0 <= now - renewed < RENEW_AFTER_SECONDS
            if session.session_key is not None and stale:
                session[_RENEWED_KEY] = now
        return self.get_response(request)


def session_renewed_now(session: Any) -> None:
    """A login saves the session with a fresh window: the next minute's pages need not renew it
    (``fazhi.core.signals`` calls this on ``user_logged_in``)."""
    session[_RENEWED_KEY] = int(clock.now().timestamp())
