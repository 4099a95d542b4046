"""API: the audit chain (read-only, scoped; verification by the root's system administrators).

Reads use the same selectors as the pages; errors use the one envelope of ``api_errors``.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.core import audit_verify, params
from fazhi.core.access import acting_user
from fazhi.core.audit_events import AuditChainEvents
from fazhi.core.models import AuditEvent
from fazhi.core.pagination import PaginatedView
from fazhi.core.roles import Cap
from fazhi.core.scope import require_root_cap
from fazhi.core.selectors import audit as audit_selectors


class AuditEventSerializer(serializers.ModelSerializer[AuditEvent]):
    details = serializers.JSONField(read_only=True)

    class Meta:
        model = AuditEvent
        fields = [
            "seq",
            "created_at",
            "actor",
            "actor_name",
            "organisation",
            "action",
            "object_type",
            "object_id",
            "details",
            "details_json",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields


class AuditFilterSerializer(serializers.Serializer[Any]):
    action = serializers.CharField(required=False, allow_blank=True, max_length=80)
    object_type = serializers.CharField(required=False, allow_blank=True, max_length=80)
    object_id = serializers.CharField(required=False, allow_blank=True, max_length=64)
    actor = serializers.CharField(required=False, allow_blank=True, max_length=150)
    date_from = params.DateField(required=False)
    date_to = params.DateField(required=False)


_FILTERS = [
    OpenApiParameter("action", str, description="动作；以“.”结尾按前缀匹配"),
    OpenApiParameter("object_type", str, description="对象类型，如 core.organisation"),
    OpenApiParameter("object_id", str, description="对象编号"),
    OpenApiParameter("actor", str, description="操作人用户编号，或姓名的一部分"),
    params.date_parameter("date_from", "起始日期（含）"),
    params.date_parameter("date_to", "截止日期（含）"),
]


class AuditEventListView(PaginatedView):
    @extend_schema(
        parameters=_FILTERS,
        responses=AuditEventSerializer(many=True),
        summary="审计事件列表（按数据范围限定，新的在前）",
    )
    def get(self, request: Request) -> Response:
        query = AuditFilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = {k: v for k, v in query.validated_data.items() if v not in ("", None)}
        user = acting_user(request, Cap.AUDIT_VIEW, action=AuditChainEvents.EVENT_LISTED)
        events = audit_selectors.audit_event_list(user=user, **filters)
        return self.paginated(events, AuditEventSerializer)


class AuditEventDetailView(APIView):
    @extend_schema(responses=AuditEventSerializer, summary="一条审计事件")
    def get(self, request: Request, seq: int) -> Response:
        user = acting_user(request, Cap.AUDIT_VIEW, action=AuditChainEvents.EVENT_VIEWED)
        event = audit_selectors.audit_event_get(user=user, seq=seq)
        return Response(AuditEventSerializer(event).data)


VerifySerializer = inline_serializer(
    "AuditVerifyResult",
    {
        "ok": serializers.BooleanField(),
        "count": serializers.IntegerField(),
        "broken_seq": serializers.IntegerField(allow_null=True),
        "reason": serializers.CharField(),
        "summary": serializers.CharField(),
        "files_checked": serializers.IntegerField(allow_null=True),
        "file_problems": serializers.ListField(child=serializers.DictField()),
        "anchor": inline_serializer(
            "AuditAnchorResult",
            {
                "expected": serializers.CharField(),
                "ok": serializers.BooleanField(),
                "seq": serializers.IntegerField(allow_null=True),
                "reason": serializers.CharField(),
            },
            allow_null=True,
        ),
    },
)


class AuditVerifyView(APIView):
    @extend_schema(
        request=inline_serializer(
            "AuditVerifyRequest",
            {
                "files": serializers.BooleanField(required=False, help_text="同时校验附件文件"),
                "expect_head": serializers.CharField(
                    required=False,
                    help_text="此前导出的链头：“序号:哈希”、哈希，或 fazhi audit head 输出的一行；"
                    "链中该序号的事件必须仍是这个哈希",
                ),
            },
        ),
        responses=VerifySerializer,
        summary="重新计算并校验整条审计链（根机构的系统管理员）",
    )
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        # The chain spans every organisation: only the root organisation's administrators may
        # read all of it, a district's administrator may not.
        require_root_cap(
            user,
            Cap.AUDIT_VERIFY,
            action=AuditChainEvents.CHAIN_VERIFIED,
            message="只有根机构的系统管理员可以校验整条审计链。",
        )
        data = request.data if isinstance(request.data, dict) else {}
        files = serializers.BooleanField().run_validation(data.get("files", False))
        expected = data.get("expect_head")
        anchors = [] if expected in (None, "") else [audit_verify.Anchor.parse(str(expected))]
        result = audit_verify.verify(anchors=anchors)
        body: dict[str, Any] = {
            "ok": result.all_ok,
            "count": result.count,
            "broken_seq": result.broken_seq,
            "reason": result.reason,
            "summary": result.summary(),
            "files_checked": None,
            "file_problems": [],
            "anchor": None,
        }
        for anchor in result.anchors:
            body["anchor"] = {
                "expected": str(anchor.anchor),
                "ok": anchor.ok,
                "seq": anchor.seq,
                "reason": anchor.reason,
            }
        if files:
            checked, problems = audit_verify.verify_files()
            body["files_checked"] = checked
            body["file_problems"] = [
                {"attachment_id": p.attachment_id, "filename": p.filename, "reason": p.reason}
                for p in problems
            ]
            body["ok"] = body["ok"] and not problems
        return Response(body)


urlpatterns: list[URLPattern] = [
    path("audit/events/", AuditEventListView.as_view(), name="api-audit-events"),
    path("audit/events/<id:seq>/", AuditEventDetailView.as_view(), name="api-audit-event"),
    path("audit/verify/", AuditVerifyView.as_view(), name="api-audit-verify"),
]
