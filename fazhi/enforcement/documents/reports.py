"""The agency's internal documents of a case, in the investigating organisation's name: the
case source register, the filing report, the investigation-end report, the legal review opinion,
the collective deliberation record and the closure report (boxes to be signed)."""

from __future__ import annotations

from fazhi.enforcement import policy
from fazhi.enforcement.documents import decision, facts
from fazhi.enforcement.documents.amounts import amount_both
from fazhi.enforcement.documents.layout import Page, chinese_date
from fazhi.enforcement.models import CaseOutcome, PenaltyCase


def _party(case: PenaltyCase) -> str:
    return "；".join(f"{label}：{value}" for label, value in facts.party_lines(case) if value)


def _officers(case: PenaltyCase) -> str:
    return "、".join(
        f"{name}（执法证号{number}）" if number else name for name, number in facts.officers(case)
    )


def _provisions(case: PenaltyCase) -> list[tuple[str, str]]:
    """The two provisions as boxes (decision 0068): empty boxes when the case holds none yet."""
    return [("违反的法律条款", case.violated_provision), ("处罚依据", case.penalty_provision)]


def case_source_register(case: PenaltyCase) -> Page:
    """案件来源登记表."""
    page = Page(agency=case.organisation.name, title="案件来源登记表")
    lead = case.lead
    page.table(
        [
            ("案件来源", case.get_source_display()),
            ("登记时间", chinese_date(lead.created_at.date()) if lead else ""),
            ("当事人", _party(case)),
            ("案情摘要", lead.facts if lead else case.facts),
            ("处理意见", "立案调查" if lead is None or lead.state == "filed" else ""),
            ("批准人意见及日期", f"同意立案。{chinese_date(case.filed_on)}"),
        ]
    )
    return page


def filing_report(case: PenaltyCase) -> Page:
    """立案报告 (卫生行政执法文书规范 Art. 26; 行政处罚法 Art. 54)."""
    page = Page(agency=case.organisation.name, title="立案报告")
    page.table(
        [
            ("案由", case.cause),
            ("案件来源", case.get_source_display()),
            ("当事人", _party(case)),
            ("简要案情", case.facts),
            ("违法行为发生（终了）日期", chinese_date(case.act_ended_on)),
            ("追责时效审查", case.limitation_note),
            ("程序", case.get_procedure_display()),
            ("主办人", case.handler.display_name),
            ("立案审批意见", f"同意立案。批准人：{case.filed_by.display_name}"),
            ("立案日期", chinese_date(case.filed_on)),
        ]
    )
    return page


def investigation_end_report(case: PenaltyCase) -> Page:
    """案件调查终结报告."""
    page = Page(agency=case.organisation.name, title="案件调查终结报告")
    page.table(
        [
            ("案由", case.cause),
            ("当事人", _party(case)),
            ("立案日期", chinese_date(case.filed_on)),
            ("承办人员", _officers(case)),
            ("违法事实", case.facts),
            *_provisions(case),
            ("调查经过、证据及处理意见", case.investigation_report),
            ("调查终结日期", chinese_date(case.investigated_on)),
            ("承办人签名", ""),
        ]
    )
    return page


def legal_review_opinion(case: PenaltyCase) -> Page:
    """法制审核意见书 (行政处罚法 Art. 58)."""
    page = Page(agency=case.organisation.name, title="法制审核意见书")
    reasons = policy.legal_review_reasons(case)
    proposal = facts.penalty_kinds_text(case, proposed=True) if case.penalty_kinds else ""
    page.table(
        [
            ("案由", case.cause),
            ("当事人", _party(case)),
            ("送审理由", "；".join(reasons) or "机关决定送审"),
            *_provisions(case),
            ("拟处理意见", proposal),
            ("审核意见", case.legal_review_opinion),
            ("审核人员", case.legal_reviewer.display_name if case.legal_reviewer else ""),
            ("审核日期", chinese_date(case.legal_review_on)),
        ]
    )
    page.note(
        "审核内容：执法主体、管辖、程序、事实与证据、适用依据、裁量基准（行政处罚法第五十八条）。"
    )
    return page


def deliberation_record(case: PenaltyCase) -> Page:
    """重大案件集体讨论记录 (行政处罚法 Art. 57 para 2)."""
    page = Page(agency=case.organisation.name, title="重大案件集体讨论记录")
    page.table(
        [
            ("案由", case.cause),
            ("当事人", _party(case)),
            ("讨论日期", chinese_date(case.deliberated_on)),
            ("讨论理由", "；".join(policy.deliberation_reasons(case))),
            *_provisions(case),
            ("主持人", ""),
            ("参加人员", ""),
            ("讨论意见及结论", case.deliberation_summary),
            ("参加人员签名", ""),
        ]
    )
    return page


def closure_report(case: PenaltyCase) -> Page:
    """结案报告."""
    page = Page(agency=case.organisation.name, title="结案报告")
    if case.outcome == CaseOutcome.PENALTY:
        result = facts.penalty_kinds_text(case, proposed=False)
    else:
        result = CaseOutcome(case.outcome).label if case.outcome else ""
    execution = ""
    if case.executed_on:
        execution = f"{chinese_date(case.executed_on)}执行完毕"
        if case.paid_amount is not None:
            execution += f"，实缴{amount_both(case.paid_amount)}"
        if case.late_surcharge:
            execution += f"（含加处罚款{amount_both(case.late_surcharge)}）"
    page.table(
        [
            ("案由", case.cause),
            ("当事人", _party(case)),
            ("立案日期", chinese_date(case.filed_on)),
            ("处理决定", f"《{decision.title(case)}》{case.decision_number}"),
            *_provisions(case),
            ("决定日期", chinese_date(case.decided_on)),
            ("处理结果", result),
            ("送达日期", chinese_date(case.served_on)),
            ("执行情况", execution),
            ("结案日期", chinese_date(case.closed_on)),
            ("承办人员", _officers(case)),
            ("审批意见", ""),
        ]
    )
    return page
