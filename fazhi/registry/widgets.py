"""The entity picker: a ``RemotePicker`` over the directory's scoped search."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from fazhi.core.widgets import RemotePicker


def entity_picker(**kwargs: Any) -> RemotePicker:
    """The picker of an entity in the user's scope (``registry:entity_search``: name, or the
    统一社会信用代码 / 身份证号); built in the view, since it reverses a URL."""
    return RemotePicker(reverse("registry:entity_search"), **kwargs)
