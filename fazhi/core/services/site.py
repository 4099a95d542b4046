"""Services: the public site's identity (网站信息) — what the portal's header and footer and the
login page show: the agency's name, 主办单位, contact, 网站标识码, ICP 备案号 (decision 0020).

The row belongs to the deployment, not to an organisation below the root, so only the root
organisation's administrators change it (``scope.require_root_cap`` with ``org.manage``).
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from fazhi.core import audit, clock, errors
from fazhi.core.audit_events import SiteEvents
from fazhi.core.models import Organisation, SiteSettings, User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_root_cap
from fazhi.core.services._common import clean_text

ROOT_ONLY = "网站信息代表整个门户网站，只有根机构的系统管理员可以修改。"

# field -> (label, max length)
FIELDS: dict[str, tuple[str, int]] = {
    "site_name": ("网站名称", 100),
    "sponsor": ("主办单位", 100),
    "organiser": ("承办单位", 100),
    "contact_phone": ("联系电话", 40),
    "contact_email": ("电子邮箱", 100),
    "contact_address": ("通信地址", 200),
    "site_code": ("网站标识码", 10),
    "icp_number": ("ICP备案号", 40),
    "security_number": ("公安机关备案号", 40),
}

_PHONE = re.compile(r"[0-9０-９()（）\-－+ 、,，转]{5,40}")
_SITE_CODE = re.compile(r"[0-9A-Z]{10}")
_ICP = re.compile(r"[\u4e00-\u9fff]ICP备\d{6,10}号(-\d{1,3})?")
_SECURITY = re.compile(r"[\u4e00-\u9fff]公网安备 ?\d{14}号")


def _invalid(field: str, message: str) -> errors.ValidationFailed:
    return errors.ValidationFailed(message, code=f"{field}_invalid", field=field)


def _clean(field: str, value: str) -> str:
    label, max_length = FIELDS[field]
    value = clean_text(value, field=field, label=label, max_length=max_length, required=False)
    if not value:
        return value
    if field == "contact_phone" and not _PHONE.fullmatch(value):
        raise _invalid(field, "联系电话只能包含数字、括号、连字符和空格，如“0571-12345678”。")
    if field == "contact_email":
        try:
            validate_email(value)
        except ValidationError:
            raise _invalid(field, "电子邮箱格式不正确。") from None
    if field == "site_code" and not _SITE_CODE.fullmatch(value):
        raise _invalid(field, "网站标识码为10位数字或大写字母，见全国政府网站信息报送系统。")
    if field == "icp_number" and not _ICP.fullmatch(value):
        raise _invalid(field, "ICP备案号格式如“清ICP备12345678号”或“清ICP备12345678号-1”。")
    if field == "security_number" and not _SECURITY.fullmatch(value):
        raise _invalid(field, "公安机关备案号格式如“清公网安备 12345678901234号”（14位数字）。")
    return value


def site_settings_update(*, actor: User | None, **values: str) -> SiteSettings:
    """Change any of ``FIELDS``; an omitted field keeps its value, an empty one clears it.
    ``actor=None`` is the system (the demo loader, the CLI)."""
    if actor is not None:
        require_root_cap(
            actor, Cap.ORG_MANAGE, action=SiteEvents.SITE_SETTINGS_UPDATED, message=ROOT_ONLY
        )
    unknown = sorted(set(values) - set(FIELDS))
    if unknown:
        raise errors.ValidationFailed("未知的网站信息项。", code="site_field_unknown")
    changes = {field: _clean(field, value) for field, value in values.items()}
    with transaction.atomic(durable=True):
        row, _ = SiteSettings.objects.select_for_update().get_or_create(
            pk=SiteSettings.SINGLETON_PK
        )
        before: dict[str, Any] = {field: getattr(row, field) for field in changes}
        changed = {k: v for k, v in changes.items() if before[k] != v}
        if not changed:
            return row
        for field, value in changed.items():
            setattr(row, field, value)
        row.updated_at = clock.now()
        row.save()
        root = Organisation.objects.filter(parent__isnull=True).order_by("pk").first()
        audit.append(
            actor=actor,
            action=SiteEvents.SITE_SETTINGS_UPDATED,
            obj=row,
            organisation_id=root.pk if root else None,
            details={"before": {k: before[k] for k in changed}, "after": changed},
        )
    return row
