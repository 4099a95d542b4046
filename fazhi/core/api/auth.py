"""API tokens: issued by the token endpoint, each issue in the audit chain, each with a lifetime.

A token lives ``FAZHI_API_TOKEN_HOURS`` (default 24) from its issue; after that the API refuses
it (401 ``token_expired``) and the client asks for a new one, which replaces the old key. The
token response says when it expires.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response

from fazhi.core import audit, clock
from fazhi.core.api_auth import token_expires_at
from fazhi.core.audit_events import AccessEvents


class AuditedObtainAuthToken(ObtainAuthToken):
    """A token handed out is a login: it is recorded as ``api_token.issued`` with the IP."""

    serializer_class = AuthTokenSerializer

    @extend_schema(
        summary="获取访问令牌",
        description=(
            "用户名和密码换取访问令牌（请求头 `Authorization: Token <令牌>`）。"
            "令牌自签发起有效 FAZHI_API_TOKEN_HOURS 小时（默认24小时），过期后须重新获取；"
            "重新获取时旧令牌作废。"
        ),
        responses=inline_serializer(
            "TokenIssued",
            {"token": serializers.CharField(), "expires_at": serializers.DateTimeField()},
        ),
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        with transaction.atomic(durable=True):
            token = Token.objects.select_for_update().filter(user=user).first()
            expired = token is not None and clock.now() >= token_expires_at(token)
            created = token is None or expired
            if token is not None and expired:
                token.delete()  # an expired key is never handed out again
            if created:
                token = Token.objects.create(user=user)
            assert token is not None
            audit.append(
                actor=user,
                action=AccessEvents.API_TOKEN_ISSUED,
                obj=user,
                details={
                    "ip": str(request.META.get("REMOTE_ADDR", "")),
                    "created": created,
                    "replaced_expired": expired,
                    "expires_at": token_expires_at(token).isoformat(),
                },
            )
        return Response({"token": token.key, "expires_at": token_expires_at(token)})


obtain_auth_token = AuditedObtainAuthToken.as_view()
