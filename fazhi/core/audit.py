"""Appending to and verifying the audit chain (执法全过程记录).

Every service appends its event inside its own transaction, so a change and its record commit or
roll back together. Appends serialise on the single ``ChainHead`` row: the first statement is an
UPDATE of that row, which takes a row lock on PostgreSQL and the write lock on SQLite, so two
writers can never chain onto the same predecessor, from any number of processes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Model
from django.utils import timezone

from fazhi.core.models import AuditEvent, ChainHead
from fazhi.core.models.audit import GENESIS_HASH

TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def canonical_json(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 text kept as is."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def event_hash(
    *,
    prev_hash: str,
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
    body = json.dumps(
        [
            seq,
            created_at.astimezone(UTC).strftime(TIME_FORMAT),
            actor_id,
            actor_name,
            organisation_id,
            action,
            object_type,
            object_id,
            details_json,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def _lock_head() -> ChainHead:
    # UPDATE first: it takes the lock before we read, on both databases.
    if ChainHead.objects.filter(pk=1).update(last_seq=F("last_seq") + 1) == 0:
        ChainHead.objects.bulk_create([ChainHead(pk=1)], ignore_conflicts=True)
        ChainHead.objects.filter(pk=1).update(last_seq=F("last_seq") + 1)
    return ChainHead.objects.select_for_update().get(pk=1)


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
    """Append one event to the chain. Must run inside the calling service's transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit.append must be called inside the service's transaction")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        if organisation_id is None:
            organisation_id = getattr(obj, "organisation_id", None)
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    actor_name = (getattr(actor, "full_name", "") or actor.get_username()) if actor_id else "system"
    if organisation_id is None and actor_id is not None:
        organisation_id = getattr(actor, "organisation_id", None)
    details_json = canonical_json(details or {})
    head = _lock_head()
    created_at = timezone.now()
    values = {
        "seq": head.last_seq,
        "created_at": created_at,
        "actor_id": actor_id,
        "actor_name": actor_name[:150],
        "organisation_id": organisation_id,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "details_json": details_json,
    }
    digest = event_hash(prev_hash=head.last_hash, **values)  # type: ignore[arg-type]
    ChainHead.objects.filter(pk=1).update(last_hash=digest)
    return AuditEvent.objects.create(prev_hash=head.last_hash, hash=digest, **values)


def record_denial(*, actor: Any, action: str, reason: str, **details: Any) -> None:
    """Record a refused request. Called at the boundary (view, API, CLI) after the service's
    transaction has rolled back, so the record survives the refusal."""
    with transaction.atomic():
        append(
            actor=actor,
            action="security.denied",
            details={"attempted": action, "reason": reason, **details},
        )


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    count: int
    broken_seq: int | None = None
    reason: str = ""

    def summary(self) -> str:
        if self.ok:
            return f"OK {self.count} events"
        return f"BROKEN at seq {self.broken_seq}: {self.reason} (checked {self.count} events)"


VERIFY_COLUMNS = (
    "seq, created_at, actor_id, actor_name, organisation_id, action, object_type, object_id, "
    "details_json, prev_hash, hash"
)


def _rows(chunk_size: int) -> Iterator[tuple[Any, ...]]:
    table = AuditEvent._meta.db_table
    # A server-side cursor on PostgreSQL; plain fetchmany on SQLite.
    with connection.chunked_cursor() as cursor:
        cursor.execute(f"SELECT {VERIFY_COLUMNS} FROM {table} ORDER BY seq")  # noqa: S608
        while rows := cursor.fetchmany(chunk_size):
            yield from rows


def _as_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    # SQLite returns text through a raw cursor
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def verify(*, chunk_size: int = 20_000) -> VerifyResult:
    """Recompute the whole chain; report the first broken link."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    sha256 = hashlib.sha256
    dumps = json.dumps
    for (
        seq,
        created_at,
        actor_id,
        actor_name,
        organisation_id,
        action,
        object_type,
        object_id,
        details_json,
        prev_hash,
        digest,
    ) in _rows(chunk_size):
        if seq != expected_seq:
            return VerifyResult(False, count, expected_seq, f"sequence gap: found {seq}")
        if prev_hash != expected_prev:
            return VerifyResult(False, count, seq, "prev_hash does not match the previous event")
        body = dumps(
            [
                seq,
                _as_datetime(created_at).astimezone(UTC).strftime(TIME_FORMAT),
                actor_id,
                actor_name,
                organisation_id,
                action,
                object_type,
                object_id,
                details_json,
            ],
            ensure_ascii=False,
            separators=(",", ":"),
        )
        if sha256((prev_hash + body).encode("utf-8")).hexdigest() != digest:
            return VerifyResult(False, count, seq, "content does not match its hash")
        expected_prev = digest
        expected_seq += 1
        count += 1
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_seq != count or head.last_hash != expected_prev):
        return VerifyResult(
            False, count, count + 1, "chain head does not match the last event (truncated?)"
        )
    return VerifyResult(True, count)
