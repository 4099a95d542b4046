"""API: importing entities from a spreadsheet."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.core import import_limits, params
from fazhi.core.access import acting_user
from fazhi.core.api.jobs import JobSerializer, accepted
from fazhi.core.roles import Cap
from fazhi.registry import jobs as registry_jobs
from fazhi.registry.api._common import organisation_for
from fazhi.registry.events import ImportBatchEvent
from fazhi.registry.models import (
    ImportBatch,
)
from fazhi.registry.selectors import imports as import_selectors


class ImportErrorSerializer(serializers.Serializer[Any]):
    row = serializers.IntegerField()
    column = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()


class ImportBatchSerializer(serializers.ModelSerializer[ImportBatch]):
    errors = ImportErrorSerializer(many=True, read_only=True)  # type: ignore[assignment]
    is_clean = serializers.BooleanField(read_only=True)
    errors_truncated = serializers.BooleanField(
        read_only=True, help_text="errors holds only the first errors; error_count counts all"
    )

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "organisation",
            "file_name",
            "file_hash",
            "file_format",
            "state",
            "row_count",
            "error_count",
            "is_clean",
            "errors",
            "errors_truncated",
            "created_at",
            "confirmed_at",
        ]
        read_only_fields = fields


class ImportUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField()
    organisation = params.IdField(required=False)


class ImportUploadView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="上传文件并在后台预检",
        description="文件过大、格式不符等立即拒绝（413/400，不写入任何数据）；否则返回202和后台任务，"
        "任务完成后其 result 指向导入批次（registry.importbatch）。",
        request=ImportUploadSerializer,
        responses={202: JobSerializer},
    )
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        body = ImportUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        organisation = organisation_for(user, body.validated_data.get("organisation"))
        upload = body.validated_data["file"]
        job = registry_jobs.import_stage_enqueue(
            actor=user,
            organisation=organisation,
            file_name=upload.name or "upload",
            content=import_limits.read_upload(upload),
        )
        return accepted(job)


class ImportBatchView(APIView):
    @extend_schema(responses=ImportBatchSerializer)
    def get(self, request: Request, batch_id: int) -> Response:
        user = acting_user(request, Cap.REGISTRY_VIEW, action=ImportBatchEvent.VIEWED)
        batch = import_selectors.import_batch_get(user=user, batch_id=batch_id)
        return Response(ImportBatchSerializer(batch).data)


class ImportConfirmView(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        summary="确认导入（后台写入名录库）",
        description="返回202和后台任务；批次有错误或已处理时，任务失败，其 error.code 为 "
        "batch_has_errors、batch_not_pending、directory_changed 或 batch_outdated。",
        request=None,
        responses={202: JobSerializer},
    )
    def post(self, request: Request, batch_id: int) -> Response:
        user = acting_user(request)
        job = registry_jobs.import_confirm_enqueue(
            actor=user,
            batch_id=batch_id,
        )
        return accepted(job)


urlpatterns = [
    path("imports/", ImportUploadView.as_view(), name="registry-import-upload"),
    path("imports/<id:batch_id>/", ImportBatchView.as_view(), name="registry-import"),
    path(
        "imports/<id:batch_id>/confirm/",
        ImportConfirmView.as_view(),
        name="registry-import-confirm",
    ),
]
