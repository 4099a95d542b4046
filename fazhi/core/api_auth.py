"""API authentication: DRF tokens with a lifetime (``FAZHI_API_TOKEN_HOURS``, default 24).

Kept apart from the API views: DRF imports the authentication classes while it loads its views.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from fazhi.core import clock


def token_lifetime() -> dt.timedelta:
    return dt.timedelta(hours=int(getattr(settings, "FAZHI_API_TOKEN_HOURS", 24)))


def token_expires_at(token: Token) -> dt.datetime:
    created: dt.datetime = token.created
    return created + token_lifetime()


class TokenExpired(exceptions.AuthenticationFailed):
    default_detail = "访问令牌已过期，请重新获取。"
    default_code = "token_expired"


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing a token past its lifetime."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user, token = super().authenticate_credentials(key)
        if clock.now() >= token_expires_at(token):
            raise TokenExpired()
        return user, token
