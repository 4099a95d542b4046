"""The on-the-spot decision (当场处罚, 简易程序, 行政处罚法 Arts. 51–52) as an input form shared by
the page and the API, and the call of ``cases.case_decide_on_the_spot`` from its cleaned data.

The form only parses (types, lengths, ids); every rule — the province's limit, the kinds, two
officers with valid credentials, the party in reach, the provisions — is the service's, and a
refusal comes back as the service's error with its stable code."""

from __future__ import annotations

from typing import Any

from django import forms

from fazhi.core import errors, params
from fazhi.core.models import Officer, User
from fazhi.core.params import FormDateField, FormIdField
from fazhi.core.scope import visible_organisations
from fazhi.enforcement.forms import ProvisionsForm
from fazhi.enforcement.models import PenaltyCase, PenaltyKind
from fazhi.enforcement.services import cases
from fazhi.registry.models import Entity

# What the simplified procedure may decide (the page offers only these; any other kind posted
# reaches the service, which refuses it with its article).
SPOT_KINDS = [(k, label) for k, label in PenaltyKind.choices if k in cases.SUMMARY_KINDS]


class IdsField(forms.MultipleChoiceField):
    """Several record ids (a multiple select the view fills with names; the API posts a list)."""

    def valid_value(self, value: Any) -> bool:
        return params.is_id(str(value))

    def clean(self, value: Any) -> list[int]:
        return [int(v) for v in super().clean(value)]


class SpotForm(ProvisionsForm):
    """当场处罚: the party, who decides, the facts, the penalty and (from ``ProvisionsForm``, as
    the provisions step reads them) the benchmark item or the typed provisions."""

    organisation = FormIdField(label="办案机构", required=False, help_text="不选为本机构")
    entity = FormIdField(label="当事人")
    handler = FormIdField(label="主办人")
    officers = IdsField(
        label="执法人员",
        help_text="两名以上持有效执法证的执法人员（行政处罚法第四十二条、第五十二条）",
    )
    cause = forms.CharField(label="案由", max_length=200)
    facts = forms.CharField(label="违法事实", widget=forms.Textarea, max_length=10_000)
    kinds = forms.MultipleChoiceField(
        label="处罚种类",
        choices=PenaltyKind.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text="简易程序只适用于警告或者罚款（行政处罚法第五十一条）",
    )
    fine = forms.CharField(label="罚款金额（元）", required=False, max_length=20)
    decided_on = FormDateField(label="决定日期", required=False, help_text="留空为今天")

    field_order = [
        "organisation",
        "entity",
        "handler",
        "officers",
        "cause",
        "facts",
        "kinds",
        "fine",
        "decided_on",
    ]  # then the provisions


def scoped_entity(user: User, pk: int) -> Entity:
    """The party read in the user's scope (a picker's posted id), or the refusal."""
    entity = (
        Entity.objects.filter(pk=pk, organisation__in=visible_organisations(user))
        .select_related("organisation")
        .first()
    )
    if entity is None:
        raise errors.ValidationFailed("没有该当事人。", code="entity_required", field="entity")
    return entity


def _officers(user: User, pks: list[int]) -> list[Officer]:
    found = {
        o.pk: o
        for o in Officer.objects.filter(
            pk__in=pks, organisation__in=visible_organisations(user)
        ).prefetch_related("credentials")
    }
    missing = [pk for pk in pks if pk not in found]
    if missing:
        raise errors.ValidationFailed(
            "没有该执法人员。", code="officer_elsewhere", field="officers"
        )
    return [found[pk] for pk in pks]


def decide_on_the_spot(user: User, data: dict[str, Any]) -> PenaltyCase:
    """The decision from the form's cleaned data: every id read in the user's scope."""
    organisation = user.organisation
    if data.get("organisation"):
        organisation = visible_organisations(user).filter(pk=data["organisation"]).first()
        if organisation is None:
            raise errors.ValidationFailed(
                "没有该办案机构。", code="bad_organisation", field="organisation"
            )
    if organisation is None:
        raise errors.ValidationFailed("您不属于任何机构。", code="no_organisation")
    handler = User.objects.filter(pk=data["handler"]).select_related("organisation").first()
    if handler is None:
        raise errors.ValidationFailed("没有该主办人。", code="bad_handler", field="handler")
    item = None
    if data.get("item"):
        from fazhi.discretion.selectors.benchmarks import benchmark_item_get

        item = benchmark_item_get(user=user, item_id=data["item"])
    return cases.case_decide_on_the_spot(
        actor=user,
        organisation=organisation,
        entity=scoped_entity(user, data["entity"]),
        handler=handler,
        officers=_officers(user, data["officers"]),
        cause=data["cause"],
        facts=data["facts"],
        kinds=data["kinds"],
        fine=data.get("fine") or None,
        decided_on=data.get("decided_on"),
        item=item,
        violated=data.get("violated") or "",
        penalty=data.get("penalty") or "",
        reason=data.get("reason") or "",
    )
