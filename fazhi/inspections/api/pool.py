"""API: the inspector pool, leave periods and conflict declarations."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.core import clock, params
from fazhi.core.access import acting_user
from fazhi.core.pagination import PaginatedView
from fazhi.core.roles import Cap
from fazhi.inspections.events import ConflictEvents, InspectorEvents
from fazhi.inspections.models import ConflictDeclaration, InspectorLeave, InspectorProfile
from fazhi.inspections.selectors import pool as pool_selectors
from fazhi.inspections.services import pool as pool_services
from fazhi.registry.models import SupervisionCategory


class ProfileSerializer(serializers.ModelSerializer[InspectorProfile]):
    officer_name = serializers.CharField(source="officer.name", read_only=True)
    categories: serializers.SlugRelatedField[SupervisionCategory] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )

    class Meta:
        model = InspectorProfile
        fields = [
            "id",
            "officer",
            "officer_name",
            "organisation",
            "categories",
            "regions",
            "in_pool",
            "max_tasks_per_plan",
            "updated_at",
        ]
        read_only_fields = fields


class ProfileWriteSerializer(serializers.Serializer[Any]):
    categories = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=SupervisionCategory.objects.all()
    )
    regions = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    max_tasks_per_plan = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0, max_value=params.INTEGER_MAX
    )


class EnrolSerializer(ProfileWriteSerializer):
    officer = params.IdField()
    on = params.DateField(required=False, help_text="核验执法证的日期，默认今天")


class PoolReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(allow_blank=True)


class LeaveSerializer(serializers.ModelSerializer[InspectorLeave]):
    # A plain id, resolved in scope by the view: a related field would answer "does not exist"
    # for a missing officer and pass another organisation's, telling the two apart.
    officer = serializers.IntegerField(source="officer_id")
    start = params.DateField()
    end = params.DateField()

    class Meta:
        model = InspectorLeave
        fields = ["id", "officer", "start", "end", "reason", "created_at"]
        read_only_fields = ["id", "created_at"]


class ConflictSerializer(serializers.ModelSerializer[ConflictDeclaration]):
    entity_name = serializers.CharField(source="entity.name", read_only=True)

    class Meta:
        model = ConflictDeclaration
        fields = [
            "id",
            "officer",
            "entity",
            "entity_name",
            "reason",
            "declared_on",
            "withdrawn_on",
        ]
        read_only_fields = fields


class ConflictWriteSerializer(serializers.Serializer[Any]):
    officer = params.IdField()
    entity = serializers.CharField(help_text="检查对象编号、统一社会信用代码或身份证号")
    reason = serializers.CharField(allow_blank=True)
    declared_on = params.DateField(required=False)


class ConflictWithdrawSerializer(PoolReasonSerializer):
    on = params.DateField(required=False)


class PoolListView(PaginatedView):
    @extend_schema(
        summary="执法检查人员名录库",
        parameters=[
            params.bool_parameter("in_pool"),
            OpenApiParameter("category", str),
            OpenApiParameter("q", str),
        ],
        responses=ProfileSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        qs = pool_selectors.pool_list(
            user=acting_user(request),
            in_pool=params.boolean(request.query_params, "in_pool"),
            category=request.query_params.get("category") or None,
            q=request.query_params.get("q", ""),
        )
        return self.paginated(qs, ProfileSerializer)

    @extend_schema(
        summary="执法人员入库", request=EnrolSerializer, responses={201: ProfileSerializer}
    )
    def post(self, request: Request) -> Response:
        user = acting_user(request, Cap.INSPECTION_PLAN, action=InspectorEvents.ENROLLED)
        data = EnrolSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        officer = pool_selectors.officer_for_enrolment(user=user, pk=values["officer"])
        profile = pool_services.inspector_enrol(
            actor=user,
            officer=officer,
            on=values.get("on") or clock.today(),
            categories=values["categories"],
            regions=values["regions"],
            max_tasks_per_plan=values["max_tasks_per_plan"],
        )
        return Response(ProfileSerializer(profile).data, status=status.HTTP_201_CREATED)


class PoolEligibleView(PaginatedView):
    @extend_schema(
        summary="某日可抽取的检查人员（本机构）",
        parameters=[params.date_parameter("on", "日期，默认今天")],
        responses=ProfileSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request, Cap.INSPECTION_VIEW, action=InspectorEvents.LISTED)
        on = params.date(request.query_params, "on") or clock.today()
        assert user.organisation is not None
        qs = pool_selectors.pool_eligible(organisation=user.organisation, on=on)
        return self.paginated(qs, ProfileSerializer)


class PoolDetailView(APIView):
    @extend_schema(summary="检查人员详情", responses=ProfileSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(
            ProfileSerializer(pool_selectors.pool_get(user=acting_user(request), pk=pk)).data
        )

    @extend_schema(
        summary="修改检查人员", request=ProfileWriteSerializer, responses=ProfileSerializer
    )
    def put(self, request: Request, pk: int) -> Response:
        user = acting_user(request, Cap.INSPECTION_PLAN, action=InspectorEvents.UPDATED)
        profile = pool_selectors.pool_get(user=user, pk=pk)
        data = ProfileWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        profile = pool_services.inspector_update(actor=user, profile=profile, **data.validated_data)
        return Response(ProfileSerializer(profile).data)


class PoolOutView(APIView):
    @extend_schema(summary="出库", request=PoolReasonSerializer, responses=ProfileSerializer)
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request, Cap.INSPECTION_PLAN, action=InspectorEvents.LEFT_POOL)
        profile = pool_selectors.pool_get(user=user, pk=pk)
        data = PoolReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        profile = pool_services.inspector_leave_pool(
            actor=user, profile=profile, reason=data.validated_data["reason"]
        )
        return Response(ProfileSerializer(profile).data)


class PoolInView(APIView):
    @extend_schema(summary="重新入库", request=None, responses=ProfileSerializer)
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request, Cap.INSPECTION_PLAN, action=InspectorEvents.RETURNED_TO_POOL)
        profile = pool_services.inspector_return_to_pool(
            actor=user,
            profile=pool_selectors.pool_get(user=user, pk=pk),
            on=clock.today(),
        )
        return Response(ProfileSerializer(profile).data)


class LeaveListView(PaginatedView):
    @extend_schema(summary="请假/外出登记", responses=LeaveSerializer(many=True))
    def get(self, request: Request) -> Response:
        return self.paginated(pool_selectors.leave_list(user=acting_user(request)), LeaveSerializer)

    @extend_schema(
        summary="登记请假/外出", request=LeaveSerializer, responses={201: LeaveSerializer}
    )
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        data = LeaveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        officer = pool_selectors.officer_for_enrolment(user=user, pk=values["officer_id"])
        leave = pool_services.inspector_leave_add(
            actor=user,
            officer=officer,
            start=values["start"],
            end=values["end"],
            reason=values.get("reason", ""),
        )
        return Response(LeaveSerializer(leave).data, status=status.HTTP_201_CREATED)


class LeaveCancelView(APIView):
    @extend_schema(summary="取消请假登记", request=None, responses={204: None})
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request, Cap.INSPECTION_PLAN, action=InspectorEvents.LEAVE_CANCELLED)
        pool_services.inspector_leave_cancel(
            actor=user, leave=pool_selectors.leave_get(user=user, pk=pk)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConflictListView(PaginatedView):
    @extend_schema(
        summary="回避申报",
        parameters=[params.bool_parameter("active")],
        responses=ConflictSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        qs = pool_selectors.conflict_list(
            user=acting_user(request), active=params.boolean(request.query_params, "active")
        )
        return self.paginated(qs, ConflictSerializer)

    @extend_schema(
        summary="申报回避", request=ConflictWriteSerializer, responses={201: ConflictSerializer}
    )
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        data = ConflictWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        officer = pool_selectors.officer_for_enrolment(user=user, pk=values["officer"])
        entity = pool_selectors.entity_for_conflict(user=user, ref=values["entity"])
        declaration = pool_services.conflict_declare(
            actor=user,
            officer=officer,
            entity=entity,
            reason=values["reason"],
            declared_on=values.get("declared_on") or clock.today(),
        )
        return Response(ConflictSerializer(declaration).data, status=status.HTTP_201_CREATED)


class ConflictWithdrawView(APIView):
    @extend_schema(
        summary="撤回回避申报", request=ConflictWithdrawSerializer, responses=ConflictSerializer
    )
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request, Cap.INSPECTION_PLAN, action=ConflictEvents.WITHDRAWN)
        declaration = pool_selectors.conflict_get(user=user, pk=pk)
        data = ConflictWithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        declaration = pool_services.conflict_withdraw(
            actor=user,
            declaration=declaration,
            on=data.validated_data.get("on") or clock.today(),
            reason=data.validated_data["reason"],
        )
        return Response(ConflictSerializer(declaration).data)


urlpatterns: list[URLPattern] = [
    path("pool/", PoolListView.as_view(), name="api-pool-list"),
    path("pool/eligible/", PoolEligibleView.as_view(), name="api-pool-eligible"),
    path("pool/<id:pk>/", PoolDetailView.as_view(), name="api-pool-detail"),
    path("pool/<id:pk>/out/", PoolOutView.as_view(), name="api-pool-out"),
    path("pool/<id:pk>/in/", PoolInView.as_view(), name="api-pool-in"),
    path("pool/leaves/", LeaveListView.as_view(), name="api-pool-leaves"),
    path("pool/leaves/<id:pk>/cancel/", LeaveCancelView.as_view(), name="api-pool-leave-cancel"),
    path("pool/conflicts/", ConflictListView.as_view(), name="api-pool-conflicts"),
    path(
        "pool/conflicts/<id:pk>/withdraw/",
        ConflictWithdrawView.as_view(),
        name="api-pool-conflict-withdraw",
    ),
]
