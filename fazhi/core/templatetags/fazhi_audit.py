"""``{% load fazhi_audit %}{% audit_history obj %}``: an object's audit history for any page;
``{{ event.action|event_label }}``: an event's Chinese name.

The history renders nothing for users without the audit capability, so pages can include it
unconditionally.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Model

from fazhi.core import events
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap
from fazhi.core.selectors.audit import audit_for_object

register = template.Library()


@register.inclusion_tag("core/audit_object_history.html", takes_context=True)
def audit_history(context: template.Context, obj: Model) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not has_cap(user, Cap.AUDIT_VIEW):
        return {"events": [], "hidden": True}
    return {"events": list(audit_for_object(user=user, obj=obj)), "can_open": True}


@register.filter
def event_label(name: str) -> str:
    """The Chinese name of an event, current or older (``security.denied`` reads 拒绝越权访问)."""
    return events.label(name)
