"""Incoming matters (来件): petitions (信访事项) and disclosure requests (政府信息公开申请).

One ``Matter`` row per matter, whatever its type: intake by channel, the receipt date fixed by
rule (``received_on``), acceptance, routing, handling, a reply of a defined type and the
satisfaction. The type's rules are its workflow table (``workflows.PETITION``,
``workflows.DISCLOSURE``) and its services; the clocks are core ``Deadline`` rows attached to the
matter (``subject``), so every due date is computed, stopped, extended and explained by the core
deadline engine. See docs/matters.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class MatterKind(models.TextChoices):
    PETITION = "petition", "信访事项"
    DISCLOSURE = "disclosure", "政府信息公开申请"
    HOTLINE = "hotline", "热线工单"


class Channel(models.TextChoices):
    # petitions (信访工作条例 第十七条)
    LETTER = "letter", "来信"
    CALL = "call", "来电"
    VISIT = "visit", "来访"
    GROUP_VISIT = "group_visit", "集体访"
    ONLINE = "online", "网上信访"
    # disclosure requests (政府信息公开条例 第三十一条)
    IN_PERSON = "in_person", "当面提交"
    POST_SIGNED = "post_signed", "邮寄（需签收）"
    POST_UNSIGNED = "post_unsigned", "平常信函（无需签收）"
    INTERNET = "internet", "互联网"
    FAX = "fax", "传真"
    # hotline tickets (the platform is on ``HotlineTicket``)
    HOTLINE = "hotline", "热线平台派单"


PETITION_CHANNELS = (
    Channel.LETTER,
    Channel.CALL,
    Channel.VISIT,
    Channel.GROUP_VISIT,
    Channel.ONLINE,
)
DISCLOSURE_CHANNELS = (
    Channel.IN_PERSON,
    Channel.POST_SIGNED,
    Channel.POST_UNSIGNED,
    Channel.INTERNET,
    Channel.FAX,
)
# Art. 31(2)-(3): the receipt is the day the office confirms it with the applicant
CONFIRMED_CHANNELS = (Channel.POST_UNSIGNED, Channel.INTERNET, Channel.FAX)


class RequesterKind(models.TextChoices):
    PERSON = "person", "自然人"
    GROUP = "group", "多人（群体）"
    ANONYMOUS = "anonymous", "匿名"
    # the five kinds of legal persons of the annual disclosure report
    COMPANY = "company", "商业企业"
    RESEARCH = "research", "科研机构"
    NONPROFIT = "nonprofit", "社会公益组织"
    LEGAL_SERVICE = "legal_service", "法律服务机构"
    OTHER_ORG = "other_org", "其他法人或者其他组织"


class Urgency(models.TextChoices):
    NORMAL = "normal", "一般"
    URGENT = "urgent", "紧急"


class Category(models.TextChoices):
    MEDICAL_SERVICE = "medical_service", "医疗服务"
    MEDICAL_DISPUTE = "medical_dispute", "医疗纠纷"
    PUBLIC_HEALTH = "public_health", "公共卫生"
    ENFORCEMENT = "enforcement", "执法监督"
    INFORMATION = "information", "信息公开"
    OTHER = "other", "其他"


class MatterState(models.TextChoices):
    """Every state of every matter type; each table uses its own subset."""

    RECEIVED = "received", "已登记"
    ACCEPTED = "accepted", "办理中"
    ROUTED = "routed", "已导入其他程序"
    REPLIED = "replied", "已答复"
    REVIEW = "review", "复查（复核）中"
    CLOSED = "closed", "已办结"
    CORRECTION = "correction", "待补正"
    CONSULTING = "consulting", "征求意见中"
    ABANDONED = "abandoned", "视为放弃"
    RETURNED = "returned", "已退单"


class PetitionState(models.TextChoices):
    RECEIVED = "received", "已登记"
    ACCEPTED = "accepted", "办理中"
    ROUTED = "routed", "已导入其他程序"
    REPLIED = "replied", "已答复"
    REVIEW = "review", "复查（复核）中"
    CLOSED = "closed", "已办结"


class DisclosureState(models.TextChoices):
    RECEIVED = "received", "已登记"
    CORRECTION = "correction", "待补正"
    CONSULTING = "consulting", "征求意见中"
    REPLIED = "replied", "已答复"
    ABANDONED = "abandoned", "视为放弃"


class Route(models.TextChoices):
    """Where a petition goes (信访工作条例 第二十三条、第三十一条)."""

    CASE_LEAD = "case_lead", "转为案源（行政处罚程序）"
    DISCLOSURE = "disclosure", "转为政府信息公开申请"
    LITIGATION = "litigation", "告知通过诉讼、仲裁或者行政复议程序解决"
    OTHER_AGENCY = "other_agency", "告知向有权处理的机关提出"


class ReplyType(models.TextChoices):
    # 信访工作条例 第三十二条
    SUPPORT = "support", "支持"
    EXPLAIN = "explain", "解释说明"
    REJECT = "reject", "不予支持"
    # 政府信息公开条例 第三十六条、第三十七条; the annual report's result columns
    PUBLIC = "public", "予以公开"
    PARTIAL = "partial", "部分公开"
    WITHHELD = "withheld", "不予公开"
    UNAVAILABLE = "unavailable", "无法提供"
    NOT_PROCESSED = "not_processed", "不予处理"
    OTHER = "other", "其他处理"
    # hotline tickets: the result reported back to the platform
    RESOLVED = "resolved", "已解决"
    UNRESOLVED = "unresolved", "未能解决（已说明原因）"


PETITION_REPLIES = (ReplyType.SUPPORT, ReplyType.EXPLAIN, ReplyType.REJECT)
DISCLOSURE_REPLIES = (
    ReplyType.PUBLIC,
    ReplyType.PARTIAL,
    ReplyType.WITHHELD,
    ReplyType.UNAVAILABLE,
    ReplyType.NOT_PROCESSED,
    ReplyType.OTHER,
)
HOTLINE_REPLIES = (ReplyType.RESOLVED, ReplyType.EXPLAIN, ReplyType.UNRESOLVED)

# The reasons of the annual report's table (国办公开办函〔2021〕30号), by reply type.
REPLY_REASONS: dict[str, tuple[tuple[str, str], ...]] = {
    ReplyType.WITHHELD: (
        ("state_secret", "属于国家秘密"),
        ("law_forbids", "其他法律行政法规禁止公开"),
        ("security", "危及“三安全一稳定”"),
        ("third_party", "保护第三方合法权益"),
        ("internal", "属于三类内部事务信息"),
        ("process", "属于四类过程性信息"),
        ("case_file", "属于行政执法案卷"),
        ("inquiry", "属于行政查询事项"),
    ),
    ReplyType.UNAVAILABLE: (
        ("not_held", "本机关不掌握相关政府信息"),
        ("needs_making", "没有现成信息需要另行制作"),
        ("still_unclear", "补正后申请内容仍不明确"),
    ),
    ReplyType.NOT_PROCESSED: (
        ("petition", "信访举报投诉类申请"),
        ("repeat", "重复申请"),
        ("publication", "要求提供公开出版物"),
        ("excessive", "无正当理由大量反复申请"),
        ("confirm", "要求行政机关确认或重新出具已获取信息"),
    ),
    ReplyType.OTHER: (
        ("no_correction", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
        ("no_fee", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
        ("other", "其他"),
    ),
}


def reason_label(reply_type: str, reason: str) -> str:
    return dict(REPLY_REASONS.get(reply_type, ())).get(reason, "")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class Matter(models.Model):
    """One incoming matter: a petition or a disclosure request."""

    organisation = models.ForeignKey(
        "core.Organisation", verbose_name="办理机构", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("类型", max_length=16, choices=MatterKind.choices)
    channel = models.CharField("渠道", max_length=16, choices=Channel.choices)
    submitted_on = models.DateField("提交（到达）日期")
    confirmed_on = models.DateField("与申请人确认日期", null=True, blank=True)
    received_on = models.DateField("收到日期")
    requester_kind = models.CharField("来件人类型", max_length=16, choices=RequesterKind.choices)
    requester_name = models.CharField("来件人", max_length=100, blank=True, default="")
    requester_contact = models.CharField("联系方式", max_length=100, blank=True, default="")
    headcount = models.PositiveIntegerField("人数", default=1)
    title = models.CharField("事由", max_length=200)
    content = models.TextField("内容")
    category = models.CharField(
        "类别", max_length=24, choices=Category.choices, default=Category.OTHER
    )
    urgency = models.CharField(
        "紧急程度", max_length=8, choices=Urgency.choices, default=Urgency.NORMAL
    )
    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name="涉及单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(
        "状态", max_length=16, choices=MatterState.choices, default=MatterState.RECEIVED
    )
    accepted_on = models.DateField("受理告知日期", null=True, blank=True)
    route = models.CharField("导入程序", max_length=16, choices=Route.choices, blank=True)
    routed_on = models.DateField("导入告知日期", null=True, blank=True)
    route_note = models.TextField("告知内容", blank=True, default="")
    case_lead = models.ForeignKey(
        "enforcement.CaseLead",
        verbose_name="转成的案源",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    origin = models.ForeignKey(
        "self",
        verbose_name="来源信访事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="derived",
    )
    correction_requested_on = models.DateField("告知补正日期", null=True, blank=True)
    corrected_on = models.DateField("收到补正日期", null=True, blank=True)
    consultation_started_on = models.DateField("征求意见日期", null=True, blank=True)
    consultation_ended_on = models.DateField("征求意见结束日期", null=True, blank=True)
    reply_type = models.CharField("答复类型", max_length=16, choices=ReplyType.choices, blank=True)
    reply_reason = models.CharField("答复理由", max_length=24, blank=True, default="")
    reply_text = models.TextField("答复内容", blank=True, default="")
    replied_on = models.DateField("答复日期", null=True, blank=True)
    review_level = models.PositiveSmallIntegerField("复查复核级次", default=0)
    review_requested_on = models.DateField("复查（复核）请求日期", null=True, blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    reopen_reason = models.TextField("重新办理理由", blank=True, default="")
    satisfaction = models.CharField(
        "满意度", max_length=16, choices=Satisfaction.choices, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "来件"
        verbose_name_plural = "来件"
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["organisation", "kind", "state"], name="matter_org_kind_state"),
            models.Index(fields=["organisation", "received_on"], name="matter_org_received"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"

    @property
    def reply_reason_label(self) -> str:
        return reason_label(self.reply_type, self.reply_reason)


# Hotline tickets (热线工单) keep their platform facts in their own table (``hotline_models``).
from fazhi.matters.hotline_models import HotlineTicket  # noqa: E402, F401
