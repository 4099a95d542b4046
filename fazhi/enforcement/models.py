"""Penalty cases (行政处罚). For now only the case lead (案源) that other modules refer.

A random inspection whose outcome is "referred for a penalty case" creates a ``CaseLead`` in
state ``new`` through ``services.leads.case_lead_create``; the lead is then filed as a case (the
penalty-case module) or dismissed (``case_lead_dismiss``), as ``workflows.CASE_LEAD`` says.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CaseLeadState(models.TextChoices):
    NEW = "new", "待处理"
    FILED = "filed", "已立案"
    DISMISSED = "dismissed", "不予立案"


class CaseLeadSource(models.TextChoices):
    RANDOM_INSPECTION = "random_inspection", "双随机抽查"
    COMPLAINT = "complaint", "投诉举报"
    ROUTINE = "routine", "日常监督"
    REFERRAL = "referral", "移送"
    ASSIGNMENT = "assignment", "上级交办"


class CaseLead(models.Model):
    """A lead for a penalty case (案源), e.g. a violation found in an inspection."""

    organisation = models.ForeignKey(
        "core.Organisation", verbose_name="所属机构", on_delete=models.PROTECT, related_name="+"
    )
    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name="当事人",
        on_delete=models.PROTECT,
        related_name="case_leads",
    )
    source = models.CharField(
        "案件来源",
        max_length=24,
        choices=CaseLeadSource.choices,
        default=CaseLeadSource.RANDOM_INSPECTION,
    )
    source_task = models.OneToOneField(
        "inspections.InspectionTask",
        verbose_name="来源抽查任务",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_lead",
    )
    facts = models.TextField("违法事实")
    state = models.CharField(
        "状态", max_length=16, choices=CaseLeadState.choices, default=CaseLeadState.NEW
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="移交人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("移交时间", auto_now_add=True)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="决定人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    dismissal_reason = models.TextField("不予立案理由", blank=True, default="")

    class Meta:
        verbose_name = "案源"
        verbose_name_plural = "案源"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "state"], name="caselead_org_state")]

    def __str__(self) -> str:
        return f"案源 {self.pk}"
