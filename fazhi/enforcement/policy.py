"""What a penalty case requires, decided in one place each.

- ``hearing_right_reasons``: why the party may request a hearing (行政处罚法 Art. 63).
- ``legal_review_reasons``: why a legal review (法制审核) must come before the decision (Art. 58,
  and the province's catalogue of major enforcement decisions). The decision guard and the
  case-file completeness check both ask this one predicate.
- ``deliberation_reasons``: why the agency's leaders must decide collectively (Art. 57 para 2).

Each answers a list of Chinese reasons; an empty list means "not required". Amounts are compared
as exact ``Decimal``s against the province pack's thresholds (decision 0038).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from fazhi.core import errors, rules
from fazhi.enforcement.models import PenaltyCase, PenaltyKind

HEARING_THRESHOLD = "penalty.hearing_threshold"
REVIEW_THRESHOLD = "penalty.legal_review_threshold"


def party_class(case: PenaltyCase) -> tuple[str, ...]:
    """The threshold names that apply to the party, most specific first: an individual on the
    register is in business (公民经营活动, else 公民); anyone else 法人或者其他组织."""
    if case.entity.is_individual:
        return ("公民经营活动", "公民")
    return ("法人或者其他组织",)


def _threshold(key: str, case: PenaltyCase, on: dt.date) -> tuple[Decimal, rules.Rule] | None:
    """The province's amount for this party, or None when the province sets none."""
    try:
        rule = rules.rule(key, on=on, province=case.organisation.province_code())
    except errors.UnknownRule:
        return None
    for name in party_class(case):
        if name in rule.value.amounts:
            return Decimal(str(rule.value.amounts[name])), rule
    return None


def _amount(value: Decimal | None) -> Decimal:
    return value if value is not None else Decimal("0")


def _yuan(value: Decimal) -> str:
    return f"{value:,.2f}元"


def hearing_right_reasons(
    case: PenaltyCase,
    *,
    kinds: list[str],
    fine: Decimal | None,
    confiscation: Decimal | None,
    on: dt.date,
) -> list[str]:
    """Why the proposed penalty gives the party the right to a hearing (Art. 63).

    Where the province sets no amount for 较大数额, any fine or confiscation gives the right:
    the party keeps a right the law may give rather than lose one the province did not define."""
    reasons = []
    if PenaltyKind.QUALIFICATION in kinds:
        reasons.append("拟降低资质等级、吊销许可证件（行政处罚法第六十三条第一款第（三）项）")
    if PenaltyKind.SUSPENSION in kinds:
        reasons.append("拟责令停产停业、责令关闭、限制从业（行政处罚法第六十三条第一款第（四）项）")
    money = _amount(fine) + _amount(confiscation)
    if money > 0:
        found = _threshold(HEARING_THRESHOLD, case, on)
        if found is None:
            reasons.append("本省未规定较大数额标准，拟罚没款项均告知听证权利")
        elif money >= found[0]:
            reasons.append(
                f"拟罚没{_yuan(money)}，达到较大数额标准{_yuan(found[0])}（{found[1].citation}）"
            )
    return reasons


def legal_review_reasons(case: PenaltyCase, *, on: dt.date | None = None) -> list[str]:
    """Why the decision on ``case`` needs a legal review first; empty: it does not.

    Reads the proposed penalty (the decided one once decided), the hearing held and the flags."""
    on = on or case.filed_on
    reasons = []
    if case.major_public_interest:
        reasons.append("涉及重大公共利益（行政处罚法第五十八条第一款第（一）项）")
    if case.hearing_held_on is not None:
        reasons.append("经过听证程序（行政处罚法第五十八条第一款第（二）项）")
    if case.complex_case:
        reasons.append("案件情况疑难复杂、涉及多个法律关系（行政处罚法第五十八条第一款第（三）项）")
    kinds = list(case.penalty_kinds or [])
    if PenaltyKind.QUALIFICATION in kinds:
        reasons.append("拟降低资质等级、吊销许可证件（重大执法决定）")
    if PenaltyKind.SUSPENSION in kinds:
        reasons.append("拟责令停产停业、责令关闭、限制从业（重大执法决定）")
    fine = case.fine if case.fine is not None else case.proposed_fine
    confiscation = (
        case.confiscation if case.confiscation is not None else case.proposed_confiscation
    )
    money = _amount(fine) + _amount(confiscation)
    found = _threshold(REVIEW_THRESHOLD, case, on) if money > 0 else None
    if found is not None and money >= found[0]:
        reasons.append(
            f"罚没{_yuan(money)}，达到重大执法决定标准{_yuan(found[0])}（{found[1].citation}）"
        )
    return reasons


def deliberation_reasons(case: PenaltyCase) -> list[str]:
    """Why the leaders must decide collectively (行政处罚法 Art. 57 para 2)."""
    reasons = []
    if case.complex_case:
        reasons.append("情节复杂（行政处罚法第五十七条第二款）")
    if case.serious_violation:
        reasons.append("重大违法行为（行政处罚法第五十七条第二款）")
    return reasons


def completeness_problems(case: PenaltyCase) -> list[str]:
    """What the case file lacks before it may be archived (案卷完整性)."""
    problems = []
    if case.procedure == "general":
        if not case.investigation_report:
            problems.append("缺少调查终结报告")
        if case.notified_on is None and case.outcome == "penalty":
            problems.append("缺少行政处罚事先告知")
        if legal_review_reasons(case) and case.legal_review_on is None:
            problems.append("缺少法制审核意见")
        if deliberation_reasons(case) and case.deliberated_on is None:
            problems.append("缺少集体讨论记录")
    if not case.decision_number:
        problems.append("缺少处理决定书文号")
    if case.served_on is None:
        problems.append("缺少送达回证")
    return problems
