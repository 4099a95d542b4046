"""Medical disputes (医疗纠纷), the monthly dispute screening (矛盾纠纷排查) each unit reports, and
the medical liability insurance (医疗责任保险) of each institution (decision 0075).

A dispute is not an intake-and-reply matter: nobody is owed a reply within a limit; it is a
record of a conflict between a patient and an institution, the route it takes (negotiation,
people's mediation, administrative mediation, the court: 医疗纠纷预防和处理条例 第二十二条), its
outcome and the compensation, so it lives in its own app and not on ``matters.Matter``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class DisputeRoute(models.TextChoices):
    NEGOTIATION = "negotiation", "医患双方协商（医疗机构）"
    MEDIATION = "mediation", "医疗纠纷人民调解委员会调解"
    ADMINISTRATIVE = "administrative", "卫生健康主管部门行政调解"
    LITIGATION = "litigation", "人民法院诉讼"


class DisputeOutcome(models.TextChoices):
    AGREED = "agreed", "协商达成一致"
    MEDIATED = "mediated", "调解成功"
    JUDGED = "judged", "法院判决或调解结案"
    WITHDRAWN = "withdrawn", "患方撤回或不再主张"
    OTHER = "other", "其他"


# the outcomes that settle a sum (possibly zero)
PAYING_OUTCOMES = (DisputeOutcome.AGREED, DisputeOutcome.MEDIATED, DisputeOutcome.JUDGED)


class DisputeState(models.TextChoices):
    OPEN = "open", "处理中"
    CONCLUDED = "concluded", "已结案"


class MedicalDispute(models.Model):
    organisation = models.ForeignKey(
        "core.Organisation", verbose_name="登记机构", on_delete=models.PROTECT, related_name="+"
    )
    entity = models.ForeignKey(
        "registry.Entity", verbose_name="医疗机构", on_delete=models.PROTECT, related_name="+"
    )
    occurred_on = models.DateField("发生日期")
    reported_on = models.DateField("登记日期")
    patient_name = models.CharField("患者", max_length=100)
    claimant_name = models.CharField("患方代表", max_length=100, blank=True, default="")
    claimant_contact = models.CharField("联系方式", max_length=100, blank=True, default="")
    summary = models.TextField("纠纷概要")
    claim_amount = models.DecimalField(
        "患方索赔金额（元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    route = models.CharField("处理途径", max_length=16, choices=DisputeRoute.choices)
    route_changed_on = models.DateField("途径变更日期", null=True, blank=True)
    state = models.CharField(
        "状态", max_length=16, choices=DisputeState.choices, default=DisputeState.OPEN
    )
    outcome = models.CharField("结果", max_length=16, choices=DisputeOutcome.choices, blank=True)
    compensation = models.DecimalField(
        "赔偿（补偿）金额（元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    concluded_on = models.DateField("结案日期", null=True, blank=True)
    conclusion_note = models.TextField("结案说明", blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "医疗纠纷"
        verbose_name_plural = "医疗纠纷"
        ordering = ["-reported_on", "-id"]
        indexes = [
            models.Index(fields=["organisation", "reported_on"], name="dispute_org_reported"),
        ]

    def __str__(self) -> str:
        return f"医疗纠纷 {self.patient_name}"


class ScreeningReport(models.Model):
    """One unit's screening report for one month, a zero report included (``found == 0``)."""

    organisation = models.ForeignKey(
        "core.Organisation", verbose_name="报送单位", on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField("所报月份")  # the first day of the month
    found = models.PositiveIntegerField("排查发现纠纷数")
    resolved = models.PositiveIntegerField("已化解数")
    note = models.TextField("说明", blank=True, default="")
    submitted_on = models.DateField("报送日期")
    due_on = models.DateField("报送期限")
    late = models.BooleanField("逾期报送", default=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报送人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("报送时间", auto_now_add=True)
    # A correction (更正) changes the figures; the earlier ones stay in its audit event.
    corrections = models.PositiveSmallIntegerField("更正次数", default=0)
    corrected_on = models.DateField("最近更正日期", null=True, blank=True)
    correction_reason = models.CharField("最近更正原因", max_length=500, blank=True, default="")

    class Meta:
        verbose_name = "医疗纠纷月度排查报告"
        verbose_name_plural = "医疗纠纷月度排查报告"
        ordering = ["-month", "organisation_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "month"], name="screening_one_report_per_month"
            ),
            models.CheckConstraint(
                condition=models.Q(resolved__lte=models.F("found")),
                name="screening_resolved_within_found",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def is_zero(self) -> bool:
        return self.found == 0


class LiabilityInsurance(models.Model):
    """An institution's medical liability insurance (医疗责任保险) for a year."""

    organisation = models.ForeignKey(
        "core.Organisation", verbose_name="监管机构", on_delete=models.PROTECT, related_name="+"
    )
    entity = models.ForeignKey(
        "registry.Entity", verbose_name="医疗机构", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("年度")
    insurer = models.CharField("承保机构", max_length=100)
    policy_number = models.CharField("保单号", max_length=60, blank=True, default="")
    starts_on = models.DateField("保险期间起")
    ends_on = models.DateField("保险期间止")
    coverage = models.DecimalField(
        "累计赔偿限额（元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "医疗责任保险"
        verbose_name_plural = "医疗责任保险"
        ordering = ["-year", "entity_id"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "year"], name="insurance_one_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.insurer}"
