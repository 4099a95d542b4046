"""OpenAPI post-processing: every operation documents the error answers it can give.

The error statuses come from the error hierarchy itself (``fazhi.core.errors``: 400, 403, 404,
409, 413, 422), plus 401 (no or a bad token) and, for an operation with a request body, 415 (a
content type it does not parse). Each is the one envelope ``{"error": {"code", "message",
"details"}}`` of ``fazhi.core.api_errors``. A view that documents a status itself keeps its own.
"""

from __future__ import annotations

from typing import Any

from fazhi.core import errors

ENVELOPE = "ErrorEnvelope"
ENVELOPE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "错误应答：code 为稳定的英文代码，message 为中文说明。",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string", "example": "not_found"},
                "message": {"type": "string"},
                "details": {},
            },
            "required": ["code", "message"],
        }
    },
    "required": ["error"],
}
DESCRIPTIONS = {
    400: "输入无效（validation_failed、invalid_parameter、invalid_date 等）",
    401: "未登录或令牌无效",
    403: "没有权限",
    404: "记录不存在或不在数据范围内",
    409: "当前状态不允许此操作",
    413: "上传内容超过大小、行数或解压后大小上限（import_too_large 等）",
    415: "不支持的请求内容类型",
    422: "工作日历未包含所涉年度（calendar_unknown）",
}


def error_statuses() -> list[int]:
    """The statuses ``FazhiError`` subclasses answer with (a server error is never one)."""
    found: set[int] = set()
    stack: list[type[errors.FazhiError]] = [errors.FazhiError]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.http_status < 500:
            found.add(cls.http_status)
    return sorted(found)


def add_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular POSTPROCESSING_HOOKS entry."""
    result.setdefault("components", {}).setdefault("schemas", {})[ENVELOPE] = ENVELOPE_SCHEMA
    common = sorted({*error_statuses(), 401})
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            statuses = list(common)
            if "requestBody" in operation:
                statuses.append(415)
            for status in statuses:
                operation["responses"].setdefault(
                    str(status),
                    {
                        "description": DESCRIPTIONS.get(status, ""),
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{ENVELOPE}"}
                            }
                        },
                    },
                )
    return result
