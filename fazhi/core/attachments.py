"""Attachments: files stored by their SHA-256 under MEDIA_ROOT/attachments/, chained by hash.

The file is written before the transaction (streamed to a temporary file while hashing, then
renamed into place), so a rolled-back transaction can leave an unreferenced file behind; being
content-addressed, it is harmless and is reused if the same content is stored again.

A file's type is what its content is, never what the uploading client said: a raster image
(JPEG, PNG, GIF, WebP) that Pillow decodes is that image type, everything else is
``application/octet-stream``. Serving detects again (``detected_type``), so a row stored before
detection existed cannot echo a client's type either; ``fazhi.core.views.files`` builds the one
response every attachment is served with (decision 0010).
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import IO, Any, BinaryIO

from django.conf import settings
from django.db import transaction

from fazhi.core import audit, errors
from fazhi.core.models import Attachment, Organisation, User
from fazhi.core.roles import Cap
from fazhi.core.scope import get_scoped, require_cap, require_in_scope, scoped

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
_BLOCK = 1 << 20
OCTET_STREAM = "application/octet-stream"
# The only types ever served inline: raster formats browsers show as pictures, never as
# documents (no SVG: it can carry script). Pillow format name -> media type.
INLINE_IMAGE_TYPES = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "WEBP": "image/webp",
}


def max_bytes() -> int:
    return int(getattr(settings, "FAZHI_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def attachments_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "attachments"


def attachment_path(sha256: str) -> Path:
    """Where the content with this hash lives: attachments/ab/cd/abcd…"""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 hex digest")
    return attachments_root() / sha256[:2] / sha256[2:4] / sha256


def file_chunks(file: Any) -> Iterator[bytes]:
    """An uploaded file (Django's ``chunks``) or any binary file object, block by block."""
    if hasattr(file, "chunks"):
        yield from file.chunks(_BLOCK)
        return
    while block := file.read(_BLOCK):
        yield block


def _clean_filename(filename: str) -> str:
    # Keep the last path component whichever separator the browser used.
    name = PureWindowsPath(PurePosixPath(filename or "").name).name.strip()
    name = "".join(c for c in name if c.isprintable())
    if not name:
        raise errors.ValidationFailed("文件名不能为空。", code="attachment_filename_empty")
    return name[:255]


def detect_type(path: Path) -> str:
    """The media type of the file at ``path``, from its content: one of
    ``INLINE_IMAGE_TYPES`` when Pillow identifies it as that format *and* decodes it whole
    (a PNG signature followed by HTML is not an image), else ``application/octet-stream``.
    Images over Pillow's decompression-bomb limit are not decoded and count as not images."""
    from PIL import Image

    try:
        with Image.open(path, formats=list(INLINE_IMAGE_TYPES)) as image:
            width, height = image.size
            if width * height > (Image.MAX_IMAGE_PIXELS or 0):
                return OCTET_STREAM
            image.load()
            image_format = image.format
    except Exception:  # Pillow raises many kinds on a file that is not a whole image
        return OCTET_STREAM
    return INLINE_IMAGE_TYPES.get(image_format or "", OCTET_STREAM)


@functools.lru_cache(maxsize=4096)
def _detected_by_hash(sha256: str) -> str:
    return detect_type(attachment_path(sha256))


def detected_type(attachment: Attachment) -> str:
    """The type to serve ``attachment`` as, detected from the stored content (the stored
    ``content_type`` is not trusted: rows from before detection hold the client's). The store
    is content-addressed, so the answer for a hash never changes and is cached per process."""
    return _detected_by_hash(attachment.sha256)


def is_inline_image(content_type: str) -> bool:
    return content_type in INLINE_IMAGE_TYPES.values()


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


def attachment_get(*, user: User, pk: int) -> Attachment:
    return get_scoped(scoped(Attachment.objects.all(), user), pk)


def attachment_open(*, user: User, pk: int) -> tuple[Attachment, BinaryIO]:
    """The row and an open binary file; the caller closes it (FileResponse does)."""
    attachment = attachment_get(user=user, pk=pk)
    path = attachment_path(attachment.sha256)
    if not path.is_file():
        raise errors.NotFound("附件文件缺失，请联系系统管理员。", code="attachment_missing")
    return attachment, path.open("rb")
