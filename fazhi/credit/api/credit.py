"""API: credit records, practice points (list and record), threshold alerts (list, handle),
red and black lists (list, detail, entry and every step of the table)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.core import params
from fazhi.core.access import acting_user
from fazhi.core.pagination import PaginatedView
from fazhi.core.roles import Cap
from fazhi.credit import inputs
from fazhi.credit.events import CreditEvent, CreditListEvent, PointsEvent
from fazhi.credit.models import (
    AlertState,
    CreditListEntry,
    CreditRecord,
    ListKind,
    ListState,
    PointAlert,
    PointEntry,
    PointSubject,
)
from fazhi.credit.selectors import credit as selectors
from fazhi.credit.services import lists as list_services
from fazhi.credit.services import points as point_services
from fazhi.credit.views.lists import STEPS
from fazhi.credit.workflows import AUTOMATIC, CREDIT_LIST


class CreditRecordSerializer(serializers.ModelSerializer[CreditRecord]):
    class Meta:
        model = CreditRecord
        fields = [
            "id",
            "organisation",
            "entity",
            "case",
            "cause",
            "decision_number",
            "decided_on",
            "effective_on",
            "penalty",
        ]
        read_only_fields = fields


class PointEntrySerializer(serializers.ModelSerializer[PointEntry]):
    class Meta:
        model = PointEntry
        fields = [
            "id",
            "organisation",
            "entity",
            "subject",
            "practitioner_name",
            "practitioner_number",
            "case",
            "behaviour",
            "points",
            "cycle",
            "scored_on",
            "basis",
        ]
        read_only_fields = fields


class PointAlertSerializer(serializers.ModelSerializer[PointAlert]):
    class Meta:
        model = PointAlert
        fields = [
            "id",
            "organisation",
            "entity",
            "subject",
            "practitioner_name",
            "practitioner_number",
            "cycle",
            "consequence",
            "threshold",
            "score",
            "reached_on",
            "state",
            "handled_on",
            "handling",
        ]
        read_only_fields = fields


class CreditListEntrySerializer(serializers.ModelSerializer[CreditListEntry]):
    next_steps = serializers.SerializerMethodField()

    class Meta:
        model = CreditListEntry
        fields = [
            "id",
            "organisation",
            "entity",
            "kind",
            "case",
            "grounds",
            "basis",
            "listed_on",
            "earliest_exit_on",
            "state",
            "repair_reason",
            "repair_applied_on",
            "decision_note",
            "decided_on",
            "removed_on",
            "next_steps",
        ]
        read_only_fields = fields

    def get_next_steps(self, entry: CreditListEntry) -> list[str]:
        return [a.name for a in CREDIT_LIST.available(entry) if a.name not in AUTOMATIC]


class PointEntryBody(serializers.Serializer[Any]):
    entity = params.IdField()
    subject = serializers.ChoiceField(choices=PointSubject.choices)
    behaviour = serializers.CharField(max_length=100)
    case = params.IdField(required=False)
    practitioner_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    practitioner_number = serializers.CharField(max_length=30, required=False, allow_blank=True)
    on = params.DateField(required=False)


class PointAlertHandleBody(serializers.Serializer[Any]):
    handling = serializers.CharField(max_length=2_000)
    on = params.DateField(required=False)


class CreditListEntryBody(serializers.Serializer[Any]):
    entity = params.IdField()
    kind = serializers.ChoiceField(choices=ListKind.choices)
    grounds = serializers.CharField(max_length=2_000)
    basis = serializers.CharField(max_length=300)
    case = params.IdField(required=False)
    on = params.DateField(required=False)


class CreditListStepBody(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2_000, required=False, allow_blank=True)
    on = params.DateField(required=False)


class CreditRecordListView(PaginatedView):
    @extend_schema(
        parameters=[params.year_parameter()], responses=CreditRecordSerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request, Cap.CREDIT_VIEW, action=CreditEvent.LISTED)
        records = selectors.credit_record_list(
            user=user, year=params.year(request.query_params, "year")
        )
        return self.paginated(records, CreditRecordSerializer)


class PointListView(PaginatedView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        parameters=[
            params.year_parameter("cycle"),
            params.choice_parameter("subject", PointSubject.values),
            params.id_parameter("entity"),
        ],
        responses=PointEntrySerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request, Cap.CREDIT_VIEW, action=PointsEvent.LISTED)
        q = request.query_params
        entries = selectors.point_entry_list(
            user=user,
            cycle=params.year(q, "cycle"),
            subject=params.choice(q, "subject", PointSubject.values),
            entity_id=params.object_id(q, "entity"),
        )
        return self.paginated(entries, PointEntrySerializer)

    @extend_schema(request=PointEntryBody, responses={201: PointEntrySerializer})
    def post(self, request: Request) -> Response:
        user = acting_user(request, Cap.CREDIT_RECORD, action=PointsEvent.RECORDED)
        body = PointEntryBody(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        entry = point_services.points_record(
            actor=user,
            entity=inputs.entity_named(user, data.pop("entity")),
            case=inputs.case_named(user, data.pop("case", None)),
            **data,
        )
        return Response(PointEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class AlertListView(PaginatedView):
    @extend_schema(
        parameters=[
            params.choice_parameter("state", AlertState.values),
            params.year_parameter("cycle"),
        ],
        responses=PointAlertSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request, Cap.CREDIT_VIEW, action=PointsEvent.ALERT_LISTED)
        q = request.query_params
        alerts = selectors.points_alert_list(
            user=user,
            state=params.choice(q, "state", AlertState.values),
            cycle=params.year(q, "cycle"),
        )
        return self.paginated(alerts, PointAlertSerializer)


class AlertHandleView(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(request=PointAlertHandleBody, responses=PointAlertSerializer)
    def post(self, request: Request, alert_id: int) -> Response:
        user = acting_user(request, Cap.CREDIT_DECIDE, action=PointsEvent.ALERT_HANDLED)
        alert = selectors.points_alert_get(user=user, alert_id=alert_id)
        body = PointAlertHandleBody(data=request.data)
        body.is_valid(raise_exception=True)
        alert = point_services.points_alert_handle(actor=user, alert=alert, **body.validated_data)
        return Response(PointAlertSerializer(alert).data)


class CreditListView(PaginatedView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        parameters=[
            params.choice_parameter("kind", ListKind.values),
            params.choice_parameter("state", ListState.values),
        ],
        responses=CreditListEntrySerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request, Cap.CREDIT_VIEW, action=CreditListEvent.LISTED)
        q = request.query_params
        entries = selectors.credit_list_entries(
            user=user,
            kind=params.choice(q, "kind", ListKind.values),
            state=params.choice(q, "state", ListState.values),
        )
        return self.paginated(entries, CreditListEntrySerializer)

    @extend_schema(request=CreditListEntryBody, responses={201: CreditListEntrySerializer})
    def post(self, request: Request) -> Response:
        user = acting_user(request, Cap.CREDIT_DECIDE, action=CreditListEvent.ENTERED)
        body = CreditListEntryBody(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        entry = list_services.credit_list_enter(
            actor=user,
            entity=inputs.entity_named(user, data.pop("entity")),
            case=inputs.case_named(user, data.pop("case", None)),
            **data,
        )
        return Response(CreditListEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class CreditListDetailView(APIView):
    @extend_schema(responses=CreditListEntrySerializer)
    def get(self, request: Request, entry_id: int) -> Response:
        user = acting_user(request, Cap.CREDIT_VIEW, action=CreditListEvent.VIEWED)
        entry = selectors.credit_list_entry_get(user=user, entry_id=entry_id)
        return Response(CreditListEntrySerializer(entry).data)


class CreditListStepView(APIView):
    parser_classes = [JSONParser, FormParser]
    action = ""

    @extend_schema(request=CreditListStepBody, responses=CreditListEntrySerializer)
    def post(self, request: Request, entry_id: int) -> Response:
        if self.action not in STEPS:
            raise Http404
        service, cap = STEPS[self.action]
        user = acting_user(request, cap, action=CREDIT_LIST.action(self.action).event)
        entry = selectors.credit_list_entry_get(user=user, entry_id=entry_id)
        body = CreditListStepBody(data=request.data)
        body.is_valid(raise_exception=True)
        entry = service(
            actor=user,
            entry=entry,
            reason=body.validated_data.get("reason", ""),
            on=body.validated_data.get("on"),
        )
        return Response(CreditListEntrySerializer(entry).data)


urlpatterns = [
    path("records/", CreditRecordListView.as_view(), name="credit_records"),
    path("points/", PointListView.as_view(), name="credit_points"),
    path("alerts/", AlertListView.as_view(), name="credit_alerts"),
    path("alerts/<id:alert_id>/handle/", AlertHandleView.as_view(), name="credit_alert_handle"),
    path("lists/", CreditListView.as_view(), name="credit_lists"),
    path("lists/<id:entry_id>/", CreditListDetailView.as_view(), name="credit_list_detail"),
    *[
        path(
            f"lists/<id:entry_id>/{name.replace('_', '-')}/",
            CreditListStepView.as_view(action=name),
            name=f"credit_list_{name}",
        )
        for name in STEPS
    ],
]
