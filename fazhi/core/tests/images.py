"""Real, tiny images for tests (a photo must decode, a signature alone is not an image)."""

from __future__ import annotations

import io


def image_bytes(image_format: str = "JPEG", size: tuple[int, int] = (8, 6)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (180, 40, 40)).save(buffer, image_format)
    return buffer.getvalue()
