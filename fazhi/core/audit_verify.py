"""Verifying the audit chain: every event's hash and link, anchors kept outside the database,
and the stored attachment files (``fazhi audit verify``, the audit pages and the API).

See docs/audit.md for what is hashed and what an anchor proves.
"""

from __future__ import annotations

import hashlib
import json
import queue
import re
import threading
from collections.abc import Generator, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from fazhi.core import clock, errors
from fazhi.core.audit import EPOCH, ONE_MICROSECOND, event_hash, time_value
from fazhi.core.audit_events import AttachmentEvents
from fazhi.core.models import Attachment, AuditEvent, ChainHead
from fazhi.core.models.audit import GENESIS_HASH


def event_intact(event: AuditEvent) -> bool:
    """Does one event still hash to its stored hash, and is it still linked into the chain (the
    next event, or the chain head, names its hash)? A cheap local check for a page or command
    that relies on one event; ``verify`` checks the whole chain."""
    body_hash = event_hash(
        prev_hash=event.prev_hash,
        seq=event.seq,
        created_at=event.created_at,
        actor_id=event.actor_id,
        actor_name=event.actor_name,
        organisation_id=event.organisation_id,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        details_json=event.details_json,
    )
    if body_hash != event.hash:
        return False
    # The head first, then the successor: an event appended between the two reads is then seen
    # as the successor, never as a head that no longer names this event.
    head = ChainHead.objects.filter(pk=1).values_list("last_hash", flat=True).first()
    successor = AuditEvent.objects.filter(seq=event.seq + 1).values_list("prev_hash", flat=True)
    linked = successor.first()
    if linked is None:
        linked = head
    return linked == event.hash


HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Anchor:
    """A chain head exported earlier and kept outside the database (see docs/audit.md).

    ``seq`` may be None for a bare hash: the hash alone commits to its seq and to every event
    before it, so it pins the same prefix; the seq makes the check one indexed read and the
    message precise. ``fazhi audit head`` exports both."""

    seq: int | None
    hash: str

    @classmethod
    def parse(cls, text: str) -> Anchor:
        """``SEQ:HASH``, a bare ``HASH``, or a line of ``fazhi audit head`` (JSON)."""
        raw = (text or "").strip()
        seq: Any = None
        digest: Any = raw
        if raw.startswith("{"):
            try:
                data = json.loads(raw)
            except ValueError:
                data = None
            if not isinstance(data, dict):
                raise errors.ValidationFailed("链头锚点不是有效的 JSON 对象。", code="bad_anchor")
            seq, digest = data.get("seq"), data.get("hash")
        elif ":" in raw:
            seq, digest = raw.split(":", 1)
        if isinstance(seq, str):
            seq = int(seq) if seq.strip().isdigit() else -1
        if seq is not None and (not isinstance(seq, int) or isinstance(seq, bool) or seq < 0):
            raise errors.ValidationFailed("链头锚点的序号应为非负整数。", code="bad_anchor")
        digest = digest.strip().lower() if isinstance(digest, str) else ""
        if not HEX64.fullmatch(digest):
            raise errors.ValidationFailed(
                "链头锚点应为“序号:哈希”、64位十六进制哈希，或 fazhi audit head 输出的一行。",
                code="bad_anchor",
            )
        return cls(seq, digest)

    def __str__(self) -> str:
        return self.hash if self.seq is None else f"{self.seq}:{self.hash}"


@dataclass(frozen=True)
class AnchorResult:
    anchor: Anchor
    ok: bool
    seq: int | None  # where the anchored event is, or should be
    reason: str

    def summary(self) -> str:
        if self.ok:
            return f"ANCHOR OK at seq {self.seq}: {self.reason}"
        where = "" if self.seq is None else f" at seq {self.seq}"
        return f"ANCHOR BROKEN{where}: {self.reason}"


@dataclass(frozen=True)
class VerifyResult:
    ok: bool  # the chain itself (links, hashes, head)
    count: int
    broken_seq: int | None = None
    reason: str = ""
    anchors: tuple[AnchorResult, ...] = ()

    @property
    def all_ok(self) -> bool:
        """The chain and every anchor it was checked against."""
        return self.ok and all(a.ok for a in self.anchors)

    def summary(self) -> str:
        if self.ok:
            return f"OK {self.count} events"
        return f"BROKEN at seq {self.broken_seq}: {self.reason}"

    def lines(self) -> list[str]:
        return [self.summary(), *(a.summary() for a in self.anchors)]


VERIFY_COLUMNS = (
    "seq, created_at, actor_id, actor_name, organisation_id, action, object_type, object_id, "
    "details_json, prev_hash, hash"
)


SELECT_ROWS = f"SELECT {VERIFY_COLUMNS} FROM {AuditEvent._meta.db_table} ORDER BY seq"  # noqa: S608


@contextmanager
def _snapshot() -> Iterator[tuple[int, str]]:
    """One consistent view of the head and the events.

    PostgreSQL: a REPEATABLE READ transaction (when we are the outermost one), so events committed
    while we scan can neither be half-seen nor make the head look inconsistent; the server-side
    cursor streams inside it. SQLite: the transaction takes the write lock (transaction_mode
    IMMEDIATE), so writers wait while a verification runs.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        head = ChainHead.objects.filter(pk=1).first()
        if head is None:
            yield 0, GENESIS_HASH
        else:
            yield head.last_seq, head.last_hash


@contextmanager
def _scan_cursor() -> Iterator[Any]:
    """A cursor that streams the whole table: server-side on PostgreSQL, fetchmany on SQLite."""
    if connection.vendor != "postgresql":
        with connection.chunked_cursor() as cursor:
            yield cursor
        return
    import psycopg
    from psycopg.pq import Format

    connection.ensure_connection()
    with connection.connection.cursor(name="fazhi_audit_scan", binary=SCAN_BINARY) as cursor:
        # Django loads timestamptz with a pure-Python loader (to attach its time zone); the
        # chain only needs the instant, so use psycopg's C loader, several times cheaper per row.
        oid = psycopg.adapters.types["timestamptz"].oid
        fmt = Format.BINARY if SCAN_BINARY else Format.TEXT
        cursor.adapters.register_loader(oid, psycopg.adapters.get_loader(oid, fmt))
        yield cursor


SCAN_BINARY = True


def _batches(cursor: Any, chunk_size: int) -> Generator[list[tuple[Any, ...]]]:
    """Batches of rows. On PostgreSQL a thread fetches the next batch while the caller works on
    the current one, so the server produces rows on one core while Python hashes on another.
    (SQLite connections must stay on their thread, and there is no server to overlap with.)"""
    if connection.vendor != "postgresql":
        while rows := cursor.fetchmany(chunk_size):
            yield rows
        return
    ready: queue.Queue[Any] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def put(item: Any) -> None:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def produce() -> None:
        try:
            while not stop.is_set():
                rows = cursor.fetchmany(chunk_size)
                put(rows)
                if not rows:
                    return
        except BaseException as exc:  # handed over to the consumer
            put(exc)

    thread = threading.Thread(target=produce, name="audit-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            item = ready.get()
            if isinstance(item, BaseException):
                raise item
            if not item:
                return
            yield item
    finally:
        stop.set()
        thread.join()


def read_rows(*, chunk_size: int = 20_000) -> int:
    """Read every row exactly as ``verify`` does, without hashing (the benchmark's baseline)."""
    count = 0
    with _snapshot(), _scan_cursor() as cursor:
        cursor.execute(SELECT_ROWS)
        with closing(_batches(cursor, chunk_size)) as batches:
            for rows in batches:
                count += len(rows)
    return count


def _time_value_any(value: Any) -> int:
    if isinstance(value, datetime):
        return time_value(value)
    # SQLite returns the stored text (naive UTC) through a raw cursor.
    return time_value(datetime.fromisoformat(str(value)))


def verify(*, chunk_size: int = 20_000, anchors: Sequence[Anchor] = ()) -> VerifyResult:
    """Recompute the whole chain; report the first broken link; check each anchor.

    The loop is the hot path of ``fazhi audit verify`` over millions of rows: it binds names
    locally, builds the body with one f-string and takes the time as integer arithmetic.

    An anchor holds when the event at its seq still has its hash. Together with a chain that
    verifies, every event up to it is then the one anchored; events after it are whatever the
    chain says (a chain that extends an anchor is fine). Anchors are read in the same snapshot.
    """
    with _snapshot() as (head_seq, head_hash), _scan_cursor() as cursor:
        cursor.execute(SELECT_ROWS)
        with closing(_batches(cursor, chunk_size)) as batches:
            result = _verify_rows(batches)
        checked = tuple(_check_anchor(anchor) for anchor in anchors)
        if not result.ok:
            return VerifyResult(
                False, result.count, result.broken_seq, result.reason, anchors=checked
            )
        count, last_hash = result.count, result.reason
        if head_seq != count or head_hash != last_hash:
            return VerifyResult(
                False,
                count,
                count + 1,
                f"chain head (seq {head_seq}) does not match the last event (truncated tail?)",
                anchors=checked,
            )
        return VerifyResult(True, count, anchors=checked)


def _check_anchor(anchor: Anchor) -> AnchorResult:
    if anchor.seq == 0:  # the empty chain: every chain extends it
        genesis = anchor.hash == GENESIS_HASH
        return AnchorResult(
            anchor, genesis, 0, "the empty chain" if genesis else "seq 0 is the genesis hash"
        )
    if anchor.seq is None:
        seq = AuditEvent.objects.filter(hash=anchor.hash).values_list("seq", flat=True).first()
        if seq is None:
            return AnchorResult(
                anchor, False, None, "no event has the anchored hash (rewritten or removed)"
            )
        return AnchorResult(anchor, True, seq, "the chain contains the anchored event")
    stored = AuditEvent.objects.filter(seq=anchor.seq).values_list("hash", flat=True).first()
    if stored == anchor.hash:
        return AnchorResult(anchor, True, anchor.seq, "the chain contains the anchored event")
    if stored is not None:
        return AnchorResult(
            anchor,
            False,
            anchor.seq,
            "the event differs from the anchor: the chain was rewritten at or before it",
        )
    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    if last < anchor.seq:
        return AnchorResult(
            anchor,
            False,
            anchor.seq,
            f"the chain ends at seq {last}, before the anchored event: events were removed",
        )
    return AnchorResult(anchor, False, anchor.seq, "the anchored event is missing")


def _verify_rows(batches: Iterator[list[tuple[Any, ...]]]) -> VerifyResult:
    """Check every fetched row; on success ``reason`` carries the last hash."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    sha256 = hashlib.sha256
    epoch = EPOCH
    one_us = ONE_MICROSECOND
    for rows in batches:
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
        ) in rows:
            if seq != expected_seq:
                if seq < expected_seq:
                    return VerifyResult(False, count, seq, "duplicate sequence number")
                return VerifyResult(
                    False, count, expected_seq, f"missing event (next found is seq {seq})"
                )
            if prev_hash != expected_prev:
                return VerifyResult(
                    False, count, seq, "prev_hash does not match the previous event"
                )
            if created_at.__class__ is datetime and created_at.tzinfo is not None:
                micros = (created_at - epoch) // one_us
            else:
                micros = _time_value_any(created_at)
            # Inlined ``event_body``: this loop runs once per event.
            body = (
                f"{prev_hash}{seq}|{micros}|{'' if actor_id is None else actor_id}|"
                f"{'' if organisation_id is None else organisation_id}|"
                f"{len(actor_name)}:{actor_name}|{len(action)}:{action}|"
                f"{len(object_type)}:{object_type}|{len(object_id)}:{object_id}|"
                f"{len(details_json)}:{details_json}"
            )
            if sha256(body.encode()).hexdigest() != digest:
                return VerifyResult(False, count, seq, "content does not match its hash")
            expected_prev = digest
            expected_seq += 1
            count += 1
    return VerifyResult(True, count, None, expected_prev)


@dataclass(frozen=True)
class FileProblem:
    attachment_id: int
    filename: str
    reason: str


def verify_files() -> tuple[int, list[FileProblem]]:
    """Re-hash every stored attachment against its row and against its chained audit event."""
    from fazhi.core.attachments import attachment_path

    chained: dict[str, str] = {}
    for object_id, details_json in AuditEvent.objects.filter(
        action=AttachmentEvents.ATTACHMENT_STORED
    ).values_list("object_id", "details_json"):
        chained[object_id] = json.loads(details_json).get("sha256", "")
    problems: list[FileProblem] = []
    count = 0
    for att in Attachment.objects.order_by("pk").iterator(chunk_size=2000):
        count += 1
        path: Path = attachment_path(att.sha256)
        if chained.get(str(att.pk)) != att.sha256:
            problems.append(
                FileProblem(att.pk, att.filename, "row hash differs from the chained audit event")
            )
            continue
        if not path.is_file():
            problems.append(FileProblem(att.pk, att.filename, "file missing"))
            continue
        h = hashlib.sha256()
        size = 0
        with path.open("rb") as fh:
            while block := fh.read(1 << 20):
                h.update(block)
                size += len(block)
        if h.hexdigest() != att.sha256 or size != att.size:
            problems.append(FileProblem(att.pk, att.filename, "file content does not match"))
    return count, problems


def head_line(*, now: datetime | None = None) -> str:
    """The chain head as one JSON line, to be kept outside the database (docs/audit.md):
    ``{"seq": …, "hash": …, "time": …}``; ``Anchor.parse`` reads it back."""
    head = ChainHead.objects.filter(pk=1).values_list("last_seq", "last_hash").first()
    seq, digest = head if head is not None else (0, GENESIS_HASH)
    time = (now or clock.now()).astimezone(UTC).isoformat(timespec="seconds")
    return json.dumps({"seq": seq, "hash": digest, "time": time})
