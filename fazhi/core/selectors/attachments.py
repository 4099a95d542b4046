"""Scoped reads of attachments: the row, the row with its open file, a record's linked files."""

from __future__ import annotations

from typing import BinaryIO

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet

from fazhi.core import errors
from fazhi.core.attachments import attachment_path
from fazhi.core.models import Attachment, AttachmentLink, User
from fazhi.core.scope import get_scoped, scoped


def attachment_get(*, user: User, pk: int) -> Attachment:
    return get_scoped(scoped(Attachment.objects.all(), user), pk)


def attachment_open(*, user: User, pk: int) -> tuple[Attachment, BinaryIO]:
    """The row and an open binary file; the caller closes it (FileResponse does)."""
    attachment = attachment_get(user=user, pk=pk)
    path = attachment_path(attachment.sha256)
    if not path.is_file():
        raise errors.NotFound("附件文件缺失，请联系系统管理员。", code="attachment_missing")
    return attachment, path.open("rb")


def attachments_for(*, user: User, subject: Model) -> QuerySet[AttachmentLink]:
    """The files linked to ``subject`` (``services.attachments.attachment_link``), oldest first,
    each with its attachment; only files of organisations in the user's scope (one query)."""
    qs = AttachmentLink.objects.filter(
        content_type=ContentType.objects.get_for_model(subject), object_id=str(subject.pk)
    ).select_related("attachment")
    return scoped(qs, user, field="attachment__organisation").order_by("linked_at", "pk")
