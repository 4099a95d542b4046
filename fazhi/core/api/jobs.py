"""API: background jobs — the jobs in scope, one job with its progress, and retrying a job.

Endpoints that start long work (an import, an export, a bulk publication) answer 202 with the
job (``JobSerializer``); a client polls ``GET /api/jobs/<id>/`` until ``state`` is
``succeeded`` (``result`` names what it produced) or ``failed`` (``error`` has the stable code
and the Chinese message).
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.core import jobs, params
from fazhi.core.access import acting_user
from fazhi.core.models import Job, JobState
from fazhi.core.pagination import PaginatedView
from fazhi.core.selectors.jobs import job_get, job_list
from fazhi.core.services.jobs import job_retry
from fazhi.core.views.jobs import elapsed_seconds

TAGS = ["后台任务"]


class JobResultSerializer(serializers.Serializer[Any]):
    object_type = serializers.CharField(help_text="所产生记录的类型，如 registry.importbatch")
    object_id = serializers.CharField()
    summary = serializers.CharField()
    url = serializers.CharField(allow_blank=True, help_text="查看结果的页面或下载地址")


class JobErrorSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    message = serializers.CharField()


class JobSerializer(serializers.ModelSerializer[Job]):
    kind_label = serializers.SerializerMethodField()
    percent = serializers.IntegerField(read_only=True, allow_null=True)
    elapsed_seconds = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "kind_label",
            "organisation",
            "created_by",
            "state",
            "done",
            "total",
            "percent",
            "message",
            "attempts",
            "created_at",
            "started_at",
            "finished_at",
            "elapsed_seconds",
            "result",
            "error",
        ]
        read_only_fields = fields

    def get_kind_label(self, job: Job) -> str:
        return jobs.kind_label(job.kind)

    def get_elapsed_seconds(self, job: Job) -> int:
        return elapsed_seconds(job)

    @extend_schema_field(JobResultSerializer(allow_null=True))
    def get_result(self, job: Job) -> dict[str, str] | None:
        if job.state != JobState.SUCCEEDED:
            return None
        link = jobs.result_link(job)
        return {
            "object_type": job.result_type,
            "object_id": job.result_id,
            "summary": job.result_summary,
            "url": link[1] if link else "",
        }

    @extend_schema_field(JobErrorSerializer(allow_null=True))
    def get_error(self, job: Job) -> dict[str, str] | None:
        if job.state != JobState.FAILED:
            return None
        return {"code": job.error_code, "message": job.error_message}


def accepted(job: Job) -> Response:
    """The answer of an endpoint that started a job: 202 with the job."""
    return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class JobListView(PaginatedView):
    @extend_schema(
        tags=TAGS,
        summary="范围内的后台任务（最新在前）",
        parameters=[
            params.choice_parameter("state", JobState.values, "状态"),
            params.choice_parameter("kind", [k.name for k in jobs.all_kinds()], "类型"),
            params.bool_parameter("mine", "只列出本人发起的任务"),
        ],
        responses=JobSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request)
        query = request.query_params
        qs = job_list(
            user=user,
            mine=bool(params.boolean(query, "mine")),
            state=params.choice(query, "state", JobState.values) or "",
            kind=params.choice(query, "kind", [k.name for k in jobs.all_kinds()]) or "",
        )
        return self.paginated(qs, JobSerializer)


class JobDetailView(APIView):
    @extend_schema(tags=TAGS, summary="一个后台任务及其进度", responses=JobSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(JobSerializer(job_get(user=acting_user(request), job_id=pk)).data)


class JobRetryView(APIView):
    @extend_schema(
        tags=TAGS,
        summary="重试本人发起的失败（或已完成）的后台任务",
        request=None,
        responses={202: JobSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        return accepted(job_retry(actor=acting_user(request), job_id=pk))


urlpatterns: list[URLPattern] = [
    path("jobs/", JobListView.as_view(), name="api-job-list"),
    path("jobs/<id:pk>/", JobDetailView.as_view(), name="api-job-detail"),
    path("jobs/<id:pk>/retry/", JobRetryView.as_view(), name="api-job-retry"),
]
