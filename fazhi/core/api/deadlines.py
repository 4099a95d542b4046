"""API: rule packs, deadline computation, deadlines (scoped), the holiday calendar.

Reads go through the same selectors as the pages; errors use the one envelope of
``fazhi.core.api_errors`` (unknown_rule 404, calendar_unknown 422, not_found 404).
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.core import errors, params, periods, rules
from fazhi.core.access import acting_user
from fazhi.core.audit_events import DeadlineEvents
from fazhi.core.models import CalendarDay, Deadline, DeadlineExtension, DeadlineStop, User
from fazhi.core.models.deadlines import DeadlineState
from fazhi.core.pagination import PaginatedView
from fazhi.core.roles import Cap
from fazhi.core.selectors import calendar as calendar_selectors
from fazhi.core.selectors import deadlines as deadline_selectors
from fazhi.core.services import calendar as calendar_services
from fazhi.core.services import deadlines as deadline_services


def _province(user: User) -> str | None:
    return user.organisation.province_code() if user.organisation else None


# --- rules ----------------------------------------------------------------------------------


class RuleVersionSerializer(serializers.Serializer[rules.Rule]):
    effective_from = serializers.DateField()
    kind = serializers.CharField(source="value.kind")
    amount = serializers.IntegerField(source="value.amount")
    unit = serializers.CharField(source="value.unit")
    start = serializers.CharField(source="value.start")
    description = serializers.CharField(source="value.describe")
    law = serializers.CharField(source="source.law")
    article = serializers.CharField(source="source.article")
    status = serializers.CharField(source="source.status")
    note = serializers.CharField(source="source.note")
    citation = serializers.CharField()
    pack = serializers.CharField()


class RuleSerializer(serializers.Serializer[rules.RuleDef]):
    key = serializers.CharField()
    title = serializers.CharField()
    versions = RuleVersionSerializer(many=True)


class RuleList(APIView):
    @extend_schema(
        summary="规则包中的规则（按用户所在省份合并覆盖）",
        parameters=[OpenApiParameter("province", str, description="两位省级代码；默认用户所在省")],
        responses=RuleSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        province = request.query_params.get("province") or _province(acting_user(request))
        rows: Any = rules.all_rules(province=province)
        return Response(RuleSerializer(rows, many=True).data)


class RuleDetail(APIView):
    @extend_schema(summary="一条规则及其各版本", responses=RuleSerializer)
    def get(self, request: Request, key: str) -> Response:
        province = request.query_params.get("province") or _province(acting_user(request))
        return Response(RuleSerializer(rules.rule_def(key, province=province)).data)


# --- computation ----------------------------------------------------------------------------


class ComputeIn(serializers.Serializer[Any]):
    rule_key = serializers.CharField(max_length=80)
    start_date = params.DateField()
    province = serializers.RegexField(r"^[1-9][0-9]$", required=False)
    extensions = serializers.ListField(child=serializers.CharField(), required=False)
    trace = serializers.BooleanField(required=False, default=False)


ComputeOut = inline_serializer(
    "DeadlineComputeResult",
    {
        "rule_key": serializers.CharField(),
        "title": serializers.CharField(),
        "start_date": serializers.DateField(),
        "due_date": serializers.DateField(),
        "citation": serializers.CharField(),
        "citations": serializers.ListField(child=serializers.CharField()),
        "status": serializers.CharField(),
        "warnings": serializers.ListField(child=serializers.CharField()),
        "trace": serializers.ListField(child=serializers.CharField()),
    },
)


class Compute(APIView):
    @extend_schema(
        summary="计算届满日期",
        description="未知规则返回404（unknown_rule）；日历未包含所涉年度返回422（calendar_unknown）。",
        request=ComputeIn,
        responses={200: ComputeOut},
    )
    def post(self, request: Request) -> Response:
        data = ComputeIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        province = values.get("province") or _province(acting_user(request))
        due = periods.compute_due(
            values["rule_key"],
            values["start_date"],
            province=province,
            extensions=values.get("extensions", []),
            trace=values["trace"],
        )
        return Response(
            {
                "rule_key": due.rule.key,
                "title": due.rule.title,
                "start_date": due.start.isoformat(),
                "due_date": due.due.isoformat(),
                "citation": due.citation,
                "citations": due.citations,
                "status": due.rule.source.status,
                "warnings": list(due.warnings),
                "trace": list(due.trace),
            }
        )


# --- deadlines ------------------------------------------------------------------------------


class DeadlineSerializer(serializers.ModelSerializer[Deadline]):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    assignee_name = serializers.SerializerMethodField()

    class Meta:
        model = Deadline
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "title",
            "rule_key",
            "start_date",
            "due_date",
            "state",
            "warning",
            "met_on",
            "assignee",
            "assignee_name",
            "created_at",
        ]
        read_only_fields = fields

    def get_assignee_name(self, obj: Deadline) -> str:
        return obj.assignee.display_name if obj.assignee else ""


class DeadlineStopSerializer(serializers.ModelSerializer[DeadlineStop]):
    class Meta:
        model = DeadlineStop
        fields = ["start", "end", "reason"]


class DeadlineExtensionSerializer(serializers.ModelSerializer[DeadlineExtension]):
    approved_by_name = serializers.CharField(source="approved_by.display_name", read_only=True)

    class Meta:
        model = DeadlineExtension
        fields = ["rule_key", "reason", "approved_by", "approved_by_name", "approved_on"]


class DeadlineDetailSerializer(DeadlineSerializer):
    stops = DeadlineStopSerializer(many=True, read_only=True)
    extensions = DeadlineExtensionSerializer(many=True, read_only=True)
    citation = serializers.SerializerMethodField()

    class Meta(DeadlineSerializer.Meta):
        fields = [*DeadlineSerializer.Meta.fields, "citation", "stops", "extensions"]
        read_only_fields = fields

    def get_citation(self, obj: Deadline) -> str:
        try:
            return rules.rule(
                obj.rule_key, on=obj.start_date, province=obj.organisation.province_code()
            ).citation
        except errors.UnknownRule:
            return ""


class DeadlineList(PaginatedView):
    @extend_schema(
        summary="期限列表（按数据范围限定）",
        parameters=[
            params.choice_parameter("state", DeadlineState.values),
            OpenApiParameter("rule_key", str),
            params.id_parameter("organisation"),
            params.id_parameter("assignee"),
            params.date_parameter("due_from"),
            params.date_parameter("due_to"),
        ],
        responses=DeadlineSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        query = request.query_params
        qs = deadline_selectors.deadline_list(
            user=acting_user(request, Cap.DEADLINE_VIEW, action=DeadlineEvents.DEADLINE_LISTED),
            state=params.choice(query, "state", DeadlineState.values),
            rule_key=query.get("rule_key") or None,
            organisation_id=params.object_id(query, "organisation"),
            assignee_id=params.object_id(query, "assignee"),
            due_from=params.date(query, "due_from"),
            due_to=params.date(query, "due_to"),
        )
        return self.paginated(qs, DeadlineSerializer)


class DeadlineDetail(APIView):
    @extend_schema(summary="一条期限（含中止、延长记录和依据）", responses=DeadlineDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        user = acting_user(request, Cap.DEADLINE_VIEW, action=DeadlineEvents.DEADLINE_VIEWED)
        deadline = deadline_selectors.deadline_get(user=user, pk=pk)
        return Response(DeadlineDetailSerializer(deadline).data)


class DeadlineOpenSerializer(serializers.Serializer[Any]):
    organisation = params.IdField()
    title = serializers.CharField(max_length=200)
    rule_key = serializers.CharField(max_length=80, help_text="规则键；由决定确定日期时用 fixed")
    start_date = params.DateField()
    due_date = params.DateField(required=False, help_text="仅 rule_key=fixed 时填写")
    assignee = params.IdField(required=False)


class DeadlineOpen(APIView):
    @extend_schema(
        summary="新建期限（按规则计算，或由决定确定日期）",
        request=DeadlineOpenSerializer,
        responses={201: DeadlineSerializer},
    )
    def post(self, request: Request) -> Response:
        from fazhi.core.selectors import org as org_selectors
        from fazhi.core.selectors import people as people_selectors

        user = acting_user(request, Cap.WRITE, action=DeadlineEvents.DEADLINE_OPENED)
        data = DeadlineOpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        assignee_id = values.get("assignee")
        deadline = deadline_services.deadline_open(
            actor=user,
            organisation=org_selectors.organisation_get(user=user, pk=values["organisation"]),
            title=values["title"],
            rule_key=values["rule_key"],
            start_date=values["start_date"],
            due_date=values.get("due_date"),
            assignee=people_selectors.user_get(user=user, pk=assignee_id) if assignee_id else None,
        )
        return Response(DeadlineSerializer(deadline).data, status=status.HTTP_201_CREATED)


class _OnSerializer(serializers.Serializer[Any]):
    on = params.DateField()


class _StopSerializer(serializers.Serializer[Any]):
    on = params.DateField()
    reason = serializers.CharField(max_length=200)


class _ExtendSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=200)
    approved_on = params.DateField(required=False)


class DeadlineStopView(APIView):
    @extend_schema(summary="中止计时", request=_StopSerializer, responses=DeadlineDetailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request, Cap.DEADLINE_MANAGE, action=DeadlineEvents.DEADLINE_STOPPED)
        deadline = deadline_selectors.deadline_get(user=user, pk=pk)
        data = _StopSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        done = deadline_services.deadline_stop(actor=user, deadline=deadline, **data.validated_data)
        return Response(DeadlineDetailSerializer(done).data)


class DeadlineResumeView(APIView):
    @extend_schema(summary="恢复计时", request=_OnSerializer, responses=DeadlineDetailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request, Cap.DEADLINE_MANAGE, action=DeadlineEvents.DEADLINE_RESUMED)
        deadline = deadline_selectors.deadline_get(user=user, pk=pk)
        data = _OnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        done = deadline_services.deadline_resume(
            actor=user, deadline=deadline, **data.validated_data
        )
        return Response(DeadlineDetailSerializer(done).data)


class DeadlineExtendView(APIView):
    @extend_schema(
        summary="批准延长（须有批准权限）",
        request=_ExtendSerializer,
        responses=DeadlineDetailSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request, Cap.DEADLINE_APPROVE, action=DeadlineEvents.DEADLINE_EXTENDED)
        deadline = deadline_selectors.deadline_get(user=user, pk=pk)
        data = _ExtendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        done = deadline_services.deadline_extend(
            actor=user, deadline=deadline, **data.validated_data
        )
        return Response(DeadlineDetailSerializer(done).data)


class DeadlineCompleteView(APIView):
    @extend_schema(
        summary="办结（按期或逾期）", request=_OnSerializer, responses=DeadlineDetailSerializer
    )
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request, Cap.DEADLINE_MANAGE, action=DeadlineEvents.DEADLINE_COMPLETED)
        deadline = deadline_selectors.deadline_get(user=user, pk=pk)
        data = _OnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        done = deadline_services.deadline_complete(
            actor=user, deadline=deadline, **data.validated_data
        )
        return Response(DeadlineDetailSerializer(done).data)


# --- calendar -------------------------------------------------------------------------------


class CalendarDaySerializer(serializers.ModelSerializer[CalendarDay]):
    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "name"]
        extra_kwargs: dict[str, Any] = {"date": {"validators": []}}


class CalendarDays(APIView):
    @extend_schema(
        summary="节假日与调休上班日",
        parameters=[params.year_parameter()],
        responses=CalendarDaySerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        year = params.year(request.query_params)
        return Response(
            CalendarDaySerializer(calendar_selectors.calendar_day_list(year=year), many=True).data
        )

    @extend_schema(
        summary="新增或修改一天（系统管理员）",
        request=CalendarDaySerializer,
        responses={201: CalendarDaySerializer},
    )
    def post(self, request: Request) -> Response:
        data = CalendarDaySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = calendar_services.calendar_day_set(
            actor=acting_user(request),
            day=data.validated_data["date"],
            kind=data.validated_data["kind"],
            name=data.validated_data.get("name", ""),
        )
        return Response(CalendarDaySerializer(row).data, status=status.HTTP_201_CREATED)


class CalendarDayDetail(APIView):
    @extend_schema(summary="删除一天（系统管理员）", responses={204: None})
    def delete(self, request: Request, day: str) -> Response:
        calendar_services.calendar_day_delete(
            actor=acting_user(request), day=params.to_date(day, "day")
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns: list[URLPattern] = [
    path("rules/", RuleList.as_view(), name="api-rule-list"),
    path("rules/<str:key>/", RuleDetail.as_view(), name="api-rule-detail"),
    path("deadlines/compute/", Compute.as_view(), name="api-deadline-compute"),
    path("deadlines/", DeadlineList.as_view(), name="api-deadline-list"),
    path("deadlines/open/", DeadlineOpen.as_view(), name="api-deadline-open"),
    path("deadlines/<id:pk>/", DeadlineDetail.as_view(), name="api-deadline-detail"),
    path("deadlines/<id:pk>/stop/", DeadlineStopView.as_view(), name="api-deadline-stop"),
    path("deadlines/<id:pk>/resume/", DeadlineResumeView.as_view(), name="api-deadline-resume"),
    path("deadlines/<id:pk>/extend/", DeadlineExtendView.as_view(), name="api-deadline-extend"),
    path(
        "deadlines/<id:pk>/complete/", DeadlineCompleteView.as_view(), name="api-deadline-complete"
    ),
    path("calendar/days/", CalendarDays.as_view(), name="api-calendar-days"),
    path("calendar/days/<str:day>/", CalendarDayDetail.as_view(), name="api-calendar-day"),
]
