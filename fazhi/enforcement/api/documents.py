"""API: a case's documents (执法文书): the list the case's state allows, one as .docx, and the
batch of one document type for a year (202 with the job)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.core import errors
from fazhi.core.access import acting_user
from fazhi.core.api.jobs import JobSerializer, accepted
from fazhi.core.roles import Cap
from fazhi.enforcement.documents import catalogue
from fazhi.enforcement.documents import jobs as document_jobs
from fazhi.enforcement.events import CaseEvent
from fazhi.enforcement.selectors import cases as case_selectors
from fazhi.enforcement.views.documents import docx_response


class CaseDocumentSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    name = serializers.CharField()
    url = serializers.CharField()


class BatchSerializer(serializers.Serializer[dict[str, object]]):
    key = serializers.ChoiceField(choices=list(catalogue.KINDS))
    year = serializers.IntegerField(
        min_value=document_jobs.YEARS[0], max_value=document_jobs.YEARS[1]
    )


class CaseDocumentListView(APIView):
    @extend_schema(summary="案件当前可制作的执法文书", responses=CaseDocumentSerializer(many=True))
    def get(self, request: Request, case_id: int) -> Response:
        user = acting_user(request, Cap.CASE_VIEW, action=CaseEvent.VIEWED)
        case = case_selectors.penalty_case_get(user=user, case_id=case_id)
        rows = [
            {
                "key": key,
                "name": name,
                "url": reverse(
                    "enforcement-case-document", kwargs={"case_id": case.pk, "key": key}
                ),
            }
            for key, name in catalogue.available(case)
        ]
        return Response(CaseDocumentSerializer(rows, many=True).data)


class CaseDocumentView(APIView):
    @extend_schema(
        summary="下载执法文书（.docx）", responses={(200, catalogue.DOCX): OpenApiTypes.BINARY}
    )
    def get(self, request: Request, case_id: int, key: str) -> HttpResponse:
        user = acting_user(request, Cap.CASE_VIEW, action=CaseEvent.VIEWED)
        return docx_response(catalogue.case_document(user=user, case_id=case_id, key=key))


class CaseDocumentBatchView(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        summary="批量生成某年的一种执法文书（后台任务）",
        request=BatchSerializer,
        responses={202: JobSerializer},
    )
    def post(self, request: Request) -> Response:
        user = acting_user(request, Cap.CASE_VIEW, action=CaseEvent.LISTED)
        body = BatchSerializer(data=request.data)
        if not body.is_valid():
            field, problems = next(iter(body.errors.items()))
            raise errors.ValidationFailed(
                f"{field}：{problems[0]}", code="invalid_input", field=field
            )
        job = document_jobs.case_documents_batch_enqueue(
            actor=user, key=body.validated_data["key"], year=body.validated_data["year"]
        )
        return accepted(job)


urlpatterns = [
    path(
        "cases/documents/batch/",
        CaseDocumentBatchView.as_view(),
        name="enforcement-case-documents-batch",
    ),
    path(
        "cases/<id:case_id>/documents/",
        CaseDocumentListView.as_view(),
        name="enforcement-case-documents",
    ),
    *(
        path(
            f"cases/<id:case_id>/documents/{key}/",
            CaseDocumentView.as_view(),
            {"key": key},
            name="enforcement-case-document",
        )
        for key in catalogue.KINDS
    ),
]
