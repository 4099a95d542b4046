"""API pagination: ``limit``/``offset`` with a maximum page size, one class for every list.

``limit`` defaults to 50 and is capped at ``MAX_PAGE_SIZE`` (a larger one is served as 200, so a
client asking for "everything" gets pages, never the whole table); ``limit`` and ``offset`` that
are not non-negative integers (``1e20``, ``-1``, ``²``) are a 400 ``invalid_parameter``. A list
endpoint is a ``PaginatedView``: the schema then declares the paginated envelope
``{"count", "next", "previous", "results"}``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fazhi.core import params

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class Pagination(LimitOffsetPagination):
    default_limit = DEFAULT_PAGE_SIZE
    max_limit = MAX_PAGE_SIZE

    def get_limit(self, request: Request) -> int:
        limit = params.integer(request.query_params, self.limit_query_param, minimum=1)
        return self.default_limit if limit is None else min(limit, self.max_limit)

    def get_offset(self, request: Request) -> int:
        return params.integer(request.query_params, self.offset_query_param) or 0

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.limit_query_param,
                "required": False,
                "in": "query",
                "description": f"每页条数，默认{DEFAULT_PAGE_SIZE}，最多{MAX_PAGE_SIZE}（超过按"
                f"{MAX_PAGE_SIZE}）",
                "schema": {"type": "integer", "minimum": 1, "maximum": params.MAX_ID},
            },
            {
                "name": self.offset_query_param,
                "required": False,
                "in": "query",
                "description": "起始位置（从0起）",
                "schema": {"type": "integer", "minimum": 0, "maximum": params.MAX_ID},
            },
        ]


class PaginatedView(APIView):
    """An API view whose GET answers a page of a list (and whose schema says so)."""

    pagination_class = Pagination

    def paginated(
        self, qs: QuerySet[Any] | list[Any], serializer: type[serializers.BaseSerializer[Any]]
    ) -> Response:
        paginator = self.pagination_class()
        page: Any = paginator.paginate_queryset(qs, self.request, view=self)
        return paginator.get_paginated_response(serializer(page, many=True).data)
