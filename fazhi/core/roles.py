"""What each role grants: its data scope and its capabilities. One table, one place."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from fazhi.core.models import Role


class Scope(StrEnum):
    OWN = "own"  # the user's own organisation
    SUBTREE = "subtree"  # the user's organisation and everything below it


class Cap(StrEnum):
    """Capabilities. Views and services check these; nothing checks role names directly."""

    ORG_VIEW = "org.view"  # read the organisation tree, officers and their credentials
    ORG_MANAGE = "org.manage"  # organisations, departments, users, officers, credentials
    CALENDAR_MANAGE = "calendar.manage"
    AUDIT_VIEW = "audit.view"
    AUDIT_VERIFY = "audit.verify"  # recompute the whole chain (expensive): system admin only
    DEADLINE_VIEW = "deadline.view"
    DEADLINE_MANAGE = "deadline.manage"  # stop, resume, extend, complete
    DEADLINE_APPROVE = "deadline.approve"  # approve extensions
    DOCNUMBER_ISSUE = "docnumber.issue"
    REGISTRY_VIEW = "registry.view"
    REGISTRY_MANAGE = "registry.manage"
    INSPECTION_VIEW = "inspection.view"
    INSPECTION_PLAN = "inspection.plan"
    INSPECTION_DRAW = "inspection.draw"
    INSPECTION_APPROVE = "inspection.approve"  # approve a re-draw
    INSPECTION_RECORD = "inspection.record"  # record results of one's own tasks
    # open a targeted inspection task for a complaint (投诉举报核查, decision 0091)
    INSPECTION_COMPLAINT = "inspection.complaint"
    CASE_LEAD_VIEW = "case_lead.view"
    CASE_LEAD_CREATE = "case_lead.create"  # refer a lead (an inspection's referral, a complaint)
    CASE_LEAD_DECIDE = "case_lead.decide"  # file or dismiss a lead: the organisation's head
    DISCRETION_VIEW = "discretion.view"  # read discretion benchmarks, use the assistant
    DISCRETION_MANAGE = "discretion.manage"  # publish and import discretion benchmarks
    CASE_VIEW = "case.view"
    CASE_HANDLE = "case.handle"  # investigate, notify, record the party's steps, serve, execute
    CASE_REVIEW = "case.review"  # the legal review (法制审核)
    CASE_DECIDE = "case.decide"  # file, recuse, deliberate, decide, withdraw, transfer, extend
    CASE_FILE_REVIEW = "case.file_review"  # score a concluded case's file (案卷评查)
    MATTER_VIEW = "matter.view"  # petitions and disclosure requests (来件)
    MATTER_HANDLE = "matter.handle"  # register, accept, route, reply to incoming matters
    MATTER_APPROVE = "matter.approve"  # approve an extension of a matter's limit: the head
    CREDIT_VIEW = "credit.view"  # credit records, practice points, red and black lists
    CREDIT_RECORD = "credit.record"  # score practice points, register a repair application
    CREDIT_DECIDE = "credit.decide"  # list entry, repair approval, threshold alerts: the head
    APPEAL_VIEW = "appeal.view"  # reconsiderations and lawsuits against the commission
    APPEAL_HANDLE = "appeal.handle"  # register, answer, hearings, outcome, follow-up
    DISPUTE_VIEW = "dispute.view"  # medical disputes, screening reports, liability insurance
    DISPUTE_HANDLE = "dispute.handle"  # register disputes, report screening, record insurance
    MATTER_SUPERVISE = "matter.supervise"  # issue a supervision order (督办) downwards: the head
    WRITE = "write"  # any write at all; the read-only viewer lacks it


@dataclass(frozen=True)
class Grant:
    scope: Scope
    caps: frozenset[Cap]


_READ = {
    Cap.DEADLINE_VIEW,
    Cap.REGISTRY_VIEW,
    Cap.INSPECTION_VIEW,
    Cap.CASE_LEAD_VIEW,
    Cap.ORG_VIEW,
    Cap.DISCRETION_VIEW,
    Cap.CASE_VIEW,
    Cap.CREDIT_VIEW,
}

ROLE_GRANTS: dict[str, Grant] = {
    Role.SYSTEM_ADMIN: Grant(
        Scope.SUBTREE,
        frozenset(
            _READ
            | {
                Cap.ORG_MANAGE,
                Cap.CALENDAR_MANAGE,
                Cap.AUDIT_VIEW,
                Cap.AUDIT_VERIFY,
                Cap.WRITE,
                Cap.DOCNUMBER_ISSUE,
            }
        ),
    ),
    Role.LEADER: Grant(
        Scope.SUBTREE,
        frozenset(
            _READ
            | {
                Cap.AUDIT_VIEW,
                Cap.DEADLINE_MANAGE,
                Cap.DEADLINE_APPROVE,
                Cap.INSPECTION_APPROVE,
                Cap.INSPECTION_PLAN,
                Cap.CASE_LEAD_DECIDE,
                Cap.DISCRETION_MANAGE,
                Cap.CASE_DECIDE,
                Cap.CASE_FILE_REVIEW,
                Cap.MATTER_VIEW,
                Cap.MATTER_APPROVE,
                Cap.CREDIT_DECIDE,
                Cap.APPEAL_VIEW,
                Cap.APPEAL_HANDLE,  # the head signs the answer and appears in court
                Cap.DISPUTE_VIEW,
                Cap.MATTER_SUPERVISE,
                Cap.WRITE,
            }
        ),
    ),
    Role.LEGAL_REVIEWER: Grant(
        Scope.OWN,
        frozenset(
            _READ
            | {
                Cap.DEADLINE_MANAGE,
                Cap.DOCNUMBER_ISSUE,
                Cap.DISCRETION_MANAGE,
                Cap.CASE_REVIEW,
                Cap.APPEAL_VIEW,
                Cap.APPEAL_HANDLE,  # the legal office answers reconsiderations and lawsuits
                Cap.CASE_FILE_REVIEW,
                Cap.WRITE,
            }
        ),
    ),
    Role.SUPERVISOR: Grant(
        Scope.OWN,
        frozenset(
            _READ
            | {
                Cap.DEADLINE_MANAGE,
                Cap.DOCNUMBER_ISSUE,
                Cap.REGISTRY_MANAGE,
                Cap.INSPECTION_PLAN,
                Cap.INSPECTION_DRAW,
                Cap.INSPECTION_RECORD,
                Cap.CASE_LEAD_CREATE,
                Cap.CASE_HANDLE,
                Cap.CREDIT_RECORD,
                Cap.DISPUTE_VIEW,
                Cap.DISPUTE_HANDLE,
                Cap.WRITE,
            }
        ),
    ),
    Role.PETITION_OFFICER: Grant(
        Scope.OWN,
        frozenset(
            {
                Cap.DEADLINE_VIEW,
                Cap.DEADLINE_MANAGE,
                Cap.MATTER_VIEW,
                Cap.MATTER_HANDLE,
                Cap.CASE_LEAD_CREATE,  # a complaint about a clinic becomes a case lead
                Cap.INSPECTION_COMPLAINT,  # ... or a targeted inspection (decision 0091)
                Cap.DISPUTE_VIEW,
                Cap.DISPUTE_HANDLE,
                Cap.WRITE,
            }
        ),
    ),
    Role.VIEWER: Grant(
        Scope.SUBTREE,
        frozenset(_READ | {Cap.AUDIT_VIEW, Cap.MATTER_VIEW, Cap.APPEAL_VIEW, Cap.DISPUTE_VIEW}),
    ),
}


def grant_for(role: str) -> Grant:
    return ROLE_GRANTS[role]


CAP_LABELS: dict[Cap, str] = {
    Cap.ORG_VIEW: "查看机构、执法人员和执法证",
    Cap.ORG_MANAGE: "管理机构、科室、用户、执法人员和执法证",
    Cap.CALENDAR_MANAGE: "维护节假日日历（仅根机构）",
    Cap.AUDIT_VIEW: "查看审计记录",
    Cap.AUDIT_VERIFY: "校验整条审计链（仅根机构）",
    Cap.DEADLINE_VIEW: "查看期限",
    Cap.DEADLINE_MANAGE: "中止、恢复、延长、办结期限",
    Cap.DEADLINE_APPROVE: "批准延长期限",
    Cap.DOCNUMBER_ISSUE: "取文号",
    Cap.REGISTRY_VIEW: "查看检查对象名录库",
    Cap.REGISTRY_MANAGE: "维护检查对象名录库",
    Cap.INSPECTION_VIEW: "查看抽查计划与任务",
    Cap.INSPECTION_PLAN: "编制抽查计划",
    Cap.INSPECTION_DRAW: "执行抽取",
    Cap.INSPECTION_APPROVE: "批准重新抽取",
    Cap.INSPECTION_RECORD: "录入本人任务的检查结果",
    Cap.INSPECTION_COMPLAINT: "对被投诉单位启动投诉举报核查（开启检查任务）",
    Cap.CASE_LEAD_VIEW: "查看案源",
    Cap.CASE_LEAD_CREATE: "移交案源（如抽查发现违法移交立案）",
    Cap.CASE_LEAD_DECIDE: "决定案源立案或不予立案（机关负责人）",
    Cap.DISCRETION_VIEW: "查看裁量基准，使用裁量辅助",
    Cap.DISCRETION_MANAGE: "发布、导入裁量基准",
    Cap.CASE_VIEW: "查看行政处罚案件",
    Cap.CASE_HANDLE: "办理行政处罚案件（调查、告知、听证记录、送达、执行、结案、归档）",
    Cap.CASE_REVIEW: "行政处罚决定法制审核",
    Cap.CASE_DECIDE: "立案、回避、集体讨论、作出处罚决定、撤销立案、移送、批准延期（机关负责人）",
    Cap.CASE_FILE_REVIEW: "行政处罚案卷评查（评分）",
    Cap.MATTER_VIEW: "查看信访事项和政府信息公开申请",
    Cap.MATTER_HANDLE: "登记、受理、转办、答复信访事项和政府信息公开申请",
    Cap.MATTER_APPROVE: "批准延长信访事项和政府信息公开申请的办理期限（负责人）",
    Cap.CREDIT_VIEW: "查看信用记录、不良执业行为记分和红黑名单",
    Cap.CREDIT_RECORD: "不良执业行为记分，登记信用修复申请",
    Cap.CREDIT_DECIDE: "列入红黑名单、批准信用修复、处理记分门槛提示（负责人）",
    Cap.APPEAL_VIEW: "查看行政复议和行政应诉事项",
    Cap.APPEAL_HANDLE: "办理行政复议答复和行政诉讼应诉（答复答辩、出庭、结果、纠错整改）",
    Cap.DISPUTE_VIEW: "查看医疗纠纷、纠纷排查报送情况和医疗责任保险",
    Cap.DISPUTE_HANDLE: "登记医疗纠纷、报送月度排查报告、登记医疗责任保险",
    Cap.MATTER_SUPERVISE: "对下级机关办理的信访事项下达督办（负责人）",
    Cap.WRITE: "任何写操作（只读查看角色没有）",
}


def roles_markdown() -> str:
    """The role table of docs/roles.md, generated from ROLE_GRANTS (a test keeps them equal)."""
    from fazhi.core.models import Role as RoleChoices

    caps = list(Cap)
    header = "| role | 角色 | scope | " + " | ".join(f"`{c.value}`" for c in caps) + " |"
    rule = "|---|---|---|" + "---|" * len(caps)
    rows = [header, rule]
    for role, grant in ROLE_GRANTS.items():
        marks = " | ".join("✓" if c in grant.caps else "" for c in caps)
        scope = "own organisation" if grant.scope == Scope.OWN else "organisation + subtree"
        rows.append(f"| `{role}` | {RoleChoices(role).label} | {scope} | {marks} |")
    legend = [f"- `{c.value}`: {CAP_LABELS.get(c, c.value)}" for c in caps]
    return "\n".join(rows) + "\n\n" + "\n".join(legend) + "\n"
