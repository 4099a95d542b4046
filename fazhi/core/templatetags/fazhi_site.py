"""``{% site_identity as site %}``: the public site's identity for the portal and the login page,
read once per request."""

from __future__ import annotations

from typing import Any

from django import template

from fazhi.core.selectors.site import SiteIdentity, site_identity

register = template.Library()


@register.simple_tag(takes_context=True, name="site_identity")
def site_identity_tag(context: template.Context) -> SiteIdentity:
    request: Any = context.get("request")
    cached = getattr(request, "_fazhi_site_identity", None) if request is not None else None
    if cached is None:
        cached = site_identity()
        if request is not None:
            request._fazhi_site_identity = cached
    return cached
