"""API: hotline tickets (热线工单): their list, registration by hand, the import of a platform's
export (202 with the background job) and the import's result. A ticket's detail and steps are
the matters' endpoints (``/api/matters/<id>/``, ``/api/matters/<id>/<step>/``: ``accept``,
``return``, ``extend``, ``case_lead``, ``reply``, ``call_back``)."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.core import import_limits, params
from fazhi.core.access import acting_user
from fazhi.core.api.jobs import JobSerializer, accepted
from fazhi.core.pagination import PaginatedView
from fazhi.core.roles import Cap
from fazhi.matters import jobs as matter_jobs
from fazhi.matters.api.matters import MatterDetailSerializer, MatterSerializer, TicketSerializer
from fazhi.matters.events import HotlineEvent, MatterEvent
from fazhi.matters.hotline_import import moment_param
from fazhi.matters.hotline_models import HotlineImport, HotlinePlatform, HotlineState, TicketType
from fazhi.matters.models import Category, Matter
from fazhi.matters.selectors import hotline as hotline_selectors
from fazhi.matters.services import hotline as hotline_services
from fazhi.matters.steps import home_organisation


class HotlineSerializer(MatterSerializer):
    ticket = TicketSerializer(read_only=True)

    class Meta(MatterSerializer.Meta):
        fields = [*MatterSerializer.Meta.fields, "ticket"]
        read_only_fields = fields


class HotlineBody(serializers.Serializer[Any]):
    platform = serializers.ChoiceField(HotlinePlatform.choices)
    ticket_no = serializers.CharField(max_length=64)
    ticket_type = serializers.ChoiceField(TicketType.choices)
    called_at = serializers.CharField(max_length=40, help_text="如 2026-03-01T09:15")
    received_on = params.DateField(required=False, help_text="派单日期，默认为来电当日")
    caller_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    caller_phone = serializers.CharField(max_length=100, required=False, allow_blank=True)
    content = serializers.CharField(max_length=20_000)
    category = serializers.ChoiceField(Category.choices, required=False)
    platform_due = params.DateField(required=False)
    handling_unit = serializers.CharField(max_length=100, required=False, allow_blank=True)


class HotlineImportBody(serializers.Serializer[Any]):
    platform = serializers.ChoiceField(HotlinePlatform.choices)
    file = serializers.FileField()


class HotlineImportSerializer(serializers.ModelSerializer[HotlineImport]):
    class Meta:
        model = HotlineImport
        fields = [
            "id",
            "organisation",
            "platform",
            "file_name",
            "row_count",
            "imported",
            "skipped",
            "skipped_rows",
            "rehandle_marked",
            "error_count",
            "errors",
            "created_at",
        ]
        read_only_fields = fields


class HotlineListView(PaginatedView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        parameters=[
            params.choice_parameter("state", HotlineState.values),
            params.choice_parameter("type", TicketType.values),
            params.choice_parameter("platform", HotlinePlatform.values),
            params.year_parameter(),
        ],
        responses=HotlineSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request, Cap.MATTER_VIEW, action=MatterEvent.LISTED)
        q = request.query_params
        tickets = hotline_selectors.hotline_list(
            user=user,
            state=params.choice(q, "state", HotlineState.values),
            ticket_type=params.choice(q, "type", TicketType.values),
            platform=params.choice(q, "platform", HotlinePlatform.values),
            year=params.year(q, "year"),
            q=(q.get("q") or "").strip()[:64] or None,
        )
        return self.paginated(tickets, HotlineSerializer)

    @extend_schema(request=HotlineBody, responses={201: MatterDetailSerializer})
    def post(self, request: Request) -> Response:
        user = acting_user(request, Cap.MATTER_HANDLE, action=HotlineEvent.RECEIVED)
        body = HotlineBody(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        data["called_at"] = moment_param(data, "called_at")
        matter: Matter = hotline_services.hotline_register(
            actor=user, organisation=home_organisation(user), **data
        )
        return Response(MatterDetailSerializer(matter).data, status=status.HTTP_201_CREATED)


class HotlineImportView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="上传热线平台导出的工单文件并在后台导入",
        description="文件过大或格式不对立即拒绝（413/400）；否则返回202和后台任务。任务完成后其 "
        "result 指向导入记录：有错误时逐行列出（行号、列名、原因）且不导入任何工单；"
        "已导入过的工单（同一平台、同一工单编号）跳过并列出所在行。",
        request=HotlineImportBody,
        responses={202: JobSerializer},
    )
    def post(self, request: Request) -> Response:
        user = acting_user(request, Cap.MATTER_HANDLE, action=HotlineEvent.IMPORTED)
        body = HotlineImportBody(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        job = matter_jobs.hotline_import_enqueue(
            actor=user,
            organisation=home_organisation(user),
            platform=body.validated_data["platform"],
            file_name=upload.name or "upload.xlsx",
            content=import_limits.read_upload(upload),
        )
        return accepted(job)


class HotlineImportDetailView(APIView):
    @extend_schema(responses=HotlineImportSerializer)
    def get(self, request: Request, hotline_import_id: int) -> Response:
        user = acting_user(request, Cap.MATTER_VIEW, action=HotlineEvent.IMPORTED)
        batch = hotline_selectors.hotline_import_get(user=user, import_id=hotline_import_id)
        return Response(HotlineImportSerializer(batch).data)


urlpatterns = [
    path("hotline/", HotlineListView.as_view(), name="matters-hotline"),
    path("hotline/import/", HotlineImportView.as_view(), name="matters-hotline-import"),
    path(
        "hotline/imports/<id:hotline_import_id>/",
        HotlineImportDetailView.as_view(),
        name="matters-hotline-import-detail",
    ),
]
