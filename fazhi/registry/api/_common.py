"""Helpers shared by the directory's endpoints."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request

from fazhi.core.scope import get_scoped
from fazhi.registry.selectors import entities as entity_selectors


def organisation_for(request: Request, org_id: int | None) -> Any:
    orgs = entity_selectors.organisations_for_registry(user=request.user)
    return get_scoped(orgs, org_id or request.user.organisation_id)  # type: ignore[union-attr]
