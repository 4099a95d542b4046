"""The API token endpoint: DRF's ObtainAuthToken, with each issued token in the audit chain."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response

from fazhi.core import audit


class AuditedObtainAuthToken(ObtainAuthToken):
    """A token handed out is a login: it is recorded as ``auth.token_issued`` with the IP."""

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        with transaction.atomic(durable=True):
            token, created = Token.objects.get_or_create(user=user)
            audit.append(
                actor=user,
                action="auth.token_issued",
                obj=user,
                details={"ip": str(request.META.get("REMOTE_ADDR", "")), "created": created},
            )
        return Response({"token": token.key})


obtain_auth_token = AuditedObtainAuthToken.as_view()
