"""API: the case-file review (案卷评查, decision 0069), with the pages' selectors and services: the
concluded cases with their stored pre-check findings and latest score; a reviewer's scoring of
one case; the year's pre-check job (202 with the job)."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.core import errors, params
from fazhi.core.access import acting_user
from fazhi.core.api.jobs import JobSerializer, accepted
from fazhi.core.pagination import PaginatedView
from fazhi.core.roles import Cap
from fazhi.enforcement.events import CaseEvent
from fazhi.enforcement.models import CaseFileReview, PenaltyCase
from fazhi.enforcement.review import catalogue, precheck
from fazhi.enforcement.review.jobs import YEARS, case_file_precheck_enqueue
from fazhi.enforcement.selectors import cases as case_selectors
from fazhi.enforcement.selectors import file_review as review_selectors
from fazhi.enforcement.services import file_review as review_services


class FileFindingSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    message = serializers.CharField()


class ConcludedCaseSerializer(serializers.Serializer[PenaltyCase]):
    id = serializers.IntegerField()
    cause = serializers.CharField()
    entity_name = serializers.CharField(source="entity.name")
    organisation_name = serializers.CharField(source="organisation.name")
    state = serializers.CharField()
    closed_on = serializers.DateField(allow_null=True)
    profile = serializers.SerializerMethodField()
    prechecked = serializers.SerializerMethodField()
    findings = serializers.SerializerMethodField()
    review_total = serializers.IntegerField(allow_null=True)
    review_full = serializers.IntegerField(allow_null=True)

    def get_profile(self, case: PenaltyCase) -> str:
        return catalogue.PROFILES[catalogue.profile(case)]

    def get_prechecked(self, case: PenaltyCase) -> bool:
        return _check(case) is not None

    @extend_schema_field(FileFindingSerializer(many=True, allow_null=True))
    def get_findings(self, case: PenaltyCase) -> list[dict[str, str]] | None:
        check = _check(case)
        if check is None:
            return None
        return [
            {"kind": f.kind, "kind_label": f.kind_label, "message": f.message}
            for f in precheck.from_json(check.findings)
        ]


def _check(case: PenaltyCase) -> Any:
    try:
        return case.file_check
    except PenaltyCase.file_check.RelatedObjectDoesNotExist:
        return None


class CaseFileReviewSerializer(serializers.ModelSerializer[CaseFileReview]):
    reviewer_name = serializers.CharField(source="reviewer.display_name", read_only=True)

    class Meta:
        model = CaseFileReview
        fields = [
            "id",
            "case",
            "reviewer_name",
            "reviewed_on",
            "scores",
            "total",
            "full_marks",
            "checklist",
            "comments",
        ]


class ScoreSerializer(serializers.Serializer[dict[str, object]]):
    scores = serializers.DictField(child=serializers.IntegerField(), allow_empty=True)
    comments = serializers.CharField(required=False, allow_blank=True, default="")


class PrecheckSerializer(serializers.Serializer[dict[str, object]]):
    year = serializers.IntegerField(min_value=YEARS[0], max_value=YEARS[1])


def _valid(body: serializers.Serializer[Any]) -> dict[str, Any]:
    if not body.is_valid():
        field, problems = next(iter(body.errors.items()))
        problem = problems[0] if isinstance(problems, list) else next(iter(problems.values()))[0]
        raise errors.ValidationFailed(f"{field}：{problem}", code="invalid_input", field=field)
    return dict(body.validated_data)


class CaseFileListView(PaginatedView):
    @extend_schema(
        operation_id="enforcement_case_file_review_list",
        summary="已办结案件的案卷预审结果与评查得分",
        parameters=[
            params.year_parameter("year", "结案年份"),
            params.choice_parameter("findings", [k for k, _ in review_selectors.FINDINGS]),
        ],
        responses=ConcludedCaseSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request, Cap.CASE_VIEW, action=CaseEvent.LISTED)
        qs = review_selectors.concluded_cases(
            user=user,
            year=params.year(request.query_params, "year"),
            findings=params.choice(
                request.query_params, "findings", [k for k, _ in review_selectors.FINDINGS]
            ),
        )
        return self.paginated(qs, ConcludedCaseSerializer)


class CaseFileScoreView(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        operation_id="enforcement_case_file_review_score",
        summary="评查一件已办结案件的案卷（逐项打分）",
        request=ScoreSerializer,
        responses={201: CaseFileReviewSerializer},
    )
    def post(self, request: Request, case_id: int) -> Response:
        user = acting_user(request, Cap.CASE_FILE_REVIEW, action=CaseEvent.FILE_REVIEWED)
        case = case_selectors.penalty_case_get(user=user, case_id=case_id)  # 404 first
        data = _valid(ScoreSerializer(data=request.data))
        review = review_services.case_file_review(
            actor=user, case=case, scores=data["scores"], comments=data["comments"]
        )
        return Response(CaseFileReviewSerializer(review).data, status=201)


class CaseFilePrecheckView(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        operation_id="enforcement_case_file_review_precheck",
        summary="启动某年已办结案件的案卷自动预审（后台任务）",
        request=PrecheckSerializer,
        responses={202: JobSerializer},
    )
    def post(self, request: Request) -> Response:
        user = acting_user(request, Cap.CASE_FILE_REVIEW, action=CaseEvent.FILE_REVIEWED)
        data = _valid(PrecheckSerializer(data=request.data))
        return accepted(case_file_precheck_enqueue(actor=user, year=data["year"]))


urlpatterns = [
    path("cases/file-review/", CaseFileListView.as_view(), name="enforcement-case-file-reviews"),
    path(
        "cases/file-review/precheck/",
        CaseFilePrecheckView.as_view(),
        name="enforcement-case-file-precheck",
    ),
    path(
        "cases/<id:case_id>/file-review/",
        CaseFileScoreView.as_view(),
        name="enforcement-case-file-review",
    ),
]
