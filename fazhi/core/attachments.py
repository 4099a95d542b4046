"""Attachments: where files live (by SHA-256 under MEDIA_ROOT/attachments/) and what type they are.

Storing is ``fazhi.core.services.attachments.attachment_store_blob`` then ``attachment_link``
(hashed, chained, linked to its subject); reading is ``fazhi.core.selectors.attachments``.

A file's type is what its content is, never what the uploading client said: a raster image
(JPEG, PNG, GIF, WebP) that Pillow decodes is that image type, everything else is
``application/octet-stream``. Serving detects again (``detected_type``), so a row stored before
detection existed cannot echo a client's type either; ``fazhi.core.views.files`` builds the one
response every attachment is served with (decision 0010).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings

from fazhi.core.models import Attachment

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
