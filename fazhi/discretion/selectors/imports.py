"""Reads of benchmark imports, narrowed to the user's data scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from fazhi.core.models import Organisation, User
from fazhi.core.roles import Cap
from fazhi.core.scope import get_scoped, require_cap, scoped, visible_organisations
from fazhi.discretion.events import BenchmarkEvent
from fazhi.discretion.models import BenchmarkImport


def benchmark_import_list(*, user: User | Any) -> QuerySet[BenchmarkImport]:
    require_cap(user, Cap.DISCRETION_MANAGE, action=BenchmarkEvent.LISTED)
    return scoped(BenchmarkImport.objects.select_related("organisation", "benchmark"), user)


def benchmark_import_get(*, user: User | Any, import_id: int) -> BenchmarkImport:
    require_cap(user, Cap.DISCRETION_VIEW, action=BenchmarkEvent.VIEWED)
    qs = scoped(BenchmarkImport.objects.select_related("organisation", "benchmark"), user)
    return get_scoped(qs, import_id)


def organisations_for_benchmarks(*, user: User | Any) -> QuerySet[Organisation]:
    """The organisations a user may publish benchmarks for (their data scope, active)."""
    return visible_organisations(user).filter(is_active=True).order_by("path")
