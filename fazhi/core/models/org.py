"""Organisations (tree), departments, users with roles, officers and enforcement credentials."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower


class OrganisationKind(models.TextChoices):
    COMMISSION = "commission", "卫生健康委员会/局"
    SUPERVISION_INSTITUTE = "supervision_institute", "卫生健康监督所"


class OrganisationLevel(models.TextChoices):
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    DISTRICT = "district", "县区级"


class Organisation(models.Model):
    """A node of the organisation tree.

    ``path`` is a materialised path of zero-padded ids ("000001/000004/") so that a subtree is one
    indexed prefix query. A supervision institute is a child of the commission it serves.
    """

    name = models.CharField("名称", max_length=100)
    short_name = models.CharField(
        "机关代字", max_length=20, blank=True, help_text="用于文书编号，如“泉卫”。"
    )
    kind = models.CharField("类型", max_length=32, choices=OrganisationKind.choices)
    level = models.CharField("层级", max_length=16, choices=OrganisationLevel.choices)
    division_code = models.CharField("行政区划代码", max_length=6)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "组织机构"
        verbose_name_plural = "组织机构"
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="org_unique_name_per_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/")

    def province_code(self) -> str:
        """The two-digit province prefix of the division code (selects the rule-pack override)."""
        return self.division_code[:2]


class Department(models.Model):
    organisation = models.ForeignKey(
        Organisation, verbose_name="所属机构", on_delete=models.PROTECT, related_name="departments"
    )
    name = models.CharField("科室名称", max_length=100)

    class Meta:
        verbose_name = "科室"
        verbose_name_plural = "科室"
        ordering = ["organisation_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="dept_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """Roles; what each grants is in ``fazhi.core.roles.ROLE_GRANTS``."""

    SYSTEM_ADMIN = "system_admin", "系统管理员"
    LEADER = "leader", "分管领导"
    LEGAL_REVIEWER = "legal_reviewer", "法制审核人员"
    SUPERVISOR = "supervisor", "监督员（执法人员）"
    PETITION_OFFICER = "petition_officer", "信访办理人员"
    VIEWER = "viewer", "上级只读查看"


class User(AbstractUser):
    """A login. Each user belongs to one organisation and holds one role there."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name="所属机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    department = models.ForeignKey(
        Department,
        verbose_name="科室",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="users",
    )
    role = models.CharField("角色", max_length=32, choices=Role.choices, default=Role.VIEWER)
    full_name = models.CharField("姓名", max_length=50, blank=True)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            # "LiSi" and "lisi" are one login: the services check it, this makes it race-proof.
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class Officer(models.Model):
    """A member of staff who may enforce (执法人员); optionally linked to a login."""

    organisation = models.ForeignKey(
        Organisation, verbose_name="所属机构", on_delete=models.PROTECT, related_name="officers"
    )
    department = models.ForeignKey(
        Department,
        verbose_name="科室",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="officers",
    )
    user = models.OneToOneField(
        User,
        verbose_name="登录账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="officer",
    )
    name = models.CharField("姓名", max_length=50)
    title = models.CharField("职务", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    has_legal_qualification = models.BooleanField(
        "具有法律职业资格",
        default=False,
        help_text="首次从事法制审核需具备（行政处罚法第五十八条）。",
    )
    is_active = models.BooleanField("在岗", default=True)

    class Meta:
        verbose_name = "执法人员"
        verbose_name_plural = "执法人员"
        ordering = ["organisation_id", "name"]

    def __str__(self) -> str:
        return self.name

    def valid_credential(self, on: dt.date) -> Credential | None:
        for credential in self.credentials.all():
            if credential.is_valid_on(on):
                return credential
        return None


class CredentialState(models.TextChoices):
    VALID = "valid", "有效"
    SUSPENDED = "suspended", "暂扣"
    REVOKED = "revoked", "注销/吊销"


class Credential(models.Model):
    """An enforcement credential (执法证)."""

    officer = models.ForeignKey(
        Officer, verbose_name="执法人员", on_delete=models.PROTECT, related_name="credentials"
    )
    number = models.CharField("证件编号", max_length=40, unique=True)
    issued_on = models.DateField("发证日期")
    expires_on = models.DateField("有效期至")
    issuing_authority = models.CharField("发证机关", max_length=100, blank=True)
    state = models.CharField(
        "状态", max_length=16, choices=CredentialState.choices, default=CredentialState.VALID
    )
    state_reason = models.CharField("状态变更原因", max_length=200, blank=True)
    state_changed_on = models.DateField("状态变更日期", null=True, blank=True)

    class Meta:
        verbose_name = "执法证"
        verbose_name_plural = "执法证"
        ordering = ["officer_id", "-expires_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__gte=models.F("issued_on")),
                name="credential_expiry_after_issue",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def organisation_id(self) -> int:
        """The organisation the credential belongs to (its officer's): its audit events, written
        by the workflow on the credential itself, are scoped by it."""
        return int(self.officer.organisation_id)

    def is_valid_on(self, on: dt.date) -> bool:
        return self.state == CredentialState.VALID and self.issued_on <= on <= self.expires_on
