"""API: a decision on the spot (当场处罚, 简易程序): the page's form and service; a bad body is a
400 naming its field, a refusal the service's error (its stable code)."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.core import params
from fazhi.core.access import acting_user
from fazhi.core.roles import Cap
from fazhi.enforcement import spot_forms
from fazhi.enforcement.api.cases import PenaltyCaseSerializer, _form_data, _querydict
from fazhi.enforcement.events import CaseEvent
from fazhi.enforcement.models import PenaltyKind


class SpotRequestSerializer(serializers.Serializer[dict[str, object]]):
    """The body (documentation: the form ``spot_forms.SpotForm`` reads it)."""

    organisation = params.IdField(required=False, help_text="办案机构；不给为本人所在机构")
    entity = params.IdField(help_text="当事人")
    handler = params.IdField(help_text="主办人")
    officers = serializers.ListField(
        child=params.IdField(), min_length=2, help_text="两名以上持有效执法证的执法人员"
    )
    cause = serializers.CharField(max_length=200)
    facts = serializers.CharField(max_length=10_000)
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=PenaltyKind.choices),
        help_text="warning 和/或 fine（简易程序只适用于警告或者罚款）",
    )
    fine = serializers.CharField(
        required=False, max_length=20, help_text="元，字符串，至多两位小数"
    )
    decided_on = params.DateField(required=False, help_text="不给为今天")
    item = params.IdField(required=False, help_text="裁量基准事项")
    violated = serializers.CharField(required=False, max_length=500)
    penalty = serializers.CharField(required=False, max_length=500)
    reason = serializers.CharField(
        required=False, max_length=2000, help_text="未选用或修改基准条款时必填"
    )


class CaseOnTheSpotView(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(request=SpotRequestSerializer, responses={201: PenaltyCaseSerializer})
    def post(self, request: Request) -> Response:
        user = acting_user(request, Cap.CASE_HANDLE, action=CaseEvent.DECIDED_ON_THE_SPOT)
        data = _form_data(spot_forms.SpotForm(_querydict(request)))
        case = spot_forms.decide_on_the_spot(user, data)
        return Response(PenaltyCaseSerializer(case).data, status=201)


urlpatterns = [
    path("cases/on-the-spot/", CaseOnTheSpotView.as_view(), name="enforcement-case-on-the-spot"),
]
