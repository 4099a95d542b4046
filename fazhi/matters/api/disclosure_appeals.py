"""API: the reconsideration and litigation table of the annual disclosure report (decision
0084), next to the requests table at ``statistics/disclosure/``."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.core import clock, params
from fazhi.core.access import acting_user
from fazhi.core.roles import Cap
from fazhi.matters.events import MatterEvent
from fazhi.matters.selectors import statistics as statistics_selectors


class AppealGroupSerializer(serializers.Serializer[Any]):
    item = serializers.CharField(source="label")
    counts = serializers.ListField(child=serializers.IntegerField())


class DisclosureAppealsSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField()
    columns = serializers.ListField(child=serializers.CharField())
    rows = AppealGroupSerializer(many=True)


class DisclosureAppealStatisticsView(APIView):
    @extend_schema(parameters=[params.year_parameter()], responses=DisclosureAppealsSerializer)
    def get(self, request: Request) -> Response:
        user = acting_user(request, Cap.MATTER_VIEW, action=MatterEvent.LISTED)
        year = params.year(request.query_params, "year", default=clock.this_year())
        assert year is not None
        groups = statistics_selectors.disclosure_appeal_statistics(user=user, year=year)
        return Response(
            DisclosureAppealsSerializer(
                {"year": year, "columns": statistics_selectors.APPEAL_HEADERS[1:], "rows": groups}
            ).data
        )


urlpatterns = [
    path(
        "statistics/disclosure/appeals/",
        DisclosureAppealStatisticsView.as_view(),
        name="matters-disclosure-appeal-statistics",
    ),
]
