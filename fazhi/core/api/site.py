"""API: the public site's identity (网站信息) — read by administrators (``org.manage``), changed by
the root organisation's administrators through ``site_settings_update``."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.core.access import acting_user
from fazhi.core.api._orgadmin import validated
from fazhi.core.audit_events import SiteEvents
from fazhi.core.models import SiteSettings
from fazhi.core.roles import Cap
from fazhi.core.selectors.site import site_settings_get
from fazhi.core.services.site import FIELDS, site_settings_update

TAGS = ["网站信息"]


class SiteSettingsSerializer(serializers.ModelSerializer[SiteSettings]):
    class Meta:
        model = SiteSettings
        fields = [*FIELDS, "updated_at"]
        read_only_fields = fields


class SiteSettingsUpdateSerializer(serializers.Serializer[Any]):
    """Each field optional; an empty string clears it. The service validates the formats."""

    site_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    sponsor = serializers.CharField(required=False, allow_blank=True, max_length=100)
    organiser = serializers.CharField(required=False, allow_blank=True, max_length=100)
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=40)
    contact_email = serializers.CharField(required=False, allow_blank=True, max_length=100)
    contact_address = serializers.CharField(required=False, allow_blank=True, max_length=200)
    site_code = serializers.CharField(required=False, allow_blank=True, max_length=10)
    icp_number = serializers.CharField(required=False, allow_blank=True, max_length=40)
    security_number = serializers.CharField(required=False, allow_blank=True, max_length=40)


class SiteSettingsView(APIView):
    @extend_schema(summary="网站信息", responses=SiteSettingsSerializer, tags=TAGS)
    def get(self, request: Request) -> Response:
        user = acting_user(request, Cap.ORG_MANAGE, action=SiteEvents.SITE_SETTINGS_VIEWED)
        return Response(SiteSettingsSerializer(site_settings_get(user=user)).data)

    @extend_schema(
        summary="修改网站信息（仅根机构系统管理员）",
        request=SiteSettingsUpdateSerializer,
        responses=SiteSettingsSerializer,
        tags=TAGS,
    )
    def patch(self, request: Request) -> Response:
        user = acting_user(request, Cap.ORG_MANAGE, action=SiteEvents.SITE_SETTINGS_UPDATED)
        data = validated(SiteSettingsUpdateSerializer, request)
        return Response(SiteSettingsSerializer(site_settings_update(actor=user, **data)).data)


urlpatterns: list[URLPattern] = [
    path("site-settings/", SiteSettingsView.as_view(), name="api-site-settings"),
]
