"""API: what happened after a case's decision — its deferral or instalment plans with their
instalments, its court enforcement and its transfers to the police (read; the steps are the
case's step endpoints, ``forms.STEPS``)."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.core.access import acting_user
from fazhi.core.roles import Cap
from fazhi.enforcement.events import CaseEvent
from fazhi.enforcement.execution_models import (
    CourtEnforcement,
    Instalment,
    PaymentArrangement,
    PoliceTransfer,
)
from fazhi.enforcement.selectors import cases as case_selectors
from fazhi.enforcement.selectors.execution import case_after_decision


class InstalmentSerializer(serializers.ModelSerializer[Instalment]):
    class Meta:
        model = Instalment
        fields = ["number", "due_on", "amount", "paid_on", "paid_amount", "surcharge"]


class ArrangementSerializer(serializers.ModelSerializer[PaymentArrangement]):
    instalments = InstalmentSerializer(many=True, read_only=True)

    class Meta:
        model = PaymentArrangement
        fields = [
            "id",
            "kind",
            "state",
            "applied_on",
            "reason",
            "decided_on",
            "refusal_reason",
            "instalments",
        ]


class CourtEnforcementSerializer(serializers.ModelSerializer[CourtEnforcement]):
    class Meta:
        model = CourtEnforcement
        exclude = ["case"]


class PoliceTransferSerializer(serializers.ModelSerializer[PoliceTransfer]):
    class Meta:
        model = PoliceTransfer
        exclude = ["case", "reported_by", "decided_by"]


class AfterDecisionSerializer(serializers.Serializer[object]):
    arrangements = ArrangementSerializer(many=True)
    court_enforcement = CourtEnforcementSerializer(source="court", allow_null=True)
    police_transfers = PoliceTransferSerializer(source="transfers", many=True)


class AfterDecisionView(APIView):
    @extend_schema(responses=AfterDecisionSerializer)
    def get(self, request: Request, case_id: int) -> Response:
        user = acting_user(request, Cap.CASE_VIEW, action=CaseEvent.VIEWED)
        case = case_selectors.penalty_case_get(user=user, case_id=case_id)
        return Response(AfterDecisionSerializer(case_after_decision(case)).data)


urlpatterns = [
    path(
        "cases/<id:case_id>/after-decision/",
        AfterDecisionView.as_view(),
        name="enforcement-case-after-decision",
    ),
]
