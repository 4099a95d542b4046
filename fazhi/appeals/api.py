"""API: appeals (行政复议和行政应诉): list, detail with clocks, hearings and next steps,
registration, every step of the table, and the figures of a year."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.appeals import selectors, services
from fazhi.appeals.events import AppealEvent
from fazhi.appeals.models import (
    Appeal,
    AppealHearing,
    AppealKind,
    AppealState,
    Outcome,
    Procedure,
)
from fazhi.appeals.steps import ACTIONS, home_organisation, run_step
from fazhi.appeals.workflows import APPEAL
from fazhi.core import clock, params
from fazhi.core.access import acting_user
from fazhi.core.models import Deadline
from fazhi.core.pagination import PaginatedView
from fazhi.core.roles import Cap
from fazhi.core.selectors.deadlines import deadlines_of
from fazhi.enforcement.selectors.cases import penalty_case_get


class AppealSerializer(serializers.ModelSerializer[Appeal]):
    outcome = serializers.ChoiceField(Outcome.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Appeal
        fields = [
            "id",
            "organisation",
            "kind",
            "procedure",
            "applicant",
            "reviewing_body",
            "reference",
            "penalty_case",
            "disclosure_request",
            "reconsideration",
            "act",
            "lodged_on",
            "received_on",
            "state",
            "answered_on",
            "head_appeared",
            "decided_on",
            "outcome",
            "corrected",
            "lost",
            "followed_up_on",
            "closed_on",
        ]
        read_only_fields = fields


class DeadlineBriefSerializer(serializers.ModelSerializer[Deadline]):
    class Meta:
        model = Deadline
        fields = ["id", "title", "rule_key", "start_date", "due_date", "state"]
        read_only_fields = fields


class HearingSerializer(serializers.ModelSerializer[AppealHearing]):
    class Meta:
        model = AppealHearing
        fields = ["id", "held_on", "head_appeared", "attended_by", "note"]
        read_only_fields = fields


class AppealDetailSerializer(AppealSerializer):
    answer_note = serializers.CharField(read_only=True)
    outcome_note = serializers.CharField(read_only=True)
    follow_up = serializers.CharField(read_only=True)
    hearings = serializers.SerializerMethodField()
    deadlines = serializers.SerializerMethodField()
    next_steps = serializers.SerializerMethodField()

    class Meta(AppealSerializer.Meta):
        fields = [
            *AppealSerializer.Meta.fields,
            "answer_note",
            "outcome_note",
            "follow_up",
            "hearings",
            "deadlines",
            "next_steps",
        ]
        read_only_fields = fields

    def get_hearings(self, appeal: Appeal) -> list[dict[str, Any]]:
        return list(HearingSerializer(selectors.appeal_hearings(appeal=appeal), many=True).data)

    def get_deadlines(self, appeal: Appeal) -> list[dict[str, Any]]:
        rows = deadlines_of(user=self.context["user"], subject=appeal)
        return list(DeadlineBriefSerializer(rows, many=True).data)

    def get_next_steps(self, appeal: Appeal) -> list[str]:
        steps = [a.name for a in APPEAL.available(appeal)]
        return [s for s in steps if s != "follow_up" or appeal.adverse]


class AppealRegisterBody(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=AppealKind.choices)
    procedure = serializers.ChoiceField(choices=Procedure.choices, default=Procedure.ORDINARY)
    applicant = serializers.CharField(max_length=200)
    reviewing_body = serializers.CharField(max_length=100)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    act = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    lodged_on = params.DateField()
    received_on = params.DateField()
    penalty_case = params.IdField(required=False)
    disclosure_request = params.IdField(required=False)
    reconsideration = params.IdField(required=False)


class AppealStepBody(serializers.Serializer[Any]):
    on = params.DateField(required=False)
    held_on = params.DateField(required=False)
    note = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    attended_by = serializers.CharField(max_length=200, required=False, allow_blank=True)
    head_appeared = serializers.BooleanField(required=False, default=False)
    outcome = serializers.CharField(max_length=24, required=False, allow_blank=True)
    text = serializers.CharField(max_length=10_000, required=False, allow_blank=True)


class FigureRowSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(source="label")
    values = serializers.ListField(child=serializers.IntegerField())


class FiguresSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField()
    columns = serializers.ListField(child=serializers.CharField())
    rows = FigureRowSerializer(many=True)


def _detail(request: Request, appeal_id: int, code: int = status.HTTP_200_OK) -> Response:
    user = acting_user(request, Cap.APPEAL_VIEW, action=AppealEvent.VIEWED)
    appeal = selectors.appeal_get(user=user, appeal_id=appeal_id)
    return Response(AppealDetailSerializer(appeal, context={"user": user}).data, status=code)


class AppealListView(PaginatedView):
    @extend_schema(
        parameters=[
            params.choice_parameter("kind", AppealKind.values),
            params.choice_parameter("state", AppealState.values),
            params.choice_parameter("outcome", Outcome.values),
            params.choice_parameter("due", list(selectors.DUE)),
            params.year_parameter(),
        ],
        responses=AppealSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request, Cap.APPEAL_VIEW, action=AppealEvent.LISTED)
        q = request.query_params
        appeals = selectors.appeal_list(
            user=user,
            kind=params.choice(q, "kind", AppealKind.values),
            state=params.choice(q, "state", AppealState.values),
            outcome=params.choice(q, "outcome", Outcome.values),
            year=params.year(q, "year"),
            due=params.choice(q, "due", list(selectors.DUE)),
        )
        return self.paginated(appeals, AppealSerializer)

    @extend_schema(request=AppealRegisterBody, responses={201: AppealDetailSerializer})
    def post(self, request: Request) -> Response:
        user = acting_user(request, Cap.APPEAL_HANDLE, action=AppealEvent.RECEIVED)
        body = AppealRegisterBody(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        case_id = data.pop("penalty_case", None)
        request_id = data.pop("disclosure_request", None)
        earlier_id = data.pop("reconsideration", None)
        appeal = services.appeal_register(
            actor=user,
            organisation=home_organisation(user),
            penalty_case=penalty_case_get(user=user, case_id=case_id) if case_id else None,
            disclosure_request=selectors.disclosure_request_get(user=user, matter_id=request_id)
            if request_id
            else None,
            reconsideration=selectors.appeal_get(user=user, appeal_id=earlier_id)
            if earlier_id
            else None,
            **data,
        )
        return _detail(request, appeal.pk, status.HTTP_201_CREATED)


class AppealDetailView(APIView):
    @extend_schema(responses=AppealDetailSerializer)
    def get(self, request: Request, appeal_id: int) -> Response:
        return _detail(request, appeal_id)


class AppealStepView(APIView):
    parser_classes = [JSONParser, FormParser]
    action = ""

    @extend_schema(request=AppealStepBody, responses=AppealDetailSerializer)
    def post(self, request: Request, appeal_id: int) -> Response:
        user = acting_user(request, Cap.APPEAL_HANDLE)
        appeal = selectors.appeal_get(user=user, appeal_id=appeal_id)
        body = AppealStepBody(data=request.data)
        body.is_valid(raise_exception=True)
        run_step(actor=user, appeal=appeal, action=self.action, data=body.validated_data)
        return _detail(request, appeal_id)


class AppealFiguresView(APIView):
    @extend_schema(parameters=[params.year_parameter()], responses=FiguresSerializer)
    def get(self, request: Request) -> Response:
        user = acting_user(request, Cap.APPEAL_VIEW, action=AppealEvent.LISTED)
        year = params.year(request.query_params, "year", default=clock.this_year())
        assert year is not None
        rows = selectors.appeal_figures(user=user, year=year)
        columns = [label for _, label in selectors.COLUMNS]
        return Response(FiguresSerializer({"year": year, "columns": columns, "rows": rows}).data)


urlpatterns = [
    path("", AppealListView.as_view(), name="appeals"),
    path("figures/", AppealFiguresView.as_view(), name="appeals-figures"),
    path("<id:appeal_id>/", AppealDetailView.as_view(), name="appeal"),
    *[
        path(
            f"<id:appeal_id>/{action}/",
            AppealStepView.as_view(action=action),
            name=f"appeal-{action}",
        )
        for action in ACTIONS
    ],
]
