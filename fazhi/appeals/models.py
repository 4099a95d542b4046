"""Reconsideration and litigation in which the commission is the respondent (行政复议被申请人) or
the defendant (行政诉讼被告): one ``Appeal`` row per application or lawsuit, its hearings
(``AppealHearing``), the outcome and whether it counts as corrected (纠错) or lost (败诉), and the
correction follow-up. The answer (defence) clock is a core ``Deadline`` attached to the appeal;
a challenged penalty case's late surcharge pauses through the enforcement ``CaseChallenge`` the
services open and end. See docs/appeals.md and decisions 0072, 0073.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AppealKind(models.TextChoices):
    RECONSIDERATION = "reconsideration", "行政复议"
    LITIGATION = "litigation", "行政诉讼"


class Procedure(models.TextChoices):
    ORDINARY = "ordinary", "普通程序"
    SIMPLIFIED = "simplified", "简易程序"


class AppealState(models.TextChoices):
    RECEIVED = "received", "待答复（答辩）"
    ANSWERED = "answered", "审理中"
    DECIDED = "decided", "已审结"
    CLOSED = "closed", "已办结"


class Outcome(models.TextChoices):
    """行政复议法 第六十三条至第六十九条、第七十三条、第七十四条; 行政诉讼法 第六十条、第六十二条、
    第六十九条至第七十八条 and 行诉解释 第六十九条 (驳回起诉)."""

    UPHELD = "upheld", "维持"
    CHANGED = "changed", "变更"
    REVOKED = "revoked", "撤销（部分撤销）"
    CONFIRMED_ILLEGAL = "confirmed_illegal", "确认违法"
    CONFIRMED_VOID = "confirmed_void", "确认无效"
    ORDERED_TO_ACT = "ordered_to_act", "责令履行（判决履行、给付）"
    REQUEST_DISMISSED = "request_dismissed", "驳回复议请求（诉讼请求）"
    SUIT_DISMISSED = "suit_dismissed", "裁定驳回起诉"
    SETTLED = "settled", "调解（和解）结案"
    WITHDRAWN = "withdrawn", "撤回申请（撤诉）"


# The outcomes each kind can have.
OUTCOMES: dict[str, tuple[Outcome, ...]] = {
    AppealKind.RECONSIDERATION: (
        Outcome.UPHELD,
        Outcome.CHANGED,
        Outcome.REVOKED,
        Outcome.CONFIRMED_ILLEGAL,
        Outcome.CONFIRMED_VOID,
        Outcome.ORDERED_TO_ACT,
        Outcome.REQUEST_DISMISSED,
        Outcome.SETTLED,
        Outcome.WITHDRAWN,
    ),
    AppealKind.LITIGATION: (
        Outcome.CHANGED,
        Outcome.REVOKED,
        Outcome.CONFIRMED_ILLEGAL,
        Outcome.CONFIRMED_VOID,
        Outcome.ORDERED_TO_ACT,
        Outcome.REQUEST_DISMISSED,
        Outcome.SUIT_DISMISSED,
        Outcome.SETTLED,
        Outcome.WITHDRAWN,
    ),
}

# The outcome as each kind names it (the generic label covers both on the figures).
KIND_LABELS: dict[tuple[str, str], str] = {
    (AppealKind.RECONSIDERATION, Outcome.REQUEST_DISMISSED): "驳回复议请求",
    (AppealKind.LITIGATION, Outcome.REQUEST_DISMISSED): "驳回诉讼请求",
    (AppealKind.RECONSIDERATION, Outcome.ORDERED_TO_ACT): "责令履行",
    (AppealKind.LITIGATION, Outcome.ORDERED_TO_ACT): "判决履行（给付）",
    (AppealKind.RECONSIDERATION, Outcome.WITHDRAWN): "撤回申请（终止）",
    (AppealKind.LITIGATION, Outcome.WITHDRAWN): "撤诉",
    (AppealKind.RECONSIDERATION, Outcome.SETTLED): "调解（和解）",
    (AppealKind.LITIGATION, Outcome.SETTLED): "调解",
}


def outcome_label(kind: str, outcome: str) -> str:
    if not outcome:
        return ""
    return KIND_LABELS.get((kind, outcome), str(Outcome(outcome).label))


# A decision against the act: counted as corrected (复议纠错) in a reconsideration and as lost
# (败诉) in a lawsuit (decision 0073). Settlement and withdrawal count as neither.
ADVERSE = frozenset(
    {
        Outcome.CHANGED,
        Outcome.REVOKED,
        Outcome.CONFIRMED_ILLEGAL,
        Outcome.CONFIRMED_VOID,
        Outcome.ORDERED_TO_ACT,
    }
)


class Appeal(models.Model):
    """One reconsideration application or lawsuit against an act of the commission."""

    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name="被申请人（被告）",
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField("类型", max_length=16, choices=AppealKind.choices)
    procedure = models.CharField(
        "程序", max_length=16, choices=Procedure.choices, default=Procedure.ORDINARY
    )
    applicant = models.CharField("申请人（原告）", max_length=200)
    reviewing_body = models.CharField("复议机关（人民法院）", max_length=100)
    reference = models.CharField("案号", max_length=100, blank=True, default="")
    penalty_case = models.ForeignKey(
        "enforcement.PenaltyCase",
        verbose_name="被申请（被诉）的行政处罚案件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    challenge = models.ForeignKey(
        "enforcement.CaseChallenge",
        verbose_name="案件的复议诉讼记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    disclosure_request = models.ForeignKey(
        "matters.Matter",
        verbose_name="被申请（被诉）的政府信息公开申请",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reconsideration = models.ForeignKey(
        "self",
        verbose_name="起诉前的行政复议",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lawsuits",
    )
    act = models.TextField("被申请（被诉）的行政行为")
    lodged_on = models.DateField("申请（起诉）日期")
    received_on = models.DateField("收到申请书（起诉状）副本日期")
    state = models.CharField(
        "状态", max_length=16, choices=AppealState.choices, default=AppealState.RECEIVED
    )
    answered_on = models.DateField("提交答复（答辩状）日期", null=True, blank=True)
    answer_note = models.TextField("答复（答辩）要点", blank=True, default="")
    head_appeared = models.BooleanField("负责人出庭（参加听证）", default=False)
    decided_on = models.DateField("决定（裁判）日期", null=True, blank=True)
    outcome = models.CharField("结果", max_length=24, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField("决定（裁判）文书及要点", blank=True, default="")
    corrected = models.BooleanField("复议纠错", default=False)
    lost = models.BooleanField("行政诉讼败诉", default=False)
    follow_up = models.TextField("纠错整改情况", blank=True, default="")
    followed_up_on = models.DateField("整改完成日期", null=True, blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "行政复议和行政应诉"
        verbose_name_plural = "行政复议和行政应诉"
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["organisation", "received_on"], name="appeal_org_received"),
            models.Index(fields=["organisation", "kind", "state"], name="appeal_org_kind_state"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.applicant}"

    @property
    def outcome_label(self) -> str:
        return outcome_label(self.kind, self.outcome)

    @property
    def adverse(self) -> bool:
        return self.corrected or self.lost


class AppealHearing(models.Model):
    """A hearing (听证, 听取意见) or a court session (开庭) and who appeared for the commission
    (行政诉讼法 第三条第三款; 行政复议法 第五十一条第三款)."""

    appeal = models.ForeignKey(
        Appeal, verbose_name="复议应诉事项", on_delete=models.CASCADE, related_name="hearings"
    )
    held_on = models.DateField("审理（开庭）日期")
    head_appeared = models.BooleanField("负责人出庭（参加听证）", default=False)
    attended_by = models.CharField("出庭（参加）人员", max_length=200)
    note = models.TextField("说明", blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "审理（开庭）"
        verbose_name_plural = "审理（开庭）"
        ordering = ["appeal_id", "held_on", "id"]

    def __str__(self) -> str:
        return f"审理 {self.held_on:%Y-%m-%d}"
