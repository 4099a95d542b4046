"""API: inspection tasks and their results. Same selectors and services as the pages."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.core import errors, params
from fazhi.core.access import acting_user
from fazhi.core.api.jobs import JobSerializer, accepted
from fazhi.core.pagination import PaginatedView
from fazhi.core.roles import Cap
from fazhi.inspections import jobs as inspection_jobs
from fazhi.inspections.events import TaskEvents
from fazhi.inspections.models import (
    FindingResult,
    InspectionTask,
    OutcomeReason,
    TaskFinding,
    TaskInspector,
    TaskOutcome,
    TaskPhoto,
    TaskState,
)
from fazhi.inspections.selectors import tasks as task_selectors
from fazhi.inspections.services import publicity as publicity_services
from fazhi.inspections.services import tasks as task_services
from fazhi.inspections.services import teams as team_services


class TaskInspectorSerializer(serializers.ModelSerializer[TaskInspector]):
    name = serializers.CharField(source="officer.name", read_only=True)

    class Meta:
        model = TaskInspector
        fields = ["officer", "name", "role"]
        read_only_fields = fields


class FindingSerializer(serializers.ModelSerializer[TaskFinding]):
    item_code = serializers.CharField(source="item.code", read_only=True)

    class Meta:
        model = TaskFinding
        fields = ["id", "item", "item_code", "result", "note"]
        read_only_fields = fields


class PhotoSerializer(serializers.ModelSerializer[TaskPhoto]):
    sha256 = serializers.CharField(source="attachment.sha256", read_only=True)
    filename = serializers.CharField(source="attachment.filename", read_only=True)

    class Meta:
        model = TaskPhoto
        fields = ["id", "attachment", "sha256", "filename", "caption"]
        read_only_fields = fields


class TaskSerializer(serializers.ModelSerializer[InspectionTask]):
    entity_name = serializers.CharField(source="entity.name", read_only=True)
    category = serializers.CharField(source="category.code", read_only=True, default=None)
    plan_title = serializers.CharField(source="plan.title", read_only=True)
    inspectors = TaskInspectorSerializer(source="task_inspectors", many=True, read_only=True)
    # "" until the task is finished; a read-only model field would lose the blank choice
    outcome = serializers.ChoiceField(TaskOutcome.choices, allow_blank=True, read_only=True)
    outcome_reason = serializers.ChoiceField(
        OutcomeReason.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = InspectionTask
        fields = [
            "id",
            "number",
            "plan",
            "plan_title",
            "organisation",
            "entity",
            "entity_name",
            "category",
            "state",
            "outcome",
            "outcome_reason",
            "recheck_date",
            "rechecked_on",
            "recheck_passed",
            "notes",
            "completed_at",
            "published_at",
            "inspectors",
        ]
        read_only_fields = fields


class TaskDetailSerializer(TaskSerializer):
    findings = FindingSerializer(many=True, read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)

    class Meta(TaskSerializer.Meta):
        fields = [*TaskSerializer.Meta.fields, "findings", "photos"]
        read_only_fields = fields


class FindingWriteSerializer(serializers.Serializer[Any]):
    item = params.IdField()
    result = serializers.ChoiceField(choices=FindingResult.choices)
    note = serializers.CharField(allow_blank=True, required=False, default="")


class PhotoWriteSerializer(serializers.Serializer[Any]):
    photo = serializers.FileField()
    caption = serializers.CharField(allow_blank=True, required=False, default="")


class CompleteSerializer(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(choices=TaskOutcome.choices)
    notes = serializers.CharField(allow_blank=True, required=False, default="")
    recheck_date = params.DateField(required=False, allow_null=True, default=None)
    facts = serializers.CharField(allow_blank=True, required=False, default="")
    reason = serializers.ChoiceField(
        choices=[("", ""), *OutcomeReason.choices], required=False, default=""
    )


class RecheckSerializer(serializers.Serializer[Any]):
    on = params.DateField()
    passed = serializers.BooleanField()
    notes = serializers.CharField(allow_blank=True, required=False, default="")
    facts = serializers.CharField(allow_blank=True, required=False, default="")


def _detail(user: Any, pk: int) -> Response:
    return Response(TaskDetailSerializer(task_selectors.task_get(user=user, pk=pk)).data)


class TaskListView(PaginatedView):
    @extend_schema(
        summary="抽查任务",
        parameters=[
            params.bool_parameter("mine", "只看分派给我的任务"),
            params.choice_parameter("state", TaskState.values),
            params.choice_parameter("outcome", TaskOutcome.values),
            params.id_parameter("plan"),
            params.year_parameter(),
            OpenApiParameter("category", str, description="专业类别代码"),
            params.bool_parameter("finished"),
            params.bool_parameter("problems"),
            params.bool_parameter("referred"),
            params.bool_parameter("case_filed"),
            params.bool_parameter("joint"),
        ],
        responses=TaskSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        query = request.query_params

        def flag(name: str) -> bool:
            return bool(params.boolean(query, name))

        qs = task_selectors.task_list(
            user=acting_user(request),
            mine=flag("mine"),
            state=params.choice(query, "state", TaskState.values),
            outcome=params.choice(query, "outcome", TaskOutcome.values),
            plan_id=params.object_id(query, "plan"),
            year=params.year(query),
            category=query.get("category") or None,
            finished=flag("finished"),
            problems=flag("problems"),
            referred=flag("referred"),
            case_filed=flag("case_filed"),
            joint=flag("joint"),
        )
        return self.paginated(qs, TaskSerializer)


class TaskDetailView(APIView):
    @extend_schema(summary="抽查任务详情", responses=TaskDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return _detail(acting_user(request), pk)


class TaskStartView(APIView):
    @extend_schema(summary="开始检查", request=None, responses=TaskDetailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request, Cap.INSPECTION_RECORD, action=TaskEvents.STARTED)
        task_services.task_start(actor=user, task=task_selectors.task_get(user=user, pk=pk))
        return _detail(user, pk)


class TaskFindingView(APIView):
    @extend_schema(
        summary="录入一项检查结论", request=FindingWriteSerializer, responses=TaskDetailSerializer
    )
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request, Cap.INSPECTION_RECORD, action=TaskEvents.FINDING_RECORDED)
        task = task_selectors.task_get(user=user, pk=pk)
        data = FindingWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        item = next((i for i in task_services.task_items(task) if i.pk == values["item"]), None)
        if item is None:
            raise errors.ValidationFailed("该事项不属于本任务的检查事项。", code="item_not_in_task")
        task_services.task_record_finding(
            actor=user, task=task, item=item, result=values["result"], note=values["note"]
        )
        return _detail(user, pk)


class TaskPhotoView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="上传现场照片（哈希登记）",
        request={"multipart/form-data": PhotoWriteSerializer},
        responses={201: PhotoSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request, Cap.INSPECTION_RECORD, action=TaskEvents.PHOTO_ATTACHED)
        task = task_selectors.task_get(user=user, pk=pk)
        data = PhotoWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["photo"]
        photo = task_services.task_attach_photo(
            actor=user,
            task=task,
            file=upload,
            filename=upload.name or "photo.jpg",
            content_type=getattr(upload, "content_type", "") or "",
            caption=data.validated_data["caption"],
        )
        return Response(PhotoSerializer(photo).data, status=status.HTTP_201_CREATED)


class TaskCompleteView(APIView):
    @extend_schema(
        summary="提交检查结果", request=CompleteSerializer, responses=TaskDetailSerializer
    )
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request, Cap.INSPECTION_RECORD, action=TaskEvents.COMPLETED)
        task = task_selectors.task_get(user=user, pk=pk)
        data = CompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task_services.task_complete(actor=user, task=task, **data.validated_data)
        return _detail(user, pk)


class TaskRecheckView(APIView):
    @extend_schema(
        summary="登记复查结果", request=RecheckSerializer, responses=TaskDetailSerializer
    )
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request, Cap.INSPECTION_RECORD, action=TaskEvents.RECHECKED)
        task = task_selectors.task_get(user=user, pk=pk)
        data = RecheckSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task_services.task_recheck(actor=user, task=task, **data.validated_data)
        return _detail(user, pk)


class TaskPublishView(APIView):
    @extend_schema(summary="公示检查结果", request=None, responses=TaskDetailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request, Cap.INSPECTION_PLAN, action=TaskEvents.PUBLISHED)
        publicity_services.task_publish(actor=user, task=task_selectors.task_get(user=user, pk=pk))
        return _detail(user, pk)


class TeamWriteSerializer(serializers.Serializer[Any]):
    officers = serializers.ListField(
        child=params.IdField(), min_length=1, help_text="执法人员编号，第一位为主检"
    )
    on = params.DateField(required=False)


class TaskTeamView(APIView):
    @extend_schema(
        summary="确定检查组（上级下达、未经抽取的任务）",
        request=TeamWriteSerializer,
        responses=TaskDetailSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request, Cap.INSPECTION_PLAN, action=TaskEvents.TEAM_ASSIGNED)
        task = task_selectors.task_get(user=user, pk=pk)
        data = TeamWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        team_services.task_assign_inspectors(
            actor=user,
            task=task,
            officer_ids=data.validated_data["officers"],
            on=data.validated_data.get("on"),
        )
        return _detail(user, pk)


class PlanPublishView(APIView):
    @extend_schema(
        summary="公示计划全部已完成任务的结果（后台任务）",
        description="返回202和后台任务（GET /api/jobs/<id>/ 查看进度），完成后 result.summary "
        "说明公示了多少项。",
        request=None,
        responses={202: JobSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        from fazhi.inspections.selectors.plans import plan_get

        user = acting_user(request, Cap.INSPECTION_PLAN, action=TaskEvents.PUBLISHED)
        plan = plan_get(user=user, pk=pk)
        return accepted(inspection_jobs.plan_publish_results_enqueue(actor=user, plan=plan))


urlpatterns: list[URLPattern] = [
    path("tasks/publish-plan/<id:pk>/", PlanPublishView.as_view(), name="api-task-plan-publish"),
    path("tasks/", TaskListView.as_view(), name="api-task-list"),
    path("tasks/<id:pk>/", TaskDetailView.as_view(), name="api-task-detail"),
    path("tasks/<id:pk>/start/", TaskStartView.as_view(), name="api-task-start"),
    path("tasks/<id:pk>/findings/", TaskFindingView.as_view(), name="api-task-finding"),
    path("tasks/<id:pk>/photos/", TaskPhotoView.as_view(), name="api-task-photo"),
    path("tasks/<id:pk>/complete/", TaskCompleteView.as_view(), name="api-task-complete"),
    path("tasks/<id:pk>/recheck/", TaskRecheckView.as_view(), name="api-task-recheck"),
    path("tasks/<id:pk>/publish/", TaskPublishView.as_view(), name="api-task-publish"),
    path("tasks/<id:pk>/team/", TaskTeamView.as_view(), name="api-task-team"),
]
