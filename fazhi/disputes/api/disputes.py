"""API: medical disputes, the monthly screening and liability insurance: lists, registration,
the steps of a dispute, a unit's screening report, the month's status and the year's figures."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.core import clock, errors, params
from fazhi.core.access import acting_user
from fazhi.core.models import Organisation, User
from fazhi.core.pagination import PaginatedView
from fazhi.core.roles import Cap
from fazhi.disputes.events import DisputeEvent, InsuranceEvent, ScreeningEvent
from fazhi.disputes.models import (
    DisputeOutcome,
    DisputeRoute,
    DisputeState,
    LiabilityInsurance,
    MedicalDispute,
    ScreeningReport,
)
from fazhi.disputes.selectors import disputes as dispute_selectors
from fazhi.disputes.selectors import figures as figure_selectors
from fazhi.disputes.selectors import insurance as insurance_selectors
from fazhi.disputes.selectors import screening as screening_selectors
from fazhi.disputes.services import disputes as dispute_services
from fazhi.disputes.services import insurance as insurance_services
from fazhi.disputes.services import screening as screening_services
from fazhi.disputes.views._common import month_param


def _money() -> serializers.DecimalField:
    """An exact amount in yuan: two decimals, never negative, a string in JSON."""
    return serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal(0),
        coerce_to_string=True,
        required=False,
        allow_null=True,
    )


def _home(user: User) -> Organisation:
    if user.organisation is None:
        raise errors.PermissionDenied("您不属于任何机构。", code="no_organisation")
    return user.organisation


class DisputeSerializer(serializers.ModelSerializer[MedicalDispute]):
    entity_name = serializers.CharField(source="entity.name", read_only=True)
    outcome = serializers.ChoiceField(DisputeOutcome.choices, allow_blank=True, read_only=True)

    class Meta:
        model = MedicalDispute
        fields = [
            "id",
            "organisation",
            "entity",
            "entity_name",
            "occurred_on",
            "reported_on",
            "patient_name",
            "claimant_name",
            "summary",
            "claim_amount",
            "route",
            "route_changed_on",
            "state",
            "outcome",
            "compensation",
            "concluded_on",
            "conclusion_note",
        ]
        read_only_fields = fields


class DisputeBody(serializers.Serializer[Any]):
    entity = params.IdField()
    occurred_on = params.DateField()
    reported_on = params.DateField()
    patient_name = serializers.CharField(max_length=100)
    claimant_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    claimant_contact = serializers.CharField(max_length=100, required=False, allow_blank=True)
    summary = serializers.CharField(max_length=20_000)
    route = serializers.ChoiceField(choices=DisputeRoute.choices)
    claim_amount = _money()


class RouteBody(serializers.Serializer[Any]):
    route = serializers.ChoiceField(choices=DisputeRoute.choices)
    on = params.DateField()
    note = serializers.CharField(max_length=2_000, required=False, allow_blank=True)


class ConcludeBody(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(choices=DisputeOutcome.choices)
    compensation = _money()
    on = params.DateField()
    note = serializers.CharField(max_length=2_000, required=False, allow_blank=True)


class DisputeListView(PaginatedView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        parameters=[
            params.choice_parameter("state", DisputeState.values),
            params.choice_parameter("route", DisputeRoute.values),
            params.year_parameter(),
        ],
        responses=DisputeSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request, Cap.DISPUTE_VIEW, action=DisputeEvent.LISTED)
        q = request.query_params
        rows = dispute_selectors.dispute_list(
            user=user,
            state=params.choice(q, "state", DisputeState.values),
            route=params.choice(q, "route", DisputeRoute.values),
            year=params.year(q, "year"),
        )
        return self.paginated(rows, DisputeSerializer)

    @extend_schema(request=DisputeBody, responses={201: DisputeSerializer})
    def post(self, request: Request) -> Response:
        user = acting_user(request, Cap.DISPUTE_HANDLE, action=DisputeEvent.REGISTERED)
        body = DisputeBody(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        entity = dispute_selectors.institution_get(user=user, entity_id=data.pop("entity"))
        dispute = dispute_services.dispute_register(
            actor=user, organisation=_home(user), entity=entity, **data
        )
        return Response(DisputeSerializer(dispute).data, status=status.HTTP_201_CREATED)


class DisputeDetailView(APIView):
    @extend_schema(responses=DisputeSerializer)
    def get(self, request: Request, dispute_id: int) -> Response:
        user = acting_user(request, Cap.DISPUTE_VIEW, action=DisputeEvent.VIEWED)
        dispute = dispute_selectors.dispute_get(user=user, dispute_id=dispute_id)
        return Response(DisputeSerializer(dispute).data)


class DisputeRouteView(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(request=RouteBody, responses=DisputeSerializer)
    def post(self, request: Request, dispute_id: int) -> Response:
        user = acting_user(request, Cap.DISPUTE_HANDLE, action=DisputeEvent.ROUTE_CHANGED)
        dispute = dispute_selectors.dispute_get(user=user, dispute_id=dispute_id)
        body = RouteBody(data=request.data)
        body.is_valid(raise_exception=True)
        changed = dispute_services.dispute_change_route(
            actor=user, dispute=dispute, **body.validated_data
        )
        return Response(DisputeSerializer(changed).data)


class DisputeConcludeView(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(request=ConcludeBody, responses=DisputeSerializer)
    def post(self, request: Request, dispute_id: int) -> Response:
        user = acting_user(request, Cap.DISPUTE_HANDLE, action=DisputeEvent.CONCLUDED)
        dispute = dispute_selectors.dispute_get(user=user, dispute_id=dispute_id)
        body = ConcludeBody(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        changed = dispute_services.dispute_conclude(
            actor=user,
            dispute=dispute,
            outcome=data["outcome"],
            compensation=data.get("compensation"),
            on=data["on"],
            note=data.get("note", ""),
        )
        return Response(DisputeSerializer(changed).data)


class ScreeningReportSerializer(serializers.ModelSerializer[ScreeningReport]):
    month = serializers.DateField(format="%Y-%m", read_only=True)

    class Meta:
        model = ScreeningReport
        fields = [
            "id",
            "organisation",
            "month",
            "found",
            "resolved",
            "note",
            "submitted_on",
            "due_on",
            "late",
            "corrections",
            "corrected_on",
            "correction_reason",
        ]
        read_only_fields = fields


class UnitStatusSerializer(serializers.Serializer[Any]):
    organisation = serializers.IntegerField(source="organisation.pk")
    organisation_name = serializers.CharField(source="organisation.name")
    due_on = serializers.DateField()
    status = serializers.ChoiceField(choices=list(screening_selectors.STATUS_LABELS))
    report = ScreeningReportSerializer(allow_null=True)


class ScreeningBody(serializers.Serializer[Any]):
    month = serializers.RegexField(r"^\d{4}-\d{2}$")
    found = serializers.IntegerField(min_value=0, max_value=100_000)
    resolved = serializers.IntegerField(min_value=0, max_value=100_000)
    note = serializers.CharField(max_length=2_000, required=False, allow_blank=True)


class ScreeningView(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        parameters=[params.date_parameter("month", "YYYY-MM")],
        responses=UnitStatusSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request, Cap.DISPUTE_VIEW, action=ScreeningEvent.LISTED)
        month = month_param(request.query_params) or screening_selectors.last_due_month()
        rows = screening_selectors.screening_month(user=user, month=month)
        return Response(UnitStatusSerializer(rows, many=True).data)

    @extend_schema(request=ScreeningBody, responses={201: ScreeningReportSerializer})
    def post(self, request: Request) -> Response:
        user = acting_user(request, Cap.DISPUTE_HANDLE, action=ScreeningEvent.SUBMITTED)
        body = ScreeningBody(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        report = screening_services.screening_report_submit(
            actor=user,
            organisation=_home(user),
            month=month_param(data),
            found=data["found"],
            resolved=data["resolved"],
            note=data.get("note", ""),
        )
        return Response(ScreeningReportSerializer(report).data, status=status.HTTP_201_CREATED)


class CorrectionBody(ScreeningBody):
    reason = serializers.CharField(max_length=500)


class ScreeningCorrectView(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(request=CorrectionBody, responses=ScreeningReportSerializer)
    def post(self, request: Request) -> Response:
        """Correct the own unit's report of a month; the earlier figures stay in the audit trail."""
        user = acting_user(request, Cap.DISPUTE_HANDLE, action=ScreeningEvent.CORRECTED)
        body = CorrectionBody(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        month = month_param(data)
        assert month is not None  # the body's pattern
        report = screening_services.screening_report_correct(
            actor=user,
            report=screening_selectors.own_report(user=user, month=month),
            found=data["found"],
            resolved=data["resolved"],
            note=data.get("note"),
            reason=data["reason"],
        )
        return Response(ScreeningReportSerializer(report).data)


class InsuranceSerializer(serializers.ModelSerializer[LiabilityInsurance]):
    entity_name = serializers.CharField(source="entity.name", read_only=True)

    class Meta:
        model = LiabilityInsurance
        fields = [
            "id",
            "entity",
            "entity_name",
            "year",
            "insurer",
            "policy_number",
            "starts_on",
            "ends_on",
            "coverage",
        ]
        read_only_fields = fields


class InsuranceBody(serializers.Serializer[Any]):
    entity = params.IdField()
    year = params.YearField()
    insurer = serializers.CharField(max_length=100)
    policy_number = serializers.CharField(max_length=60, required=False, allow_blank=True)
    starts_on = params.DateField()
    ends_on = params.DateField()
    coverage = _money()


class InsuranceView(PaginatedView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(parameters=[params.year_parameter()], responses=InsuranceSerializer(many=True))
    def get(self, request: Request) -> Response:
        user = acting_user(request, Cap.DISPUTE_VIEW, action=InsuranceEvent.LISTED)
        year = params.year(request.query_params, "year")
        return self.paginated(
            insurance_selectors.insurance_list(user=user, year=year), InsuranceSerializer
        )

    @extend_schema(request=InsuranceBody, responses={201: InsuranceSerializer})
    def post(self, request: Request) -> Response:
        user = acting_user(request, Cap.DISPUTE_HANDLE, action=InsuranceEvent.RECORDED)
        body = InsuranceBody(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        entity = dispute_selectors.institution_get(user=user, entity_id=data.pop("entity"))
        row = insurance_services.insurance_record(actor=user, entity=entity, **data)
        return Response(InsuranceSerializer(row).data, status=status.HTTP_201_CREATED)


class DisputeFigureRowSerializer(serializers.Serializer[Any]):
    item = serializers.CharField()
    value = serializers.CharField()


class FiguresView(APIView):
    @extend_schema(
        parameters=[params.year_parameter()], responses=DisputeFigureRowSerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request, Cap.DISPUTE_VIEW, action=DisputeEvent.LISTED)
        year = params.year(request.query_params, "year", default=clock.this_year())
        assert year is not None
        figures = figure_selectors.year_figures(user=user, year=year)
        rows = [
            {"item": label, "value": str(value)}
            for label, value in figure_selectors.figure_rows(figures)
        ]
        return Response(DisputeFigureRowSerializer(rows, many=True).data)


urlpatterns = [
    path("", DisputeListView.as_view(), name="disputes"),
    path("figures/", FiguresView.as_view(), name="disputes-figures"),
    path("screening/", ScreeningView.as_view(), name="disputes-screening"),
    path("screening/correct/", ScreeningCorrectView.as_view(), name="disputes-screening-correct"),
    path("insurance/", InsuranceView.as_view(), name="disputes-insurance"),
    path("<id:dispute_id>/", DisputeDetailView.as_view(), name="dispute"),
    path("<id:dispute_id>/change_route/", DisputeRouteView.as_view(), name="dispute-change-route"),
    path("<id:dispute_id>/conclude/", DisputeConcludeView.as_view(), name="dispute-conclude"),
]
