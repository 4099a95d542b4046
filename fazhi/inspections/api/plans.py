"""API: inspection plans, strata, imported task lists and the visit-cap report.

Reads use the same selectors as the pages; writes call the services; errors use the one
envelope of ``fazhi.core.api_errors``.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.core import errors, import_limits, params
from fazhi.core.access import acting_user
from fazhi.core.models import Organisation
from fazhi.core.pagination import PaginatedView
from fazhi.core.roles import Cap
from fazhi.core.selectors.org import organisation_get
from fazhi.inspections.events import PlanEvents, StratumEvents
from fazhi.inspections.models import (
    PLANNED_KINDS,
    InspectionItem,
    InspectionPlan,
    NamesPublic,
    PlanKind,
    PlanState,
    PlanStratum,
)
from fazhi.inspections.selectors import plans as selectors
from fazhi.inspections.selectors.items import items_for_plan
from fazhi.inspections.services import plans as services
from fazhi.registry.models import SupervisionCategory


class StratumSerializer(serializers.ModelSerializer[PlanStratum]):
    category = serializers.CharField(source="category.code", read_only=True)

    class Meta:
        model = PlanStratum
        fields = ["id", "key", "category", "risk_grade", "quota", "ratio", "weighted", "filter"]


class PlanSerializer(serializers.ModelSerializer[InspectionPlan]):
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    items = serializers.SerializerMethodField()

    def get_items(self, obj: InspectionPlan) -> list[int]:
        return [i.pk for i in obj.items.all()]

    class Meta:
        model = InspectionPlan
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "year",
            "kind",
            "title",
            "window_start",
            "window_end",
            "lead_department",
            "joint_departments",
            "is_joint",
            "items",
            "uses_risk_ratio",
            "risk_weights",
            "team_size",
            "per_entity_yearly_cap",
            "state",
            "external_source",
            "notes",
            "names_public",
            "created_at",
        ]


class PlanIn(serializers.Serializer[Any]):
    organisation = params.IdField()
    kind = serializers.ChoiceField(choices=PLANNED_KINDS)
    title = serializers.CharField(max_length=200)
    year = params.YearField()
    window_start = params.DateField()
    window_end = params.DateField()
    lead_department = serializers.CharField(max_length=100, required=False, default="")
    joint_departments = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, default=list
    )
    is_joint = serializers.BooleanField(required=False, default=False)
    items = serializers.ListField(child=params.IdField(), required=False, default=list)
    uses_risk_ratio = serializers.BooleanField(required=False, default=False)
    team_size = serializers.IntegerField(
        required=False, default=2, min_value=0, max_value=params.SMALLINT_MAX
    )
    per_entity_yearly_cap = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0, max_value=params.SMALLINT_MAX
    )
    external_source = serializers.CharField(max_length=200, required=False, default="")
    notes = serializers.CharField(required=False, default="", allow_blank=True)
    names_public = serializers.ChoiceField(
        choices=NamesPublic.choices, required=False, default=NamesPublic.RESULT_PUBLISHED
    )


class PlanPatch(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200, required=False)
    year = params.YearField(required=False)
    window_start = params.DateField(required=False)
    window_end = params.DateField(required=False)
    lead_department = serializers.CharField(max_length=100, required=False, allow_blank=True)
    joint_departments = serializers.ListField(child=serializers.CharField(), required=False)
    is_joint = serializers.BooleanField(required=False)
    items = serializers.ListField(child=params.IdField(), required=False)
    uses_risk_ratio = serializers.BooleanField(required=False)
    team_size = serializers.IntegerField(required=False, min_value=0, max_value=params.SMALLINT_MAX)
    per_entity_yearly_cap = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=params.SMALLINT_MAX
    )
    external_source = serializers.CharField(max_length=200, required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    names_public = serializers.ChoiceField(choices=NamesPublic.choices, required=False)


class StratumIn(serializers.Serializer[Any]):
    key = serializers.CharField(max_length=60)
    category = serializers.CharField(help_text="专业类别代码，如 public_places")
    risk_grade = serializers.CharField(required=False, default="", allow_blank=True)
    quota = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0, max_value=params.INTEGER_MAX
    )
    ratio = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True, default=None
    )
    weighted = serializers.BooleanField(required=False, default=False)
    filter = serializers.DictField(required=False, default=dict)


def _items(ids: list[int], organisation: Organisation) -> list[InspectionItem]:
    """Item ids as a plan of ``organisation`` may use them; any other is unknown, never named."""
    found = {i.pk: i for i in items_for_plan(organisation=organisation).filter(pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise errors.ValidationFailed(services.UNKNOWN_ITEM, code="unknown_item", items=missing)
    return [found[i] for i in ids]


class PlanList(PaginatedView):
    @extend_schema(
        summary="抽查计划列表（按数据范围）",
        parameters=[
            params.year_parameter(),
            params.choice_parameter("state", PlanState.values),
            params.choice_parameter("kind", PlanKind.values),
            OpenApiParameter("q", str, description="标题包含"),
        ],
        responses=PlanSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        query = request.query_params
        qs = selectors.plan_list(
            user=acting_user(request),
            year=params.year(query),
            state=params.choice(query, "state", PlanState.values) or "",
            kind=params.choice(query, "kind", PlanKind.values) or "",
            q=query.get("q", ""),
        ).prefetch_related("items")
        return self.paginated(qs, PlanSerializer)

    @extend_schema(summary="新建抽查计划", request=PlanIn, responses={201: PlanSerializer})
    def post(self, request: Request) -> Response:
        user = acting_user(request, Cap.INSPECTION_PLAN, action=PlanEvents.CREATED)
        data = PlanIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["organisation"] = organisation_get(user=user, pk=values["organisation"])
        values["items"] = _items(values["items"], values["organisation"])
        plan = services.plan_create(actor=user, **values)
        return Response(PlanSerializer(plan).data, status=status.HTTP_201_CREATED)


class PlanDetail(APIView):
    @extend_schema(summary="抽查计划详情", responses=PlanSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(PlanSerializer(selectors.plan_get(user=acting_user(request), pk=pk)).data)

    @extend_schema(summary="修改草稿计划", request=PlanPatch, responses=PlanSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        user = acting_user(request, Cap.INSPECTION_PLAN, action=PlanEvents.UPDATED)
        plan = selectors.plan_get(user=user, pk=pk)
        data = PlanPatch(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        items = _items(values.pop("items"), plan.organisation) if "items" in values else None
        plan = services.plan_update(actor=user, plan=plan, items=items, **values)
        return Response(PlanSerializer(plan).data)


class StratumList(APIView):
    @extend_schema(summary="计划的抽查分层", responses=StratumSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        plan = selectors.plan_get(user=user, pk=pk)
        strata = selectors.stratum_list(user=user, plan=plan)
        return Response(StratumSerializer(strata, many=True).data)

    @extend_schema(summary="添加抽查分层", request=StratumIn, responses={201: StratumSerializer})
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request, Cap.INSPECTION_PLAN, action=StratumEvents.ADDED)
        plan = selectors.plan_get(user=user, pk=pk)
        data = StratumIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        category = SupervisionCategory.objects.filter(code=values.pop("category")).first()
        if category is None:
            raise errors.ValidationFailed("专业类别不存在。", code="unknown_category")
        stratum = services.stratum_add(actor=user, plan=plan, category=category, **values)
        return Response(StratumSerializer(stratum).data, status=status.HTTP_201_CREATED)


class StratumDetail(APIView):
    @extend_schema(summary="删除抽查分层（仅草稿）", responses={204: None})
    def delete(self, request: Request, pk: int, stratum_pk: int) -> Response:
        user = acting_user(request, Cap.INSPECTION_PLAN, action=StratumEvents.REMOVED)
        plan = selectors.plan_get(user=user, pk=pk)
        stratum = selectors.stratum_get(user=user, plan=plan, pk=stratum_pk)
        services.stratum_remove(actor=user, stratum=stratum)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PlanImport(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        summary="导入上级下达的任务清单（.xlsx）",
        description=(
            "任何一行有错误时不导入，错误明细（行、列、原因）在 error.details.errors 中"
            "（最多列出前 FAZHI_IMPORT_MAX_ERRORS 处，总数在 error.details.error_count）。"
            "超过大小、解压或行数上限时返回 413（import_too_large、import_unzipped_too_large、"
            "import_too_many_rows、import_too_many_columns）。"
        ),
        request={
            "multipart/form-data": inline_serializer(
                "PlanImportIn", {"file": serializers.FileField()}
            )
        },
        responses={
            201: inline_serializer("PlanImportOut", {"imported": serializers.IntegerField()})
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request, Cap.INSPECTION_PLAN, action=PlanEvents.IMPORTED)
        plan = selectors.plan_get(user=user, pk=pk)
        upload = request.FILES.get("file")
        if upload is None:
            raise errors.ValidationFailed("请上传文件。", code="file_required")
        content = import_limits.read_upload(upload)
        count = services.plan_import_tasks(actor=user, plan=plan, content=content)
        return Response({"imported": count}, status=status.HTTP_201_CREATED)


VisitCapOut = inline_serializer(
    "VisitCapReport",
    {
        "cap": serializers.IntegerField(allow_null=True),
        "source": serializers.CharField(),
        "over_count": serializers.IntegerField(),
        "over": serializers.ListField(child=serializers.DictField()),
        "candidates_at_cap": serializers.IntegerField(allow_null=True),
    },
)


class PlanVisitCap(APIView):
    @extend_schema(
        summary="年度入企检查次数上限提示",
        parameters=[
            OpenApiParameter(
                "check_candidates", bool, description="抽取前统计候选对象中已达上限的户数"
            )
        ],
        responses=VisitCapOut,
    )
    def get(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        report = selectors.plan_visit_cap_report(
            user=user,
            plan=selectors.plan_get(user=user, pk=pk),
            check_candidates=bool(params.boolean(request.query_params, "check_candidates")),
        )
        return Response(
            {
                "cap": report.cap,
                "source": report.source,
                "over_count": report.over_count,
                "over": [{"entity": e, "name": n, "visits": v} for e, n, v in report.over],
                "candidates_at_cap": report.candidates_at_cap,
            }
        )


urlpatterns: list[URLPattern] = [
    path("plans/", PlanList.as_view(), name="api-inspection-plans"),
    path("plans/<id:pk>/", PlanDetail.as_view(), name="api-inspection-plan"),
    path("plans/<id:pk>/strata/", StratumList.as_view(), name="api-inspection-strata"),
    path(
        "plans/<id:pk>/strata/<id:stratum_pk>/",
        StratumDetail.as_view(),
        name="api-inspection-stratum",
    ),
    path("plans/<id:pk>/import/", PlanImport.as_view(), name="api-inspection-plan-import"),
    path("plans/<id:pk>/visit-cap/", PlanVisitCap.as_view(), name="api-inspection-visit-cap"),
]
