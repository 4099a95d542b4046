"""API of protocol fazhi-draw/2: the announcement with declared events and witnesses, witness
reveals, re-announcement requests and their decision, and the registered source kinds.

The draw itself is ``api.draws.RunDraw`` (``values``: the declared events' results, in order).
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.core.access import acting_user
from fazhi.core.roles import Cap
from fazhi.inspections import drawv2
from fazhi.inspections.api.draws import AnnouncementSerializer, DecideIn, RedrawIn
from fazhi.inspections.events import AnnouncementEvents, PlanEvents, ReannouncementEvents
from fazhi.inspections.models import ReannouncementRequest
from fazhi.inspections.selectors import draws as selectors
from fazhi.inspections.selectors.plans import plan_get
from fazhi.inspections.services import announcements_v2 as services


class DrawSourceIn(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=sorted(drawv2.SOURCE_KINDS))
    period = serializers.CharField(required=False, default="", allow_blank=True)
    date = serializers.CharField(required=False, default="", allow_blank=True)
    round = serializers.IntegerField(required=False, allow_null=True, default=None)


class WitnessV2In(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100)
    secret = serializers.CharField(required=False, allow_null=True, default=None, max_length=200)


class AnnounceV2In(serializers.Serializer[Any]):
    sources = DrawSourceIn(many=True, required=False, default=list)
    witnesses = WitnessV2In(many=True, required=False, default=list)
    reveal_deadline = serializers.DateTimeField(required=False, allow_null=True, default=None)
    server = serializers.BooleanField(required=False, default=False)


def source_event(row: dict[str, Any]) -> dict[str, Any]:
    if row["kind"] == "drand-quicknet":
        return {"round": row.get("round") or ""}
    return {"period": row.get("period", ""), "date": row.get("date", "")}


class AnnouncedSerializer(serializers.Serializer[Any]):
    announcement = AnnouncementSerializer()
    witness_reveals = serializers.ListField(
        child=inline_serializer(
            "WitnessReveal", {"name": serializers.CharField(), "reveal": serializers.CharField()}
        )
    )


class AnnounceV2(APIView):
    @extend_schema(
        summary="发布抽取公告（第2版协议：声明未来的公开随机事件，可附见证人）",
        description=(
            "见证人的揭示值（盐值:秘密值）只在本响应中出现一次，请立即交给见证人。"
            "服务器随机数只用于日常监督计划。"
        ),
        request=AnnounceV2In,
        responses={201: AnnouncedSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request, Cap.INSPECTION_PLAN, action=PlanEvents.ANNOUNCED)
        plan = plan_get(user=user, pk=pk)
        data = AnnounceV2In(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        announced = services.plan_announce_v2(
            actor=user,
            plan=plan,
            sources=[(row["kind"], source_event(row)) for row in v["sources"]],
            witnesses=[services.WitnessInput(w["name"], w["secret"]) for w in v["witnesses"]],
            reveal_deadline=v["reveal_deadline"],
            server=v["server"],
        )
        body = {
            "announcement": AnnouncementSerializer(announced.announcement).data,
            "witness_reveals": [{"name": n, "reveal": r} for n, r in announced.reveals],
        }
        return Response(body, status=status.HTTP_201_CREATED)


class RevealIn(serializers.Serializer[Any]):
    position = serializers.IntegerField(min_value=1)
    reveal = serializers.CharField(max_length=300)


class WitnessReveal(APIView):
    @extend_schema(
        summary="登记见证人的揭示值（揭示截止时间之前）", request=RevealIn, responses={200: None}
    )
    def post(self, request: Request, pk: int, number: int) -> Response:
        user = acting_user(request, Cap.INSPECTION_DRAW, action=AnnouncementEvents.WITNESS_REVEALED)
        announcement = selectors.announcement_get(
            user=user, plan=plan_get(user=user, pk=pk), number=number
        )
        data = RevealIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.witness_reveal(
            actor=user,
            announcement=announcement,
            position=data.validated_data["position"],
            reveal=data.validated_data["reveal"],
        )
        return Response({"ok": True})


class ReannouncementSerializer(serializers.ModelSerializer[ReannouncementRequest]):
    announcement = serializers.IntegerField(source="announcement.number", read_only=True)

    class Meta:
        model = ReannouncementRequest
        fields = [
            "id",
            "announcement",
            "reason",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_note",
            "state",
        ]


class ReannouncementList(APIView):
    @extend_schema(summary="重新公告申请", responses=ReannouncementSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        rows = selectors.reannouncement_list(user=user, plan=plan_get(user=user, pk=pk))
        return Response(ReannouncementSerializer(rows, many=True).data)

    @extend_schema(
        summary="申请替代尚未抽取的公告（须写明理由，随机事件发生前）",
        request=RedrawIn,
        responses={201: ReannouncementSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request, Cap.INSPECTION_PLAN, action=ReannouncementEvents.REQUESTED)
        plan = plan_get(user=user, pk=pk)
        data = RedrawIn(data=request.data)
        data.is_valid(raise_exception=True)
        found = services.reannouncement_request(
            actor=user, plan=plan, reason=data.validated_data["reason"]
        )
        return Response(ReannouncementSerializer(found).data, status=status.HTTP_201_CREATED)


class ReannouncementDecide(APIView):
    @extend_schema(
        summary="审批重新公告申请（领导，非申请人）",
        request=DecideIn,
        responses=ReannouncementSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request)  # the services check the capability, named by the decision
        found = selectors.reannouncement_get(user=user, pk=pk)
        data = DecideIn(data=request.data)
        data.is_valid(raise_exception=True)
        approve, note = data.validated_data["approve"], data.validated_data["note"]
        if approve:
            decided = services.reannouncement_approve(actor=user, request=found, note=note)
        else:
            decided = services.reannouncement_reject(actor=user, request=found, note=note)
        return Response(ReannouncementSerializer(decided).data)


class SourceKinds(APIView):
    @extend_schema(
        summary="可声明的随机源类型",
        responses=inline_serializer(
            "SourceKind",
            {
                "kind": serializers.CharField(),
                "label": serializers.CharField(),
                "value": serializers.CharField(),
            },
            many=True,
        ),
    )
    def get(self, request: Request) -> Response:
        acting_user(request)
        return Response(
            [
                {"kind": k.key, "label": k.label, "value": k.value_label}
                for k in drawv2.SOURCE_KINDS.values()
            ]
        )


urlpatterns: list[URLPattern] = [
    path("plans/<id:pk>/announce-v2/", AnnounceV2.as_view(), name="api-inspection-announce-v2"),
    path(
        "plans/<id:pk>/announcements/<id:number>/reveal/",
        WitnessReveal.as_view(),
        name="api-inspection-witness-reveal",
    ),
    path(
        "plans/<id:pk>/reannouncements/",
        ReannouncementList.as_view(),
        name="api-inspection-reannouncements",
    ),
    path(
        "reannouncements/<id:pk>/decide/",
        ReannouncementDecide.as_view(),
        name="api-inspection-reannouncement-decide",
    ),
    path("draw-source-kinds/", SourceKinds.as_view(), name="api-inspection-source-kinds"),
]
