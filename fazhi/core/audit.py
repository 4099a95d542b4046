"""The audit chain (执法全过程记录): appending an event, hashing it, recording a denial.

Verification (the chain, anchors, stored files) is ``fazhi.core.audit_verify``; scoped reads are
``fazhi.core.selectors.audit``.

Every service appends its event inside its own transaction, so a change and its record commit or
roll back together. Appends serialise on the single ``ChainHead`` row: the first statement is an
UPDATE of that row, which takes a row lock on PostgreSQL and the write lock on SQLite, so two
writers can never chain onto the same predecessor, from any number of processes. A rolled-back
transaction rolls back the head too, so it leaves neither an event nor a gap in ``seq``.

What is hashed (see docs/audit.md): ``hash = SHA-256(UTF-8(prev_hash + body))`` with

    body = seq|time|actor_id|organisation_id|n:actor_name|n:action|n:object_type|n:object_id
           |n:details

(one line, no spaces),
``time`` being the instant in integer microseconds since 1970-01-01T00:00:00Z, a missing id an
empty string, and each text field prefixed by its length in characters (``n:``) so that no
choice of text can make two different events produce the same body. ``details`` is the canonical
JSON text stored in the row, hashed as text, so verifying never re-serialises JSON.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Model

from fazhi.core import clock, events
from fazhi.core.audit_events import AccessEvents
from fazhi.core.models import AuditEvent, ChainHead, Organisation


def canonical_json(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 text kept as is."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_MICROSECOND = dt.timedelta(microseconds=1)


def time_value(value: datetime) -> int:
    """The hashed form of an instant: integer microseconds since the Unix epoch (UTC).

    An integer, not text: exact, independent of time zones, and ~8x cheaper to compute than
    ``isoformat`` on an aware datetime, which matters when verifying millions of rows.
    """
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return (value - EPOCH) // ONE_MICROSECOND


def event_body(
    *,
    seq: int,
    created_at: datetime,
    actor_id: int | None,
    actor_name: str,
    organisation_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    details_json: str,
) -> str:
    """The canonical text of one event (see the module docstring)."""
    return (
        f"{seq}|{time_value(created_at)}|{'' if actor_id is None else actor_id}|"
        f"{'' if organisation_id is None else organisation_id}|"
        f"{len(actor_name)}:{actor_name}|{len(action)}:{action}|"
        f"{len(object_type)}:{object_type}|{len(object_id)}:{object_id}|"
        f"{len(details_json)}:{details_json}"
    )


def event_hash(*, prev_hash: str, **fields: Any) -> str:
    """SHA-256 over the previous hash and this event's body; ``fields`` as ``event_body``."""
    return hashlib.sha256((prev_hash + event_body(**fields)).encode("utf-8")).hexdigest()


def _lock_head() -> ChainHead:
    # UPDATE first: it takes the lock before we read, on both databases.
    if ChainHead.objects.filter(pk=1).update(last_seq=F("last_seq") + 1) == 0:
        ChainHead.objects.bulk_create([ChainHead(pk=1)], ignore_conflicts=True)
        ChainHead.objects.filter(pk=1).update(last_seq=F("last_seq") + 1)
    return ChainHead.objects.select_for_update().get(pk=1)


# Names appended although no domain declares them: none. (Tests that rebuild a chain written
# before the event vocabulary patch an old name in here for one append.)
TRANSITIONAL_NAMES: frozenset[str] = frozenset()


def append(
    *,
    actor: Any,
    action: str,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    organisation_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain. Must run inside the calling service's transaction.

    ``action`` must be a registered event name (``fazhi.core.events``): an unknown name is a
    programming error (``ValueError``), never written."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit.append must be called inside the service's transaction")
    if not events.known(action) and action not in TRANSITIONAL_NAMES:
        raise ValueError(
            f"unknown audit event {action!r}: declare it in its domain's events and register it"
        )
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        if organisation_id is None:
            organisation_id = (
                obj.pk if isinstance(obj, Organisation) else getattr(obj, "organisation_id", None)
            )
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    if actor_id is not None:
        actor_name = getattr(actor, "full_name", "") or actor.get_username()
    else:
        actor_name = "system" if actor is None else "anonymous"
    if organisation_id is None and actor_id is not None:
        organisation_id = getattr(actor, "organisation_id", None)
    details_json = canonical_json(details or {})
    head = _lock_head()
    # Taken after the lock, so time never runs backwards along the chain within one clock.
    created_at = clock.now()
    values: dict[str, Any] = {
        "seq": head.last_seq,
        "created_at": created_at,
        "actor_id": actor_id,
        "actor_name": actor_name[:150],
        "organisation_id": organisation_id,
        "action": action[:80],
        "object_type": object_type[:80],
        "object_id": str(object_id)[:64],
        "details_json": details_json,
    }
    digest = event_hash(prev_hash=head.last_hash, **values)
    ChainHead.objects.filter(pk=1).update(last_hash=digest)
    return AuditEvent.objects.create(prev_hash=head.last_hash, hash=digest, **values)


def record_denial(*, actor: Any, action: str, reason: str, **details: Any) -> None:
    """Record a refused request. Called at the boundary (view, API, CLI) after the service's
    transaction has rolled back, so the record survives the refusal. ``action`` is what the
    boundary was asked (``GET /registry/5/``); ``details`` are the error's, scalars only, its own
    ``attempted`` (the event the refused change would have written, e.g. ``user.created``, or
    the read, e.g. ``deadline.viewed``) kept as ``refused``. The event is ``access.denied``
    (``security.denied`` in chains written before the event vocabulary)."""
    scalars = {k: v for k, v in details.items() if isinstance(v, str | int | float | bool)}
    if "attempted" in scalars:
        scalars["refused"] = scalars.pop("attempted")
    with transaction.atomic():
        append(
            actor=actor,
            action=AccessEvents.ACCESS_DENIED,
            details={**scalars, "attempted": action, "reason": reason},
        )
