"""Penalty cases (行政处罚): the case lead (案源) and the penalty case filed on it.

A random inspection whose outcome is "referred for a penalty case" creates a ``CaseLead`` in
state ``new`` through ``services.leads.case_lead_create``; the lead is then filed as a
``PenaltyCase`` (``services.cases.case_file``) or dismissed (``case_lead_dismiss``), as
``workflows.CASE_LEAD`` says. The case follows ``workflows.PENALTY_CASE``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
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


class CaseState(models.TextChoices):
    FILED = "filed", "调查中"
    INVESTIGATED = "investigated", "调查终结"
    NOTIFIED = "notified", "已告知"
    HEARING = "hearing", "听证中"
    HEARD = "heard", "听证结束"
    DECIDED = "decided", "已决定"
    SERVED = "served", "已送达"
    EXECUTED = "executed", "执行完毕"
    CLOSED = "closed", "已结案"
    ARCHIVED = "archived", "已归档"
    WITHDRAWN = "withdrawn", "已撤销立案"
    TRANSFERRED = "transferred", "已移送"


class DecisionAlteration(models.TextChoices):
    """How a penalty decision stopped standing as made (行政处罚法 第四十八条第二款): by the
    agency's own correction or by a reconsideration decision or judgment."""

    CHANGED = "changed", "变更"
    REVOKED = "revoked", "撤销"
    CONFIRMED_ILLEGAL = "confirmed_illegal", "确认违法"
    CONFIRMED_VOID = "confirmed_void", "确认无效"


# the decision no longer stands as a lawful basis: its credit record is withdrawn (decision 0082)
DECISION_ANNULLED = (
    DecisionAlteration.REVOKED,
    DecisionAlteration.CONFIRMED_ILLEGAL,
    DecisionAlteration.CONFIRMED_VOID,
)


class CaseProcedure(models.TextChoices):
    GENERAL = "general", "普通程序"
    SUMMARY = "summary", "简易程序"


class PenaltyKind(models.TextChoices):
    """The penalties of 行政处罚法 Art. 9 a health case uses."""

    WARNING = "warning", "警告、通报批评"
    FINE = "fine", "罚款"
    CONFISCATION = "confiscation", "没收违法所得、没收非法财物"
    QUALIFICATION = "qualification", "降低资质等级、吊销许可证件"
    SUSPENSION = "suspension", "责令停产停业、责令关闭、限制从业"


class CaseOutcome(models.TextChoices):
    """行政处罚法 Art. 57's outcomes (the first-minor rule of Art. 33 apart)."""

    PENALTY = "penalty", "给予行政处罚"
    FIRST_MINOR = "first_minor", "首次违法且危害后果轻微并及时改正，不予处罚"
    NO_PENALTY = "no_penalty", "依法不予行政处罚"
    NOT_ESTABLISHED = "not_established", "违法事实不能成立，不予行政处罚"
    TRANSFER = "transfer", "涉嫌犯罪，移送司法机关"


class ClockStopKind(models.TextChoices):
    HEARING = "hearing", "听证"
    PUBLIC_NOTICE = "public_notice", "公告"
    TESTING = "testing", "检测、检验"
    APPRAISAL = "appraisal", "鉴定"


def _money(verbose: str) -> models.DecimalField[Decimal | None, Decimal | None]:
    return models.DecimalField(
        verbose,
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )


class PenaltyCase(models.Model):
    """A penalty case (行政处罚案件), from filing (立案) to the archive."""

    organisation = models.ForeignKey(
        "core.Organisation", verbose_name="办案机构", on_delete=models.PROTECT, related_name="+"
    )
    lead = models.OneToOneField(
        CaseLead,
        verbose_name="案源",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case",
    )
    entity = models.ForeignKey(
        "registry.Entity", verbose_name="当事人", on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField("案件来源", max_length=24, choices=CaseLeadSource.choices)
    procedure = models.CharField(
        "程序", max_length=16, choices=CaseProcedure.choices, default=CaseProcedure.GENERAL
    )
    cause = models.CharField("案由", max_length=200)
    facts = models.TextField("违法事实")
    state = models.CharField(
        "状态", max_length=16, choices=CaseState.choices, default=CaseState.FILED
    )
    filed_on = models.DateField("立案日期")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="立案批准人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="主办人",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="案件的期限提醒在其工作台上显示。",
    )
    act_ended_on = models.DateField("违法行为发生（终了）日期")
    limitation_note = models.CharField("追责时效审查", max_length=300, blank=True, default="")
    complex_case = models.BooleanField("案情疑难复杂", default=False)
    serious_violation = models.BooleanField("重大违法行为", default=False)
    major_public_interest = models.BooleanField("涉及重大公共利益", default=False)
    investigation_report = models.TextField("调查终结报告", blank=True, default="")
    investigated_on = models.DateField("调查终结日期", null=True, blank=True)
    penalty_kinds = models.JSONField("拟处罚种类", default=list, blank=True)
    proposed_fine = _money("拟罚款金额（元）")
    proposed_confiscation = _money("拟没收金额（元）")
    notified_on = models.DateField("告知日期", null=True, blank=True)
    hearing_right = models.BooleanField("告知听证权利", default=False)
    rights_waived_on = models.DateField("放弃陈述申辩（听证）日期", null=True, blank=True)
    statement = models.TextField("陈述申辩意见", blank=True, default="")
    hearing_requested_on = models.DateField("申请听证日期", null=True, blank=True)
    hearing_notice_served_on = models.DateField("听证通知送达日期", null=True, blank=True)
    hearing_on = models.DateField("听证日期", null=True, blank=True)
    hearing_held_on = models.DateField("听证举行日期", null=True, blank=True)
    legal_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="法制审核人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    legal_review_on = models.DateField("法制审核日期", null=True, blank=True)
    legal_review_opinion = models.TextField("法制审核意见", blank=True, default="")
    deliberated_on = models.DateField("集体讨论日期", null=True, blank=True)
    deliberation_summary = models.TextField("集体讨论意见", blank=True, default="")
    violated_provision = models.CharField("违反的法律条款", max_length=500, blank=True, default="")
    penalty_provision = models.CharField("处罚依据条款", max_length=500, blank=True, default="")
    provision_item = models.ForeignKey(
        "discretion.BenchmarkItem",
        verbose_name="所依裁量基准事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    provision_reason = models.TextField("条款填写（修改）理由", blank=True, default="")
    outcome = models.CharField(
        "处理结果", max_length=16, choices=CaseOutcome.choices, blank=True, default=""
    )
    fine = _money("罚款金额（元）")
    confiscation = _money("没收金额（元）")
    decision_number = models.CharField("决定书文号", max_length=80, blank=True, default="")
    decided_on = models.DateField("决定日期", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="决定人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    served_on = models.DateField("送达日期", null=True, blank=True)
    published_on = models.DateField("公示日期", null=True, blank=True)
    decision_altered = models.CharField(
        "决定变更或撤销",
        max_length=20,
        choices=DecisionAlteration.choices,
        blank=True,
        default="",
    )
    decision_altered_on = models.DateField("决定变更（撤销）日期", null=True, blank=True)
    decision_altered_reason = models.TextField("决定变更（撤销）理由", blank=True, default="")
    publicity_withdrawn_on = models.DateField("撤回公示日期", null=True, blank=True)
    # the changed decision published anew (decision 0085): the latest republication and its
    # withdrawal (cleared when published again; every step is in the audit trail)
    republished_on = models.DateField("变更后决定公示日期", null=True, blank=True)
    republication_withdrawn_on = models.DateField("变更后决定撤回公示日期", null=True, blank=True)
    executed_on = models.DateField("执行完毕日期", null=True, blank=True)
    paid_amount = _money("实缴金额（元）")
    late_surcharge = _money("加处罚款（元）")
    closed_on = models.DateField("结案日期", null=True, blank=True)
    archived_on = models.DateField("归档日期", null=True, blank=True)
    end_reason = models.TextField("撤销立案或移送理由", blank=True, default="")
    transferred_to = models.CharField("移送机关", max_length=200, blank=True, default="")
    clock_stopped_on = models.DateField("期限中止日期", null=True, blank=True)
    clock_stop_kind = models.CharField(
        "中止事由", max_length=16, choices=ClockStopKind.choices, blank=True, default=""
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "行政处罚案件"
        verbose_name_plural = "行政处罚案件"
        ordering = ["-filed_on", "-id"]
        indexes = [
            models.Index(fields=["organisation", "state"], name="penaltycase_org_state"),
            # the case list's order, for one organisation and for a subtree (issue 11 §6)
            models.Index(fields=["organisation", "-filed_on", "-id"], name="penaltycase_org_filed"),
            models.Index(fields=["-filed_on", "-id"], name="penaltycase_filed"),
            # the case-file review's list of concluded cases
            models.Index(fields=["-closed_on", "-filed_on", "-id"], name="penaltycase_closed"),
            # the portal's list of published decisions
            models.Index(fields=["-published_on", "-id"], name="penaltycase_published"),
        ]

    def __str__(self) -> str:
        return f"案件 {self.pk}"


class CaseOfficer(models.Model):
    """An enforcement officer investigating a case (承办人员), and their recusal (回避)."""

    case = models.ForeignKey(
        PenaltyCase, verbose_name="案件", on_delete=models.CASCADE, related_name="case_officers"
    )
    officer = models.ForeignKey(
        "core.Officer", verbose_name="执法人员", on_delete=models.PROTECT, related_name="+"
    )
    added_on = models.DateField("指派日期")
    recused_on = models.DateField("回避日期", null=True, blank=True)
    recusal_reason = models.CharField("回避理由", max_length=200, blank=True, default="")

    class Meta:
        verbose_name = "承办人员"
        verbose_name_plural = "承办人员"
        ordering = ["case_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "officer"], name="caseofficer_unique"),
        ]

    def __str__(self) -> str:
        return f"承办人员 {self.pk}"


class EvidencePreservation(models.Model):
    """先行登记保存 (行政处罚法 Art. 56): approved by the agency head, decided within 7 working
    days."""

    case = models.ForeignKey(
        PenaltyCase, verbose_name="案件", on_delete=models.CASCADE, related_name="preservations"
    )
    items = models.TextField("保存物品")
    registered_on = models.DateField("登记保存日期")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="批准人", on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField("处理决定日期", null=True, blank=True)
    decision = models.CharField("处理决定", max_length=200, blank=True, default="")

    class Meta:
        verbose_name = "先行登记保存"
        verbose_name_plural = "先行登记保存"
        ordering = ["case_id", "id"]

    def __str__(self) -> str:
        return f"先行登记保存 {self.pk}"


class ChangeBasis(models.TextChoices):
    CORRECTION = "correction", "本机关自行纠正"
    RULING = "ruling", "复议决定或判决"


class DecisionChange(models.Model):
    """A penalty decision changed (变更, decision 0092): what it said before and after, the
    reason, and the 变更决定书's number when the agency corrected itself. A ruling's change keeps
    ``after`` empty: the body's ruling is the new content. ``refund_owed``: paid above the new
    fine."""

    case = models.ForeignKey(
        PenaltyCase, verbose_name="案件", on_delete=models.CASCADE, related_name="decision_changes"
    )
    changed_on = models.DateField("变更日期")
    basis = models.CharField("变更依据", max_length=16, choices=ChangeBasis.choices)
    reason = models.TextField("变更理由")
    document_number = models.CharField("变更决定书文号", max_length=80, blank=True, default="")
    before = models.JSONField("原决定内容")
    after = models.JSONField("变更后内容", null=True, blank=True)
    refund_owed = _money("应退还多缴罚款（元）")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "处罚决定变更"
        verbose_name_plural = "处罚决定变更"
        ordering = ["case_id", "id"]

    def __str__(self) -> str:
        return f"处罚决定变更 {self.pk}"


class ChallengeKind(models.TextChoices):
    RECONSIDERATION = "reconsideration", "行政复议"
    LITIGATION = "litigation", "行政诉讼"


class CaseChallenge(models.Model):
    """A reconsideration or a lawsuit against the decision: the late surcharge is not counted
    while it runs (行政处罚法 Art. 73 para 3)."""

    case = models.ForeignKey(
        PenaltyCase, verbose_name="案件", on_delete=models.CASCADE, related_name="challenges"
    )
    kind = models.CharField("类型", max_length=16, choices=ChallengeKind.choices)
    started_on = models.DateField("申请（起诉）日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    result = models.CharField("结果", max_length=200, blank=True, default="")

    class Meta:
        verbose_name = "复议诉讼"
        verbose_name_plural = "复议诉讼"
        ordering = ["case_id", "started_on", "id"]

    def __str__(self) -> str:
        return f"复议诉讼 {self.pk}"


class CaseFileCheck(models.Model):
    """The automatic pre-check (案卷自动预审) of a concluded case's file: what it lacks or has
    out of order, as found at ``checked_at`` (``review/precheck.py``, decision 0069). One row per
    case, replaced at each check."""

    case = models.OneToOneField(
        PenaltyCase, verbose_name="案件", on_delete=models.CASCADE, related_name="file_check"
    )
    checked_at = models.DateTimeField("预审时间")
    findings = models.JSONField("发现的问题", default=list, blank=True)
    finding_count = models.PositiveIntegerField("问题数", default=0)

    class Meta:
        verbose_name = "案卷自动预审"
        verbose_name_plural = "案卷自动预审"
        indexes = [models.Index(fields=["finding_count"], name="casefilecheck_count")]

    def __str__(self) -> str:
        return f"案卷预审 {self.pk}"


class CaseFileReview(models.Model):
    """A reviewer's scoring of a concluded case's file (案卷评查) against the province's
    checklist (rule ``penalty.case_file_checklist``)."""

    case = models.ForeignKey(
        PenaltyCase, verbose_name="案件", on_delete=models.CASCADE, related_name="file_reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="评查人", on_delete=models.PROTECT, related_name="+"
    )
    reviewed_on = models.DateField("评查日期")
    scores = models.JSONField("各项得分", default=dict)
    total = models.PositiveIntegerField("总分")
    full_marks = models.PositiveIntegerField("满分")
    checklist = models.CharField("评查标准", max_length=300)
    comments = models.TextField("评查意见", blank=True, default="")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "案卷评查"
        verbose_name_plural = "案卷评查"
        ordering = ["case_id", "-reviewed_on", "-id"]

    def __str__(self) -> str:
        return f"案卷评查 {self.pk}"


# the models after the decision (deferral and instalments, court enforcement, police transfer)
from fazhi.enforcement.execution_models import (  # noqa: E402, F401
    CourtEnforcement,
    Instalment,
    PaymentArrangement,
    PoliceTransfer,
)
