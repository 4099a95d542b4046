"""A dispute's files: evidence and the mediation agreement kept through the core attachments in
the service's transaction, shown on the dispute's page; bad input, permission, the API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from fazhi.core import errors
from fazhi.core.models import AttachmentLink, AuditEvent
from fazhi.core.testing import at
from fazhi.disputes.events import DisputeEvent
from fazhi.disputes.services.attachments import dispute_add_attachment
from fazhi.disputes.tests.support import TODAY, World, dispute, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(at(TODAY), tick=True):
        yield


@pytest.fixture
def world() -> World:
    return make_world()


def pdf(name: str = "调解协议书.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 " + name.encode(), content_type="application/pdf")


def links(d) -> list[str]:
    return list(
        AttachmentLink.objects.filter(object_id=str(d.pk), content_type__model="medicaldispute")
        .order_by("pk")
        .values_list("kind", flat=True)
    )


def test_evidence_and_agreement_are_linked_and_audited(world):
    d = dispute(world)
    dispute_add_attachment(
        actor=world.officer, dispute=d, file=pdf("病历.pdf"), filename="病历.pdf", kind="evidence"
    )
    dispute_add_attachment(
        actor=world.officer, dispute=d, file=pdf(), filename="调解协议书.pdf", kind="agreement"
    )
    assert links(d) == ["evidence", "document"]
    events = AuditEvent.objects.filter(
        action=DisputeEvent.ATTACHMENT_ADDED, object_id=str(d.pk)
    ).order_by("seq")
    assert [(e.details["kind"], e.details["filename"]) for e in events] == [
        ("evidence", "病历.pdf"),
        ("agreement", "调解协议书.pdf"),
    ]


@pytest.mark.parametrize(
    "kind, file, code",
    [
        ("photo", pdf(), "bad_kind"),
        ("evidence", None, "file_required"),
        ("evidence", SimpleUploadedFile("空.pdf", b""), "attachment_empty"),
    ],
)
def test_bad_input_is_refused_and_nothing_linked(world, kind, file, code):
    d = dispute(world)
    with pytest.raises(errors.ValidationFailed) as exc:
        dispute_add_attachment(
            actor=world.officer, dispute=d, file=file, filename="x.pdf", kind=kind
        )
    assert exc.value.code == code
    assert links(d) == []


def test_only_a_handler_in_scope_may_upload(world):
    d = dispute(world)
    for user in (world.stranger, world.viewer, world.head):
        with pytest.raises(errors.PermissionDenied):
            dispute_add_attachment(
                actor=user, dispute=d, file=pdf(), filename="x.pdf", kind="evidence"
            )
    assert links(d) == []


def test_the_page_uploads_and_shows_the_files(world):
    d = dispute(world)
    client = Client()
    client.force_login(world.officer)
    assert "上传材料" in client.get(f"/disputes/{d.pk}/").content.decode()
    response = client.post(f"/disputes/{d.pk}/attachments/", {"kind": "agreement", "file": pdf()})
    assert response.status_code == 302
    assert "调解协议书.pdf" in client.get(f"/disputes/{d.pk}/").content.decode()
    response = client.post(f"/disputes/{d.pk}/attachments/", {"kind": "agreement"}, follow=True)
    assert "请选择要上传的文件" in response.content.decode()
    assert links(d) == ["document"]
    viewer = Client()
    viewer.force_login(world.viewer)
    assert "上传材料" not in viewer.get(f"/disputes/{d.pk}/").content.decode()
    assert (
        viewer.post(
            f"/disputes/{d.pk}/attachments/", {"kind": "evidence", "file": pdf()}
        ).status_code
        == 403
    )


def test_the_api_uploads(world):
    d = dispute(world)
    api = APIClient()
    api.force_authenticate(world.officer)
    url = f"/api/disputes/{d.pk}/attachments/"
    response = api.post(url, {"kind": "evidence", "file": pdf("票据.pdf")}, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["filename"] == "票据.pdf" and response.json()["kind"] == "evidence"
    assert api.post(url, {"kind": "nope", "file": pdf()}, format="multipart").status_code == 400
    api.force_authenticate(world.stranger)
    assert api.post(url, {"kind": "evidence", "file": pdf()}, format="multipart").status_code == 404
