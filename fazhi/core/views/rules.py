"""Page: the rule packs in force for the administrator's province (规则包), each rule by its title
with its value, citation and whether its basis was checked — the one page that marks
unverified bases (decision 0017)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from fazhi.core import clock, errors, rules
from fazhi.core.access import acting_user
from fazhi.core.audit_events import DeadlineEvents
from fazhi.core.roles import Cap


@login_required
@require_GET
def rule_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.ORG_MANAGE, action=DeadlineEvents.DEADLINE_LISTED)
    province = user.organisation.province_code() if user.organisation else None
    today = clock.today()
    rows: list[dict[str, Any]] = []
    for definition in rules.all_rules(province=province):
        try:
            rule = definition.on(today)
        except errors.UnknownRule:
            continue  # not yet in force
        rows.append(
            {
                "title": rule.title,
                "value": rule.value.describe(),
                "citation": rule.source.marked_citation,
                "status": rules.STATUS_LABELS.get(rule.source.status, ""),
                "verified": rule.source.status != "UNVERIFIED",
                "note": rule.source.note,
                "effective_from": rule.effective_from,
            }
        )
    return render(
        request,
        "core/rule_list.html",
        {"rows": rows, "province_pack": rules.province_pack_title(province)},
    )


urlpatterns: list[URLPattern] = [path("rules/", rule_list, name="rule_list")]
