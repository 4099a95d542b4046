"""API: upload a medical dispute's evidence or mediation agreement (multipart: kind, file)."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.core.access import acting_user
from fazhi.core.models import AttachmentLink
from fazhi.core.roles import Cap
from fazhi.disputes.events import DisputeEvent
from fazhi.disputes.selectors import disputes as dispute_selectors
from fazhi.disputes.services.attachments import FILE_KINDS, dispute_add_attachment


class AttachmentBody(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=list(FILE_KINDS))
    file = serializers.FileField()


class AttachmentSerializer(serializers.ModelSerializer[AttachmentLink]):
    filename = serializers.CharField(source="attachment.filename", read_only=True)
    sha256 = serializers.CharField(source="attachment.sha256", read_only=True)

    class Meta:
        model = AttachmentLink
        fields = ["id", "kind", "filename", "sha256"]
        read_only_fields = fields


class DisputeAttachmentView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=AttachmentBody, responses={201: AttachmentSerializer})
    def post(self, request: Request, dispute_id: int) -> Response:
        user = acting_user(request, Cap.DISPUTE_HANDLE, action=DisputeEvent.ATTACHMENT_ADDED)
        dispute = dispute_selectors.dispute_get(user=user, dispute_id=dispute_id)
        body = AttachmentBody(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        link = dispute_add_attachment(
            actor=user,
            dispute=dispute,
            file=upload,
            filename=upload.name or "",
            kind=body.validated_data["kind"],
        )
        return Response(AttachmentSerializer(link).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path(
        "<id:dispute_id>/attachments/",
        DisputeAttachmentView.as_view(),
        name="dispute-attachments",
    ),
]
