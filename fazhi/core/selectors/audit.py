"""Scoped reads of the audit chain: the event list, one event, the events of one object."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from fazhi.core import errors, events, params
from fazhi.core.audit_events import AuditChainEvents
from fazhi.core.models import AuditEvent, User
from fazhi.core.roles import Cap
from fazhi.core.scope import get_scoped, has_cap, has_root_cap, organisation_filter


def _audit_scope(user: User | Any) -> Q:
    """Events whose organisation is in the user's scope. Events without an organisation
    (system jobs, anonymous denials) are shown to those who may verify the whole chain: the
    system administrators of the root organisation."""
    q = organisation_filter(user)
    if has_root_cap(user, Cap.AUDIT_VERIFY):
        q |= Q(organisation__isnull=True)
    return q


def audit_event_list(
    *,
    user: User | Any,
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    actor: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """Scoped, filtered events, newest first. ``action`` ending in "." matches a prefix;
    ``actor`` matches an actor id (digits) or part of the recorded name. An event name also
    finds the older names it replaced (``access.denied`` finds ``security.denied``)."""
    if not has_cap(user, Cap.AUDIT_VIEW):
        raise errors.PermissionDenied(attempted=AuditChainEvents.EVENT_LISTED)
    qs = AuditEvent.objects.filter(_audit_scope(user))
    if action:
        prefix = action.endswith(".")
        named = Q(action__startswith=action) if prefix else Q(action=action)
        older = events.older_names(action, prefix=prefix)
        qs = qs.filter(named | Q(action__in=older)) if older else qs.filter(named)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if actor:
        qs = (
            qs.filter(actor_id=int(actor))
            if params.is_id(actor)
            else qs.filter(actor_name__icontains=actor)
        )
    tz = timezone.get_current_timezone()
    if date_from is not None:
        qs = qs.filter(created_at__gte=datetime.combine(date_from, dt.time.min, tzinfo=tz))
    if date_to is not None:
        end = datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        qs = qs.filter(created_at__lt=end)
    return qs.order_by("-seq")


def audit_event_get(*, user: User | Any, seq: int) -> AuditEvent:
    return get_scoped(audit_event_list(user=user), seq, lookup="seq")


def audit_for_object(*, user: User | Any, obj: Model) -> QuerySet[AuditEvent]:
    """The history of one object, oldest first, for the object-history partial."""
    return audit_event_list(
        user=user, object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).order_by("seq")


def audit_labels(events_: Any) -> dict[str, dict[Any, str]]:
    """What a page shows instead of internal codes for these events (already scoped): each
    object's title (``抽查计划“2026年…”``, by ``"<object_type>:<object_id>"``) and each
    organisation's name (by id). One query per object type on the page, one for organisations."""
    from django.apps import apps

    from fazhi.core.models import Organisation

    rows = list(events_)
    wanted: dict[str, set[str]] = {}
    for event in rows:
        if event.object_type and params.is_id(str(event.object_id)):
            wanted.setdefault(event.object_type, set()).add(str(event.object_id))
    objects: dict[Any, str] = {}
    for object_type, ids in wanted.items():
        try:
            model = apps.get_model(object_type)
        except (LookupError, ValueError):
            continue
        kind = str(model._meta.verbose_name)
        found = model._default_manager.in_bulk([int(pk) for pk in ids])
        for pk in ids:
            obj = found.get(int(pk))
            objects[f"{object_type}:{pk}"] = f"{kind}“{obj}”" if obj is not None else kind
    org_ids = {event.organisation_id for event in rows if event.organisation_id}
    organisations: dict[Any, str] = dict(
        Organisation.objects.filter(pk__in=org_ids).values_list("pk", "name")
    )
    return {"objects": objects, "organisations": organisations}


def object_type_choices() -> list[tuple[str, str]]:
    """The kinds of object the chain names, in Chinese (the audit filter's choices)."""
    from django.apps import apps

    return sorted(
        (
            (model._meta.label_lower, str(model._meta.verbose_name))
            for model in apps.get_models()
            if model._meta.app_config.name.startswith("fazhi.")
        ),
        key=lambda choice: choice[1],
    )
