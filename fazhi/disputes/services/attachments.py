"""Services: the files of a medical dispute — evidence (病历、票据、陈述等证据材料) and the
mediation agreement or other documents (调解协议书、人民调解委员会或法院的文书) — stored by
the core attachments and linked inside this service's transaction (``attachment_link``), so a
refused upload leaves no link; shown through ``record_sections`` on the dispute's page."""

from __future__ import annotations

from typing import IO, Any

from django.db import transaction

from fazhi.core import audit, errors
from fazhi.core.models import AttachmentKind, AttachmentLink, User
from fazhi.core.services.attachments import attachment_link, attachment_store_blob
from fazhi.disputes.events import DisputeEvent
from fazhi.disputes.models import MedicalDispute
from fazhi.disputes.services._common import require_handle
from fazhi.disputes.workflows import DISPUTE

# What a dispute's file is: the form's choice and the core attachment kind it is stored as.
FILE_KINDS: dict[str, tuple[str, str]] = {
    "evidence": ("证据材料", AttachmentKind.EVIDENCE),
    "agreement": ("调解协议书及其他文书", AttachmentKind.DOCUMENT),
}


def dispute_add_attachment(
    *,
    actor: User,
    dispute: MedicalDispute,
    file: IO[bytes] | Any | None,
    filename: str,
    kind: str,
) -> AttachmentLink:
    """Keep ``file`` as ``dispute``'s evidence (``kind="evidence"``) or as its mediation
    agreement or another document (``kind="agreement"``); a concluded dispute still takes its
    files (the agreement often arrives with the conclusion)."""
    require_handle(actor, dispute.organisation, action=DisputeEvent.ATTACHMENT_ADDED)
    if kind not in FILE_KINDS:
        raise errors.ValidationFailed("请选择材料类型。", code="bad_kind", field="kind")
    if file is None:
        raise errors.ValidationFailed("请选择要上传的文件。", code="file_required", field="file")
    label, attachment_kind = FILE_KINDS[kind]
    blob = attachment_store_blob(
        actor=actor, organisation=dispute.organisation, file=file, filename=filename or label
    )
    with transaction.atomic(durable=True):
        row = DISPUTE.lock(dispute)
        link = attachment_link(
            actor=actor, attachment_or_blob=blob, subject=row, kind=attachment_kind
        )
        audit.append(
            actor=actor,
            action=DisputeEvent.ATTACHMENT_ADDED,
            obj=row,
            details={"filename": blob.filename, "kind": kind, "sha256": blob.sha256},
        )
    return link
