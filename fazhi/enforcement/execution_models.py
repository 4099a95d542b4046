"""After the decision (issue #11 §5): the party's deferral or instalments of a fine (暂缓或者分期
缴纳罚款, 行政处罚法 Art. 66 para 2), the court enforcement of an unpaid decision (催告 and
申请人民法院强制执行, 行政强制法 Arts. 35, 53, 54) and the transfer of a suspected crime to the
police (行政处罚法 Art. 27; 国务院令第310号). Each follows its table in
``execution_workflows.py``; ``models.py`` imports this module so Django sees the models."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models


def _money(verbose: str) -> models.DecimalField[Decimal, Decimal]:
    return models.DecimalField(
        verbose, max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )


def _money_or_none(verbose: str) -> models.DecimalField[Decimal | None, Decimal | None]:
    return models.DecimalField(
        verbose,
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )


class ArrangementKind(models.TextChoices):
    DEFERRAL = "deferral", "暂缓缴纳"
    INSTALMENTS = "instalments", "分期缴纳"


class ArrangementState(models.TextChoices):
    APPLIED = "applied", "待批准"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "不予批准"
    COMPLETED = "completed", "已缴清"


class PaymentArrangement(models.Model):
    """The party's application to defer a fine or pay it in instalments, and its approval by
    the agency's head; the schedule is its ``instalments``."""

    case = models.ForeignKey(
        "enforcement.PenaltyCase",
        verbose_name="案件",
        on_delete=models.CASCADE,
        related_name="payment_arrangements",
    )
    kind = models.CharField("方式", max_length=16, choices=ArrangementKind.choices)
    state = models.CharField(
        "状态", max_length=16, choices=ArrangementState.choices, default=ArrangementState.APPLIED
    )
    applied_on = models.DateField("申请日期")
    reason = models.TextField("申请理由（经济困难情况）")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_on = models.DateField("审批日期", null=True, blank=True)
    refusal_reason = models.TextField("不予批准理由", blank=True, default="")

    class Meta:
        verbose_name = "暂缓或分期缴纳罚款"
        verbose_name_plural = "暂缓或分期缴纳罚款"
        ordering = ["case_id", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}申请"


class Instalment(models.Model):
    """One due date of an arrangement (a deferral has one) and the payment made against it."""

    arrangement = models.ForeignKey(
        PaymentArrangement,
        verbose_name="申请",
        on_delete=models.CASCADE,
        related_name="instalments",
    )
    number = models.PositiveSmallIntegerField("期数")
    due_on = models.DateField("缴纳期限")
    amount = _money("应缴金额（元）")
    paid_on = models.DateField("缴纳日期", null=True, blank=True)
    paid_amount = _money_or_none("实缴金额（元）")
    surcharge = _money_or_none("加处罚款（元）")

    class Meta:
        verbose_name = "分期缴纳"
        verbose_name_plural = "分期缴纳"
        ordering = ["arrangement_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["arrangement", "number"], name="instalment_unique"),
        ]

    def __str__(self) -> str:
        return f"第{self.number}期"


class CourtEnforcementState(models.TextChoices):
    DEMANDED = "demanded", "已催告"
    APPLIED = "applied", "已申请法院强制执行"
    ACCEPTED = "accepted", "法院裁定准予执行"
    REFUSED = "refused", "法院裁定不予执行"
    ENFORCED = "enforced", "法院执行完毕"


class CourtEnforcement(models.Model):
    """The demand notice (催告书) and the application to the court for enforcement of a fine
    left unpaid (行政强制法 Arts. 35, 53, 54), the court's ruling and its enforcement."""

    case = models.OneToOneField(
        "enforcement.PenaltyCase",
        verbose_name="案件",
        on_delete=models.CASCADE,
        related_name="court_enforcement",
    )
    state = models.CharField(
        "状态",
        max_length=16,
        choices=CourtEnforcementState.choices,
        default=CourtEnforcementState.DEMANDED,
    )
    demand_served_on = models.DateField("催告书送达日期")
    demanded_amount = _money("催告金额（元）")
    # issued with the demand when the agency keeps a 催告书 series (``demand_notice``); the
    # application to the court cites it (decision 0085)
    demand_number = models.CharField("催告书文号", max_length=100, blank=True, default="")
    applied_on = models.DateField("申请日期", null=True, blank=True)
    court = models.CharField("受理法院", max_length=200, blank=True, default="")
    ruling_on = models.DateField("裁定日期", null=True, blank=True)
    ruling_note = models.CharField("裁定内容", max_length=500, blank=True, default="")
    enforced_on = models.DateField("执行完毕日期", null=True, blank=True)
    recovered_amount = _money_or_none("执行到位金额（元）")

    class Meta:
        verbose_name = "申请法院强制执行"
        verbose_name_plural = "申请法院强制执行"
        ordering = ["-demand_served_on", "-id"]

    def __str__(self) -> str:
        return "申请法院强制执行"

    @property
    def demand_citation(self) -> str:
        """How the application cites the demand: its number (if any) and the day served."""
        number = f"（{self.demand_number}）" if self.demand_number else "（未编号）"
        day = self.demand_served_on
        return f"催告书{number}，{day.year}年{day.month}月{day.day}日送达"


class PoliceTransferState(models.TextChoices):
    REPORTED = "reported", "待审批"
    NOT_APPROVED = "not_approved", "不批准移送"
    APPROVED = "approved", "已批准移送"
    TRANSFERRED = "transferred", "已移送公安机关"
    ACKNOWLEDGED = "acknowledged", "公安机关已签收"
    FILED = "filed", "公安机关已立案"
    NOT_FILED = "not_filed", "公安机关不予立案"
    RETURNED = "returned", "案卷已退回"
    HANDED_OVER = "handed_over", "涉案物品和材料已移交"
    # 国务院令第310号 第九条 (decision 0093)
    REVIEW_REQUESTED = "review_requested", "已提请公安机关复议"
    REVIEW_REFUSED = "review_refused", "复议决定不予立案"
    SUPERVISION = "supervision", "已建议人民检察院立案监督"


class PoliceTransfer(models.Model):
    """The transfer of a suspected crime to the police (行政处罚法 Art. 27; 国务院令第310号
    Arts. 5–12): the team's report, the head's decision within 3 days, the transfer within 24
    hours of approval, the police's receipt, their decision to open a case or not, the return."""

    case = models.ForeignKey(
        "enforcement.PenaltyCase",
        verbose_name="案件",
        on_delete=models.CASCADE,
        related_name="police_transfers",
    )
    state = models.CharField(
        "状态",
        max_length=16,
        choices=PoliceTransferState.choices,
        default=PoliceTransferState.REPORTED,
    )
    report = models.TextField("移送涉嫌犯罪案件的书面报告")
    reported_on = models.DateField("报告日期")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报告人", on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    refusal_reason = models.TextField("不批准理由", blank=True, default="")
    police = models.CharField("公安机关", max_length=200, blank=True, default="")
    transferred_at = models.DateTimeField("移送时间", null=True, blank=True)
    transfer_hours = models.PositiveIntegerField("批准至移送（小时）", null=True, blank=True)
    transfer_late = models.BooleanField("超过移送时限", null=True, blank=True)
    acknowledged_on = models.DateField("回执签收日期", null=True, blank=True)
    police_decided_on = models.DateField("公安机关决定日期", null=True, blank=True)
    police_reason = models.TextField("公安机关决定理由", blank=True, default="")
    returned_on = models.DateField("案卷退回日期", null=True, blank=True)
    # 国务院令第310号 第十二条: after the police open a case (decision 0086)
    handed_over_on = models.DateField("涉案物品和材料移交日期", null=True, blank=True)
    handover_items = models.TextField("移交的涉案物品和材料", blank=True, default="")
    # 国务院令第310号 第九条: reconsideration and the procuratorate's supervision (decision 0093)
    review_requested_on = models.DateField("提请复议日期", null=True, blank=True)
    review_grounds = models.TextField("提请复议的理由", blank=True, default="")
    review_decided_on = models.DateField("复议决定日期", null=True, blank=True)
    review_reason = models.TextField("复议决定理由", blank=True, default="")
    supervision_on = models.DateField("建议立案监督日期", null=True, blank=True)
    procuratorate = models.CharField("人民检察院", max_length=200, blank=True, default="")
    supervision_grounds = models.TextField("建议立案监督的理由", blank=True, default="")

    class Meta:
        verbose_name = "移送涉嫌犯罪案件"
        verbose_name_plural = "移送涉嫌犯罪案件"
        ordering = ["case_id", "id"]
        indexes = [models.Index(fields=["state"], name="policetransfer_state")]

    def __str__(self) -> str:
        return "移送涉嫌犯罪案件"
