"""Services: storing an attachment (a file stored by its SHA-256, its storage an audit event).

The file is written before the transaction (streamed to a temporary file while hashing, then
renamed into place), so a rolled-back transaction can leave an unreferenced file behind; being
content-addressed, it is harmless and is reused if the same content is stored again. Storage paths
and type detection are in ``fazhi.core.attachments``.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import IO, Any

from django.db import transaction

from fazhi.core import audit, errors
from fazhi.core.attachments import (
    attachment_path,
    attachments_root,
    detect_type,
    file_chunks,
    is_inline_image,
    max_bytes,
)
from fazhi.core.models import Attachment, Organisation, User
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


def attachment_store(
    *,
    actor: User,
    organisation: Organisation,
    file: IO[bytes] | Any,
    filename: str,
    content_type: str = "",
    images_only: bool = False,
) -> Attachment:
    """Store a file for ``organisation``; its hash goes into the audit chain.

    The stored ``content_type`` is the one detected from the content; ``content_type`` (what
    the client declared) is only recorded in the audit event. ``images_only`` refuses anything
    that is not an image served inline (``not_an_image``) before anything is stored."""
    require_cap(actor, Cap.WRITE, action="attachment.store")
    require_in_scope(actor, organisation, action="attachment.store")
    name = _clean_filename(filename)
    tmp, sha256, size = _spool(file, max_bytes())
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
    with transaction.atomic(durable=True):
        attachment = Attachment.objects.create(
            organisation=organisation,
            sha256=sha256,
            size=size,
            filename=name,
            content_type=detected,
            uploaded_by=actor,
        )
        audit.append(
            actor=actor,
            action="attachment.stored",
            obj=attachment,
            details={
                "sha256": sha256,
                "size": size,
                "filename": name,
                "content_type": detected,
                "declared_type": (content_type or "")[:100],
            },
        )
    return attachment
