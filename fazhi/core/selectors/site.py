"""Reads of the public site's identity (网站信息).

``site_identity`` is public (the portal's header and footer, the login page): no user, no scope,
the values with their fallbacks. ``site_settings_get`` is the administrator page's read."""

from __future__ import annotations

from dataclasses import dataclass

from fazhi.core.audit_events import SiteEvents
from fazhi.core.models import Organisation, SiteSettings, User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap


@dataclass(frozen=True)
class SiteIdentity:
    name: str  # the agency's name in the header
    sponsor: str  # 主办单位
    organiser: str  # 承办单位
    contact_phone: str
    contact_email: str
    contact_address: str
    site_code: str  # 网站标识码
    icp_number: str  # ICP 备案号
    security_number: str  # 公安机关备案号


def _stored() -> SiteSettings:
    return SiteSettings.objects.filter(pk=SiteSettings.SINGLETON_PK).first() or SiteSettings(
        pk=SiteSettings.SINGLETON_PK
    )


def root_organisation_name() -> str:
    root = Organisation.objects.filter(parent__isnull=True).order_by("pk").only("name").first()
    return root.name if root else ""


def site_identity() -> SiteIdentity:
    """One query, two when the name or the sponsor falls back to the root organisation's name."""
    row = _stored()
    fallback = "" if row.site_name and row.sponsor else root_organisation_name()
    name = row.site_name or fallback or "法治工作平台"
    return SiteIdentity(
        name=name,
        sponsor=row.sponsor or fallback or name,
        organiser=row.organiser,
        contact_phone=row.contact_phone,
        contact_email=row.contact_email,
        contact_address=row.contact_address,
        site_code=row.site_code,
        icp_number=row.icp_number,
        security_number=row.security_number,
    )


def site_settings_get(*, user: User) -> SiteSettings:
    """The stored row (an unsaved empty one before the first change), for administrators."""
    require_cap(user, Cap.ORG_MANAGE, action=SiteEvents.SITE_SETTINGS_VIEWED)
    return _stored()
