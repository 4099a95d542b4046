"""Reads of discretion benchmarks. A user sees the benchmarks of the organisations in their data
scope and those of the organisations above their own (a province's benchmark applies in its
cities), never a sibling's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import get_scoped, lineage_ids, organisation_filter, require_cap
from fazhi.discretion.events import BenchmarkEvent
from fazhi.discretion.models import Benchmark, BenchmarkItem, BenchmarkTier


def _visible(user: User | Any) -> Q:
    scope = organisation_filter(user)
    organisation = getattr(user, "organisation", None)
    if organisation is None:
        return scope
    return scope | Q(organisation_id__in=lineage_ids(organisation))


def benchmark_list(
    *, user: User | Any, in_force_on: dt.date | None = None, sample: bool | None = None
) -> QuerySet[Benchmark]:
    """The benchmarks the user may read, newest first; ``in_force_on`` keeps the versions in
    force on that day. Refused without ``discretion.view``."""
    require_cap(user, Cap.DISCRETION_VIEW, action=BenchmarkEvent.LISTED)
    qs = (
        Benchmark.objects.filter(_visible(user))
        .select_related("organisation")
        .annotate(item_count=Count("items"))
    )
    if in_force_on is not None:
        qs = qs.filter(effective_from__lte=in_force_on).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=in_force_on)
        )
    if sample is not None:
        qs = qs.filter(is_sample=sample)
    return qs.order_by("-effective_from", "-id")


def benchmark_get(*, user: User | Any, benchmark_id: int) -> Benchmark:
    require_cap(user, Cap.DISCRETION_VIEW, action=BenchmarkEvent.VIEWED)
    return get_scoped(
        Benchmark.objects.filter(_visible(user)).select_related("organisation"), benchmark_id
    )


def benchmark_items(*, benchmark: Benchmark) -> QuerySet[BenchmarkItem]:
    """The items of a benchmark already read through ``benchmark_get``, with their tiers."""
    return benchmark.items.order_by("position", "id").prefetch_related(
        Prefetch("tiers", queryset=BenchmarkTier.objects.order_by("id"))
    )


def benchmark_item_get(*, user: User | Any, item_id: int) -> BenchmarkItem:
    require_cap(user, Cap.DISCRETION_VIEW, action=BenchmarkEvent.VIEWED)
    qs = (
        BenchmarkItem.objects.filter(_item_visible(user))
        .select_related("benchmark", "benchmark__organisation")
        .prefetch_related(Prefetch("tiers", queryset=BenchmarkTier.objects.order_by("id")))
    )
    return get_scoped(qs, item_id)


def _item_visible(user: User | Any) -> Q:
    scope = organisation_filter(user, "benchmark__organisation")
    organisation = getattr(user, "organisation", None)
    if organisation is None:
        return scope
    return scope | Q(benchmark__organisation_id__in=lineage_ids(organisation))
