"""Credit supervision (信用监管): what a penalty decision leaves on an entity's credit.

- ``CreditRecord``: the penalty information (行政处罚信息) recorded against the entity when the
  decision takes effect (enforcement's ``decision_effective`` signal).
- ``PointEntry``: practice points (不良执业行为记分) against a medical institution or one of its
  practitioners, with the points of the behaviour in the province's pack; ``PointAlert``: a
  score that reached one of the pack's thresholds in a cycle (a calendar year), for the leader.
- ``CreditListEntry``: a red or black list entry (红名单 / 黑名单) with its grounds, published on
  the portal while listed, and its exit by credit repair (信用修复).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class CreditRecord(models.Model):
    organisation = models.ForeignKey(
        "core.Organisation", verbose_name="作出机关", on_delete=models.PROTECT, related_name="+"
    )
    entity = models.ForeignKey(
        "registry.Entity", verbose_name="当事人", on_delete=models.PROTECT, related_name="+"
    )
    case = models.OneToOneField(
        "enforcement.PenaltyCase",
        verbose_name="行政处罚案件",
        on_delete=models.PROTECT,
        related_name="+",
    )
    cause = models.CharField("案由", max_length=200)
    decision_number = models.CharField("决定书文号", max_length=80)
    decided_on = models.DateField("决定日期")
    effective_on = models.DateField("生效日期")
    penalty = models.CharField("处罚内容", max_length=300)
    # the decision revoked, confirmed illegal or void (decision 0082): kept, marked withdrawn
    withdrawn_on = models.DateField("撤回日期", null=True, blank=True)
    withdrawn_reason = models.TextField("撤回理由", blank=True, default="")
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "信用记录"
        verbose_name_plural = "信用记录"
        ordering = ["-effective_on", "-id"]

    def __str__(self) -> str:
        return self.decision_number


class PointSubject(models.TextChoices):
    INSTITUTION = "institution", "医疗机构"
    PRACTITIONER = "practitioner", "医务人员"


class PointEntry(models.Model):
    organisation = models.ForeignKey(
        "core.Organisation", verbose_name="记分机关", on_delete=models.PROTECT, related_name="+"
    )
    entity = models.ForeignKey(
        "registry.Entity", verbose_name="医疗机构", on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField("记分对象", max_length=16, choices=PointSubject.choices)
    practitioner_name = models.CharField("医务人员姓名", max_length=50, blank=True, default="")
    practitioner_number = models.CharField("执业证书编码", max_length=30, blank=True, default="")
    case = models.ForeignKey(
        "enforcement.PenaltyCase",
        verbose_name="关联案件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    behaviour = models.CharField("不良执业行为", max_length=100)
    points = models.PositiveSmallIntegerField("记分")
    cycle = models.PositiveSmallIntegerField("记分周期（年度）")
    scored_on = models.DateField("记分日期")
    basis = models.CharField("依据", max_length=500)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "不良执业行为记分"
        verbose_name_plural = "不良执业行为记分"
        ordering = ["-scored_on", "-id"]
        indexes = [
            models.Index(fields=["entity", "subject", "cycle"], name="pointentry_subject_cycle")
        ]
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="pointentry_points_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.behaviour}：{self.points}分"


class AlertState(models.TextChoices):
    OPEN = "open", "待处理"
    HANDLED = "handled", "已处理"


class PointAlert(models.Model):
    organisation = models.ForeignKey(
        "core.Organisation", verbose_name="记分机关", on_delete=models.PROTECT, related_name="+"
    )
    entity = models.ForeignKey(
        "registry.Entity", verbose_name="医疗机构", on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField("记分对象", max_length=16, choices=PointSubject.choices)
    practitioner_name = models.CharField("医务人员姓名", max_length=50, blank=True, default="")
    practitioner_number = models.CharField("执业证书编码", max_length=30, blank=True, default="")
    cycle = models.PositiveSmallIntegerField("记分周期（年度）")
    consequence = models.CharField("处理措施", max_length=60)
    threshold = models.PositiveSmallIntegerField("门槛分值")
    score = models.PositiveSmallIntegerField("达到时累计分值")
    reached_on = models.DateField("达到日期")
    state = models.CharField(
        "状态", max_length=16, choices=AlertState.choices, default=AlertState.OPEN
    )
    handled_on = models.DateField("处理日期", null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handling = models.TextField("处理情况", blank=True, default="")

    class Meta:
        verbose_name = "记分门槛提示"
        verbose_name_plural = "记分门槛提示"
        ordering = ["state", "-reached_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "subject", "practitioner_number", "cycle", "consequence"],
                name="pointalert_once_per_cycle",
            )
        ]

    def __str__(self) -> str:
        return f"{self.cycle}年度 {self.consequence}"


class ListKind(models.TextChoices):
    RED = "red", "红名单"
    BLACK = "black", "黑名单"


class ListState(models.TextChoices):
    LISTED = "listed", "公示中"
    REPAIR_REQUESTED = "repair_requested", "信用修复申请中"
    REMOVED = "removed", "已移出"


class CreditListEntry(models.Model):
    organisation = models.ForeignKey(
        "core.Organisation", verbose_name="认定机关", on_delete=models.PROTECT, related_name="+"
    )
    entity = models.ForeignKey(
        "registry.Entity", verbose_name="主体", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("名单", max_length=8, choices=ListKind.choices)
    case = models.ForeignKey(
        "enforcement.PenaltyCase",
        verbose_name="依据的处罚案件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    grounds = models.TextField("列入事由")
    basis = models.CharField("列入依据", max_length=300)
    listed_on = models.DateField("列入日期")
    earliest_exit_on = models.DateField("最早可申请修复日期", null=True, blank=True)
    state = models.CharField(
        "状态", max_length=20, choices=ListState.choices, default=ListState.LISTED
    )
    repair_reason = models.TextField("修复申请理由", blank=True, default="")
    repair_applied_on = models.DateField("修复申请日期", null=True, blank=True)
    decision_note = models.TextField("处理意见", blank=True, default="")
    decided_on = models.DateField("处理日期", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批准人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    removed_on = models.DateField("移出日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "红黑名单"
        verbose_name_plural = "红黑名单"
        ordering = ["-listed_on", "-id"]
        indexes = [models.Index(fields=["kind", "state"], name="creditlist_kind_state")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.entity_id}"
