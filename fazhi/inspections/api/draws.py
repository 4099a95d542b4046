"""API: announcements, draws, their tasks, export and verification, re-draws."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.core.access import acting_user
from fazhi.core.pagination import PaginatedView
from fazhi.core.roles import Cap
from fazhi.inspections.events import PlanEvents, RedrawEvents
from fazhi.inspections.models import (
    Draw,
    DrawAnnouncement,
    InspectionTask,
    RedrawRequest,
)
from fazhi.inspections.selectors import draws as selectors
from fazhi.inspections.selectors.plans import plan_get
from fazhi.inspections.services import draws as draw_services
from fazhi.inspections.services import redraws as redraw_services


class WitnessSerializer(serializers.Serializer[Any]):
    position = serializers.IntegerField()
    name = serializers.CharField()
    commitment = serializers.CharField()
    revealed_secret = serializers.CharField(allow_null=True)


class AnnouncementSerializer(serializers.ModelSerializer[DrawAnnouncement]):
    witnesses = WitnessSerializer(many=True, read_only=True)
    pool_size = serializers.SerializerMethodField()

    class Meta:
        model = DrawAnnouncement
        fields = [
            "number",
            "state",
            "published_at",
            "algorithm_version",
            "strata",
            "pool_hash",
            "pool_size",
            "params",
            "entropy_kind",
            "entropy_spec",
            "sources",
            "reveal_deadline",
            "names_public",
            "replace_reason",
            "announcement_hash",
            "witnesses",
        ]

    def get_pool_size(self, obj: DrawAnnouncement) -> int | None:
        """The pool's size where the pool was loaded (the detail, not the list)."""
        return len(obj.pool) if "pool" in obj.__dict__ else None


class DrawSerializer(serializers.ModelSerializer[Draw]):
    announcement = serializers.IntegerField(source="announcement.number", read_only=True)
    created_by = serializers.CharField(source="created_by.display_name", read_only=True)
    approved_by = serializers.CharField(
        source="approved_by.display_name", read_only=True, allow_null=True
    )

    class Meta:
        model = Draw
        fields = [
            "number",
            "state",
            "announcement",
            "seed",
            "entropy_value",
            "result_hash",
            "task_count",
            "infeasible",
            "reason",
            "created_by",
            "approved_by",
            "created_at",
        ]


class DrawTaskSerializer(serializers.ModelSerializer[InspectionTask]):
    entity_name = serializers.CharField(source="entity.name")
    inspectors = serializers.SerializerMethodField()

    class Meta:
        model = InspectionTask
        fields = ["id", "number", "stratum_key", "entity", "entity_name", "state", "inspectors"]

    def get_inspectors(self, obj: InspectionTask) -> list[dict[str, Any]]:
        return [
            {"officer": m.officer_id, "name": m.officer.name, "role": m.role}
            for m in obj.task_inspectors.all()
        ]


class RedrawSerializer(serializers.ModelSerializer[RedrawRequest]):
    draw = serializers.IntegerField(source="draw.number", read_only=True)

    class Meta:
        model = RedrawRequest
        fields = [
            "id",
            "draw",
            "reason",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_note",
            "state",
        ]


class DrawIn(serializers.Serializer[Any]):
    reveals = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    public_number = serializers.CharField(required=False, default="", allow_blank=True)
    values = serializers.ListField(child=serializers.CharField(), required=False, default=list)


class RedrawIn(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=500)


class DecideIn(serializers.Serializer[Any]):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, default="", allow_blank=True)


class AnnouncementList(APIView):
    @extend_schema(summary="计划的抽取公告", responses=AnnouncementSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        rows = selectors.announcement_list(user=user, plan=plan_get(user=user, pk=pk))
        return Response(AnnouncementSerializer(rows, many=True).data)


class AnnouncementDetail(APIView):
    @extend_schema(summary="一份抽取公告", responses=AnnouncementSerializer)
    def get(self, request: Request, pk: int, number: int) -> Response:
        user = acting_user(request)
        found = selectors.announcement_get(
            user=user, plan=plan_get(user=user, pk=pk), number=number
        )
        return Response(AnnouncementSerializer(found).data)


class RunDraw(APIView):
    @extend_schema(
        summary="抽取",
        description=(
            "第2版公告按声明顺序提交各随机事件的结果 values（随机事件发生前拒绝抽取）；"
            "第1版：见证人方式按顺序提交 reveals；公开号码方式提交 public_number。"
            "候选名单或人员库在公告后变化时返回409（candidates_changed / pool_changed），"
            "并记入审计链。"
        ),
        request=DrawIn,
        responses={201: DrawSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request, Cap.INSPECTION_DRAW, action=PlanEvents.DRAWN)
        plan = plan_get(user=user, pk=pk)
        data = DrawIn(data=request.data)
        data.is_valid(raise_exception=True)
        draw = draw_services.draw_run(
            actor=user,
            plan=plan,
            reveals=data.validated_data["reveals"],
            public_number=data.validated_data["public_number"],
            values=data.validated_data["values"],
        )
        draw = selectors.draw_get(user=user, plan=plan, number=draw.number)
        return Response(DrawSerializer(draw).data, status=status.HTTP_201_CREATED)


class DrawList(APIView):
    @extend_schema(summary="计划的全部抽取（含被替代的）", responses=DrawSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        rows = selectors.draw_list(user=user, plan=plan_get(user=user, pk=pk))
        return Response(DrawSerializer(rows, many=True).data)


class DrawDetail(APIView):
    @extend_schema(summary="一次抽取", responses=DrawSerializer)
    def get(self, request: Request, pk: int, number: int) -> Response:
        user = acting_user(request)
        draw = selectors.draw_get(user=user, plan=plan_get(user=user, pk=pk), number=number)
        return Response(DrawSerializer(draw).data)


class DrawTasks(PaginatedView):
    @extend_schema(summary="抽取产生的任务及检查人员", responses=DrawTaskSerializer(many=True))
    def get(self, request: Request, pk: int, number: int) -> Response:
        user = acting_user(request)
        draw = selectors.draw_get(user=user, plan=plan_get(user=user, pk=pk), number=number)
        return self.paginated(selectors.draw_task_list(user=user, draw=draw), DrawTaskSerializer)


class DrawExport(APIView):
    @extend_schema(
        summary="抽取的公开验证数据（verify_draw.py 的输入）", responses=OpenApiTypes.OBJECT
    )
    def get(self, request: Request, pk: int, number: int) -> Response:
        user = acting_user(request)
        draw = selectors.draw_get(user=user, plan=plan_get(user=user, pk=pk), number=number)
        return Response(selectors.draw_export(user=user, draw=draw))


class DrawVerify(APIView):
    @extend_schema(
        summary="按公开数据重新计算并核对抽取",
        request=None,
        responses=inline_serializer(
            "DrawVerifyResult",
            {
                "ok": serializers.BooleanField(),
                "difference": serializers.CharField(allow_null=True),
            },
        ),
    )
    def post(self, request: Request, pk: int, number: int) -> Response:
        user = acting_user(request)
        draw = selectors.draw_get(user=user, plan=plan_get(user=user, pk=pk), number=number)
        problem = selectors.draw_verify(user=user, draw=draw)
        return Response({"ok": problem is None, "difference": problem})


class RedrawList(APIView):
    @extend_schema(summary="重新抽取申请", responses=RedrawSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        rows = selectors.redraw_list(user=user, plan=plan_get(user=user, pk=pk))
        return Response(RedrawSerializer(rows, many=True).data)

    @extend_schema(
        summary="申请重新抽取（须写明理由）", request=RedrawIn, responses={201: RedrawSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request, Cap.INSPECTION_DRAW, action=RedrawEvents.REQUESTED)
        plan = plan_get(user=user, pk=pk)
        data = RedrawIn(data=request.data)
        data.is_valid(raise_exception=True)
        found = redraw_services.redraw_request(
            actor=user, plan=plan, reason=data.validated_data["reason"]
        )
        return Response(RedrawSerializer(found).data, status=status.HTTP_201_CREATED)


class RedrawDecide(APIView):
    @extend_schema(summary="审批重新抽取申请（领导）", request=DecideIn, responses=RedrawSerializer)
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request)  # the services check the capability, named by the decision
        found = selectors.redraw_get(user=user, pk=pk)
        data = DecideIn(data=request.data)
        data.is_valid(raise_exception=True)
        approve, note = data.validated_data["approve"], data.validated_data["note"]
        if approve:
            decided = redraw_services.redraw_approve(actor=user, request=found, note=note)
        else:
            decided = redraw_services.redraw_reject(actor=user, request=found, note=note)
        return Response(RedrawSerializer(decided).data)


urlpatterns: list[URLPattern] = [
    # announcing is version 2 only (``api.draws_v2``: announce-v2); decision 0057
    path(
        "plans/<id:pk>/announcements/",
        AnnouncementList.as_view(),
        name="api-inspection-announcements",
    ),
    path(
        "plans/<id:pk>/announcements/<id:number>/",
        AnnouncementDetail.as_view(),
        name="api-inspection-announcement",
    ),
    path("plans/<id:pk>/draw/", RunDraw.as_view(), name="api-inspection-draw-run"),
    path("plans/<id:pk>/draws/", DrawList.as_view(), name="api-inspection-draws"),
    path("plans/<id:pk>/draws/<id:number>/", DrawDetail.as_view(), name="api-inspection-draw"),
    path(
        "plans/<id:pk>/draws/<id:number>/tasks/",
        DrawTasks.as_view(),
        name="api-inspection-draw-tasks",
    ),
    path(
        "plans/<id:pk>/draws/<id:number>/export/",
        DrawExport.as_view(),
        name="api-inspection-draw-export",
    ),
    path(
        "plans/<id:pk>/draws/<id:number>/verify/",
        DrawVerify.as_view(),
        name="api-inspection-draw-verify",
    ),
    path("plans/<id:pk>/redraws/", RedrawList.as_view(), name="api-inspection-redraws"),
    path("redraws/<id:pk>/decide/", RedrawDecide.as_view(), name="api-inspection-redraw-decide"),
]
