"""The public site's identity (网站信息): the agency's name, the footer's sponsor, contact,
网站标识码 and ICP 备案号. One row for the deployment, owned by the root organisation
(decision 0020)."""

from __future__ import annotations

from django.db import models


class SiteSettings(models.Model):
    """The single row (``pk`` 1) the public portal and the login page read their identity from.

    Empty text fields fall back: the site name and the sponsor to the root organisation's name."""

    SINGLETON_PK = 1

    site_name = models.CharField(
        "网站名称",
        max_length=100,
        blank=True,
        help_text="页头显示的机关名称，留空时使用根机构名称。",
    )
    sponsor = models.CharField(
        "主办单位", max_length=100, blank=True, help_text="留空时使用根机构名称。"
    )
    organiser = models.CharField("承办单位", max_length=100, blank=True)
    contact_phone = models.CharField("联系电话", max_length=40, blank=True)
    contact_email = models.CharField("电子邮箱", max_length=100, blank=True)
    contact_address = models.CharField("通信地址", max_length=200, blank=True)
    site_code = models.CharField(
        "网站标识码", max_length=10, blank=True, help_text="政府网站标识码，10位数字或大写字母。"
    )
    icp_number = models.CharField(
        "ICP备案号", max_length=40, blank=True, help_text="如“清ICP备12345678号”。"
    )
    security_number = models.CharField(
        "公安机关备案号", max_length=40, blank=True, help_text="如“清公网安备 12345678901234号”。"
    )
    updated_at = models.DateTimeField("修改时间", null=True, blank=True)

    class Meta:
        verbose_name = "网站信息"
        verbose_name_plural = "网站信息"
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="site_settings_singleton"),
        ]

    def __str__(self) -> str:
        return self.site_name or "网站信息"
