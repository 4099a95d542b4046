"""Deadlines: one row per open statutory obligation, attached to any domain record."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class DeadlineState(models.TextChoices):
    OPEN = "open", "进行中"
    MET = "met", "已按期完成"
    LATE = "late", "逾期完成"
    OVERDUE = "overdue", "已逾期"
    STOPPED = "stopped", "中止计时"
    CALENDAR_UNKNOWN = "calendar_unknown", "日历未知"
    CANCELLED = "cancelled", "已撤销"  # the matter was withdrawn: the clock no longer runs


class Deadline(models.Model):
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name="所属机构",
        on_delete=models.PROTECT,
        related_name="deadlines",
    )
    title = models.CharField("事项", max_length=200)
    rule_key = models.CharField("规则", max_length=80, db_index=True)
    start_date = models.DateField("起算日")
    due_date = models.DateField("届满日", null=True, blank=True, db_index=True)
    state = models.CharField(
        "状态",
        max_length=20,
        choices=DeadlineState.choices,
        default=DeadlineState.OPEN,
        db_index=True,
    )
    warning = models.CharField("提示", max_length=200, blank=True)
    met_on = models.DateField("完成日", null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="承办人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deadlines",
    )
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64, blank=True)
    subject = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "期限"
        verbose_name_plural = "期限"
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["organisation", "state", "due_date"]),
            models.Index(fields=["content_type", "object_id"]),
            # the workbench's running sections, most urgent first: an ORDER BY … LIMIT walks
            # only the running clocks (decision 0088)
            models.Index(
                fields=["due_date", "id"],
                condition=models.Q(state__in=["open", "overdue"]),
                name="deadline_running_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.due_date or '日历未知'}）"


class DeadlineStop(models.Model):
    """A clock stop (中止): the period does not run from ``start`` until ``end`` (exclusive)."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="stops")
    start = models.DateField("中止起")
    end = models.DateField("恢复日", null=True, blank=True)
    reason = models.CharField("理由", max_length=200)

    class Meta:
        ordering = ["start"]

    def __str__(self) -> str:
        return f"中止 {self.start}–{self.end or '…'}"


class DeadlineExtension(models.Model):
    """An approved extension, counted in the rule's extension unit from the current due date."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="extensions")
    rule_key = models.CharField("延长规则", max_length=80)
    reason = models.CharField("理由", max_length=200)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批准人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_on = models.DateField("批准日")

    class Meta:
        ordering = ["approved_on", "id"]

    def __str__(self) -> str:
        return f"延长 {self.rule_key}"
