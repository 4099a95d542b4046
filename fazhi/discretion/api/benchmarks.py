"""API: discretion benchmarks, their items and tiers, and the officer's assistant."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, prefetch_related_objects
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.core import clock, params
from fazhi.core.access import acting_user
from fazhi.core.api.jobs import JobSerializer, accepted
from fazhi.core.pagination import PaginatedView
from fazhi.core.roles import Cap
from fazhi.discretion import jobs as discretion_jobs
from fazhi.discretion.engine import CIRCUMSTANCES
from fazhi.discretion.events import BenchmarkEvent
from fazhi.discretion.models import Benchmark, BenchmarkItem, BenchmarkTier
from fazhi.discretion.selectors import benchmarks as benchmark_selectors
from fazhi.discretion.services import benchmarks as benchmark_services
from fazhi.registry.selectors import entities as entity_selectors

TAGS = ["裁量基准"]


def _money() -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class BenchmarkTierSerializer(serializers.ModelSerializer[BenchmarkTier]):
    fine_min = _money()
    fine_max = _money()
    gains_floor = _money()
    multiple_min = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    multiple_max = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    requires_all = serializers.ListField(child=serializers.CharField())
    requires_any = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = BenchmarkTier
        fields = [
            "tier",
            "conditions",
            "requires_all",
            "requires_any",
            "warning",
            "fine_kind",
            "fine_min",
            "fine_max",
            "multiple_min",
            "multiple_max",
            "gains_floor",
            "confiscation",
            "suspension",
            "revocation",
            "other_measures",
        ]
        read_only_fields = fields


class BenchmarkItemSerializer(serializers.ModelSerializer[BenchmarkItem]):
    tiers = BenchmarkTierSerializer(many=True, read_only=True)

    class Meta:
        model = BenchmarkItem
        fields = [
            "id",
            "code",
            "violation",
            "violated_article",
            "penalty_article",
            "first_violation_list",
            "tiers",
        ]
        read_only_fields = fields


class BenchmarkSerializer(serializers.ModelSerializer[Benchmark]):
    class Meta:
        model = Benchmark
        fields = [
            "id",
            "organisation",
            "title",
            "issuing_body",
            "document_number",
            "effective_from",
            "effective_to",
            "is_sample",
            "sources",
        ]
        read_only_fields = fields


class BenchmarkDetailSerializer(BenchmarkSerializer):
    items = BenchmarkItemSerializer(many=True, read_only=True)

    class Meta(BenchmarkSerializer.Meta):
        fields = [*BenchmarkSerializer.Meta.fields, "items"]
        read_only_fields = fields


class BenchmarkListView(PaginatedView):
    @extend_schema(
        tags=TAGS,
        summary="可查看的裁量基准（本机构、下级及上级机关制定的）",
        parameters=[
            params.date_parameter("in_force_on", "施行于该日的版本"),
            params.bool_parameter("sample", "是否示例数据"),
        ],
        responses=BenchmarkSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request, Cap.DISCRETION_VIEW, action=BenchmarkEvent.LISTED)
        qs = benchmark_selectors.benchmark_list(
            user=user,
            in_force_on=params.date(request.query_params, "in_force_on"),
            sample=params.boolean(request.query_params, "sample"),
        )
        return self.paginated(qs, BenchmarkSerializer)


class BenchmarkDetailView(APIView):
    @extend_schema(
        tags=TAGS, summary="裁量基准及其违法行为和裁量阶次", responses=BenchmarkDetailSerializer
    )
    def get(self, request: Request, benchmark_id: int) -> Response:
        user = acting_user(request, Cap.DISCRETION_VIEW, action=BenchmarkEvent.VIEWED)
        benchmark = benchmark_selectors.benchmark_get(user=user, benchmark_id=benchmark_id)
        prefetch_related_objects(
            [benchmark],
            Prefetch("items", queryset=benchmark_selectors.benchmark_items(benchmark=benchmark)),
        )
        return Response(BenchmarkDetailSerializer(benchmark).data)


class BenchmarkExportView(APIView):
    @extend_schema(
        tags=TAGS,
        summary="导出裁量基准（后台生成 .xlsx，格式同导入模板）",
        request=None,
        responses={202: JobSerializer},
    )
    def post(self, request: Request, benchmark_id: int) -> Response:
        user = acting_user(request, Cap.DISCRETION_VIEW, action=BenchmarkEvent.EXPORTED)
        return accepted(
            discretion_jobs.benchmark_export_enqueue(actor=user, benchmark_id=benchmark_id)
        )


class DiscretionProposeSerializer(serializers.Serializer[Any]):
    circumstances = serializers.ListField(
        child=serializers.ChoiceField(choices=list(CIRCUMSTANCES)),
        max_length=len(CIRCUMSTANCES),
        required=False,
        default=list,
        help_text="违法情节代码",
    )
    illegal_gains = serializers.CharField(
        max_length=20, required=False, allow_blank=True, help_text='违法所得（元），如 "8000.00"'
    )
    amount = serializers.CharField(
        max_length=20, required=False, allow_blank=True, help_text="拟罚款金额（元）"
    )
    entity = params.IdField(required=False, help_text="当事人（核对违法记录）")
    on = params.DateField(required=False, help_text="核对违法记录的截止日期（默认今天）")


class DiscretionRangeSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    minimum = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    maximum = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    base = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    known = serializers.BooleanField()
    text = serializers.CharField()


class DiscretionCheckSerializer(serializers.Serializer[Any]):
    outside = serializers.BooleanField()
    reason_required = serializers.BooleanField()
    legal_review_required = serializers.BooleanField()
    message = serializers.CharField()


class DiscretionProposalSerializer(serializers.Serializer[Any]):
    item = serializers.IntegerField()
    tier = serializers.CharField()
    tier_label = serializers.CharField()
    range = DiscretionRangeSerializer()
    measures = serializers.ListField(child=serializers.CharField())
    reasons = serializers.ListField(child=serializers.CharField())
    circumstances = serializers.ListField(child=serializers.CharField())
    history_checked = serializers.BooleanField()
    check = DiscretionCheckSerializer(allow_null=True)


class ProposeView(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        tags=TAGS,
        summary="裁量辅助：按违法情节计算裁量阶次、罚款幅度和理由",
        description="不写入任何数据。给出 amount 时说明拟罚款是否超出幅度"
        "（超出须书面说明理由并法制审核）。",
        request=DiscretionProposeSerializer,
        responses=DiscretionProposalSerializer,
    )
    def post(self, request: Request, item_id: int) -> Response:
        user = acting_user(request, Cap.DISCRETION_VIEW, action=BenchmarkEvent.PROPOSED)
        item = benchmark_selectors.benchmark_item_get(user=user, item_id=item_id)
        body = DiscretionProposeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        entity = None
        if data.get("entity"):
            entity = entity_selectors.entity_get(user=user, entity_id=data["entity"])
        answer = benchmark_services.discretion_propose(
            actor=user,
            item=item,
            circumstances=data.get("circumstances", []),
            illegal_gains=data.get("illegal_gains"),
            amount=data.get("amount"),
            entity=entity,
            on=data.get("on") or clock.today(),
        )
        proposal = answer.proposal
        span = proposal.range
        check = answer.check
        return Response(
            DiscretionProposalSerializer(
                {
                    "item": item.pk,
                    "tier": proposal.tier.tier,
                    "tier_label": proposal.tier_label,
                    "range": {
                        "kind": span.kind,
                        "minimum": span.minimum,
                        "maximum": span.maximum,
                        "base": span.base,
                        "known": span.known,
                        "text": span.text(),
                    },
                    "measures": proposal.measures,
                    "reasons": proposal.reasons,
                    "circumstances": proposal.circumstances,
                    "history_checked": answer.history_checked,
                    "check": None
                    if check is None
                    else {
                        "outside": check.outside,
                        "reason_required": check.reason_required,
                        "legal_review_required": check.legal_review_required,
                        "message": check.message,
                    },
                }
            ).data
        )


urlpatterns = [
    path("benchmarks/", BenchmarkListView.as_view(), name="discretion-benchmarks"),
    path(
        "benchmarks/<id:benchmark_id>/",
        BenchmarkDetailView.as_view(),
        name="discretion-benchmark",
    ),
    path(
        "benchmarks/<id:benchmark_id>/export/",
        BenchmarkExportView.as_view(),
        name="discretion-benchmark-export",
    ),
    path("items/<id:item_id>/propose/", ProposeView.as_view(), name="discretion-item-propose"),
]
