"""Hotline tickets (热线工单): a matter of kind ``hotline`` and its platform facts.

A ticket is one ``Matter`` row (organisation, receipt date, requester, content, state, reply,
satisfaction, case lead, clocks as core deadlines) plus one ``HotlineTicket`` row with what only a
ticket has: the platform it came from and the platform's own ticket number (unique together: a
re-import never makes a second matter), the ticket type that chooses the service level, the call
time, the platform's own time limit, the unit the platform named, and the return (退单) and
call-back (回访) facts. ``HotlineImport`` records one imported file. See docs/hotline.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class HotlinePlatform(models.TextChoices):
    H12345 = "12345", "12345政务服务便民热线"
    H12320 = "12320", "12320卫生健康热线"
    OTHER = "other", "其他投诉平台"


class TicketType(models.TextChoices):
    """The four ticket types of the service levels (rule ``hotline.<type>``)."""

    CONSULTATION = "consultation", "咨询"
    COMPLAINT = "complaint", "投诉"
    REQUEST = "request", "求助"
    SUGGESTION = "suggestion", "建议"


class HotlineState(models.TextChoices):
    RECEIVED = "received", "已登记"
    ACCEPTED = "accepted", "办理中"
    RETURNED = "returned", "已退单"
    REPLIED = "replied", "已答复"
    CLOSED = "closed", "已办结"


class HotlineImport(models.Model):
    """One platform export read for tickets: all rows or none. A file with errors imports
    nothing and keeps its first errors (row, column, reason) here; tickets already imported
    are skipped and listed (decision 0070)."""

    organisation = models.ForeignKey(
        "core.Organisation", verbose_name="办理机构", on_delete=models.PROTECT, related_name="+"
    )
    platform = models.CharField("来源平台", max_length=8, choices=HotlinePlatform.choices)
    file_name = models.CharField("文件名", max_length=255)
    file_hash = models.CharField("文件摘要", max_length=64)
    row_count = models.PositiveIntegerField("行数", default=0)
    imported = models.PositiveIntegerField("导入工单数", default=0)
    skipped = models.PositiveIntegerField("跳过的已导入工单数", default=0)
    skipped_rows = models.JSONField("跳过的行（前若干行）", default=list, blank=True)
    rehandle_marked = models.PositiveIntegerField("平台标记为重办的已导入工单数", default=0)
    error_count = models.PositiveIntegerField("错误数", default=0)
    errors = models.JSONField("错误（前若干处）", default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("导入时间", auto_now_add=True)

    class Meta:
        verbose_name = "热线工单导入"
        verbose_name_plural = "热线工单导入"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name


class HotlineTicket(models.Model):
    """The platform facts of a hotline ticket; the matter is its primary key."""

    matter = models.OneToOneField(
        "matters.Matter",
        verbose_name="来件",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="ticket",
    )
    platform = models.CharField("来源平台", max_length=8, choices=HotlinePlatform.choices)
    ticket_no = models.CharField("工单编号", max_length=64)
    ticket_type = models.CharField("诉求类型", max_length=16, choices=TicketType.choices)
    called_at = models.DateTimeField("来电时间")
    platform_due = models.DateField("平台办理时限", null=True, blank=True)
    handling_unit = models.CharField("平台承办单位", max_length=100, blank=True, default="")
    returned_on = models.DateField("退单日期", null=True, blank=True)
    return_reason = models.TextField("退单理由", blank=True, default="")
    callback_on = models.DateField("回访日期", null=True, blank=True)
    callback_note = models.TextField("回访情况", blank=True, default="")
    import_batch = models.ForeignKey(
        HotlineImport,
        verbose_name="导入批次",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )

    class Meta:
        verbose_name = "热线工单"
        verbose_name_plural = "热线工单"
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "ticket_no"], name="hotline_ticket_platform_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.ticket_no}"
