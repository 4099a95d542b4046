"""Scoped reads of attachments: the row, and the row with its open file."""

from __future__ import annotations

from typing import BinaryIO

from fazhi.core import errors
from fazhi.core.attachments import attachment_path
from fazhi.core.models import Attachment, User
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
