"""``{% load fazhi_detail %}``: ``{% detail_header title state actions %}``, the header every detail
page starts with (``fazhi.core.detail``), and ``{% record_sections obj %}``, the sections every
detail page ends with —
the record's deadlines, its attachments and its timeline (audit events by their Chinese names,
with who and when). Each section reads through its scoped selector and hides itself when the
user may not see it or it is empty (the timeline says so when the record has no event yet)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import template
from django.db.models import Model

from fazhi.core.detail import Action
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap
from fazhi.core.selectors.attachments import attachments_for
from fazhi.core.selectors.audit import audit_for_object
from fazhi.core.selectors.deadlines import deadlines_of

register = template.Library()


@register.inclusion_tag("core/detail/header.html", takes_context=True)
def detail_header(
    context: template.Context,
    title: str,
    state: str = "",
    actions: Sequence[Action] = (),
    subtitle: str = "",
    tone: str = "secondary",
) -> dict[str, Any]:
    """Title, state badge (``tone``: a Bootstrap colour name) and the next possible actions."""
    return {
        "title": title,
        "state": state,
        "actions": list(actions),
        "subtitle": subtitle,
        "tone": tone if tone in TONES else "secondary",
        "csrf_token": context.get("csrf_token"),
    }


TONES = ("secondary", "success", "warning", "danger", "info", "primary")


@register.filter
def step_links(steps: Sequence[Any]) -> list[Action]:
    """A page's offered workflow steps (``workflow.Action``s, or tuples starting with one, each
    with its form at ``#step-<name>`` on the page) as the header's actions."""
    out = []
    for step in steps or ():
        action = step[0] if isinstance(step, tuple) else step
        out.append(Action(str(action.label), f"#step-{action.name}"))
    return out


@register.inclusion_tag("core/detail/sections.html", takes_context=True)
def record_sections(context: template.Context, obj: Model) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"hidden": True}
    can_audit = has_cap(user, Cap.AUDIT_VIEW)
    return {
        "deadlines": list(deadlines_of(user=user, subject=obj)),
        "attachments": list(attachments_for(user=user, subject=obj)),
        "events": list(audit_for_object(user=user, obj=obj)) if can_audit else None,
        "request": request,
    }
