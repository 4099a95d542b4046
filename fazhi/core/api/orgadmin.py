"""API: organisations, users (system admins), officers and credentials.

Reads go through the same scoped selectors as the pages; writes call the same services. An id
outside the caller's scope is a 404 with the common error envelope.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Model
from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.core import errors, params, selectors, services
from fazhi.core.models import (
    Credential,
    Officer,
    Organisation,
    OrganisationKind,
    OrganisationLevel,
    Role,
    User,
)
from fazhi.core.models.org import CredentialStatus
from fazhi.core.pagination import PaginatedView
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap

M = TypeVar("M", bound=Model)

# --- serializers ---------------------------------------------------------------------------------


class OrganisationSerializer(serializers.ModelSerializer[Organisation]):
    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "level",
            "division_code",
            "parent",
            "path",
            "is_active",
        ]
        read_only_fields = fields


class OrganisationCreateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100)
    short_name = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    kind = serializers.ChoiceField(choices=OrganisationKind.choices)
    level = serializers.ChoiceField(choices=OrganisationLevel.choices)
    division_code = serializers.CharField(max_length=6)
    parent = params.IdField(help_text="上级卫生健康委的 id")  # type: ignore[assignment]


class OrganisationUpdateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100, required=False)
    short_name = serializers.CharField(max_length=20, required=False, allow_blank=True)
    division_code = serializers.CharField(max_length=6, required=False)
    parent = params.IdField(required=False, help_text="移动到该上级机构之下")  # type: ignore[assignment]


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


class CredentialSerializer(serializers.ModelSerializer[Credential]):
    class Meta:
        model = Credential
        fields = [
            "id",
            "officer",
            "number",
            "issued_on",
            "expires_on",
            "issuing_authority",
            "status",
            "status_reason",
            "status_changed_on",
        ]
        read_only_fields = fields


class CredentialCreateSerializer(serializers.Serializer[Any]):
    officer = params.IdField()
    number = serializers.CharField(max_length=40)
    issued_on = params.DateField()
    expires_on = params.DateField()
    issuing_authority = serializers.CharField(
        max_length=100, required=False, default="", allow_blank=True
    )


class CredentialStatusSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=CredentialStatus.choices)
    reason = serializers.CharField(max_length=200)


class OfficerSerializer(serializers.ModelSerializer[Officer]):
    credentials = CredentialSerializer(many=True, read_only=True)

    class Meta:
        model = Officer
        fields = [
            "id",
            "name",
            "organisation",
            "department",
            "user",
            "title",
            "phone",
            "has_legal_qualification",
            "is_active",
            "credentials",
        ]
        read_only_fields = fields


class OfficerCreateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=50)
    organisation = params.IdField()
    department = params.IdField(required=False, allow_null=True, default=None)
    user = params.IdField(required=False, allow_null=True, default=None)
    title = serializers.CharField(max_length=50, required=False, default="", allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, default="", allow_blank=True)
    has_legal_qualification = serializers.BooleanField(required=False, default=False)


class OfficerUpdateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=50, required=False)
    department = params.IdField(required=False, allow_null=True)
    user = params.IdField(required=False, allow_null=True)
    title = serializers.CharField(max_length=50, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    has_legal_qualification = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)


# --- helpers -------------------------------------------------------------------------------------


def _actor(request: Request, cap: Cap) -> User:
    user = request.user
    if not isinstance(user, User) or not has_cap(user, cap):
        raise errors.PermissionDenied(attempted=str(cap))
    return user


def _valid(serializer_class: type[serializers.Serializer[Any]], request: Request) -> Any:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _ref(getter: Callable[..., M], user: User, pk: int | None) -> M | None:
    return None if pk is None else getter(user=user, pk=pk)


# An officer's credentials expiring within ten years covers every useful question.
EXPIRING_WITHIN_MAX = 3650

# --- organisations -------------------------------------------------------------------------------


class OrganisationListView(PaginatedView):
    @extend_schema(
        summary="机构列表（按数据范围）",
        responses=OrganisationSerializer(many=True),
        tags=["组织机构"],
    )
    def get(self, request: Request) -> Response:
        user = _actor(request, Cap.ORG_VIEW)
        return self.paginated(selectors.organisation_list(user=user), OrganisationSerializer)

    @extend_schema(
        summary="新建机构",
        request=OrganisationCreateSerializer,
        responses={201: OrganisationSerializer},
        tags=["组织机构"],
    )
    def post(self, request: Request) -> Response:
        user = _actor(request, Cap.ORG_MANAGE)
        data = _valid(OrganisationCreateSerializer, request)
        org = services.organisation_create(
            actor=user,
            name=data["name"],
            short_name=data["short_name"],
            kind=data["kind"],
            level=data["level"],
            division_code=data["division_code"],
            parent=selectors.organisation_get(user=user, pk=data["parent"]),
        )
        return Response(OrganisationSerializer(org).data, status=status.HTTP_201_CREATED)


class OrganisationDetailView(APIView):
    @extend_schema(summary="机构详情", responses=OrganisationSerializer, tags=["组织机构"])
    def get(self, request: Request, pk: int) -> Response:
        user = _actor(request, Cap.ORG_VIEW)
        return Response(OrganisationSerializer(selectors.organisation_get(user=user, pk=pk)).data)

    @extend_schema(
        summary="修改或移动机构",
        request=OrganisationUpdateSerializer,
        responses=OrganisationSerializer,
        tags=["组织机构"],
    )
    def patch(self, request: Request, pk: int) -> Response:
        user = _actor(request, Cap.ORG_MANAGE)
        org = selectors.organisation_get(user=user, pk=pk)
        data = _valid(OrganisationUpdateSerializer, request)
        moving = "parent" in data and data["parent"] != org.parent_id
        if moving and any(k in data and data[k] != getattr(org, k) for k in ("name", "short_name")):
            # two services, two transactions: a failed move must not leave a committed rename
            raise errors.ValidationFailed(
                "移动机构与更名须分别提交。", code="mixed_change", field="parent"
            )
        org = services.organisation_update(
            actor=user,
            organisation=org,
            name=data.get("name"),
            short_name=data.get("short_name"),
            division_code=None if moving else data.get("division_code"),
        )
        if moving:
            new_parent = selectors.organisation_get(user=user, pk=data["parent"])
            org = services.organisation_move(
                actor=user,
                organisation=org,
                new_parent=new_parent,
                division_code=data.get("division_code"),
            )
        return Response(OrganisationSerializer(org).data)


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
        user = _actor(request, Cap.ORG_MANAGE)
        qs = selectors.user_list(
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
        user = _actor(request, Cap.ORG_MANAGE)
        data = _valid(UserCreateSerializer, request)
        created = services.user_create(
            actor=user,
            username=data["username"],
            full_name=data["full_name"],
            email=data["email"],
            organisation=selectors.organisation_get(user=user, pk=data["organisation"]),
            department=_ref(selectors.department_get, user, data["department"]),
            role=data["role"],
            password=data["password"],
        )
        return Response(UserSerializer(created).data, status=status.HTTP_201_CREATED)


class UserDetailView(APIView):
    @extend_schema(summary="用户详情", responses=UserSerializer, tags=["用户"])
    def get(self, request: Request, pk: int) -> Response:
        user = _actor(request, Cap.ORG_MANAGE)
        return Response(UserSerializer(selectors.user_get(user=user, pk=pk)).data)

    @extend_schema(
        summary="修改用户（角色、机构、科室、启停用）",
        request=UserUpdateSerializer,
        responses=UserSerializer,
        tags=["用户"],
    )
    def patch(self, request: Request, pk: int) -> Response:
        user = _actor(request, Cap.ORG_MANAGE)
        target = selectors.user_get(user=user, pk=pk)
        data = _valid(UserUpdateSerializer, request)
        if "is_active" in data and data["is_active"] != target.is_active and len(data) > 1:
            # two services, two transactions: a failed second step must not leave the first
            raise errors.ValidationFailed(
                "启用或停用账号须单独提交，不能与其他修改一起提交。",
                code="mixed_change",
                field="is_active",
            )
        kwargs: dict[str, Any] = {}
        if "department" in data:
            kwargs["department"] = _ref(selectors.department_get, user, data["department"])
        target = services.user_update(
            actor=user,
            user=target,
            full_name=data.get("full_name"),
            email=data.get("email"),
            role=data.get("role"),
            organisation=_ref(selectors.organisation_get, user, data.get("organisation")),
            **kwargs,
        )
        if data.get("is_active") is False and target.is_active:
            target = services.user_deactivate(actor=user, user=target)
        elif data.get("is_active") is True and not target.is_active:
            target = services.user_reactivate(actor=user, user=target)
        return Response(UserSerializer(target).data)


# --- officers ------------------------------------------------------------------------------------


class OfficerListView(PaginatedView):
    @extend_schema(
        summary="执法人员列表（含执法证）",
        parameters=[OpenApiParameter("q", str, description="姓名或证件编号")],
        responses=OfficerSerializer(many=True),
        tags=["执法人员"],
    )
    def get(self, request: Request) -> Response:
        user = _actor(request, Cap.ORG_VIEW)
        qs = selectors.officer_list(user=user, q=request.query_params.get("q") or None)
        return self.paginated(qs, OfficerSerializer)

    @extend_schema(
        summary="登记执法人员",
        request=OfficerCreateSerializer,
        responses={201: OfficerSerializer},
        tags=["执法人员"],
    )
    def post(self, request: Request) -> Response:
        user = _actor(request, Cap.ORG_MANAGE)
        data = _valid(OfficerCreateSerializer, request)
        officer = services.officer_create(
            actor=user,
            organisation=selectors.organisation_get(user=user, pk=data["organisation"]),
            name=data["name"],
            department=_ref(selectors.department_get, user, data["department"]),
            user=_ref(selectors.user_get, user, data["user"]),
            title=data["title"],
            phone=data["phone"],
            has_legal_qualification=data["has_legal_qualification"],
        )
        return Response(OfficerSerializer(officer).data, status=status.HTTP_201_CREATED)


class OfficerDetailView(APIView):
    @extend_schema(summary="执法人员详情", responses=OfficerSerializer, tags=["执法人员"])
    def get(self, request: Request, pk: int) -> Response:
        user = _actor(request, Cap.ORG_VIEW)
        return Response(OfficerSerializer(selectors.officer_get(user=user, pk=pk)).data)

    @extend_schema(
        summary="修改执法人员",
        request=OfficerUpdateSerializer,
        responses=OfficerSerializer,
        tags=["执法人员"],
    )
    def patch(self, request: Request, pk: int) -> Response:
        user = _actor(request, Cap.ORG_MANAGE)
        officer = selectors.officer_get(user=user, pk=pk)
        data = _valid(OfficerUpdateSerializer, request)
        kwargs: dict[str, Any] = {}
        if "department" in data:
            kwargs["department"] = _ref(selectors.department_get, user, data["department"])
        if "user" in data:
            kwargs["user"] = _ref(selectors.user_get, user, data["user"])
        services.officer_update(
            actor=user,
            officer=officer,
            name=data.get("name"),
            title=data.get("title"),
            phone=data.get("phone"),
            has_legal_qualification=data.get("has_legal_qualification"),
            is_active=data.get("is_active"),
            **kwargs,
        )
        return Response(OfficerSerializer(selectors.officer_get(user=user, pk=pk)).data)


# --- credentials ---------------------------------------------------------------------------------


class CredentialListView(PaginatedView):
    @extend_schema(
        summary="执法证列表",
        parameters=[
            params.choice_parameter("status", CredentialStatus.values),
            OpenApiParameter(
                "expiring_within",
                {"type": "integer", "minimum": 0, "maximum": EXPIRING_WITHIN_MAX},
                description="只列出该天数内到期的有效执法证",
            ),
        ],
        responses=CredentialSerializer(many=True),
        tags=["执法人员"],
    )
    def get(self, request: Request) -> Response:
        user = _actor(request, Cap.ORG_VIEW)
        query = request.query_params
        within = params.integer(query, "expiring_within", maximum=EXPIRING_WITHIN_MAX)
        if within is not None:
            qs = selectors.credentials_expiring(user=user, within_days=within)
        else:
            qs = selectors.credential_list(
                user=user, status=params.choice(query, "status", CredentialStatus.values)
            )
        return self.paginated(qs, CredentialSerializer)

    @extend_schema(
        summary="登记执法证",
        request=CredentialCreateSerializer,
        responses={201: CredentialSerializer},
        tags=["执法人员"],
    )
    def post(self, request: Request) -> Response:
        user = _actor(request, Cap.ORG_MANAGE)
        data = _valid(CredentialCreateSerializer, request)
        credential = services.credential_issue(
            actor=user,
            officer=selectors.officer_get(user=user, pk=data["officer"]),
            number=data["number"],
            issued_on=data["issued_on"],
            expires_on=data["expires_on"],
            issuing_authority=data["issuing_authority"],
        )
        return Response(CredentialSerializer(credential).data, status=status.HTTP_201_CREATED)


class CredentialDetailView(APIView):
    @extend_schema(summary="执法证详情", responses=CredentialSerializer, tags=["执法人员"])
    def get(self, request: Request, pk: int) -> Response:
        user = _actor(request, Cap.ORG_VIEW)
        return Response(CredentialSerializer(selectors.credential_get(user=user, pk=pk)).data)


class CredentialStatusView(APIView):
    @extend_schema(
        summary="暂扣、注销或恢复执法证",
        request=CredentialStatusSerializer,
        responses=CredentialSerializer,
        tags=["执法人员"],
    )
    def post(self, request: Request, pk: int) -> Response:
        user = _actor(request, Cap.ORG_MANAGE)
        credential = selectors.credential_get(user=user, pk=pk)
        data = _valid(CredentialStatusSerializer, request)
        credential = services.credential_update_status(
            actor=user, credential=credential, status=data["status"], reason=data["reason"]
        )
        return Response(CredentialSerializer(credential).data)


urlpatterns: list[URLPattern] = [
    path("organisations/", OrganisationListView.as_view(), name="api-organisation-list"),
    path(
        "organisations/<id:pk>/", OrganisationDetailView.as_view(), name="api-organisation-detail"
    ),
    path("users/", UserListView.as_view(), name="api-user-list"),
    path("users/<id:pk>/", UserDetailView.as_view(), name="api-user-detail"),
    path("officers/", OfficerListView.as_view(), name="api-officer-list"),
    path("officers/<id:pk>/", OfficerDetailView.as_view(), name="api-officer-detail"),
    path("credentials/", CredentialListView.as_view(), name="api-credential-list"),
    path("credentials/<id:pk>/", CredentialDetailView.as_view(), name="api-credential-detail"),
    path(
        "credentials/<id:pk>/status/",
        CredentialStatusView.as_view(),
        name="api-credential-status",
    ),
]
