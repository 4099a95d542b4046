"""Discretion benchmarks (行政处罚裁量基准) as data.

A ``Benchmark`` is one published table of an organisation (the issuing body's name, its document
number, the dates it is in force, a sample flag, its sources); its ``BenchmarkItem`` rows are the
violations (违法行为) with the violated article and the penalty article; each item has up to five
``BenchmarkTier`` rows (不予处罚 / 减轻 / 从轻 / 一般 / 从重) with their conditions (text, and the
circumstances from ``engine.Circumstance`` that select the tier) and their measures (warning; a
fine as an amount range or as a multiple of the illegal gains with a floor for the base;
confiscation; suspension; revocation). Amounts are exact decimals. The tier logic is
``fazhi.discretion.engine`` (decision 0043).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TierKind(models.TextChoices):
    # in the order of their severity; ``engine.TIER_ORDER`` relies on it
    NO_PENALTY = "no_penalty", "不予处罚"
    MITIGATED = "mitigated", "减轻处罚"
    LIGHTER = "lighter", "从轻处罚"
    GENERAL = "general", "一般处罚"
    HEAVIER = "heavier", "从重处罚"


class FineKind(models.TextChoices):
    NONE = "none", "不罚款"
    AMOUNT = "amount", "罚款金额"
    MULTIPLE = "multiple", "违法所得倍数"


class Benchmark(models.Model):
    organisation = models.ForeignKey(
        "core.Organisation", verbose_name="制定机关", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("名称", max_length=200)
    issuing_body = models.CharField("发布机关", max_length=200)
    document_number = models.CharField("文号", max_length=100, blank=True, default="")
    effective_from = models.DateField("施行日期")
    effective_to = models.DateField("失效日期", null=True, blank=True)
    is_sample = models.BooleanField("示例数据", default=False)
    sources = models.TextField("依据与来源", blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "裁量基准"
        verbose_name_plural = "裁量基准"
        ordering = ["-effective_from", "-id"]
        indexes = [
            models.Index(
                fields=["organisation", "title", "effective_from"], name="benchmark_version"
            )
        ]

    def __str__(self) -> str:
        return self.title


class BenchmarkItem(models.Model):
    benchmark = models.ForeignKey(
        Benchmark, verbose_name="裁量基准", on_delete=models.CASCADE, related_name="items"
    )
    code = models.CharField("编号", max_length=20)
    position = models.PositiveIntegerField("顺序", default=0)
    violation = models.CharField("违法行为", max_length=300)
    violated_article = models.CharField("违反条款", max_length=500)
    penalty_article = models.CharField("处罚依据", max_length=500)
    first_violation_list = models.BooleanField("列入首违不罚清单", default=False)

    class Meta:
        verbose_name = "裁量事项"
        verbose_name_plural = "裁量事项"
        ordering = ["benchmark", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["benchmark", "code"], name="benchmark_item_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.violation}"


class BenchmarkTier(models.Model):
    item = models.ForeignKey(
        BenchmarkItem, verbose_name="裁量事项", on_delete=models.CASCADE, related_name="tiers"
    )
    tier = models.CharField("裁量阶次", max_length=16, choices=TierKind.choices)
    conditions = models.TextField("适用情形", blank=True, default="")
    # circumstance keys (engine.Circumstance) that select this tier: all of ``requires_all``
    # and, when given, at least one of ``requires_any``
    requires_all = models.JSONField("须全部具备的情节", default=list, blank=True)
    requires_any = models.JSONField("须具备其一的情节", default=list, blank=True)
    warning = models.BooleanField("警告", default=False)
    fine_kind = models.CharField(
        "罚款方式", max_length=16, choices=FineKind.choices, default=FineKind.NONE
    )
    fine_min = models.DecimalField(
        "罚款下限（元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    fine_max = models.DecimalField(
        "罚款上限（元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    multiple_min = models.DecimalField(
        "倍数下限", max_digits=6, decimal_places=2, null=True, blank=True
    )
    multiple_max = models.DecimalField(
        "倍数上限", max_digits=6, decimal_places=2, null=True, blank=True
    )
    gains_floor = models.DecimalField(
        "违法所得计算基数下限（元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    confiscation = models.CharField("没收", max_length=300, blank=True, default="")
    suspension = models.CharField("责令停业/暂停执业", max_length=300, blank=True, default="")
    revocation = models.CharField("吊销", max_length=300, blank=True, default="")
    other_measures = models.CharField("其他措施", max_length=300, blank=True, default="")

    class Meta:
        verbose_name = "裁量阶次"
        verbose_name_plural = "裁量阶次"
        ordering = ["item", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "tier"], name="benchmark_tier_once")]

    def __str__(self) -> str:
        return f"{self.item.code} {self.get_tier_display()}"


class BenchmarkImport(models.Model):
    """One import of a benchmark file: what was read, every problem found (row, column,
    reason), and the benchmark created when there was none (all rows or nothing)."""

    organisation = models.ForeignKey(
        "core.Organisation", verbose_name="制定机关", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("基准名称", max_length=200)
    file_name = models.CharField("文件名", max_length=255)
    row_count = models.PositiveIntegerField("数据行数", default=0)
    error_count = models.PositiveIntegerField("错误数", default=0)
    errors = models.JSONField("错误", default=list, blank=True)
    benchmark = models.OneToOneField(
        Benchmark,
        verbose_name="导入的裁量基准",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="imported_from",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="导入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("导入时间", auto_now_add=True)

    class Meta:
        verbose_name = "裁量基准导入"
        verbose_name_plural = "裁量基准导入"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.title}（{self.file_name}）"
