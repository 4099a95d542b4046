"""Attachment types come from the content, never from the client (stored XSS through uploads).

An uploaded file that starts like an image but is HTML or script, declared ``text/html`` or
``text/javascript``, was served inline with the declared type from the site's own origin, so
``script-src 'self'`` let it run. Now the stored and served type is detected, only decoding
raster images are inline, and every upload response is ``nosniff`` with a sandboxing CSP.
"""

from __future__ import annotations

import io
import json

import pytest
from django.db import transaction
from PIL import Image

from fazhi.core import errors
from fazhi.core.attachments import OCTET_STREAM, attachment_path, detect_type
from fazhi.core.models import Attachment, AuditEvent
from fazhi.core.services.attachments import attachment_link, attachment_store_blob
from fazhi.core.tests.images import image_bytes
from fazhi.core.tests.test_attachments import _media, setup
from fazhi.core.views.files import UPLOAD_CSP

pytestmark = pytest.mark.django_db
__all__ = ["_media", "setup"]  # the storage tests' fixtures

SCRIPT = b"<html><body><script>fetch('/api/')</script></body></html>"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
POLYGLOTS = {
    "png_signature_then_html": PNG_SIGNATURE + SCRIPT,
    "webp_header_then_script": b"RIFF\x40\x00\x00\x00WEBPVP8 " + b"alert(document.cookie)//",
    "jpeg_marker_then_html": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + SCRIPT,
    "gif_header_then_html": b"GIF89a" + SCRIPT,
    "truncated_png": image_bytes("PNG", (64, 64))[:60],
    "svg_with_script": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "plain_html": SCRIPT,
}


def _store(setup, content, *, declared, name="photo.png", **kw):
    blob = attachment_store_blob(
        actor=setup["sup"],
        organisation=setup["district"],
        file=io.BytesIO(content),
        filename=name,
        content_type=declared,
        **kw,
    )
    with transaction.atomic():
        return attachment_link(
            actor=setup["sup"], attachment_or_blob=blob, subject=setup["district"], kind="photo"
        ).attachment


def _assert_sandboxed(response):
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == UPLOAD_CSP
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("image_format", "expected"),
    [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("GIF", "image/gif"), ("WEBP", "image/webp")],
)
def test_real_raster_images_are_detected(tmp_path, image_format, expected):
    path = tmp_path / "f"
    path.write_bytes(image_bytes(image_format))
    assert detect_type(path) == expected


@pytest.mark.parametrize("name", sorted(POLYGLOTS))
def test_image_lookalikes_are_not_images(tmp_path, name):
    path = tmp_path / "f"
    path.write_bytes(POLYGLOTS[name])
    assert detect_type(path) == OCTET_STREAM


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_image_over_the_pixel_limit_is_not_decoded(tmp_path, monkeypatch):
    path = tmp_path / "f"
    path.write_bytes(image_bytes("PNG", (100, 100)))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100 * 100 - 1)
    assert detect_type(path) == OCTET_STREAM


@pytest.mark.parametrize("declared", ["text/html", "text/javascript", "image/png"])
def test_stored_type_is_detected_not_declared(setup, declared):
    attachment = _store(setup, POLYGLOTS["png_signature_then_html"], declared=declared)
    assert attachment.content_type == OCTET_STREAM
    event = AuditEvent.objects.get(action="attachment.stored", object_id=str(attachment.pk))
    details = json.loads(event.details_json)
    assert details["content_type"] == OCTET_STREAM
    assert details["declared_type"] == declared  # kept as evidence, never used
    image = _store(setup, image_bytes("PNG"), declared="text/javascript")
    assert image.content_type == "image/png"


def test_images_only_refuses_before_anything_is_stored(setup):
    with pytest.raises(errors.ValidationFailed) as info:
        _store(setup, POLYGLOTS["webp_header_then_script"], declared="image/webp", images_only=True)
    assert info.value.code == "not_an_image"
    assert not Attachment.objects.exists()
    assert not AuditEvent.objects.filter(action="attachment.stored").exists()
    root = attachment_path("0" * 64).parents[2]
    assert not [p for p in root.rglob("*") if p.is_file()]
    assert _store(setup, image_bytes("WEBP"), declared="", images_only=True).pk


def test_download_serves_the_detected_type_as_a_sandboxed_attachment(setup, client):
    attachment = _store(setup, POLYGLOTS["png_signature_then_html"], declared="text/html")
    client.force_login(setup["sup"])
    response = client.get(f"/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == OCTET_STREAM
    assert response["Content-Disposition"].startswith("attachment;")
    _assert_sandboxed(response)
    image = _store(setup, image_bytes("JPEG"), declared="text/html", name="现场.jpg")
    response = client.get(f"/attachments/{image.pk}/")
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("attachment;")  # the download link
    _assert_sandboxed(response)


@pytest.mark.parametrize("legacy_type", ["text/html", "text/javascript", "image/png", ""])
def test_a_legacy_row_with_the_clients_type_is_not_trusted(setup, client, legacy_type):
    """Rows stored before detection hold whatever the client declared."""
    attachment = _store(setup, SCRIPT, declared="text/html", name="x.html")
    Attachment.objects.filter(pk=attachment.pk).update(content_type=legacy_type)
    client.force_login(setup["sup"])
    response = client.get(f"/attachments/{attachment.pk}/")
    assert response["Content-Type"] == OCTET_STREAM
    assert response["Content-Disposition"].startswith("attachment;")
    _assert_sandboxed(response)
