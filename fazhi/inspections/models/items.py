"""Models: the item list and the inspector pool (一单两库, with the entity directory of
``registry``).
"""

from __future__ import annotations

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
