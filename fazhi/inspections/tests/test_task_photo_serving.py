"""Site photos: the probe's stored XSS. An inspector uploaded a "photo" that starts like WebP
but is script, declared ``text/javascript``; the photo page served it inline with that type
from the site's origin, so it ran in a leader's session. Photos must decode as images, and the
photo page serves the detected type with ``nosniff`` and a sandboxing CSP."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from fazhi.core.models import Attachment
from fazhi.core.services.attachments import attachment_link, attachment_store_blob
from fazhi.core.tests.images import image_bytes
from fazhi.core.views.files import UPLOAD_CSP
from fazhi.inspections.models import TaskPhoto
from fazhi.inspections.services import tasks as task_services
from fazhi.inspections.tests.task_support import (
    make_entity,
    make_item,
    make_plan,
    make_task,
    make_task_world,
)

pytestmark = pytest.mark.django_db
WEBP_SCRIPT = b"RIFF\x40\x00\x00\x00WEBPVP8 " + b";fetch('/api/registry/entities/')//"
PNG_HTML = b"\x89PNG\r\n\x1a\n<html><script>alert(document.domain)</script></html>"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def started():
    world = make_task_world()
    plan = make_plan(world, items=[make_item(world)])
    task = make_task(world, plan=plan, entity=make_entity(world, name="某某宾馆"))
    task_services.task_start(actor=world.inspector_a, task=task)
    return world, task


def _assert_served(client, task, photo, content_type, disposition):
    response = client.get(f"/inspections/tasks/{task.pk}/photos/{photo.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith(disposition)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == UPLOAD_CSP


@pytest.mark.parametrize(
    ("content", "declared"), [(WEBP_SCRIPT, "text/javascript"), (PNG_HTML, "text/html")]
)
def test_page_refuses_a_script_disguised_as_a_photo(client, started, content, declared):
    world, task = started
    client.force_login(world.inspector_a)
    upload = SimpleUploadedFile("x.webp", content, content_type=declared)
    response = client.post(f"/inspections/tasks/{task.pk}/photos/", {"photo": upload})
    assert response.status_code == 302
    assert not TaskPhoto.objects.exists() and not Attachment.objects.exists()


def test_api_refuses_a_script_disguised_as_a_photo(client, started):
    world, task = started
    client.force_login(world.inspector_a)
    upload = SimpleUploadedFile("x.webp", WEBP_SCRIPT, content_type="text/javascript")
    response = client.post(f"/api/inspections/tasks/{task.pk}/photos/", {"photo": upload})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "not_an_image"
    assert not TaskPhoto.objects.exists()


def test_photo_is_served_inline_as_the_detected_image_type(client, started):
    world, task = started
    photo = task_services.task_attach_photo(
        actor=world.inspector_a,
        task=task,
        file=io.BytesIO(image_bytes("PNG")),
        filename="现场.png",
        content_type="text/html",
    )
    client.force_login(world.leader)
    _assert_served(client, task, photo, "image/png", "inline;")


@pytest.mark.parametrize("stored_type", ["text/javascript", "text/html", "image/webp"])
def test_a_legacy_photo_row_holding_script_is_a_sandboxed_download(client, started, stored_type):
    """A photo stored before detection existed: its content is script and its row holds the
    client's type. The row cannot be made by today's services (they refuse the file), so the
    legacy state is written directly."""
    world, task = started
    blob = attachment_store_blob(
        actor=world.inspector_a,
        organisation=task.organisation,
        file=io.BytesIO(WEBP_SCRIPT),
        filename="x.webp",
    )
    with transaction.atomic():
        attachment = attachment_link(
            actor=world.inspector_a, attachment_or_blob=blob, subject=task, kind="photo"
        ).attachment
    Attachment.objects.filter(pk=attachment.pk).update(content_type=stored_type)
    photo = TaskPhoto.objects.create(task=task, attachment=attachment)
    client.force_login(world.leader)
    _assert_served(client, task, photo, "application/octet-stream", "attachment;")
