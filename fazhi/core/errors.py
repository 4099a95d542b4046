"""One exception hierarchy with stable error codes (API, CLI) and Chinese messages (UI)."""

from __future__ import annotations

from typing import Any


class FazhiError(Exception):
    """Base error. ``code`` is stable and documented; ``message`` is shown to users in Chinese."""

    code = "error"
    http_status = 400
    default_message = "操作失败。"

    def __init__(self, message: str | None = None, *, code: str | None = None, **details: Any):
        self.message = message or self.default_message
        if code:
            self.code = code
        self.details = details
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


class ValidationFailed(FazhiError):
    code = "validation_failed"
    default_message = "输入的数据不符合要求。"


class TooLarge(ValidationFailed):
    """Input past a size, row or expansion limit: refused before any work on it (HTTP 413)."""

    code = "too_large"
    http_status = 413
    default_message = "提交的内容超过上限。"


class InvalidParameter(ValidationFailed):
    """A query, path or body parameter that is not of its kind (see ``fazhi.core.params``)."""

    code = "invalid_parameter"

    def __init__(self, name: str, problem: str, *, code: str | None = None):
        super().__init__(f"参数“{name}”无效：{problem}", code=code, parameter=name)


class PermissionDenied(FazhiError):
    code = "permission_denied"
    http_status = 403
    default_message = "您没有执行此操作的权限。"


class OutOfScope(PermissionDenied):
    """The object exists but belongs to an organisation outside the user's data scope.

    Rendered as 404 so that scope cannot be probed by guessing ids.
    """

    code = "not_found"
    http_status = 404
    default_message = "记录不存在或不在您的数据范围内。"


class NotFound(FazhiError):
    code = "not_found"
    http_status = 404
    default_message = "记录不存在或不在您的数据范围内。"


class Conflict(FazhiError):
    code = "conflict"
    http_status = 409
    default_message = "当前状态不允许此操作。"


class InvalidTransition(Conflict):
    code = "invalid_transition"
    default_message = "当前状态不允许此操作。"


class UnknownRule(FazhiError):
    code = "unknown_rule"
    http_status = 404
    default_message = "规则不存在。"


class CalendarUnknown(FazhiError):
    """A working-day question about a year whose holiday notice is not loaded."""

    code = "calendar_unknown"
    http_status = 422
    default_message = "工作日历未包含该年度，请先录入国务院办公厅的节假日安排。"

    def __init__(self, year: int, message: str | None = None):
        self.year = year
        super().__init__(
            message or f"工作日历未包含{year}年，请先录入该年度国务院办公厅的节假日安排通知。",
            year=year,
        )


class RulePackError(FazhiError):
    code = "rule_pack_invalid"
    http_status = 500
    default_message = "规则包校验失败。"

    def __init__(self, *, path: str, key: str, problem: str):
        self.path = path
        self.key = key
        self.problem = problem
        super().__init__(f"规则包 {path} 中的 {key}：{problem}", path=path, key=key)


class UnknownDocumentType(FazhiError):
    code = "unknown_document_type"
    default_message = "未知的文书类型。"
