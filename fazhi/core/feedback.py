"""Errors on pages: the Chinese sentence for the user, the stable code for logs and clients.

A page shows ``exc.message`` only. The code goes to the log (logger ``fazhi.errors``) and, through
``FazhiErrorMiddleware``, into the response's ``X-Error-Code`` header, so support and tests can
still tell one refusal from another without an internal code on the screen.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.http import HttpRequest

from fazhi.core.errors import FazhiError

logger = logging.getLogger("fazhi.errors")

HEADER = "X-Error-Code"


def note_error(request: HttpRequest, exc: FazhiError) -> None:
    """Log the code of an error shown on a page and keep it for the response header."""
    logger.info("%s %s refused: %s", request.method, request.path, exc.code)
    request.fazhi_error_code = exc.code  # type: ignore[attr-defined]


def error_message(request: HttpRequest, exc: FazhiError) -> None:
    """A red alert with the error's Chinese message; the code goes to the log and header."""
    note_error(request, exc)
    messages.error(request, exc.message)
