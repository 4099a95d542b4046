"""Deployment checks beyond Django's own: what a production deployment must set."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, register
from django.core.checks import Warning as CheckWarning


@register(Tags.database, deploy=True)
def database_configured(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not getattr(settings, "PRODUCTION", False) or os.environ.get("FAZHI_DATABASE_URL"):
        return []
    return [
        CheckWarning(
            "FAZHI_DATABASE_URL is not set: production would run on the embedded SQLite file.",
            hint="Set FAZHI_DATABASE_URL=postgres://user@host:5432/fazhi (see .env.example).",
            id="fazhi.W001",
        )
    ]
