"""Regulated entities (检查对象), their licences, supervision categories and practice points.

Risk grades (风险等级) run from A to D, A being the lowest risk:

* A 低风险 — good record, no violations found in recent inspections;
* B 较低风险 — minor problems, corrected;
* C 较高风险 — repeated or substantive problems;
* D 高风险 — serious violations, penalties, or high-risk activity (e.g. radiation, blood).

Plans may set a higher draw ratio for higher risk grades (issue 3, item 3).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from fazhi.core.models import Organisation


class SupervisionCategory(models.Model):
    """A professional supervision category (专业类别), e.g. 公共场所卫生. Seeded by migration."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=50, unique=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "专业类别"
        verbose_name_plural = "专业类别"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class EntityKind(models.TextChoices):
    HOSPITAL = "hospital", "医院"
    CLINIC = "clinic", "诊所/门诊部"
    COMMUNITY_HEALTH_CENTRE = "community_health_centre", "社区卫生服务中心/乡镇卫生院"
    PUBLIC_PLACE_LODGING = "public_place_lodging", "公共场所（住宿）"
    PUBLIC_PLACE_BATH = "public_place_bath", "公共场所（沐浴）"
    PUBLIC_PLACE_SWIMMING = "public_place_swimming", "公共场所（游泳）"
    PUBLIC_PLACE_BEAUTY = "public_place_beauty", "公共场所（美容美发）"
    PUBLIC_PLACE_OTHER = "public_place_other", "公共场所（其他）"
    WATER_SUPPLIER = "water_supplier", "集中式供水单位"
    SECONDARY_WATER_SUPPLY = "secondary_water_supply", "二次供水单位"
    SCHOOL = "school", "学校/托幼机构"
    DISINFECTION_PRODUCT_MAKER = "disinfection_product_maker", "消毒产品生产企业"
    RADIATION_USER = "radiation_user", "放射诊疗/放射工作单位"
    OCCUPATIONAL_HEALTH_SERVICE = "occupational_health_service", "职业卫生技术服务机构"
    MEDICAL_AESTHETICS = "medical_aesthetics", "医疗美容机构"
    OTHER = "other", "其他"


class EntityStatus(models.TextChoices):
    OPERATING = "operating", "正常经营"
    SUSPENDED = "suspended", "停业/暂停"
    CLOSED = "closed", "关闭/注销"


class RiskGrade(models.TextChoices):
    A = "A", "A级（低风险）"
    B = "B", "B级（较低风险）"
    C = "C", "C级（较高风险）"
    D = "D", "D级（高风险）"


class Entity(models.Model):
    """An organisation or individual under supervision, owned by one supervising organisation."""

    id = models.BigAutoField(primary_key=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name="监管机构",
        on_delete=models.PROTECT,
        related_name="entities",
    )
    name = models.CharField("名称", max_length=200)
    uscc = models.CharField(
        "统一社会信用代码", max_length=18, blank=True, default="", help_text="GB 32100，18位。"
    )
    id_number = models.CharField(
        "公民身份号码", max_length=18, blank=True, default="", help_text="个人适用，GB 11643。"
    )
    is_individual = models.BooleanField("个人", default=False)
    kind = models.CharField("类型", max_length=40, choices=EntityKind.choices)
    categories = models.ManyToManyField(
        SupervisionCategory, verbose_name="专业类别", related_name="entities", blank=True
    )
    division_code = models.CharField("行政区划代码", max_length=6, db_index=True)
    address = models.CharField("地址", max_length=300, blank=True, default="")
    legal_representative = models.CharField(
        "法定代表人/负责人", max_length=100, blank=True, default=""
    )
    status = models.CharField(
        "经营状态", max_length=16, choices=EntityStatus.choices, default=EntityStatus.OPERATING
    )
    is_active = models.BooleanField("在册", default=True, help_text="停用后不再参与抽查。")
    deactivated_reason = models.CharField("停用原因", max_length=500, blank=True, default="")
    risk_grade = models.CharField(
        "风险等级", max_length=1, choices=RiskGrade.choices, default=RiskGrade.B
    )
    import_batch = models.ForeignKey(
        "ImportBatch",
        verbose_name="导入批次",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="entities",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "检查对象"
        verbose_name_plural = "检查对象"
        ordering = ["organisation_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"], condition=~Q(uscc=""), name="entity_unique_uscc"
            ),
            models.UniqueConstraint(
                fields=["id_number"], condition=~Q(id_number=""), name="entity_unique_id_number"
            ),
            models.CheckConstraint(
                condition=~Q(uscc="") | ~Q(id_number=""), name="entity_has_code"
            ),
            models.CheckConstraint(
                condition=Q(risk_grade__in=["A", "B", "C", "D"]), name="entity_risk_grade_a_d"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "name"], name="entity_org_name"),
            models.Index(fields=["organisation", "kind"], name="entity_org_kind"),
            models.Index(fields=["organisation", "risk_grade"], name="entity_org_risk"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def code(self) -> str:
        """The identifying code: USCC for organisations, ID number for individuals."""
        return self.uscc or self.id_number


class LicenceKind(models.TextChoices):
    MEDICAL_INSTITUTION = "medical_institution", "医疗机构执业许可证"
    PUBLIC_PLACE = "public_place", "公共场所卫生许可证"
    WATER_SUPPLY = "water_supply", "供水单位卫生许可证"
    RADIATION = "radiation", "放射诊疗许可证"
    DISINFECTION_PRODUCT = "disinfection_product", "消毒产品生产企业卫生许可证"
    OCCUPATIONAL_HEALTH = "occupational_health", "职业卫生技术服务机构资质证书"
    OTHER = "other", "其他许可证"


class Licence(models.Model):
    entity = models.ForeignKey(
        Entity, verbose_name="检查对象", on_delete=models.CASCADE, related_name="licences"
    )
    kind = models.CharField("许可证类型", max_length=32, choices=LicenceKind.choices)
    number = models.CharField("许可证号", max_length=60)
    scope = models.CharField("许可范围", max_length=500, blank=True, default="")
    valid_from = models.DateField("有效期起")
    valid_to = models.DateField("有效期至", null=True, blank=True, help_text="空表示长期有效。")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "许可证"
        verbose_name_plural = "许可证"
        ordering = ["entity_id", "-valid_from", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="licence_unique_number"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="licence_valid_to_after_from",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class ImportFormat(models.TextChoices):
    XLSX = "xlsx", "Excel (.xlsx)"
    XLS = "xls", "Excel 97-2003 (.xls)"
    ODS = "ods", "OpenDocument (.ods)"
    CSV = "csv", "CSV"


class ImportState(models.TextChoices):
    PREVIEWED = "previewed", "待确认"
    CONFIRMED = "confirmed", "已导入"
    DISCARDED = "discarded", "已放弃"


class ImportBatch(models.Model):
    """A staged upload. Rows are validated into ``payload`` (zlib-compressed ``marshal``) at upload;
    nothing reaches the directory until a batch without errors is confirmed. ``state`` follows
    ``fazhi.registry.workflows.IMPORT_BATCH``."""

    organisation = models.ForeignKey(
        Organisation, verbose_name="导入到", on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    file_name = models.CharField("文件名", max_length=255)
    file_hash = models.CharField("文件SHA-256", max_length=64)
    file_format = models.CharField("格式", max_length=8, choices=ImportFormat.choices)
    state = models.CharField(
        "状态", max_length=16, choices=ImportState.choices, default=ImportState.PREVIEWED
    )
    row_count = models.PositiveIntegerField("数据行数", default=0)
    error_count = models.PositiveIntegerField("错误数", default=0)
    errors = models.JSONField("错误明细", default=list, blank=True)
    payload = models.BinaryField("暂存数据", default=b"", editable=False)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "导入批次"
        verbose_name_plural = "导入批次"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_state_display()})"

    @property
    def is_clean(self) -> bool:
        return self.error_count == 0 and self.row_count > 0

    @property
    def errors_truncated(self) -> bool:
        """Only the first ``FAZHI_IMPORT_MAX_ERRORS`` errors are kept; ``error_count`` is all."""
        return self.error_count > len(self.errors)
