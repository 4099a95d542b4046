"""The acting user of a page or an API request, with the capability the request needs.

Pages and API views call ``acting_user(request, Cap.X, action=...)`` instead of keeping their own
``_user`` helper: one place turns ``request.user`` into a ``User`` and refuses a user without the
capability the same way everywhere (``PermissionDenied``, 403, recorded as a denial at the
boundary). Services check again for anything sensitive; list selectors refuse a user without the
capability instead of answering an empty list.
"""

from __future__ import annotations

from typing import Any

from fazhi.core import errors
from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap


def acting_user(request: Any, cap: Cap | None = None, *, action: str = "") -> User:
    """``request.user`` as a ``User``; with ``cap``, refused unless the user holds it.

    ``action`` names what was attempted, in the event vocabulary (``<entity>.<verb>``), for the
    denial record; it defaults to the capability's name."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        raise errors.PermissionDenied("请先登录。", code="not_authenticated")
    if cap is not None:
        require_cap(user, cap, action=action or str(cap))
    return user
