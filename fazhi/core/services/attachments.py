"""Services: attachments — files stored by their SHA-256 and linked to the records they belong to.

Two steps, on either side of the caller's transaction. ``attachment_store_blob`` writes the file
before it (streamed to a temporary file while hashing, then renamed into place): content-addressed
and idempotent, so a transaction that then rolls back leaves at most an unreferenced file, harmless
and reused if the same content is stored again. ``attachment_link`` runs inside it: the
``Attachment`` row, its ``AttachmentLink`` to the subject (a task, a case …) and the audit event
commit with the subject's change or not at all. Storage paths and type detection are in
``fazhi.core.attachments``.
"""

from __future__ import annotations

import hashlib
import io
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import IO, Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Model

from fazhi.core import audit, errors
from fazhi.core.attachments import (
    attachment_path,
    attachments_root,
    detect_type,
    file_chunks,
    is_inline_image,
    max_bytes,
)
from fazhi.core.audit_events import AttachmentEvents
from fazhi.core.models import Attachment, AttachmentKind, AttachmentLink, Organisation, User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap, require_in_scope


def _clean_filename(filename: str) -> str:
    # Keep the last path component whichever separator the browser used.
    name = PureWindowsPath(PurePosixPath(filename or "").name).name.strip()
    name = "".join(c for c in name if c.isprintable())
    if not name:
        raise errors.ValidationFailed("文件名不能为空。", code="attachment_filename_empty")
    return name[:255]


def _spool(file: Any, limit: int) -> tuple[Path, str, int]:
    """Stream ``file`` to a temporary file beside the store, hashing it; refuse over ``limit``."""
    root = attachments_root()
    root.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(dir=root, prefix=".upload-")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for block in file_chunks(file):
                size += len(block)
                if size > limit:
                    raise errors.ValidationFailed(
                        f"文件超过大小上限（{limit // (1024 * 1024)} MB）。",
                        code="attachment_too_large",
                    )
                digest.update(block)
                out.write(block)
        if size == 0:
            raise errors.ValidationFailed("不能上传空文件。", code="attachment_empty")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp, digest.hexdigest(), size


@dataclass(frozen=True)
class StoredBlob:
    """A file stored by its hash but not yet recorded: what ``attachment_link`` records."""

    organisation: Organisation
    uploaded_by: User
    sha256: str
    size: int
    filename: str
    content_type: str  # detected from the content
    declared_type: str  # what the client said, for the record only


def attachment_store_blob(
    *,
    actor: User,
    organisation: Organisation,
    file: IO[bytes] | Any,
    filename: str,
    content_type: str = "",
    images_only: bool = False,
) -> StoredBlob:
    """Store a file for ``organisation`` by its SHA-256, before (outside) any transaction; the
    same content stored twice is one file. Nothing is recorded until ``attachment_link``.

    The stored type is the one detected from the content; ``content_type`` (what the client
    declared) is only recorded. ``images_only`` refuses anything that is not an image served
    inline (``not_an_image``) before anything is stored."""
    require_cap(actor, Cap.WRITE, action=AttachmentEvents.ATTACHMENT_STORED)
    require_in_scope(actor, organisation, action=AttachmentEvents.ATTACHMENT_STORED)
    return _write_blob(
        organisation=organisation,
        uploaded_by=actor,
        file=file,
        filename=filename,
        declared_type=content_type,
        images_only=images_only,
        limit=max_bytes(),
    )


def attachment_store_output(
    *,
    organisation: Organisation,
    produced_for: User,
    content: bytes = b"",
    filename: str,
    file: IO[bytes] | None = None,
) -> StoredBlob:
    """Store a file the system produced for ``produced_for`` (an export a background job wrote),
    before the transaction that links it: ``content``, or ``file`` read from its start in
    chunks (a large export written to a temporary file). No write capability is asked:
    producing a user's export is a read on their behalf, checked when the job was started."""
    if file is not None:
        file.seek(0)
    return _write_blob(
        organisation=organisation,
        uploaded_by=produced_for,
        file=file if file is not None else io.BytesIO(content),
        filename=filename,
        declared_type="",
        images_only=False,
        limit=sys.maxsize,
    )


def _write_blob(
    *,
    organisation: Organisation,
    uploaded_by: User,
    file: IO[bytes] | Any,
    filename: str,
    declared_type: str,
    images_only: bool,
    limit: int,
) -> StoredBlob:
    name = _clean_filename(filename)
    tmp, sha256, size = _spool(file, limit)
    try:
        detected = detect_type(tmp)
        if images_only and not is_inline_image(detected):
            raise errors.ValidationFailed(
                "只能上传 JPEG、PNG、WebP 或 GIF 图片（须为完整可读的图片文件）。",
                code="not_an_image",
            )
        target = attachment_path(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Same name, same content: replacing also repairs a copy damaged on disk.
        os.replace(tmp, target)
        target.chmod(0o444)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return StoredBlob(
        organisation=organisation,
        uploaded_by=uploaded_by,
        sha256=sha256,
        size=size,
        filename=name,
        content_type=detected,
        declared_type=(declared_type or "")[:100],
    )


def _record(actor: User | None, blob: StoredBlob, **context: Any) -> Attachment:
    """The row of a stored blob and its chained event (its hash bound into the chain)."""
    attachment = Attachment.objects.create(
        organisation=blob.organisation,
        sha256=blob.sha256,
        size=blob.size,
        filename=blob.filename,
        content_type=blob.content_type,
        uploaded_by=blob.uploaded_by,
    )
    audit.append(
        actor=actor,
        action=AttachmentEvents.ATTACHMENT_STORED,
        obj=attachment,
        details={
            "sha256": blob.sha256,
            "size": blob.size,
            "filename": blob.filename,
            "content_type": blob.content_type,
            "declared_type": blob.declared_type,
            **context,
        },
    )
    return attachment


def attachment_link(
    *,
    actor: User | None,
    attachment_or_blob: Attachment | StoredBlob,
    subject: Model,
    kind: str,
) -> AttachmentLink:
    """Link a file to ``subject`` (the record it is ``kind`` of evidence for) inside the calling
    service's transaction: a blob just stored gets its row and ``attachment.stored`` event, an
    existing attachment an ``attachment.linked`` event. The caller has checked the actor's
    permission for the change the file belongs to; a rolled-back change leaves no row or link
    (at most an unreferenced blob, harmless and reused)."""
    if not connection.in_atomic_block:
        raise RuntimeError("attachment_link must run inside the calling service's transaction")
    if kind not in AttachmentKind.values:
        raise ValueError(f"unknown attachment kind {kind!r}: one of {AttachmentKind.values}")
    about = {"subject_type": subject._meta.label_lower, "subject_id": str(subject.pk), "kind": kind}
    if isinstance(attachment_or_blob, StoredBlob):
        attachment = _record(actor, attachment_or_blob, **about)
    else:
        attachment = attachment_or_blob
        audit.append(
            actor=actor,
            action=AttachmentEvents.ATTACHMENT_LINKED,
            obj=attachment,
            details={"sha256": attachment.sha256, **about},
        )
    return AttachmentLink.objects.create(
        attachment=attachment,
        content_type=ContentType.objects.get_for_model(subject),
        object_id=str(subject.pk),
        kind=kind,
        linked_by=actor if isinstance(actor, User) else None,
    )
