"""API: a disclosure request's reply letter (答复书) as .docx (decision 0078)."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from fazhi.core.access import acting_user
from fazhi.core.roles import Cap
from fazhi.matters.events import MatterEvent
from fazhi.matters.letters import DOCX, letter_response, reply_letter


class ReplyLetterView(APIView):
    @extend_schema(
        summary="下载政府信息公开申请答复书（.docx）", responses={(200, DOCX): OpenApiTypes.BINARY}
    )
    def get(self, request: Request, matter_id: int) -> HttpResponse:
        user = acting_user(request, Cap.MATTER_VIEW, action=MatterEvent.VIEWED)
        return letter_response(reply_letter(user=user, matter_id=matter_id))


urlpatterns = [
    path("<id:matter_id>/reply-letter/", ReplyLetterView.as_view(), name="matter-reply-letter"),
]
