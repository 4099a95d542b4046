"""API: figures of random inspections per year and per plan (with the filters behind them)."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.core.access import acting_user
from fazhi.inspections.selectors import figures as figure_selectors

_CATEGORY = inline_serializer(
    name="InspectionCategoryFigure",
    fields={
        "code": serializers.CharField(),
        "name": serializers.CharField(),
        "drawn": serializers.IntegerField(),
        "completed": serializers.IntegerField(),
        "problems": serializers.IntegerField(),
        "records": serializers.DictField(child=serializers.CharField()),
    },
)

FIGURES_SCHEMA = inline_serializer(
    name="InspectionFigures",
    fields={
        "title": serializers.CharField(),
        "scope": serializers.DictField(child=serializers.CharField()),
        "drawn": serializers.IntegerField(),
        "completed": serializers.IntegerField(),
        "completion_rate": serializers.CharField(allow_null=True, help_text="百分比，两位小数"),
        "inspected": serializers.IntegerField(),
        "not_inspected": serializers.IntegerField(),
        "problems": serializers.IntegerField(),
        "ordered_to_correct": serializers.IntegerField(),
        "referrals": serializers.IntegerField(),
        "cases_filed": serializers.IntegerField(),
        "joint_tasks": serializers.IntegerField(),
        "joint_share": serializers.CharField(allow_null=True),
        "plans": serializers.IntegerField(),
        "plans_with_risk_ratio": serializers.IntegerField(),
        "risk_ratio_share": serializers.CharField(allow_null=True),
        "by_category": serializers.ListField(child=_CATEGORY),
        "sentence": serializers.CharField(),
        "records": serializers.DictField(
            child=serializers.DictField(child=serializers.CharField()),
            help_text="每个指标对应的任务列表筛选条件（/api/inspections/tasks/ 的查询参数）",
        ),
    },
)


def _body(figures: figure_selectors.Figures) -> dict[str, Any]:
    return figures.as_dict()


class YearFiguresView(APIView):
    @extend_schema(summary="年度双随机抽查统计", responses=FIGURES_SCHEMA)
    def get(self, request: Request, year: int) -> Response:
        return Response(_body(figure_selectors.year_figures(user=acting_user(request), year=year)))


class PlanFiguresView(APIView):
    @extend_schema(summary="抽查计划统计", responses=FIGURES_SCHEMA)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_body(figure_selectors.plan_figures(user=acting_user(request), plan_id=pk)))


urlpatterns: list[URLPattern] = [
    path("figures/years/<year:year>/", YearFiguresView.as_view(), name="api-figures-year"),
    path("figures/plans/<id:pk>/", PlanFiguresView.as_view(), name="api-figures-plan"),
]
