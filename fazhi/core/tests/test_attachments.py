"""Attachments: content-addressed storage, the link to a subject inside the caller's transaction,
chained hash, scope, and tamper detection on disk."""

from __future__ import annotations

import hashlib
import io
import json
import os
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction

from fazhi.core import errors
from fazhi.core.attachments import attachment_path
from fazhi.core.audit_verify import verify, verify_files
from fazhi.core.models import Attachment, AttachmentKind, AttachmentLink, AuditEvent, Role
from fazhi.core.selectors.attachments import attachment_get, attachment_open, attachments_for
from fazhi.core.services import attachments as attachment_services
from fazhi.core.services.attachments import attachment_link, attachment_store_blob
from fazhi.core.tests.factories import make_org_tree, make_user

pytestmark = pytest.mark.django_db

CONTENT = "现场检查笔录\n".encode() * 1000


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def setup():
    tree = make_org_tree()
    district = tree.districts[0]
    return {
        "tree": tree,
        "district": district,
        "sup": make_user(district, Role.SUPERVISOR),
        "other": make_user(tree.districts[2], Role.SUPERVISOR),
        "viewer": make_user(tree.districts[0], Role.VIEWER),
        "city_leader": make_user(tree.cities[0], Role.LEADER),
    }


def _blob(setup, content=CONTENT, name="笔录.txt", **kw):
    return attachment_store_blob(
        actor=kw.pop("actor", setup["sup"]),
        organisation=setup["district"],
        file=kw.pop("file", io.BytesIO(content)),
        filename=name,
        content_type="text/plain",
        **kw,
    )


def _store(setup, content=CONTENT, name="笔录.txt", **kw):
    """Store and link to a subject (here the district itself: any record will do)."""
    subject = kw.pop("subject", setup["district"])
    blob = _blob(setup, content, name, **kw)
    with transaction.atomic():
        link = attachment_link(
            actor=setup["sup"], attachment_or_blob=blob, subject=subject, kind="evidence"
        )
    return link.attachment


def test_store_hashes_and_chains_the_file(setup):
    att = _store(setup)
    digest = hashlib.sha256(CONTENT).hexdigest()
    assert att.sha256 == digest and att.size == len(CONTENT)
    assert att.filename == "笔录.txt" and att.uploaded_by == setup["sup"]
    path = attachment_path(digest)
    assert path.read_bytes() == CONTENT
    assert path.relative_to(path.parents[2]).parts[:2] == (digest[:2], digest[2:4])
    event = AuditEvent.objects.get(action="attachment.stored", object_id=str(att.pk))
    assert json.loads(event.details_json)["sha256"] == digest
    assert event.organisation_id == setup["district"].pk
    assert verify().ok
    assert verify_files() == (1, [])


def test_store_accepts_an_uploaded_file_and_strips_paths(setup):
    upload = SimpleUploadedFile("x.pdf", b"%PDF-1.7 test", content_type="application/pdf")
    att = _store(setup, file=upload, name="C:\\Users\\张三\\照片 1.jpg")
    assert att.filename == "照片 1.jpg"
    att2 = _store(setup, content=b"abc", name="../../etc/passwd")
    assert att2.filename == "passwd"


def test_same_content_is_stored_once(setup):
    a = _store(setup)
    b = _store(setup, name="副本.txt")
    assert a.pk != b.pk and a.sha256 == b.sha256
    files = [p for p in attachment_path(a.sha256).parents[2].rglob("*") if p.is_file()]
    assert len(files) == 1


def test_empty_file_refused_and_nothing_written(setup):
    with pytest.raises(errors.ValidationFailed) as info:
        _store(setup, content=b"")
    assert info.value.code == "attachment_empty"
    assert not Attachment.objects.exists()
    assert not any(p.is_file() for p in attachment_path("0" * 64).parents[2].rglob("*"))


def test_too_large_refused(setup, settings):
    settings.FAZHI_ATTACHMENT_MAX_BYTES = 1000
    with pytest.raises(errors.ValidationFailed) as info:
        _store(setup, content=b"x" * 1001)
    assert info.value.code == "attachment_too_large"
    assert not Attachment.objects.exists()
    assert _store(setup, content=b"x" * 1000).size == 1000


def test_empty_filename_refused(setup):
    with pytest.raises(errors.ValidationFailed) as info:
        _store(setup, name="  ")
    assert info.value.code == "attachment_filename_empty"


def test_store_outside_scope_refused(setup):
    with pytest.raises(errors.OutOfScope):
        _blob(setup, b"x", actor=setup["other"])
    assert not Attachment.objects.exists()


def test_store_without_write_capability_refused(setup):
    with pytest.raises(errors.PermissionDenied):
        _blob(setup, b"x", actor=setup["viewer"])


def test_link_records_the_row_the_link_and_one_event(setup, django_assert_num_queries):
    att = _store(setup)
    link = AttachmentLink.objects.get()
    assert (link.attachment, link.subject, link.kind) == (att, setup["district"], "evidence")
    assert link.linked_by == setup["sup"] and link.get_kind_display() == "证据材料"
    event = AuditEvent.objects.get(action="attachment.stored")
    assert event.details["subject_type"] == "core.organisation"
    assert event.details["subject_id"] == str(setup["district"].pk)
    assert event.details["kind"] == "evidence" and event.details["declared_type"] == "text/plain"
    # the same file as evidence of a second record: a link and an event, no second row
    second = setup["tree"].districts[1]
    with transaction.atomic():
        attachment_link(
            actor=setup["sup"], attachment_or_blob=att, subject=second, kind=AttachmentKind.PHOTO
        )
    assert Attachment.objects.count() == 1
    linked = AuditEvent.objects.get(action="attachment.linked")
    assert linked.object_id == str(att.pk) and linked.details["subject_id"] == str(second.pk)
    with django_assert_num_queries(1):
        links = list(attachments_for(user=setup["sup"], subject=setup["district"]))
        assert [x.attachment.filename for x in links] == ["笔录.txt"]
    assert list(attachments_for(user=setup["other"], subject=setup["district"])) == []
    assert verify().ok and verify_files() == (1, [])


def test_a_rolled_back_change_leaves_no_row_link_or_event(setup):
    class Refused(Exception):
        pass

    blob = _blob(setup)
    with pytest.raises(Refused), transaction.atomic():
        attachment_link(
            actor=setup["sup"], attachment_or_blob=blob, subject=setup["district"], kind="photo"
        )
        raise Refused  # the change the file belonged to failed
    assert not Attachment.objects.exists() and not AttachmentLink.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="attachment.").exists()
    assert attachment_path(blob.sha256).is_file()  # the blob stays, harmless and reused
    assert _store(setup).sha256 == blob.sha256


def test_link_runs_only_inside_the_callers_transaction_with_a_known_kind(setup, monkeypatch):
    blob = _blob(setup)
    with pytest.raises(ValueError), transaction.atomic():
        attachment_link(
            actor=setup["sup"], attachment_or_blob=blob, subject=setup["district"], kind="misc"
        )
    monkeypatch.setattr(attachment_services, "connection", SimpleNamespace(in_atomic_block=False))
    with pytest.raises(RuntimeError):
        attachment_link(
            actor=setup["sup"], attachment_or_blob=blob, subject=setup["district"], kind="photo"
        )
    assert not Attachment.objects.exists()


def test_open_is_scoped(setup):
    att = _store(setup)
    _row, fh = attachment_open(user=setup["sup"], pk=att.pk)
    with fh:
        assert fh.read() == CONTENT
    assert attachment_get(user=setup["city_leader"], pk=att.pk) == att
    with pytest.raises(errors.OutOfScope):
        attachment_open(user=setup["other"], pk=att.pk)
    with pytest.raises(errors.NotFound):
        attachment_get(user=setup["sup"], pk=att.pk + 1000)


def test_open_missing_file(setup):
    att = _store(setup)
    attachment_path(att.sha256).unlink()
    with pytest.raises(errors.NotFound) as info:
        attachment_open(user=setup["sup"], pk=att.pk)
    assert info.value.code == "attachment_missing"


def _tamper(path, data):
    os.chmod(path, 0o644)
    path.write_bytes(data)


def test_file_altered_on_disk_is_caught_by_verify_files(setup, capsys):
    att = _store(setup)
    _store(setup, content=b"another file")
    call_command("audit", "verify", "--files")
    assert capsys.readouterr().out.splitlines()[-1] == "OK 2 files"
    _tamper(attachment_path(att.sha256), CONTENT.replace("笔录".encode(), "伪造".encode(), 1))
    with pytest.raises(SystemExit) as info:
        call_command("audit", "verify", "--files")
    assert info.value.code == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("OK ")  # the chain itself is intact
    assert out[1] == f"FILE BROKEN attachment {att.pk} (笔录.txt): file content does not match"


def test_missing_file_and_altered_row_are_caught(setup):
    a = _store(setup)
    b = _store(setup, content=b"second")
    attachment_path(a.sha256).unlink()
    Attachment.objects.filter(pk=b.pk).update(sha256=a.sha256)  # row repointed behind our back
    count, problems = verify_files()
    assert count == 2
    assert [(p.attachment_id, p.reason) for p in problems] == [
        (a.pk, "file missing"),
        (b.pk, "row hash differs from the chained audit event"),
    ]


def test_storing_again_repairs_a_damaged_copy(setup):
    att = _store(setup)
    _tamper(attachment_path(att.sha256), b"garbage")
    _store(setup)
    assert attachment_path(att.sha256).read_bytes() == CONTENT
    assert verify_files()[1] == []


def test_download_page_is_scoped(setup, client):
    att = _store(setup)
    client.force_login(setup["sup"])
    response = client.get(f"/attachments/{att.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CONTENT
    assert "attachment" in response["Content-Disposition"]
    client.force_login(setup["other"])
    assert client.get(f"/attachments/{att.pk}/").status_code == 404
