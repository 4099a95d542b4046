"""Forms parse page input only; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms

from fazhi.core import params
from fazhi.registry.models import EntityKind, EntityStatus, LicenceKind, RiskGrade


class EntityForm(forms.Form):
    organisation = forms.TypedChoiceField(label="监管机构", coerce=int)
    name = forms.CharField(label="名称", max_length=200)
    is_individual = forms.BooleanField(label="个人（如个体诊所负责人）", required=False)
    uscc = forms.CharField(label="统一社会信用代码", max_length=18, required=False)
    id_number = forms.CharField(label="公民身份号码", max_length=18, required=False)
    kind = forms.ChoiceField(label="类型", choices=EntityKind.choices)
    categories = forms.MultipleChoiceField(
        label="专业类别", required=False, widget=forms.CheckboxSelectMultiple
    )
    division_code = forms.CharField(label="行政区划代码", max_length=6)
    address = forms.CharField(label="地址", max_length=300, required=False)
    legal_representative = forms.CharField(
        label="法定代表人/负责人", max_length=100, required=False
    )
    status = forms.ChoiceField(label="经营状态", choices=EntityStatus.choices)
    risk_grade = forms.ChoiceField(label="风险等级", choices=RiskGrade.choices, initial="B")

    def __init__(
        self,
        *args: Any,
        organisations: list[tuple[int, str]],
        categories: list[tuple[str, str]],
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = organisations  # type: ignore[attr-defined]
        self.fields["categories"].choices = categories  # type: ignore[attr-defined]
        if editing:
            # owner and risk grade change through their own actions
            del self.fields["organisation"]
            del self.fields["risk_grade"]


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class RiskGradeForm(forms.Form):
    grade = forms.ChoiceField(label="风险等级", choices=RiskGrade.choices)
    reason = forms.CharField(label="依据/原因", max_length=500, required=False)


class LicenceForm(forms.Form):
    kind = forms.ChoiceField(label="许可证类型", choices=LicenceKind.choices)
    number = forms.CharField(label="许可证号", max_length=60)
    scope = forms.CharField(label="许可范围", max_length=500, required=False)
    valid_from = params.FormDateField(
        label="有效期起", widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_to = params.FormDateField(
        label="有效期至（空为长期）",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class ImportForm(forms.Form):
    organisation = forms.TypedChoiceField(label="导入到", coerce=int)
    file = forms.FileField(label="文件（.xlsx、.xls、.ods 或 .csv）")

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = organisations  # type: ignore[attr-defined]
