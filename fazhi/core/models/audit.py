"""The audit chain (执法全过程记录): append-only events linked by SHA-256; hashed attachments."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

GENESIS_HASH = "0" * 64


class ChainHead(models.Model):
    """Single row holding the chain's last sequence number and hash; appends lock it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = "审计链头"

    def __str__(self) -> str:
        return f"head #{self.last_seq}"


class AuditEvent(models.Model):
    """One event. ``hash`` = SHA-256(prev_hash + canonical body); see ``fazhi.core.audit``.

    ``details_json`` holds the canonical JSON text exactly as hashed, so verifying needs no
    re-serialisation.
    """

    seq = models.BigIntegerField("序号", unique=True)
    created_at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    actor_name = models.CharField("操作人姓名", max_length=150, blank=True)
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name="机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    action = models.CharField("动作", max_length=80, db_index=True)
    object_type = models.CharField("对象类型", max_length=80, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    details_json = models.TextField("详情", default="{}")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["organisation", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    @property
    def details(self) -> dict[str, Any]:
        value = json.loads(self.details_json or "{}")
        return value if isinstance(value, dict) else {"value": value}


class Attachment(models.Model):
    """A stored file, addressed by its SHA-256; its storage is an audit event (chained)."""

    organisation = models.ForeignKey(
        "core.Organisation", verbose_name="机构", on_delete=models.PROTECT, related_name="+"
    )
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    size = models.BigIntegerField("大小")
    filename = models.CharField("文件名", max_length=255)
    content_type = models.CharField("类型", max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"

    def __str__(self) -> str:
        return self.filename


class AttachmentKind(models.TextChoices):
    """What a file is to the record it is linked to."""

    PHOTO = "photo", "现场照片"
    EVIDENCE = "evidence", "证据材料"
    DOCUMENT = "document", "文书"
    UPLOAD = "upload", "上传文件"  # a file a background job reads (an import)
    OUTPUT = "output", "生成文件"  # a file a background job wrote (an export)


class AttachmentLink(models.Model):
    """A stored file linked to the record it belongs to (a task, a case, a decision …): the one
    generic link every domain uses for its evidence, written with the record's change in the same
    transaction (``services.attachments.attachment_link``)."""

    attachment = models.ForeignKey(
        Attachment, verbose_name="附件", on_delete=models.PROTECT, related_name="links"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    subject = GenericForeignKey("content_type", "object_id")
    kind = models.CharField("类别", max_length=20, choices=AttachmentKind.choices)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="关联人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    linked_at = models.DateTimeField("关联时间", auto_now_add=True)

    class Meta:
        verbose_name = "附件关联"
        verbose_name_plural = "附件关联"
        ordering = ["linked_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="attachment_subject")]

    def __str__(self) -> str:
        return f"{self.attachment_id} → {self.content_type_id}/{self.object_id}"
