"""Page forms of discretion benchmarks."""

from __future__ import annotations

from typing import Any

from django import forms

from fazhi.core.params import FormDateField, FormIdField
from fazhi.discretion.engine import CIRCUMSTANCES


class ImportForm(forms.Form):
    organisation = forms.TypedChoiceField(label="制定机关", coerce=int)
    title = forms.CharField(label="基准名称", max_length=200)
    issuing_body = forms.CharField(label="发布机关", max_length=200)
    document_number = forms.CharField(label="文号", max_length=100, required=False)
    effective_from = FormDateField(label="施行日期")
    effective_to = FormDateField(label="失效日期", required=False)
    sources = forms.CharField(
        label="依据与来源", max_length=5000, required=False, widget=forms.Textarea({"rows": 3})
    )
    file = forms.FileField(label="文件（.xlsx）")

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = organisations  # type: ignore[attr-defined]


class AssistForm(forms.Form):
    circumstances = forms.MultipleChoiceField(
        label="违法情节",
        required=False,
        choices=[(key, label) for key, (label, _) in CIRCUMSTANCES.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    illegal_gains = forms.CharField(label="违法所得（元）", max_length=20, required=False)
    amount = forms.CharField(label="拟罚款金额（元）", max_length=20, required=False)
    entity = FormIdField(label="当事人（核对违法记录）", required=False)
    entity_code = forms.CharField(
        label="当事人统一社会信用代码或公民身份号码（核对违法记录）", max_length=18, required=False
    )
