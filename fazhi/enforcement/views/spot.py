"""Page: a decision on the spot (当场处罚, 简易程序, 行政处罚法 Arts. 51–52). One form: the party
(the directory's picker), the handler and two or more officers, the facts, a warning or a fine
within the province's limit and the provisions; the decided case opens on its own page, where its
当场行政处罚决定书 prints like every other document."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from fazhi.core import clock, feedback, rules
from fazhi.core.access import acting_user
from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap
from fazhi.core.selectors import people
from fazhi.core.widgets import bootstrap
from fazhi.enforcement import spot_forms
from fazhi.enforcement.events import CaseEvent
from fazhi.enforcement.services import cases as case_services
from fazhi.enforcement.views import cases as case_views


def _choices(form: spot_forms.SpotForm, *, user: User) -> None:
    case_views.organisation_choices(form, user=user)
    case_views.party_picker(form, user=user, help_text="按名称或统一社会信用代码搜索")
    case_views.handler_choices(form, user=user)
    officers = [
        (o.pk, f"{o.name}（{o.organisation.name}）")
        for o in people.officer_list(user=user, active=True)
    ]
    form.fields["officers"].widget = forms.SelectMultiple(
        choices=officers, attrs={"data-search": ""}
    )
    form.fields["kinds"].widget.choices = spot_forms.SPOT_KINDS
    form.fields["decided_on"].widget = case_views.past_date_input()
    form.fields["facts"].widget.attrs["rows"] = 4
    if has_cap(user, Cap.DISCRETION_VIEW):
        form.fields["item"].widget = case_views.named_select(
            case_views.benchmark_item_choices(user)
        )
    else:
        del form.fields["item"]


def _limits(user: User) -> str:
    """The province's limit, said on the page (the service checks it on the decision's day)."""
    province = user.organisation.province_code() if user.organisation else None
    rule = rules.rule(case_services.SUMMARY_RULE, on=clock.today(), province=province)
    parts = [
        f"{party}{Decimal(str(amount)):,.0f}元以下" for party, amount in rule.value.amounts.items()
    ]
    return f"罚款限额：{'，'.join(parts)}（{rule.citation}）。"


@login_required
@require_http_methods(["GET", "POST"])
def case_on_the_spot(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.CASE_HANDLE, action=CaseEvent.DECIDED_ON_THE_SPOT)
    form = spot_forms.SpotForm(
        request.POST or None, initial={"handler": user.pk, "decided_on": clock.today()}
    )
    _choices(form, user=user)
    bootstrap(form)
    if request.method == "POST" and form.is_valid():
        try:
            case = spot_forms.decide_on_the_spot(user, form.cleaned_data)
        except case_views.REFUSALS as exc:
            feedback.error_message(request, exc)
        else:
            messages.success(request, f"已当场作出处罚决定：{case.decision_number}。")
            return redirect("enforcement:case_detail", case_id=case.pk)
    return render(
        request, "enforcement/case_on_the_spot.html", {"form": form, "limits": _limits(user)}
    )


urlpatterns = [
    path("cases/on-the-spot/", case_on_the_spot, name="case_on_the_spot"),
]
