"""API: penalty cases. The list, one case, filing, and one endpoint per step (``forms.STEPS``):
the same services and selectors as the pages; a bad body is a 400, a refusal its error."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.core import errors, params
from fazhi.core.access import acting_user
from fazhi.core.pagination import PaginatedView
from fazhi.core.roles import Cap
from fazhi.enforcement import forms as case_forms
from fazhi.enforcement.events import CaseEvent
from fazhi.enforcement.models import CaseLeadSource, CaseProcedure, CaseState, PenaltyCase
from fazhi.enforcement.selectors import cases as case_selectors
from fazhi.enforcement.views.cases import file_from_form


class PenaltyCaseSerializer(serializers.ModelSerializer[PenaltyCase]):
    entity_name = serializers.CharField(source="entity.name", read_only=True)
    next_steps = serializers.SerializerMethodField()

    class Meta:
        model = PenaltyCase
        exclude = ["created_at"]
        read_only_fields = ["id"]

    def get_next_steps(self, case: PenaltyCase) -> list[str]:
        return [step.name for step in case_forms.offered(case)]


def _form_data(form: Any) -> dict[str, Any]:
    if not form.is_valid():
        field, problems = next(iter(form.errors.items()))
        label = form.fields[field].label if field in form.fields else field
        raise errors.ValidationFailed(f"{label}：{problems[0]}", code="invalid_input", field=field)
    return dict(form.cleaned_data)


def _querydict(request: Request) -> Any:
    """The body as a QueryDict-like mapping a Django form reads (JSON lists included)."""
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    body = request.data
    if not isinstance(body, dict) and not hasattr(body, "getlist"):
        raise errors.ValidationFailed("请求体应为对象。", code="invalid_input")
    if hasattr(body, "getlist"):  # a form body: keep repeated keys
        for key in body:
            data.setlist(key, body.getlist(key))
        return data
    for key, value in body.items():
        if isinstance(value, list):
            data.setlist(key, [str(v) for v in value])
        elif isinstance(value, bool):
            data[key] = "on" if value else ""
        elif value is not None:
            data[key] = str(value)
    return data


class CaseListView(PaginatedView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        parameters=[
            params.choice_parameter("state", CaseState.values),
            params.choice_parameter("source", CaseLeadSource.values),
            params.choice_parameter("procedure", CaseProcedure.values),
            params.year_parameter(),
        ],
        responses=PenaltyCaseSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request, Cap.CASE_VIEW, action=CaseEvent.LISTED)
        qs = case_selectors.penalty_case_list(
            user=user,
            state=params.choice(request.query_params, "state", CaseState.values),
            source=params.choice(request.query_params, "source", CaseLeadSource.values),
            procedure=params.choice(request.query_params, "procedure", CaseProcedure.values),
            year=params.year(request.query_params, "year"),
        )
        return self.paginated(qs, PenaltyCaseSerializer)

    @extend_schema(request=None, responses={201: PenaltyCaseSerializer})
    def post(self, request: Request) -> Response:
        user = acting_user(request, Cap.CASE_DECIDE, action=CaseEvent.FILED)
        data = _form_data(case_forms.FileForm(_querydict(request)))
        case = file_from_form(user, data)
        return Response(PenaltyCaseSerializer(case).data, status=201)


class CaseDetailView(APIView):
    @extend_schema(responses=PenaltyCaseSerializer)
    def get(self, request: Request, case_id: int) -> Response:
        user = acting_user(request, Cap.CASE_VIEW, action=CaseEvent.VIEWED)
        case = case_selectors.penalty_case_get(user=user, case_id=case_id)
        return Response(PenaltyCaseSerializer(case).data)


class CaseStepView(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(request=None, responses=PenaltyCaseSerializer)
    def post(self, request: Request, case_id: int, step: str) -> Response:
        found = case_forms.STEPS[step]
        user = acting_user(request, found.cap, action=case_forms.step_event(found))
        case = case_selectors.penalty_case_get(user=user, case_id=case_id)  # 404 first
        found.call(user, case, _form_data(found.form(_querydict(request))))
        return Response(
            PenaltyCaseSerializer(case_selectors.penalty_case_get(user=user, case_id=case_id)).data
        )


urlpatterns = [
    path("cases/", CaseListView.as_view(), name="enforcement-cases"),
    path("cases/<id:case_id>/", CaseDetailView.as_view(), name="enforcement-case"),
    *(
        path(
            f"cases/<id:case_id>/{name}/",
            CaseStepView.as_view(),
            {"step": name},
            name=f"enforcement-case-{name.replace('_', '-')}",
        )
        for name in case_forms.STEPS
    ),
]
