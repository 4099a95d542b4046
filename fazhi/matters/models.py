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
    SUGGESTION = "suggestion", "人大代表建议"
    PROPOSAL = "proposal", "政协提案"
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
    # deputies' suggestions and CPPCC proposals: assigned by the government office (交办)
    ASSIGNED = "assigned", "交办"
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
    # deputies' suggestions and CPPCC proposals
    DEPUTY = "deputy", "人大代表"
    MEMBER = "member", "政协委员"
    CPPCC_BODY = "cppcc_body", "政协党派团体、专门委员会"


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
    FOLLOW_UP = "follow_up", "再次办理中"
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
    # deputies' suggestions and CPPCC proposals: the common A/B/C classification of the reply
    SOLVED = "solved", "所提问题已解决或基本解决（A类）"
    PLANNED = "planned", "正在解决或列入计划逐步解决（B类）"
    EXPLAINED = "explained", "因条件限制暂不能解决，已作说明（C类）"
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

PROPOSAL_REPLIES = (ReplyType.SOLVED, ReplyType.PLANNED, ReplyType.EXPLAINED)
PROPOSAL_KINDS = (MatterKind.SUGGESTION, MatterKind.PROPOSAL)

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
    # the targeted inspection a complaint started (投诉举报核查, decision 0091)
    inspection_task = models.ForeignKey(
        "inspections.InspectionTask",
        verbose_name="启动的核查任务",
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
            # the list's order: a leader's subtree (organisations read through their path) walks
            # it backwards and stops at the page instead of sorting every matter in scope
            models.Index(fields=["received_on", "id"], name="matter_received_order"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"

    @property
    def reply_reason_label(self) -> str:
        return reason_label(self.reply_type, self.reply_reason)


class SupervisionState(models.TextChoices):
    ISSUED = "issued", "督办中"
    ANSWERED = "answered", "已报告结果"


class SupervisionOrder(models.Model):
    """A supervision order (督办) on a petition, issued by an organisation above the one handling
    it, with the date by which the result must be reported (a core deadline with that fixed date,
    attached to the order) and the report (信访工作条例 第四十条)."""

    matter = models.ForeignKey(
        Matter, verbose_name="信访事项", on_delete=models.PROTECT, related_name="supervision_orders"
    )
    issuer = models.ForeignKey(
        "core.Organisation", verbose_name="督办机关", on_delete=models.PROTECT, related_name="+"
    )
    reference = models.CharField("督办文号", max_length=100, blank=True, default="")
    requirement = models.TextField("督办要求")
    issued_on = models.DateField("督办日期")
    due_on = models.DateField("报告结果期限")
    state = models.CharField(
        "状态", max_length=16, choices=SupervisionState.choices, default=SupervisionState.ISSUED
    )
    answer = models.TextField("办理结果报告", blank=True, default="")
    answered_on = models.DateField("报告日期", null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="督办人", on_delete=models.PROTECT, related_name="+"
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="报告人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "督办"
        verbose_name_plural = "督办"
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["state", "due_on"], name="supervision_state_due")]

    def __str__(self) -> str:
        return f"督办 {self.reference or self.issued_on}"


class LeaderAssignment(models.Model):
    """A leader-owned case (领导包案): the leader who owns a petition until it is resolved; one
    current owner per petition, earlier ones kept with the day they handed it on."""

    matter = models.ForeignKey(
        Matter, verbose_name="信访事项", on_delete=models.PROTECT, related_name="leader_assignments"
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="包案领导",
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_on = models.DateField("包案日期")
    note = models.TextField("包案要求", blank=True, default="")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    ended_on = models.DateField("结束日期", null=True, blank=True)
    end_reason = models.CharField("结束原因", max_length=200, blank=True, default="")

    class Meta:
        verbose_name = "领导包案"
        verbose_name_plural = "领导包案"
        ordering = ["-assigned_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["matter"],
                condition=models.Q(ended_on__isnull=True),
                name="one_current_leader_per_matter",
            )
        ]
        indexes = [models.Index(fields=["leader", "ended_on"], name="leader_assignment_current")]

    def __str__(self) -> str:
        return f"领导包案 {self.matter_id}"


class ProactiveState(models.TextChoices):
    PENDING = "pending", "待公开"
    PUBLISHED = "published", "已公开"


class ProactiveCategory(models.TextChoices):
    REGULATION = "regulation", "规范性文件"
    LICENSING = "licensing", "行政许可"
    PENALTY = "penalty", "行政处罚"
    INSPECTION = "inspection", "行政检查（双随机抽查结果）"
    PLANNING = "planning", "规划计划"
    FINANCE = "finance", "预算决算"
    OTHER = "other", "其他"


class ProactiveItem(models.Model):
    """Government information to be published proactively (主动公开): within 20 working days of
    being made or changed (政府信息公开条例 第二十六条), a core deadline attached to the item; each
    publication is kept (``ProactivePublication``)."""

    organisation = models.ForeignKey(
        "core.Organisation", verbose_name="公开机关", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("信息名称", max_length=200)
    category = models.CharField(
        "类别", max_length=16, choices=ProactiveCategory.choices, default=ProactiveCategory.OTHER
    )
    made_on = models.DateField("形成（变更）日期")
    change_note = models.CharField("变更说明", max_length=200, blank=True, default="")
    state = models.CharField(
        "状态", max_length=16, choices=ProactiveState.choices, default=ProactiveState.PENDING
    )
    version = models.PositiveIntegerField("版本", default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "主动公开事项"
        verbose_name_plural = "主动公开事项"
        ordering = ["-made_on", "-id"]
        indexes = [models.Index(fields=["organisation", "state"], name="proactive_org_state")]

    def __str__(self) -> str:
        return self.title


class ProactivePublication(models.Model):
    """One publication of a proactive item (its publication record)."""

    item = models.ForeignKey(
        ProactiveItem,
        verbose_name="主动公开事项",
        on_delete=models.PROTECT,
        related_name="publications",
    )
    version = models.PositiveIntegerField("版本")
    published_on = models.DateField("公开日期")
    channel = models.CharField("公开渠道", max_length=100)
    location = models.CharField("公开位置（网址或栏目）", max_length=300, blank=True, default="")
    on_time = models.BooleanField("按期公开")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="公开人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "公开记录"
        verbose_name_plural = "公开记录"
        ordering = ["published_on", "id"]

    def __str__(self) -> str:
        return f"{self.item_id} v{self.version}"


# The detail rows of a matter type in their own modules: hotline tickets' platform facts
# (``hotline_models``), suggestions' and proposals' handling facts (decision 0074).
from fazhi.matters.hotline_models import HotlineTicket  # noqa: E402, F401
from fazhi.matters.models_proposals import HandlingRole as HandlingRole  # noqa: E402
from fazhi.matters.models_proposals import ProposalDetail as ProposalDetail  # noqa: E402
