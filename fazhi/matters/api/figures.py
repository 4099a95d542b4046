"""API: the figures of incoming matters for a year (counts and timeliness, each defined)."""

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
from fazhi.matters.models import MatterKind
from fazhi.matters.selectors import figures as figure_selectors


class CountSerializer(serializers.Serializer[Any]):
    dimension = serializers.CharField()
    item = serializers.CharField(source="label")
    count = serializers.IntegerField()
    definition = serializers.CharField()


class FigureSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    name = serializers.CharField(source="label")
    definition = serializers.CharField()
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    pending_overdue = serializers.IntegerField()


class KindFiguresSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(MatterKind.choices)
    counts = CountSerializer(many=True)
    timeliness = FigureSerializer(many=True)


class MatterFiguresView(APIView):
    @extend_schema(parameters=[params.year_parameter()], responses=KindFiguresSerializer(many=True))
    def get(self, request: Request) -> Response:
        user = acting_user(request, Cap.MATTER_VIEW, action=MatterEvent.LISTED)
        year = params.year(request.query_params, "year", default=clock.this_year())
        assert year is not None
        data = [
            {
                "kind": kind,
                "counts": figure_selectors.matter_counts(user=user, year=year, kind=kind),
                "timeliness": figure_selectors.timeliness(user=user, year=year, kind=kind),
            }
            for kind in figure_selectors.FIGURE_KINDS
        ]
        return Response(KindFiguresSerializer(data, many=True).data)


urlpatterns = [
    path("statistics/figures/", MatterFiguresView.as_view(), name="matters-figures"),
]
