"""Helpers shared by the directory's endpoints."""

from __future__ import annotations

from typing import Any

from fazhi.core.models import User
from fazhi.core.scope import get_scoped
from fazhi.registry.selectors import entities as entity_selectors


def organisation_for(user: User, org_id: int | None) -> Any:
    orgs = entity_selectors.organisations_for_registry(user=user)
    return get_scoped(orgs, org_id or user.organisation_id)
