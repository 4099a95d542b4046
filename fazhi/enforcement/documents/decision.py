"""The decision (行政处罚决定书 / 不予行政处罚决定书 / 当场行政处罚决定书), with what
行政处罚法 Art. 59 requires: the party; the facts and evidence; the penalty and its basis; how and
by when to comply; the routes and periods of reconsideration and litigation; the agency and
date (decision 0054)."""

from __future__ import annotations

from fazhi.enforcement.documents import facts
from fazhi.enforcement.documents.layout import Page, chinese_date
from fazhi.enforcement.models import CaseOutcome, CaseProcedure, PenaltyCase

PENALTY_TITLE = "行政处罚决定书"
NO_PENALTY_TITLE = "不予行政处罚决定书"
ON_THE_SPOT_TITLE = "当场行政处罚决定书"

REASONS = {
    CaseOutcome.FIRST_MINOR: (
        "当事人初次违法且危害后果轻微并及时改正，根据《中华人民共和国行政处罚法》第三十三条"
        "第一款的规定，本机关决定不予行政处罚。本机关已对当事人进行教育。"
    ),
    CaseOutcome.NO_PENALTY: (
        "根据《中华人民共和国行政处罚法》第五十七条第一款第（二）项的规定，本机关决定不予"
        "行政处罚。本机关已对当事人进行教育。"
    ),
    CaseOutcome.NOT_ESTABLISHED: (
        "经调查，违法事实不能成立。根据《中华人民共和国行政处罚法》第五十七条第一款第（三）项"
        "的规定，本机关决定不予行政处罚。"
    ),
}


def title(case: PenaltyCase) -> str:
    """The title follows the outcome (and the simplified procedure's own form)."""
    if case.outcome != CaseOutcome.PENALTY:
        return NO_PENALTY_TITLE
    if case.procedure == CaseProcedure.SUMMARY:
        return ON_THE_SPOT_TITLE
    return PENALTY_TITLE


def rights_paragraph(case: PenaltyCase) -> str:
    """The routes and periods: 60 days to the reconsideration body (行政复议法 Art. 20), six
    months to the court (行政诉讼法 Art. 46); an on-the-spot penalty goes to reconsideration first
    (行政复议法 Art. 23), then 15 days to the court (行政诉讼法 Art. 45)."""
    where = facts.remedies(case)
    if case.procedure == CaseProcedure.SUMMARY and case.outcome == CaseOutcome.PENALTY:
        return (
            f"当事人如不服本决定，可以自收到本决定书之日起六十日内向{where.reconsideration_body}"
            "申请行政复议（当场作出的行政处罚决定，应当先申请行政复议）；对行政复议决定不服的，"
            f"可以自收到行政复议决定书之日起十五日内依法向{where.court}提起行政诉讼"
            "（《中华人民共和国行政复议法》第二十条、第二十三条，《中华人民共和国行政诉讼法》"
            "第四十五条）。"
        )
    return (
        f"当事人如不服本决定，可以自收到本决定书之日起六十日内向{where.reconsideration_body}"
        f"申请行政复议，或者自收到本决定书之日起六个月内依法向{where.court}提起行政诉讼"
        "（《中华人民共和国行政复议法》第二十条，《中华人民共和国行政诉讼法》第四十六条）。"
    )


def payment_paragraphs(case: PenaltyCase) -> list[str]:
    if not case.fine and not case.confiscation:
        return []
    return [
        "当事人应当自收到本决定书之日起十五日内，持本决定书到指定银行或者通过电子支付系统缴纳"
        "罚没款（《中华人民共和国行政处罚法》第六十七条）。逾期不缴纳罚款的，每日按罚款数额的"
        "百分之三加处罚款，加处罚款的数额不超过罚款的数额（第七十二条第一款第（一）项）；"
        "本机关将依法申请人民法院强制执行。",
        "当事人确有经济困难，需要延期或者分期缴纳罚款的，可以书面提出申请，经本机关批准后执行"
        "（第六十六条第二款）。",
        "当事人申请行政复议或者提起行政诉讼的，行政处罚不停止执行，法律另有规定的除外"
        "（第七十三条第一款）。",
    ]


def build(case: PenaltyCase) -> Page:
    agency = facts.deciding_agency(case)
    page = Page(
        agency=agency.name,
        title=title(case),
        number=facts.number_text(case, "penalty_decision"),
    )
    for label, value in facts.party_lines(case):
        page.field(label, value)
    penalty = case.outcome == CaseOutcome.PENALTY
    on_the_spot = case.procedure == CaseProcedure.SUMMARY
    if on_the_spot:
        page.para(_on_the_spot_opening(case))
    else:
        page.para(_opening(case))
    page.heading("一、违法事实和证据")
    page.paras([case.facts])
    if case.investigation_report:
        page.paras([f"证据：{case.investigation_report}"])
    if penalty:
        page.heading("二、处罚依据和处罚内容")
        page.para(f"你（单位）的上述行为违反了{facts.violated_text(case)}的规定。")
        page.para(
            f"依据{facts.penalty_text(case)}的规定，本机关决定对你（单位）作出如下行政处罚："
            f"{facts.penalty_kinds_text(case, proposed=False)}。"
        )
        page.heading("三、履行方式和期限")
        page.paras(payment_paragraphs(case))
        page.heading("四、救济途径和期限")
    else:
        page.heading("二、处理决定")
        page.para(REASONS.get(CaseOutcome(case.outcome), REASONS[CaseOutcome.NO_PENALTY]))
        page.heading("三、救济途径和期限")
    page.para(rights_paragraph(case))
    if on_the_spot:  # Art. 52: signed by the officers, handed to the party on the spot
        for name, number in facts.officers(case):
            page.field("执法人员（签名）", f"{name}（执法证号：{number or '—'}）")
        page.field("当事人（签收）", None)
    page.signature(agency.name, case.decided_on)
    return page


def _on_the_spot_opening(case: PenaltyCase) -> str:
    """Who decided, when, and under which articles (the officers sign below, Art. 52)."""
    names = "、".join(name for name, _ in facts.officers(case))
    return (
        f"本机关执法人员{names}于{chinese_date(case.decided_on)}查明你（单位）{case.cause}，"
        "违法事实确凿并有法定依据，依照《中华人民共和国行政处罚法》第五十一条、第五十二条的"
        "规定，适用简易程序当场作出本决定。"
    )


def _opening(case: PenaltyCase) -> str:
    return (
        f"本机关于{chinese_date(case.filed_on)}对你（单位）{case.cause}一案立案调查。"
        + (
            f"本机关于{chinese_date(case.notified_on)}向你（单位）告知了拟作出行政处罚的"
            "事实、理由、依据及依法享有的陈述、申辩"
            + ("、要求听证" if case.hearing_right else "")
            + "的权利。"
            if case.notified_on
            else ""
        )
        + _statement_sentence(case)
    )


def _statement_sentence(case: PenaltyCase) -> str:
    if case.hearing_held_on:
        return f"应你（单位）申请，本机关于{chinese_date(case.hearing_held_on)}举行了听证。"
    if case.statement:
        return "你（单位）在规定期限内提出了陈述、申辩意见，本机关已进行复核。"
    if case.rights_waived_on:
        return "你（单位）明确表示放弃陈述、申辩" + ("和听证" if case.hearing_right else "") + "。"
    return ""
