"""The audit events of the kernel (``core``): sessions and refusals, organisations, people,
deadlines, the calendar, attachments, document numbers, the public site's identity and the audit
chain itself.

One enum per entity family, each name ``<entity>.<verb in the past tense>`` with the Chinese label
the audit pages and timelines show. A refused write is recorded under the name of the event it
would have written (``access.denied`` with ``refused: "user.created"``); a refused read under
``<entity>.viewed`` (one row, ``scope.get_scoped``) or ``<entity>.listed`` (a list page).

Registered from ``CoreConfig.ready``, with the names older chains hold (``LEGACY``): they keep a
Chinese label and the audit filters find them under their new name.
"""

from __future__ import annotations

from fazhi.core.events import EventName


class AccessEvents(EventName):
    """Sign-in, sign-out, tokens and refusals (recorded at the boundary)."""

    SESSION_STARTED = "session.started", "登录系统"
    SESSION_ENDED = "session.ended", "退出系统"
    LOGIN_FAILED = "login.failed", "登录失败"
    ACCOUNT_LOCKED = "account.locked", "账号因多次登录失败被锁定"
    API_TOKEN_ISSUED = "api_token.issued", "签发API访问令牌"
    ACCESS_DENIED = "access.denied", "拒绝越权访问"


class OrganisationEvents(EventName):
    ORGANISATION_CREATED = "organisation.created", "新建机构"
    ORGANISATION_UPDATED = "organisation.updated", "修改机构信息"
    ORGANISATION_MOVED = "organisation.moved", "调整上级机构"
    ORGANISATION_DEACTIVATED = "organisation.deactivated", "停用机构"
    ORGANISATION_VIEWED = "organisation.viewed", "查看机构"
    ORGANISATION_LISTED = "organisation.listed", "查看机构列表"
    DEPARTMENT_CREATED = "department.created", "新建科室"
    DEPARTMENT_RENAMED = "department.renamed", "科室更名"
    DEPARTMENT_VIEWED = "department.viewed", "查看科室"


class UserEvents(EventName):
    USER_CREATED = "user.created", "新建用户"
    USER_UPDATED = "user.updated", "修改用户信息"
    USER_DEACTIVATED = "user.deactivated", "停用账号"
    USER_REACTIVATED = "user.reactivated", "重新启用账号"
    PASSWORD_RESET = "user.password_reset", "管理员重置密码"
    PASSWORD_CHANGED = "user.password_changed", "本人修改密码"
    USER_UNLOCKED = "user.unlocked", "解除登录锁定"
    USER_VIEWED = "user.viewed", "查看用户"
    USER_LISTED = "user.listed", "查看用户列表"


class OfficerEvents(EventName):
    OFFICER_CREATED = "officer.created", "登记执法人员"
    OFFICER_UPDATED = "officer.updated", "修改执法人员信息"
    OFFICER_VIEWED = "officer.viewed", "查看执法人员"
    OFFICER_LISTED = "officer.listed", "查看执法人员名单"
    CREDENTIAL_ISSUED = "credential.issued", "登记执法证"
    CREDENTIAL_SUSPENDED = "credential.suspended", "暂扣执法证"
    CREDENTIAL_REVOKED = "credential.revoked", "注销（吊销）执法证"
    CREDENTIAL_REINSTATED = "credential.reinstated", "恢复执法证"
    CREDENTIAL_VIEWED = "credential.viewed", "查看执法证"
    CREDENTIAL_LISTED = "credential.listed", "查看执法证列表"


class DeadlineEvents(EventName):
    DEADLINE_OPENED = "deadline.opened", "设立期限"
    DEADLINE_STOPPED = "deadline.stopped", "中止计时"
    DEADLINE_RESUMED = "deadline.resumed", "恢复计时"
    DEADLINE_EXTENDED = "deadline.extended", "批准延长期限"
    DEADLINE_COMPLETED = "deadline.completed", "期限事项办结"
    DEADLINE_LAPSED = "deadline.lapsed", "期限届满未办结（逾期）"
    DEADLINE_RECOMPUTED = "deadline.recomputed", "按日历重新计算期限"
    DEADLINE_CANCELLED = "deadline.cancelled", "撤销期限"
    DEADLINE_VIEWED = "deadline.viewed", "查看期限"
    DEADLINE_LISTED = "deadline.listed", "查看期限列表"


class CalendarEvents(EventName):
    CALENDAR_SEEDED = "calendar.seeded", "从软件包导入节假日安排"
    CALENDAR_VIEWED = "calendar.viewed", "查看节假日日历"
    YEAR_PUBLISHED = "calendar_year.published", "录入年度节假日安排"
    YEAR_VIEWED = "calendar_year.viewed", "查看年度节假日安排"
    DAY_VIEWED = "calendar_day.viewed", "查看放假日或调休上班日"
    DAY_SET = "calendar_day.set", "设置放假日或调休上班日"
    DAY_DELETED = "calendar_day.deleted", "删除放假日或调休上班日"


class AttachmentEvents(EventName):
    ATTACHMENT_STORED = "attachment.stored", "存储附件"
    ATTACHMENT_LINKED = "attachment.linked", "关联附件"
    ATTACHMENT_VIEWED = "attachment.viewed", "下载附件"


class DocumentEvents(EventName):
    TYPE_CREATED = "document_type.created", "新建文书类型"
    TYPE_VIEWED = "document_type.viewed", "查看文书类型"
    TYPE_LISTED = "document_type.listed", "查看文书类型列表"
    NUMBER_ISSUED = "document_number.issued", "取文号"
    NUMBER_VIEWED = "document_number.viewed", "查看文号"
    NUMBER_LISTED = "document_number.listed", "查看文书编号"


class SiteEvents(EventName):
    """The public site's identity (网站信息: name, sponsor, contact, 网站标识码, ICP 备案号)."""

    SITE_SETTINGS_UPDATED = "site_settings.updated", "修改网站信息"
    SITE_SETTINGS_VIEWED = "site_settings.viewed", "查看网站信息"


class AuditChainEvents(EventName):
    CHAIN_VERIFIED = "audit_chain.verified", "校验审计链"
    EVENT_VIEWED = "audit_event.viewed", "查看审计记录"
    EVENT_LISTED = "audit_event.listed", "查看审计记录列表"


ALL = (
    AccessEvents,
    OrganisationEvents,
    UserEvents,
    OfficerEvents,
    DeadlineEvents,
    CalendarEvents,
    AttachmentEvents,
    DocumentEvents,
    SiteEvents,
    AuditChainEvents,
)


def _renamed(new: EventName) -> tuple[str, str]:
    """An older name replaced by ``new``: it reads as ``new`` does."""
    return (new, new.label)


# Names in chains written before the vocabulary: old name -> (the name that replaced it, label).
LEGACY: dict[str, tuple[str, str]] = {
    "auth.login": _renamed(AccessEvents.SESSION_STARTED),
    "auth.logout": _renamed(AccessEvents.SESSION_ENDED),
    "auth.login_failed": _renamed(AccessEvents.LOGIN_FAILED),
    "auth.locked_out": _renamed(AccessEvents.ACCOUNT_LOCKED),
    "auth.token_issued": _renamed(AccessEvents.API_TOKEN_ISSUED),
    "security.denied": _renamed(AccessEvents.ACCESS_DENIED),
    "deadline.overdue": _renamed(DeadlineEvents.DEADLINE_LAPSED),
    "calendar.year_published": _renamed(CalendarEvents.YEAR_PUBLISHED),
    "calendar.day_set": _renamed(CalendarEvents.DAY_SET),
    "calendar.day_deleted": _renamed(CalendarEvents.DAY_DELETED),
    # One event for three changes, now one event each (suspended, revoked, reinstated).
    "credential.status_changed": ("", "变更执法证状态"),
}
