"""API: officers and their credentials."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.core import params
from fazhi.core.access import acting_user
from fazhi.core.api._orgadmin import ref, validated
from fazhi.core.audit_events import OfficerEvents
from fazhi.core.models import (
    Credential,
    Officer,
)
from fazhi.core.models.org import CredentialState
from fazhi.core.pagination import PaginatedView
from fazhi.core.roles import Cap
from fazhi.core.selectors import org as org_selectors
from fazhi.core.selectors import people as people_selectors
from fazhi.core.services import people as people_services
from fazhi.core.workflows import CREDENTIAL


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
            "state",
            "state_reason",
            "state_changed_on",
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


class CredentialReasonSerializer(serializers.Serializer[Any]):
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


# An officer's credentials expiring within ten years covers every useful question.
EXPIRING_WITHIN_MAX = 3650


# --- officers ------------------------------------------------------------------------------------


class OfficerListView(PaginatedView):
    @extend_schema(
        summary="执法人员列表（含执法证）",
        parameters=[OpenApiParameter("q", str, description="姓名或证件编号")],
        responses=OfficerSerializer(many=True),
        tags=["执法人员"],
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request, Cap.ORG_VIEW, action=OfficerEvents.OFFICER_LISTED)
        qs = people_selectors.officer_list(user=user, q=request.query_params.get("q") or None)
        return self.paginated(qs, OfficerSerializer)

    @extend_schema(
        summary="登记执法人员",
        request=OfficerCreateSerializer,
        responses={201: OfficerSerializer},
        tags=["执法人员"],
    )
    def post(self, request: Request) -> Response:
        user = acting_user(request, Cap.ORG_MANAGE, action=OfficerEvents.OFFICER_CREATED)
        data = validated(OfficerCreateSerializer, request)
        officer = people_services.officer_create(
            actor=user,
            organisation=org_selectors.organisation_get(user=user, pk=data["organisation"]),
            name=data["name"],
            department=ref(org_selectors.department_get, user, data["department"]),
            user=ref(people_selectors.user_get, user, data["user"]),
            title=data["title"],
            phone=data["phone"],
            has_legal_qualification=data["has_legal_qualification"],
        )
        return Response(OfficerSerializer(officer).data, status=status.HTTP_201_CREATED)


class OfficerDetailView(APIView):
    @extend_schema(summary="执法人员详情", responses=OfficerSerializer, tags=["执法人员"])
    def get(self, request: Request, pk: int) -> Response:
        user = acting_user(request, Cap.ORG_VIEW, action=OfficerEvents.OFFICER_VIEWED)
        return Response(OfficerSerializer(people_selectors.officer_get(user=user, pk=pk)).data)

    @extend_schema(
        summary="修改执法人员",
        request=OfficerUpdateSerializer,
        responses=OfficerSerializer,
        tags=["执法人员"],
    )
    def patch(self, request: Request, pk: int) -> Response:
        user = acting_user(request, Cap.ORG_MANAGE, action=OfficerEvents.OFFICER_UPDATED)
        officer = people_selectors.officer_get(user=user, pk=pk)
        data = validated(OfficerUpdateSerializer, request)
        kwargs: dict[str, Any] = {}
        if "department" in data:
            kwargs["department"] = ref(org_selectors.department_get, user, data["department"])
        if "user" in data:
            kwargs["user"] = ref(people_selectors.user_get, user, data["user"])
        people_services.officer_update(
            actor=user,
            officer=officer,
            name=data.get("name"),
            title=data.get("title"),
            phone=data.get("phone"),
            has_legal_qualification=data.get("has_legal_qualification"),
            is_active=data.get("is_active"),
            **kwargs,
        )
        return Response(OfficerSerializer(people_selectors.officer_get(user=user, pk=pk)).data)


# --- credentials ---------------------------------------------------------------------------------


class CredentialListView(PaginatedView):
    @extend_schema(
        summary="执法证列表",
        parameters=[
            params.choice_parameter("state", CredentialState.values),
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
        user = acting_user(request, Cap.ORG_VIEW, action=OfficerEvents.CREDENTIAL_LISTED)
        query = request.query_params
        within = params.integer(query, "expiring_within", maximum=EXPIRING_WITHIN_MAX)
        if within is not None:
            qs = people_selectors.credentials_expiring(user=user, within_days=within)
        else:
            qs = people_selectors.credential_list(
                user=user, state=params.choice(query, "state", CredentialState.values)
            )
        return self.paginated(qs, CredentialSerializer)

    @extend_schema(
        summary="登记执法证",
        request=CredentialCreateSerializer,
        responses={201: CredentialSerializer},
        tags=["执法人员"],
    )
    def post(self, request: Request) -> Response:
        user = acting_user(request, Cap.ORG_MANAGE, action=OfficerEvents.CREDENTIAL_ISSUED)
        data = validated(CredentialCreateSerializer, request)
        credential = people_services.credential_issue(
            actor=user,
            officer=people_selectors.officer_get(user=user, pk=data["officer"]),
            number=data["number"],
            issued_on=data["issued_on"],
            expires_on=data["expires_on"],
            issuing_authority=data["issuing_authority"],
        )
        return Response(CredentialSerializer(credential).data, status=status.HTTP_201_CREATED)


class CredentialDetailView(APIView):
    @extend_schema(summary="执法证详情", responses=CredentialSerializer, tags=["执法人员"])
    def get(self, request: Request, pk: int) -> Response:
        user = acting_user(request, Cap.ORG_VIEW, action=OfficerEvents.CREDENTIAL_VIEWED)
        return Response(
            CredentialSerializer(people_selectors.credential_get(user=user, pk=pk)).data
        )


class _CredentialStep(APIView):
    """One step of the credential table (``workflows.CREDENTIAL``), with a reason."""

    step = ""

    def _run(self, request: Request, pk: int, service: Callable[..., Credential]) -> Response:
        event = CREDENTIAL.action(self.step).event
        user = acting_user(request, Cap.ORG_MANAGE, action=event)
        credential = people_selectors.credential_get(user=user, pk=pk)
        data = validated(CredentialReasonSerializer, request)
        credential = service(actor=user, credential=credential, reason=data["reason"])
        return Response(CredentialSerializer(credential).data)


def _step_schema(summary: str) -> Callable[[Any], Any]:
    return extend_schema(
        summary=summary,
        request=CredentialReasonSerializer,
        responses=CredentialSerializer,
        tags=["执法人员"],
    )


class CredentialSuspendView(_CredentialStep):
    step = "suspend"

    @_step_schema("暂扣执法证")
    def post(self, request: Request, pk: int) -> Response:
        return self._run(request, pk, people_services.credential_suspend)


class CredentialRevokeView(_CredentialStep):
    step = "revoke"

    @_step_schema("注销（吊销）执法证")
    def post(self, request: Request, pk: int) -> Response:
        return self._run(request, pk, people_services.credential_revoke)


class CredentialReinstateView(_CredentialStep):
    step = "reinstate"

    @_step_schema("恢复暂扣的执法证")
    def post(self, request: Request, pk: int) -> Response:
        return self._run(request, pk, people_services.credential_reinstate)


urlpatterns: list[URLPattern] = [
    path("officers/", OfficerListView.as_view(), name="api-officer-list"),
    path("officers/<id:pk>/", OfficerDetailView.as_view(), name="api-officer-detail"),
    path("credentials/", CredentialListView.as_view(), name="api-credential-list"),
    path("credentials/<id:pk>/", CredentialDetailView.as_view(), name="api-credential-detail"),
    path(
        "credentials/<id:pk>/suspend/",
        CredentialSuspendView.as_view(),
        name="api-credential-suspend",
    ),
    path(
        "credentials/<id:pk>/revoke/",
        CredentialRevokeView.as_view(),
        name="api-credential-revoke",
    ),
    path(
        "credentials/<id:pk>/reinstate/",
        CredentialReinstateView.as_view(),
        name="api-credential-reinstate",
    ),
]
