"""The record forms of an investigation and a hearing, with what the case knows filled in and
the rest left for the pen: the on-site record, the interview record, the hearing record, and the
evidence preservation decision (先行登记保存, 行政处罚法 Art. 56)."""

from __future__ import annotations

from fazhi.enforcement.documents import facts
from fazhi.enforcement.documents.layout import BLANK, Page, chinese_date
from fazhi.enforcement.models import PenaltyCase

OPENING = (
    "执法人员出示执法证件，表明身份，告知：我们是{agency}的执法人员，依法进行调查（检查），"
    "请予配合。你（单位）有权申请执法人员回避；如认为执法人员与本案有直接利害关系，可以"
    "申请回避（《中华人民共和国行政处罚法》第四十二条、第四十三条、第五十五条）。"
)


def _officer_line(case: PenaltyCase) -> str:
    return "、".join(
        f"{name}（执法证号{number}）" if number else name for name, number in facts.officers(case)
    )


def _record(case: PenaltyCase, title: str, rows: list[tuple[str, str]]) -> Page:
    page = Page(agency=case.organisation.name, title=title)
    page.table(rows)
    page.para(OPENING.format(agency=case.organisation.name))
    page.field("记录内容", None)
    for _ in range(6):
        page.line(BLANK * 4)
    page.para("以上笔录已阅读（已向我宣读），与事实相符。")
    page.field("被调查人（当事人）签名及日期", None)
    page.field("执法人员签名及日期", None)
    page.field("记录人签名", None)
    return page


def onsite_record(case: PenaltyCase) -> Page:
    """现场笔录."""
    return _record(
        case,
        "现场笔录",
        [
            ("案由", case.cause),
            ("检查时间", "　　年　　月　　日　　时　　分至　　时　　分"),
            ("检查地点", case.entity.address),
            ("被检查人", case.entity.name),
            ("法定代表人（负责人）", case.entity.legal_representative),
            ("执法人员", _officer_line(case)),
            ("在场人", ""),
        ],
    )


def interview_record(case: PenaltyCase) -> Page:
    """询问笔录."""
    return _record(
        case,
        "询问笔录",
        [
            ("案由", case.cause),
            ("询问时间", "　　年　　月　　日　　时　　分至　　时　　分"),
            ("询问地点", ""),
            ("被询问人", ""),
            ("与当事人关系", f"（当事人：{case.entity.name}）"),
            ("询问人、记录人", _officer_line(case)),
        ],
    )


def hearing_record(case: PenaltyCase) -> Page:
    """听证笔录 (Art. 64 (8)): the parties, then the hearing's course for the clerk."""
    page = Page(agency=facts.deciding_agency(case).name, title="听证笔录")
    page.table(
        [
            ("案由", case.cause),
            ("当事人", case.entity.name),
            ("听证时间", chinese_date(case.hearing_held_on or case.hearing_on)),
            ("听证地点", ""),
            ("听证主持人", ""),
            ("书记员", ""),
            ("案件调查人员", _officer_line(case)),
            ("当事人及委托代理人", ""),
        ]
    )
    page.para(
        "听证主持人宣布听证纪律，告知当事人的权利义务，询问当事人是否申请回避；案件调查人员"
        "提出当事人违法的事实、证据和行政处罚建议；当事人进行申辩和质证；双方最后陈述。"
    )
    page.field("听证记录", None)
    for _ in range(6):
        page.line(BLANK * 4)
    page.para(
        "笔录应当交当事人或者其代理人核对无误后签字或者盖章；拒绝签字或者盖章的，由听证主持人"
        "在笔录中注明（《中华人民共和国行政处罚法》第六十四条第（八）项）。"
    )
    page.field("当事人（代理人）签名", None)
    page.field("主持人、书记员签名", None)
    return page


def preservation_decision(case: PenaltyCase) -> Page:
    """先行登记保存证据决定书, with each registration and its decision (Art. 56: the agency
    head's approval; a decision within seven working days)."""
    agency = facts.deciding_agency(case)
    page = Page(
        agency=agency.name,
        title="先行登记保存证据决定书",
        number=facts.number_text(case, "evidence_preservation"),
    )
    page.line(f"{case.entity.name}：")
    page.para(
        f"因调查你（单位）{case.cause}一案，在证据可能灭失或者以后难以取得的情况下，经本机关负责人"
        "批准，根据《中华人民共和国行政处罚法》第五十六条的规定，决定对下列物品先行登记保存。"
        "在登记保存期间，当事人或者有关人员不得销毁或者转移证据。本机关将在七个工作日内作出"
        "处理决定。"
    )
    for index, row in enumerate(case.preservations.all(), start=1):
        text = f"{index}. {row.items}（{chinese_date(row.registered_on)}登记保存）"
        if row.decided_on:
            text += f"；{chinese_date(row.decided_on)}处理决定：{row.decision}"
        page.para(text)
    page.signature(agency.name, case.preservations.all()[0].registered_on)
    return page
