"""Models: announcements, witnesses, draws and re-draw requests."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from fazhi.inspections.models.plans import InspectionPlan, NamesPublic


class EntropyKind(models.TextChoices):
    WITNESSES = "witnesses", "见证人承诺—揭示"
    PUBLIC_NUMBER = "public_number", "事先公告的公开号码"
    SERVER = "server", "服务器随机数（不可公开验证）"
    # version 2: declared future public events (lottery draws, drand rounds), witnesses optional
    PUBLIC_EVENT = "public_event", "事先声明的公开随机事件（可附见证人）"


class AnnouncementState(models.TextChoices):
    PUBLISHED = "published", "已公告，待抽取"
    DRAWN = "drawn", "已抽取"
    SUPERSEDED = "superseded", "已被新公告替代"


class DrawAnnouncement(models.Model):
    """What a plan publishes before its draw: the frozen candidate lists and pool, with hashes.

    ``candidates_blob`` holds every stratum's sorted candidate ids, compressed (see
    ``drawengine.pack_lists``); ``strata`` holds per stratum its parameters, count and hash.
    One plan may have several announcements (one per draw attempt); ``number`` counts them.
    At most one is ``published`` (awaiting its draw); a draw consumes it (``drawn``), a newer
    announcement replaces it (``superseded``). The state is not part of the announcement hash.
    """

    plan = models.ForeignKey(
        InspectionPlan, verbose_name="计划", on_delete=models.PROTECT, related_name="announcements"
    )
    number = models.PositiveSmallIntegerField("公告序号", default=1)
    published_at = models.DateTimeField("公告时间")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="公告人", on_delete=models.PROTECT, related_name="+"
    )
    algorithm_version = models.CharField("算法版本", max_length=40)
    strata = models.JSONField("分层与候选名单摘要", default=list)
    candidates_blob = models.BinaryField("候选名单（压缩）", default=b"")
    # every candidate's division code and last team as the engine would read them, compressed
    # (see drawengine.pack_context); empty for announcements made before it was fixed
    context_blob = models.BinaryField("候选对象情况（压缩）", default=b"")
    pool = models.JSONField("检查人员库快照", default=list)
    pool_hash = models.CharField("检查人员库哈希", max_length=64)
    params = models.JSONField("抽取参数", default=dict)
    entropy_kind = models.CharField("随机源", max_length=16, choices=EntropyKind.choices)
    entropy_spec = models.CharField("随机源说明", max_length=300, blank=True, default="")
    # version 2 (``drawv2``): the declared sources (kind, event, not_before), the witnesses'
    # reveal deadline, when names become public, and the announcement this one replaces
    sources = models.JSONField("随机源声明", default=list, blank=True)
    reveal_deadline = models.DateTimeField("见证人揭示截止时间", null=True, blank=True)
    names_public = models.CharField(
        "名单公开时间", max_length=20, choices=NamesPublic.choices, blank=True, default=""
    )
    replaces = models.ForeignKey(
        "self",
        verbose_name="替代的公告",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    replace_reason = models.CharField("替代理由", max_length=500, blank=True, default="")
    announcement_hash = models.CharField("公告哈希", max_length=64)
    state = models.CharField(
        "状态",
        max_length=16,
        choices=AnnouncementState.choices,
        default=AnnouncementState.PUBLISHED,
    )

    class Meta:
        verbose_name = "抽取公告"
        verbose_name_plural = "抽取公告"
        ordering = ["plan_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="insp_announcement_number"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} 公告 {self.number}"

    @property
    def organisation_id(self) -> int:
        """The plan's organisation: where the audit chain files this row's events."""
        return self.plan.organisation_id


class Witness(models.Model):
    """A witness of a commit-and-reveal draw: commits SHA-256(secret) before, reveals after."""

    announcement = models.ForeignKey(
        DrawAnnouncement, verbose_name="公告", on_delete=models.CASCADE, related_name="witnesses"
    )
    position = models.PositiveSmallIntegerField("序号")
    name = models.CharField("见证人", max_length=100)
    commitment = models.CharField("承诺值（SHA-256）", max_length=64)
    # version 1: the secret; version 2: "<salt>:<secret>"
    revealed_secret = models.CharField("揭示值", max_length=300, null=True, blank=True)
    revealed_at = models.DateTimeField("揭示时间", null=True, blank=True)

    class Meta:
        verbose_name = "见证人"
        verbose_name_plural = "见证人"
        ordering = ["announcement_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "position"], name="insp_witness_position"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DrawState(models.TextChoices):
    EFFECTIVE = "effective", "有效"
    SUPERSEDED = "superseded", "已被重新抽取替代"
    FAILED = "failed", "失败"


class Draw(models.Model):
    """One recorded, reproducible draw. ``result_blob`` keeps the full published result
    (compressed canonical JSON) so that a superseded draw stays verifiable."""

    plan = models.ForeignKey(
        InspectionPlan, verbose_name="计划", on_delete=models.PROTECT, related_name="draws"
    )
    announcement = models.ForeignKey(
        DrawAnnouncement, verbose_name="公告", on_delete=models.PROTECT, related_name="draws"
    )
    number = models.PositiveSmallIntegerField("抽取序号")
    state = models.CharField("状态", max_length=16, choices=DrawState.choices)
    seed = models.CharField("种子", max_length=64)
    entropy_value = models.TextField("随机源取值", blank=True, default="")
    # version 2: the sources' values and the witnesses' reveals the entropy hashes
    entropy_record = models.JSONField("随机源记录", default=dict, blank=True)
    params = models.JSONField("抽取参数", default=dict)
    context = models.JSONField("任务上下文（区划、上次检查人员）", default=dict, blank=True)
    result_blob = models.BinaryField("抽取结果（压缩）", default=b"")
    result_hash = models.CharField("结果哈希", max_length=64)
    task_count = models.PositiveIntegerField("任务数", default=0)
    infeasible = models.JSONField("无法满足的分层/任务", default=dict, blank=True)
    skip_log = models.JSONField("跳过记录", default=dict, blank=True)
    reason = models.CharField("重新抽取理由", max_length=500, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="抽取人", on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批准人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("抽取时间", auto_now_add=True)

    class Meta:
        verbose_name = "抽取记录"
        verbose_name_plural = "抽取记录"
        ordering = ["plan_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="insp_draw_number"),
            models.UniqueConstraint(
                fields=["plan"],
                condition=Q(state="effective"),
                name="insp_one_effective_draw_per_plan",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} 第{self.number}次抽取"

    @property
    def organisation_id(self) -> int:
        """The plan's organisation: where the audit chain files this row's events."""
        return self.plan.organisation_id


class RedrawState(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已驳回"
    USED = "used", "已重新抽取"


class RedrawRequest(models.Model):
    plan = models.ForeignKey(
        InspectionPlan, verbose_name="计划", on_delete=models.PROTECT, related_name="redraws"
    )
    draw = models.ForeignKey(
        Draw, verbose_name="被替代的抽取", on_delete=models.PROTECT, related_name="redraws"
    )
    reason = models.CharField("理由", max_length=500)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=500, blank=True, default="")
    state = models.CharField(
        "状态", max_length=16, choices=RedrawState.choices, default=RedrawState.PENDING
    )

    class Meta:
        verbose_name = "重新抽取申请"
        verbose_name_plural = "重新抽取申请"
        ordering = ["plan_id", "-requested_at"]

    def __str__(self) -> str:
        return f"{self.plan_id} 重新抽取申请"

    @property
    def organisation_id(self) -> int:
        """The plan's organisation: where the audit chain files this row's events."""
        return self.plan.organisation_id


class ReannouncementRequest(models.Model):
    """Replacing a version-2 announcement not yet drawn: a written reason and the approval of a
    leader other than the requester (the ``draw_reannouncement`` workflow), before the declared
    event happens. The replacement is published beside the original, naming it."""

    plan = models.ForeignKey(
        InspectionPlan,
        verbose_name="计划",
        on_delete=models.PROTECT,
        related_name="reannouncements",
    )
    announcement = models.ForeignKey(
        DrawAnnouncement,
        verbose_name="被替代的公告",
        on_delete=models.PROTECT,
        related_name="reannouncements",
    )
    reason = models.CharField("理由", max_length=500)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=500, blank=True, default="")
    state = models.CharField(
        "状态", max_length=16, choices=RedrawState.choices, default=RedrawState.PENDING
    )

    class Meta:
        verbose_name = "重新公告申请"
        verbose_name_plural = "重新公告申请"
        ordering = ["plan_id", "-requested_at"]

    def __str__(self) -> str:
        return f"{self.plan_id} 重新公告申请"

    @property
    def organisation_id(self) -> int:
        """The plan's organisation: where the audit chain files this row's events."""
        return self.plan.organisation_id
