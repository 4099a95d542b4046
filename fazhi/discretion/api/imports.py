"""API: importing a benchmark from a spreadsheet (a background job) and the import's result."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.core import import_limits, params
from fazhi.core.access import acting_user
from fazhi.core.api.jobs import JobSerializer, accepted
from fazhi.core.roles import Cap
from fazhi.core.scope import get_scoped
from fazhi.discretion import jobs as discretion_jobs
from fazhi.discretion.events import BenchmarkEvent
from fazhi.discretion.models import BenchmarkImport
from fazhi.discretion.selectors import imports as import_selectors
from fazhi.discretion.services.benchmarks import BenchmarkMeta

TAGS = ["裁量基准"]


class BenchmarkImportErrorSerializer(serializers.Serializer[Any]):
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(allow_blank=True)
    message = serializers.CharField()


class BenchmarkImportSerializer(serializers.ModelSerializer[BenchmarkImport]):
    errors = BenchmarkImportErrorSerializer(many=True, read_only=True)  # type: ignore[assignment]

    class Meta:
        model = BenchmarkImport
        fields = [
            "id",
            "organisation",
            "title",
            "file_name",
            "row_count",
            "error_count",
            "errors",
            "benchmark",
            "created_at",
        ]
        read_only_fields = fields


class BenchmarkImportUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField()
    organisation = params.IdField(required=False)
    title = serializers.CharField(max_length=200)
    issuing_body = serializers.CharField(max_length=200)
    document_number = serializers.CharField(max_length=100, required=False, allow_blank=True)
    effective_from = params.DateField()
    effective_to = params.DateField(required=False, allow_null=True)
    sources = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class BenchmarkImportUploadView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=TAGS,
        summary="上传裁量基准文件并在后台导入",
        description="文件过大、日期不符等立即拒绝（413/400）；否则返回202和后台任务，任务完成后其 "
        "result 指向导入记录：有错误时列出每一处（行号、列名、原因）且不导入任何数据。",
        request=BenchmarkImportUploadSerializer,
        responses={202: JobSerializer},
    )
    def post(self, request: Request) -> Response:
        user = acting_user(request, Cap.DISCRETION_MANAGE, action=BenchmarkEvent.IMPORTED)
        body = BenchmarkImportUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        organisations = import_selectors.organisations_for_benchmarks(user=user)
        organisation = get_scoped(organisations, data.get("organisation") or user.organisation_id)
        upload = data["file"]
        job = discretion_jobs.benchmark_import_enqueue(
            actor=user,
            organisation=organisation,
            meta=BenchmarkMeta(
                title=data["title"],
                issuing_body=data["issuing_body"],
                effective_from=data["effective_from"],
                effective_to=data.get("effective_to"),
                document_number=data.get("document_number", ""),
                sources=data.get("sources", ""),
            ),
            file_name=upload.name or "upload.xlsx",
            content=import_limits.read_upload(upload),
        )
        return accepted(job)


class BenchmarkImportView(APIView):
    @extend_schema(tags=TAGS, summary="裁量基准导入记录", responses=BenchmarkImportSerializer)
    def get(self, request: Request, import_id: int) -> Response:
        user = acting_user(request, Cap.DISCRETION_VIEW, action=BenchmarkEvent.VIEWED)
        record = import_selectors.benchmark_import_get(user=user, import_id=import_id)
        return Response(BenchmarkImportSerializer(record).data)


urlpatterns = [
    path("imports/", BenchmarkImportUploadView.as_view(), name="discretion-import-upload"),
    path("imports/<id:import_id>/", BenchmarkImportView.as_view(), name="discretion-import"),
]
