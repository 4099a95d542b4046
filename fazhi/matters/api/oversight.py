"""API: leader-owned petitions (领导包案) and supervision orders (督办): the same services and
selectors as the pages."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.core import errors, params
from fazhi.core.access import acting_user
from fazhi.core.pagination import PaginatedView
from fazhi.core.roles import Cap
from fazhi.matters.events import MatterEvent
from fazhi.matters.models import LeaderAssignment, SupervisionOrder, SupervisionState
from fazhi.matters.selectors import matters as matter_selectors
from fazhi.matters.selectors import oversight as oversight_selectors
from fazhi.matters.services import oversight as oversight_services


class SupervisionSerializer(serializers.ModelSerializer[SupervisionOrder]):
    issuer_name = serializers.CharField(source="issuer.name", read_only=True)

    class Meta:
        model = SupervisionOrder
        fields = [
            "id",
            "matter",
            "issuer",
            "issuer_name",
            "reference",
            "requirement",
            "issued_on",
            "due_on",
            "state",
            "answer",
            "answered_on",
        ]


class LeaderAssignmentSerializer(serializers.ModelSerializer[LeaderAssignment]):
    leader_name = serializers.CharField(source="leader.full_name", read_only=True)

    class Meta:
        model = LeaderAssignment
        fields = ["id", "matter", "leader", "leader_name", "assigned_on", "note", "ended_on"]


class LeaderBody(serializers.Serializer[Any]):
    leader = params.IdField()
    on = params.DateField()
    note = serializers.CharField(max_length=2_000, required=False, allow_blank=True)


class ReleaseBody(serializers.Serializer[Any]):
    on = params.DateField()
    reason = serializers.CharField(max_length=200)


class IssueBody(serializers.Serializer[Any]):
    on = params.DateField()
    due_on = params.DateField()
    requirement = serializers.CharField(max_length=2_000)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True)


class AnswerBody(serializers.Serializer[Any]):
    on = params.DateField()
    answer = serializers.CharField(max_length=2_000)


def _body(cls: type[serializers.Serializer[Any]], request: Request) -> dict[str, Any]:
    body = cls(data=request.data)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


class SupervisionListView(PaginatedView):
    @extend_schema(
        parameters=[
            params.choice_parameter("state", SupervisionState.values),
            params.bool_parameter("overdue"),
        ],
        responses=SupervisionSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request, Cap.MATTER_VIEW, action=MatterEvent.LISTED)
        q = request.query_params
        orders = oversight_selectors.supervision_list(
            user=user,
            state=params.choice(q, "state", SupervisionState.values),
            overdue=bool(params.boolean(q, "overdue")),
        )
        return self.paginated(orders, SupervisionSerializer)


class LeaderAssignView(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(request=LeaderBody, responses={201: LeaderAssignmentSerializer})
    def post(self, request: Request, matter_id: int) -> Response:
        user = acting_user(request, Cap.MATTER_VIEW, action=MatterEvent.LEADER_ASSIGNED)
        matter = matter_selectors.matter_get(user=user, matter_id=matter_id)
        data = _body(LeaderBody, request)
        leader = matter_selectors.matter_approvers(matter=matter).filter(pk=data["leader"]).first()
        if leader is None:
            raise errors.ValidationFailed(
                "包案领导须为本机关或上级机关的负责人。", code="leader_not_head", field="leader"
            )
        assignment = oversight_services.matter_assign_leader(
            actor=user, matter=matter, leader=leader, on=data["on"], note=data.get("note", "")
        )
        return Response(LeaderAssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)


class LeaderReleaseView(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(request=ReleaseBody, responses=LeaderAssignmentSerializer)
    def post(self, request: Request, matter_id: int) -> Response:
        user = acting_user(request, Cap.MATTER_VIEW, action=MatterEvent.LEADER_RELEASED)
        matter = matter_selectors.matter_get(user=user, matter_id=matter_id)
        assignment = oversight_services.matter_release_leader(
            actor=user, matter=matter, **_body(ReleaseBody, request)
        )
        return Response(LeaderAssignmentSerializer(assignment).data)


class SupervisionIssueView(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(request=IssueBody, responses={201: SupervisionSerializer})
    def post(self, request: Request, matter_id: int) -> Response:
        user = acting_user(request, Cap.MATTER_SUPERVISE, action=MatterEvent.SUPERVISION_ISSUED)
        matter = matter_selectors.matter_get(user=user, matter_id=matter_id)
        order = oversight_services.supervision_issue(
            actor=user, matter=matter, **_body(IssueBody, request)
        )
        return Response(SupervisionSerializer(order).data, status=status.HTTP_201_CREATED)


class SupervisionAnswerView(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(request=AnswerBody, responses=SupervisionSerializer)
    def post(self, request: Request, order_id: int) -> Response:
        user = acting_user(request, Cap.MATTER_HANDLE, action=MatterEvent.SUPERVISION_ANSWERED)
        order = oversight_selectors.supervision_get(user=user, order_id=order_id)
        order = oversight_services.supervision_answer(
            actor=user, order=order, **_body(AnswerBody, request)
        )
        return Response(SupervisionSerializer(order).data)


urlpatterns = [
    path("supervision/", SupervisionListView.as_view(), name="matters-supervision"),
    path(
        "supervision/<id:order_id>/answer/",
        SupervisionAnswerView.as_view(),
        name="matters-supervision-answer",
    ),
    path("<id:matter_id>/leader/", LeaderAssignView.as_view(), name="matter-leader"),
    path(
        "<id:matter_id>/leader/release/",
        LeaderReleaseView.as_view(),
        name="matter-leader-release",
    ),
    path(
        "<id:matter_id>/supervision/",
        SupervisionIssueView.as_view(),
        name="matter-supervision",
    ),
]
