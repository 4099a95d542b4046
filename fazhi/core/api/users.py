"""API: users."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.core import errors, params
from fazhi.core.access import acting_user
from fazhi.core.api._orgadmin import ref, validated
from fazhi.core.audit_events import UserEvents
from fazhi.core.models import (
    Role,
    User,
)
from fazhi.core.pagination import PaginatedView
from fazhi.core.roles import Cap
from fazhi.core.selectors import org as org_selectors
from fazhi.core.selectors import people as people_selectors
from fazhi.core.services import people as people_services


class UserSerializer(serializers.ModelSerializer[User]):
    # may be empty: a read-only model field would lose allow_blank, and the schema the "" choice
    email = serializers.EmailField(read_only=True, allow_blank=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "full_name",
            "email",
            "organisation",
            "department",
            "role",
            "is_active",
            "last_login",
        ]
        read_only_fields = fields


class UserCreateSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150)
    full_name = serializers.CharField(max_length=50)
    email = serializers.EmailField(required=False, default="", allow_blank=True)
    organisation = params.IdField()
    department = params.IdField(required=False, allow_null=True, default=None)
    role = serializers.ChoiceField(choices=Role.choices)
    password = serializers.CharField(write_only=True, style={"input_type": "password"})


class UserUpdateSerializer(serializers.Serializer[Any]):
    full_name = serializers.CharField(max_length=50, required=False)
    email = serializers.EmailField(required=False, allow_blank=True)
    organisation = params.IdField(required=False)
    department = params.IdField(required=False, allow_null=True)
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    is_active = serializers.BooleanField(required=False)


# --- users ---------------------------------------------------------------------------------------


class UserListView(PaginatedView):
    @extend_schema(
        summary="用户列表（系统管理员）",
        parameters=[
            OpenApiParameter("q", str, description="用户名或姓名"),
            params.choice_parameter("role", Role.values),
        ],
        responses=UserSerializer(many=True),
        tags=["用户"],
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request, Cap.ORG_MANAGE, action=UserEvents.USER_LISTED)
        qs = people_selectors.user_list(
            user=user,
            q=request.query_params.get("q") or None,
            role=params.choice(request.query_params, "role", Role.values),
        )
        return self.paginated(qs, UserSerializer)

    @extend_schema(
        summary="新建用户",
        request=UserCreateSerializer,
        responses={201: UserSerializer},
        tags=["用户"],
    )
    def post(self, request: Request) -> Response:
        user = acting_user(request, Cap.ORG_MANAGE, action=UserEvents.USER_CREATED)
        data = validated(UserCreateSerializer, request)
        created = people_services.user_create(
            actor=user,
            username=data["username"],
            full_name=data["full_name"],
            email=data["email"],
            organisation=org_selectors.organisation_get(user=user, pk=data["organisation"]),
            department=ref(org_selectors.department_get, user, data["department"]),
            role=data["role"],
            password=data["password"],
        )
        return Response(UserSerializer(created).data, status=status.HTTP_201_CREATED)


class UserDetailView(APIView):
    @extend_schema(summary="用户详情", responses=UserSerializer, tags=["用户"])
    def get(self, request: Request, pk: int) -> Response:
        user = acting_user(request, Cap.ORG_MANAGE, action=UserEvents.USER_VIEWED)
        return Response(UserSerializer(people_selectors.user_get(user=user, pk=pk)).data)

    @extend_schema(
        summary="修改用户（角色、机构、科室、启停用）",
        request=UserUpdateSerializer,
        responses=UserSerializer,
        tags=["用户"],
    )
    def patch(self, request: Request, pk: int) -> Response:
        user = acting_user(request, Cap.ORG_MANAGE, action=UserEvents.USER_UPDATED)
        target = people_selectors.user_get(user=user, pk=pk)
        data = validated(UserUpdateSerializer, request)
        if "is_active" in data and data["is_active"] != target.is_active and len(data) > 1:
            # two services, two transactions: a failed second step must not leave the first
            raise errors.ValidationFailed(
                "启用或停用账号须单独提交，不能与其他修改一起提交。",
                code="mixed_change",
                field="is_active",
            )
        kwargs: dict[str, Any] = {}
        if "department" in data:
            kwargs["department"] = ref(org_selectors.department_get, user, data["department"])
        target = people_services.user_update(
            actor=user,
            user=target,
            full_name=data.get("full_name"),
            email=data.get("email"),
            role=data.get("role"),
            organisation=ref(org_selectors.organisation_get, user, data.get("organisation")),
            **kwargs,
        )
        if data.get("is_active") is False and target.is_active:
            target = people_services.user_deactivate(actor=user, user=target)
        elif data.get("is_active") is True and not target.is_active:
            target = people_services.user_reactivate(actor=user, user=target)
        return Response(UserSerializer(target).data)


urlpatterns: list[URLPattern] = [
    path("users/", UserListView.as_view(), name="api-user-list"),
    path("users/<id:pk>/", UserDetailView.as_view(), name="api-user-detail"),
]
