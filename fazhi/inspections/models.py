"""Random inspections (双随机、一公开): the item list and inspector pool (一单两库 with the entity
directory of ``registry``), plans and their strata, announcements, draws and tasks.

State changes go through ``fazhi.inspections.services``; reads through ``selectors``.
Every row reaches an organisation (directly or through its plan) for data scope.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

# --- 一单: the item list ---------------------------------------------------------------------


class InspectionItem(models.Model):
    """One item of the random-inspection item list (随机抽查事项清单), with its legal basis."""

    organisation = models.ForeignKey(
        "core.Organisation", verbose_name="所属机构", on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        "registry.SupervisionCategory",
        verbose_name="专业类别",
        on_delete=models.PROTECT,
        related_name="inspection_items",
    )
    code = models.CharField("事项编码", max_length=40)
    name = models.CharField("抽查事项", max_length=200)
    legal_basis = models.TextField("检查依据")
    content = models.TextField("检查内容", blank=True, default="")
    applicable_kinds = models.JSONField("适用对象类型", default=list, blank=True)
    default_ratio = models.DecimalField(
        "默认抽查比例（%）", max_digits=5, decimal_places=2, null=True, blank=True
    )
    frequency = models.CharField("抽查频次", max_length=100, blank=True, default="")
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "抽查事项"
        verbose_name_plural = "抽查事项清单"
        ordering = ["organisation_id", "category_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="insp_item_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


# --- 两库: the inspector pool --------------------------------------------------------------


class InspectorProfile(models.Model):
    """An officer's entry in the inspector pool (执法检查人员名录库)."""

    officer = models.OneToOneField(
        "core.Officer",
        verbose_name="执法人员",
        on_delete=models.PROTECT,
        related_name="inspector_profile",
    )
    organisation = models.ForeignKey(
        "core.Organisation", verbose_name="所属机构", on_delete=models.PROTECT, related_name="+"
    )
    categories = models.ManyToManyField(
        "registry.SupervisionCategory",
        verbose_name="可检查专业类别",
        related_name="inspector_profiles",
        blank=True,
    )
    regions = models.JSONField(
        "负责区域（行政区划代码前缀）",
        default=list,
        blank=True,
        help_text='空表示不限区域；如 ["350503"] 或 ["3505"]。',
    )
    in_pool = models.BooleanField("在库", default=True)
    max_tasks_per_plan = models.PositiveIntegerField(
        "每个计划最多任务数", null=True, blank=True, help_text="空表示不限。"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "检查人员"
        verbose_name_plural = "执法检查人员名录库"
        ordering = ["organisation_id", "officer_id"]

    def __str__(self) -> str:
        return f"检查人员 {self.officer_id}"


class InspectorLeave(models.Model):
    officer = models.ForeignKey(
        "core.Officer", verbose_name="执法人员", on_delete=models.PROTECT, related_name="leaves"
    )
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    reason = models.CharField("事由", max_length=200, blank=True, default="")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "请假/外出"
        verbose_name_plural = "请假/外出"
        ordering = ["officer_id", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="insp_leave_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer_id}: {self.start}–{self.end}"


class ConflictDeclaration(models.Model):
    """A declared conflict of interest (回避) between an officer and an entity."""

    officer = models.ForeignKey(
        "core.Officer",
        verbose_name="执法人员",
        on_delete=models.PROTECT,
        related_name="conflict_declarations",
    )
    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name="检查对象",
        on_delete=models.PROTECT,
        related_name="conflict_declarations",
    )
    reason = models.CharField("回避事由", max_length=300)
    declared_on = models.DateField("申报日期")
    withdrawn_on = models.DateField("撤回日期", null=True, blank=True)

    class Meta:
        verbose_name = "回避申报"
        verbose_name_plural = "回避申报"
        ordering = ["officer_id", "entity_id", "declared_on"]
        indexes = [models.Index(fields=["entity", "officer"], name="insp_conflict_entity")]

    def __str__(self) -> str:
        return f"{self.officer_id} 回避 {self.entity_id}"


# --- plans --------------------------------------------------------------------------------


class PlanKind(models.TextChoices):
    RANDOM = "random", "双随机抽查"
    CAMPAIGN = "campaign", "专项检查"
    ROUTINE = "routine", "日常监督"
    IMPORTED = "imported", "上级下达任务"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    ANNOUNCED = "announced", "已公告"
    DRAWN = "drawn", "已抽取"
    IN_PROGRESS = "in_progress", "实施中"
    CLOSED = "closed", "已结束"


def default_risk_weights() -> dict[str, int]:
    """Weights by risk grade for weighted strata: higher risk, drawn more often."""
    return {"A": 1, "B": 2, "C": 3, "D": 4}


class InspectionPlan(models.Model):
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name="所属机构",
        on_delete=models.PROTECT,
        related_name="inspection_plans",
    )
    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("计划类型", max_length=16, choices=PlanKind.choices)
    title = models.CharField("计划名称", max_length=200)
    window_start = models.DateField("实施开始日期")
    window_end = models.DateField("实施结束日期")
    lead_department = models.CharField("牵头部门", max_length=100, blank=True, default="")
    joint_departments = models.JSONField("联合部门", default=list, blank=True)
    is_joint = models.BooleanField("部门联合抽查", default=False)
    items = models.ManyToManyField(
        InspectionItem, verbose_name="抽查事项", related_name="plans", blank=True
    )
    uses_risk_ratio = models.BooleanField("按信用风险分级确定比例", default=False)
    risk_weights = models.JSONField("风险等级权重", default=default_risk_weights, blank=True)
    team_size = models.PositiveSmallIntegerField("每组检查人员数", default=2)
    per_entity_yearly_cap = models.PositiveSmallIntegerField(
        "每户年度检查次数上限（覆盖规则包）", null=True, blank=True
    )
    status = models.CharField(
        "状态", max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    external_source = models.CharField(
        "任务来源（上级清单）", max_length=200, blank=True, default=""
    )
    notes = models.TextField("说明", blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "抽查计划"
        verbose_name_plural = "抽查计划"
        ordering = ["-year", "-id"]
        indexes = [models.Index(fields=["organisation", "year"], name="insp_plan_org_year")]
        constraints = [
            models.CheckConstraint(
                condition=Q(window_end__gte=models.F("window_start")),
                name="insp_plan_window_order",
            ),
            models.CheckConstraint(condition=Q(team_size__gte=2), name="insp_plan_team_of_two"),
        ]

    def __str__(self) -> str:
        return self.title


class PlanStratum(models.Model):
    """One stratum of a plan: a category (and optionally a risk grade) with a quota or a ratio.

    For campaign plans ``filter`` narrows the targets (e.g. ``{"kind": ["clinic"]}``).
    """

    plan = models.ForeignKey(
        InspectionPlan, verbose_name="计划", on_delete=models.CASCADE, related_name="strata"
    )
    key = models.SlugField("分层代码", max_length=60)
    category = models.ForeignKey(
        "registry.SupervisionCategory",
        verbose_name="专业类别",
        on_delete=models.PROTECT,
        related_name="+",
    )
    risk_grade = models.CharField("风险等级", max_length=1, blank=True, default="")
    quota = models.PositiveIntegerField("抽取数量", null=True, blank=True)
    ratio = models.DecimalField(
        "抽取比例（%）", max_digits=5, decimal_places=2, null=True, blank=True
    )
    weighted = models.BooleanField("按风险加权", default=False)
    filter = models.JSONField("筛选条件", default=dict, blank=True)

    class Meta:
        verbose_name = "抽查分层"
        verbose_name_plural = "抽查分层"
        ordering = ["plan_id", "key"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], name="insp_stratum_unique_key"),
            models.CheckConstraint(
                condition=Q(quota__isnull=True) | Q(ratio__isnull=True),
                name="insp_stratum_quota_or_ratio",
            ),
        ]

    def __str__(self) -> str:
        return self.key


# --- announcements and draws ----------------------------------------------------------------


class EntropyKind(models.TextChoices):
    WITNESSES = "witnesses", "见证人承诺—揭示"
    PUBLIC_NUMBER = "public_number", "事先公告的公开号码"
    SERVER = "server", "服务器随机数（不可公开验证）"


class DrawAnnouncement(models.Model):
    """What a plan publishes before its draw: the frozen candidate lists and pool, with hashes.

    ``candidates_blob`` holds every stratum's sorted candidate ids, compressed (see
    ``drawengine.pack_lists``); ``strata`` holds per stratum its parameters, count and hash.
    One plan may have several announcements (one per draw attempt); ``number`` counts them.
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
    announcement_hash = models.CharField("公告哈希", max_length=64)

    class Meta:
        verbose_name = "抽取公告"
        verbose_name_plural = "抽取公告"
        ordering = ["plan_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="insp_announcement_number"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} 公告 {self.number}"


class Witness(models.Model):
    """A witness of a commit-and-reveal draw: commits SHA-256(secret) before, reveals after."""

    announcement = models.ForeignKey(
        DrawAnnouncement, verbose_name="公告", on_delete=models.CASCADE, related_name="witnesses"
    )
    position = models.PositiveSmallIntegerField("序号")
    name = models.CharField("见证人", max_length=100)
    commitment = models.CharField("承诺值（SHA-256）", max_length=64)
    revealed_secret = models.CharField("揭示值", max_length=200, null=True, blank=True)
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


class DrawStatus(models.TextChoices):
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
    status = models.CharField("状态", max_length=16, choices=DrawStatus.choices)
    seed = models.CharField("种子", max_length=64)
    entropy_value = models.TextField("随机源取值", blank=True, default="")
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
                condition=Q(status="effective"),
                name="insp_one_effective_draw_per_plan",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} 第{self.number}次抽取"


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


# --- tasks and results ----------------------------------------------------------------------


class TaskState(models.TextChoices):
    ASSIGNED = "assigned", "已分派"
    IN_PROGRESS = "in_progress", "检查中"
    DONE = "done", "已完成"
    COULD_NOT_INSPECT = "could_not_inspect", "无法检查"
    CANCELLED = "cancelled", "已作废（抽取被替代）"


class TaskOutcome(models.TextChoices):
    NO_PROBLEM = "no_problem", "未发现问题"
    ORDERED_TO_CORRECT = "ordered_to_correct", "责令整改"
    REFERRED = "referred", "移交立案"
    NOT_INSPECTED = "not_inspected", "未检查"


class OutcomeReason(models.TextChoices):
    CLOSED = "closed", "已关闭/停业"
    NOT_FOUND = "not_found", "查无此户"
    OTHER = "other", "其他"


class InspectionTask(models.Model):
    # A national draw writes 50,000 tasks and 100,000 team rows in one transaction, and
    # PostgreSQL checks every foreign key row by row at commit (~15 µs each). So:
    # * single-column FK indexes are off where a composite index starts with the column (plan:
    #   the unique (plan, number); entity, organisation, draw: their own indexes);
    # * FKs to rows the writing service itself guarantees carry no database constraint
    #   (db_constraint=False, as for the audit chain's actor): the plan (locked by the draw),
    #   the draw (created in the same transaction), the organisation (the plan's) and the
    #   category (the stratum's); plans, draws, organisations and categories are never deleted.
    #   The entity keeps its constraint: entities are owned by another app.
    # See docs/decisions/0005-draw-algorithm.md.
    plan = models.ForeignKey(
        InspectionPlan,
        verbose_name="计划",
        on_delete=models.PROTECT,
        related_name="tasks",
        db_index=False,
        db_constraint=False,
    )
    draw = models.ForeignKey(
        Draw,
        verbose_name="抽取",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
        db_index=False,
        db_constraint=False,
    )
    stratum_key = models.CharField("分层", max_length=60, blank=True, default="")
    category = models.ForeignKey(
        "registry.SupervisionCategory",
        verbose_name="专业类别",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    entity = models.ForeignKey(
        "registry.Entity",
        verbose_name="检查对象",
        on_delete=models.PROTECT,
        related_name="inspection_tasks",
        db_index=False,
    )
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name="所属机构",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    number = models.CharField("任务编号", max_length=60)
    state = models.CharField(
        "状态", max_length=20, choices=TaskState.choices, default=TaskState.ASSIGNED
    )
    outcome = models.CharField(
        "检查结果", max_length=24, choices=TaskOutcome.choices, blank=True, default=""
    )
    outcome_reason = models.CharField(
        "未检查原因", max_length=16, choices=OutcomeReason.choices, blank=True, default=""
    )
    recheck_date = models.DateField("复查日期", null=True, blank=True)
    notes = models.TextField("备注", blank=True, default="")
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)
    rechecked_on = models.DateField("复查完成日期", null=True, blank=True)
    recheck_passed = models.BooleanField("复查合格", null=True, blank=True)
    recheck_notes = models.TextField("复查情况", blank=True, default="")
    published_at = models.DateTimeField("结果公示时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    inspectors = models.ManyToManyField(
        "core.Officer",
        verbose_name="检查人员",
        through="TaskInspector",
        related_name="inspection_tasks",
    )

    class Meta:
        verbose_name = "抽查任务"
        verbose_name_plural = "抽查任务"
        ordering = ["plan_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="insp_task_unique_number"),
        ]
        indexes = [
            models.Index(fields=["entity", "created_at"], name="insp_task_entity"),
            models.Index(fields=["organisation", "state"], name="insp_task_org_state"),
            models.Index(fields=["draw"], name="insp_task_draw"),
        ]

    def __str__(self) -> str:
        return self.number


class InspectorRole(models.TextChoices):
    LEAD = "lead", "主检"
    MEMBER = "member", "组员"


class TaskInspector(models.Model):
    # Indexes: covered by the unique (task, officer) and the (officer, task) index. The task is
    # written in the same transaction as its team (no database constraint, see InspectionTask);
    # the officer keeps its constraint.
    task = models.ForeignKey(
        InspectionTask,
        on_delete=models.CASCADE,
        related_name="task_inspectors",
        db_index=False,
        db_constraint=False,
    )
    officer = models.ForeignKey(
        "core.Officer", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    role = models.CharField("角色", max_length=8, choices=InspectorRole.choices)

    class Meta:
        verbose_name = "任务检查人员"
        verbose_name_plural = "任务检查人员"
        ordering = ["task_id", "role", "officer_id"]
        constraints = [
            models.UniqueConstraint(fields=["task", "officer"], name="insp_task_officer_once"),
        ]
        indexes = [models.Index(fields=["officer", "task"], name="insp_taskinsp_officer")]

    def __str__(self) -> str:
        return f"{self.task_id}/{self.officer_id}"


class FindingResult(models.TextChoices):
    PASS = "pass", "合格"
    FAIL = "fail", "不合格"
    NOT_APPLICABLE = "not_applicable", "不涉及"


class TaskFinding(models.Model):
    task = models.ForeignKey(InspectionTask, on_delete=models.CASCADE, related_name="findings")
    item = models.ForeignKey(InspectionItem, on_delete=models.PROTECT, related_name="+")
    result = models.CharField("结论", max_length=16, choices=FindingResult.choices)
    note = models.TextField("说明", blank=True, default="")

    class Meta:
        verbose_name = "检查结论"
        verbose_name_plural = "检查结论"
        ordering = ["task_id", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["task", "item"], name="insp_finding_once"),
        ]

    def __str__(self) -> str:
        return f"{self.task_id}/{self.item_id}: {self.result}"


class TaskPhoto(models.Model):
    task = models.ForeignKey(InspectionTask, on_delete=models.CASCADE, related_name="photos")
    attachment = models.ForeignKey("core.Attachment", on_delete=models.PROTECT, related_name="+")
    caption = models.CharField("说明", max_length=200, blank=True, default="")

    class Meta:
        verbose_name = "现场照片"
        verbose_name_plural = "现场照片"
        ordering = ["task_id", "id"]

    def __str__(self) -> str:
        return f"{self.task_id}/{self.attachment_id}"
