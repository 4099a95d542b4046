"""The API's one error envelope: {"error": {"code": ..., "message": ..., "details": ...}}."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from fazhi.core import errors
from fazhi.core.audit import record_denial


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    request = context.get("request")
    user = getattr(request, "user", None)
    if isinstance(exc, errors.FazhiError):
        if isinstance(exc, errors.PermissionDenied):
            record_denial(actor=user, action=_path(request), reason=exc.code, **exc.details)
        if isinstance(exc, errors.OutOfScope):
            # Exactly the body of a missing row: the details (which say the row exists) go to the
            # audit chain only, so ids of other organisations cannot be probed.
            return Response({"error": errors.NotFound().as_dict()}, status=exc.http_status)
        return Response({"error": exc.as_dict()}, status=exc.http_status)
    response = drf_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, drf_exceptions.PermissionDenied):
        record_denial(actor=user, action=_path(request), reason="permission_denied")
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, drf_exceptions.ValidationError):
        body = {
            "code": _validation_code(exc.get_codes()),
            "message": "输入的数据不符合要求。",
            "details": response.data,
        }
    elif isinstance(exc, drf_exceptions.NotFound | drf_exceptions.PermissionDenied) and (
        response.status_code == 404
    ):
        body = {"code": "not_found", "message": "记录不存在或不在您的数据范围内。"}
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        body = {"code": str(code), "message": str(detail)}
    response.data = {"error": body}
    return response


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler404``: a URL under /api/ that matches no route (an id out of range included)
    answers the API's envelope; pages keep Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": errors.NotFound().as_dict()}, status=404)
    return defaults.page_not_found(request, exception or Exception())


def _validation_code(codes: Any) -> str:
    """``invalid_date`` when every failing field is a date out of range, else the general code."""
    leaves: set[str] = set()
    stack = [codes]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        else:
            leaves.add(str(item))
    return "invalid_date" if leaves == {"invalid_date"} else "validation_failed"


def _path(request: Any) -> str:
    return f"{getattr(request, 'method', '')} {getattr(request, 'path', '')}".strip()
