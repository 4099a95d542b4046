"""Helpers shared by the organisation, user and officer endpoints.

Those endpoints read through the same scoped selectors as the pages and write through the same
services. An id outside the caller's scope is a 404 with the common error envelope.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Model
from rest_framework import serializers
from rest_framework.request import Request

from fazhi.core.models import (
    User,
)

M = TypeVar("M", bound=Model)


def validated(serializer_class: type[serializers.Serializer[Any]], request: Request) -> Any:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def ref(getter: Callable[..., M], user: User, pk: int | None) -> M | None:
    return None if pk is None else getter(user=user, pk=pk)
