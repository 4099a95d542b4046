"""The documents served on the party before and after the decision: the notice of the proposed
penalty, the hearing notice, the service receipt and the demand notice."""

from __future__ import annotations

import datetime as dt

from fazhi.enforcement.documents import decision, facts
from fazhi.enforcement.documents.amounts import amount_both
from fazhi.enforcement.documents.layout import BLANK, Page, chinese_date
from fazhi.enforcement.models import PenaltyCase
from fazhi.enforcement.services.case_execution import payment_due, surcharge_for

LAW = "《中华人民共和国行政处罚法》"


def _addressed(page: Page, case: PenaltyCase) -> None:
    page.line(f"{case.entity.name}：")


def notice_of_proposed_penalty(case: PenaltyCase) -> Page:
    """行政处罚事先告知书 (Art. 44, 45, 63, 64)."""
    agency = facts.deciding_agency(case)
    page = Page(
        agency=agency.name,
        title="行政处罚事先告知书",
        number=facts.number_text(case, "penalty_notice"),
    )
    _addressed(page, case)
    page.para(f"经调查，你（单位）{case.cause}一案，现查明：")
    page.paras([case.facts])
    page.para(f"你（单位）的上述行为违反了{facts.violated_text(case)}的规定。")
    page.para(
        f"依据{facts.penalty_text(case)}的规定，本机关拟对你（单位）作出如下行政处罚："
        f"{facts.penalty_kinds_text(case, proposed=True)}。"
    )
    statement = facts.period_words("penalty.statement", case, case.notified_on)
    hearing = facts.period_words("penalty.hearing_request", case, case.notified_on)
    page.para(
        f"根据{LAW}第四十四条、第四十五条的规定，你（单位）有权进行陈述和申辩。"
        f"请于收到本告知书之日起{statement}内向本机关提出陈述、申辩意见；本机关不因你（单位）"
        "陈述、申辩而加重处罚。逾期未提出的，视为放弃陈述和申辩的权利。"
    )
    if case.hearing_right:
        page.para(
            f"根据{LAW}第六十三条、第六十四条的规定，你（单位）有权要求举行听证。如要求听证，"
            f"请于收到本告知书之日起{hearing}内向本机关提出；逾期未提出的，视为放弃听证权利。"
            "当事人不承担组织听证的费用。"
        )
    page.field("联系人", case.handler.display_name)
    page.field("联系地址", None)
    page.signature(agency.name, case.notified_on)
    return page


def hearing_notice(case: PenaltyCase) -> Page:
    """听证通知书 (Art. 64): served at least seven working days before the hearing."""
    agency = facts.deciding_agency(case)
    page = Page(
        agency=agency.name, title="听证通知书", number=facts.number_text(case, "hearing_notice")
    )
    _addressed(page, case)
    page.para(
        f"根据你（单位）于{chinese_date(case.hearing_requested_on)}提出的听证申请，本机关定于"
        f"{chinese_date(case.hearing_on)}在{BLANK}对你（单位）{case.cause}一案举行听证，"
        "请准时参加。"
    )
    page.para(
        f"根据{LAW}第六十四条的规定，你（单位）可以亲自参加听证，也可以委托一至二人代理；"
        "认为主持人与本案有直接利害关系的，有权申请回避。委托代理人参加听证的，应当提交授权"
        "委托书。无正当理由拒不出席听证或者未经许可中途退出听证的，视为放弃听证权利。"
    )
    page.field("听证主持人", None)
    page.field("联系人", case.handler.display_name)
    page.signature(agency.name, case.hearing_notice_served_on)
    return page


def service_receipt(case: PenaltyCase) -> Page:
    """送达回证 for the decision (Art. 61; 卫生健康行政处罚程序规定 Art. 53–57)."""
    agency = facts.deciding_agency(case)
    page = Page(agency=agency.name, title="送达回证")
    served = chinese_date(case.served_on) if case.served_on else ""
    page.table(
        [
            ("送达文书名称及文号", f"《{decision.title(case)}》{case.decision_number}"),
            ("受送达人", case.entity.name),
            ("送达地点", case.entity.address),
            ("送达方式", "直接送达 / 留置送达 / 邮寄送达 / 电子送达 / 公告送达"),
            ("受送达人签名（盖章）及日期", served),
            ("代收人签名及代收理由", ""),
            ("送达人", "、".join(name for name, _ in facts.officers(case))),
            ("见证人", ""),
            ("备注", ""),
        ]
    )
    page.note(
        "受送达人拒绝签收的，送达人可以邀请有关基层组织或者所在单位的代表到场见证，或者采用"
        "拍照、录像等方式记录送达过程，把文书留在受送达人的住所，即视为送达。电子送达须经"
        "受送达人同意并签订确认书。"
    )
    return page


def demand_notice(case: PenaltyCase, today: dt.date) -> Page:
    """催告书 (行政强制法 Art. 35, 45, 54): the fine unpaid after its period, the surcharge owed
    on ``today``, ten days to comply before the application to the court."""
    agency = facts.deciding_agency(case)
    page = Page(agency=agency.name, title="催告书", number=facts.number_text(case, "demand_notice"))
    _addressed(page, case)
    due = payment_due(case)
    surcharge = surcharge_for(case, today)
    page.para(
        f"本机关于{chinese_date(case.decided_on)}对你（单位）作出《{decision.title(case)}》"
        f"（{case.decision_number}），于{chinese_date(case.served_on)}送达，决定对你（单位）"
        f"罚款{amount_both(case.fine or 0)}。缴纳罚款的期限已于{chinese_date(due)}届满，"
        "你（单位）至今未履行。"
    )
    owed = f"罚款{amount_both(case.fine or 0)}"
    if surcharge and surcharge.amount:
        owed += (
            f"，以及截至{chinese_date(today)}的加处罚款{amount_both(surcharge.amount)}"
            f"（{surcharge.citation}）"
        )
    page.para(
        "根据《中华人民共和国行政强制法》第三十五条、第四十五条及《中华人民共和国行政处罚法》"
        f"第七十二条的规定，现催告你（单位）自收到本催告书之日起十日内履行：缴纳{owed}。"
    )
    page.para(
        "你（单位）有权进行陈述和申辩，请于收到本催告书之日起三日内向本机关提出。"
        "逾期仍不履行的，本机关将依照《中华人民共和国行政强制法》第五十三条、第五十四条的规定"
        "申请人民法院强制执行。"
    )
    page.field("联系人", case.handler.display_name)
    page.signature(agency.name, today)
    return page
