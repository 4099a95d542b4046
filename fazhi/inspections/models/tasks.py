"""Models: inspection tasks, their inspectors, findings and photos."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models

from fazhi.inspections.models.draws import Draw
from fazhi.inspections.models.items import InspectionItem
from fazhi.inspections.models.plans import InspectionPlan


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
    # a targeted check's origin (投诉举报核查, decision 0091): the matter that started it, named
    # for the task page; empty for drawn and imported tasks
    origin_type = models.ForeignKey(
        "contenttypes.ContentType",
        verbose_name="来源类型",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    origin_id = models.PositiveBigIntegerField("来源编号", null=True, blank=True)
    origin = GenericForeignKey("origin_type", "origin_id")
    origin_label = models.CharField("来源", max_length=100, blank=True, default="")
    origin_reason = models.TextField("核查事由", blank=True, default="")
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
