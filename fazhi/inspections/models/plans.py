"""Models: inspection plans and their strata."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from fazhi.inspections.models.items import InspectionItem


class PlanKind(models.TextChoices):
    RANDOM = "random", "双随机抽查"
    CAMPAIGN = "campaign", "专项检查"
    ROUTINE = "routine", "日常监督"
    IMPORTED = "imported", "上级下达任务"
    # the organisation's yearly list of targeted checks started by complaints (投诉举报核查):
    # created on demand by ``services.complaints``, never drawn (decision 0091)
    COMPLAINT = "complaint", "投诉举报核查"


# the kinds a planner creates by hand (a complaint list is created by its service)
PLANNED_KINDS = [(k, label) for k, label in PlanKind.choices if k != PlanKind.COMPLAINT]


class NamesPublic(models.TextChoices):
    """When a version-2 draw's entities and teams (and its verifiable export) become public."""

    RESULT_PUBLISHED = "result_published", "各检查结果公示时公开（全部公示后提供可验证导出）"
    WINDOW_START = "window_start", "计划实施开始日公开"


class PlanState(models.TextChoices):
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
    state = models.CharField(
        "状态", max_length=16, choices=PlanState.choices, default=PlanState.DRAFT
    )
    external_source = models.CharField(
        "任务来源（上级清单）", max_length=200, blank=True, default=""
    )
    notes = models.TextField("说明", blank=True, default="")
    # when a version-2 draw's names become public (``NamesPublic``): the safe default is each
    # result's publication, never the moment of the draw
    names_public = models.CharField(
        "抽取名单公开时间",
        max_length=20,
        choices=NamesPublic.choices,
        default=NamesPublic.RESULT_PUBLISHED,
    )
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
            models.UniqueConstraint(
                fields=["organisation", "year"],
                condition=Q(kind="complaint"),
                name="insp_plan_one_complaint_list",
            ),
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
