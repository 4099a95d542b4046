"""Scoped reads of background jobs: the jobs of the organisations in the user's scope whose kind
the user may see (its capability), and the user's own jobs always."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from fazhi.core import jobs
from fazhi.core.models import Job, User
from fazhi.core.scope import get_scoped, scoped


def _visible(user: User | Any) -> QuerySet[Job]:
    mine = Q(created_by=user) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
    return scoped(
        Job.objects.filter(Q(kind__in=jobs.kinds_visible_to(user)) | mine), user
    ).select_related("organisation", "created_by")


def job_list(
    *, user: User | Any, mine: bool = False, state: str = "", kind: str = ""
) -> QuerySet[Job]:
    """Newest first. ``mine``: only the jobs ``user`` started (the "我的后台任务" page)."""
    qs = _visible(user)
    if mine:
        qs = qs.filter(created_by=user)
    if state:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-created_at", "-id")


def job_get(*, user: User | Any, job_id: int) -> Job:
    return get_scoped(_visible(user), job_id)
