"""The tier logic, the range and the check, as pure functions (decision 0043)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fazhi.core import errors
from fazhi.discretion import engine
from fazhi.discretion.engine import TierRule

D = Decimal


def multiple_tiers() -> list[TierRule]:
    def tier(name: str, low: str, high: str, **kw: object) -> TierRule:
        return TierRule(
            tier=name,
            fine_kind="multiple",
            multiple_min=D(low),
            multiple_max=D(high),
            gains_floor=D("10000"),
            **kw,  # type: ignore[arg-type]
        )

    return [
        TierRule(tier="no_penalty", requires_all=("first_violation", "minor_harm", "corrected")),
        tier("mitigated", "0", "5", requires_all=("minor_harm",), requires_any=("coerced",)),
        tier("lighter", "5", "10", requires_any=("short_duration", "confessed")),
        tier("general", "10", "15"),
        tier("heavier", "15", "20", requires_any=("repeat", "harm_caused")),
    ]


def test_no_circumstance_is_general_with_the_multiple_on_the_floor():
    proposal = engine.propose(multiple_tiers(), [], illegal_gains=D("3000"))
    assert proposal.tier.tier == "general"
    assert proposal.range.minimum == D("100000.00")  # 10,000 × 10: gains under the floor
    assert proposal.range.maximum == D("150000.00")
    assert any("不足" in r and "10,000.00元" in r for r in proposal.reasons)


def test_gains_above_the_floor_are_the_base():
    proposal = engine.propose(multiple_tiers(), ["short_duration"], illegal_gains=D("12345.67"))
    assert proposal.tier.tier == "lighter"
    assert proposal.range.minimum == D("61728.35")  # 12345.67 × 5, to the fen
    assert proposal.range.maximum == D("123456.70")
    assert "违法行为持续时间较短" in proposal.reasons[0]


def test_heavier_and_lighter_together_give_general():
    proposal = engine.propose(multiple_tiers(), ["confessed", "repeat"], illegal_gains=D("0"))
    assert proposal.tier.tier == "general"
    assert any("并存" in r for r in proposal.reasons)


def test_heavier_alone():
    assert engine.propose(multiple_tiers(), ["harm_caused"]).tier.tier == "heavier"


def test_mitigated_needs_all_and_one_of_any():
    assert engine.propose(multiple_tiers(), ["minor_harm"]).tier.tier == "general"
    assert engine.propose(multiple_tiers(), ["minor_harm", "coerced"]).tier.tier == "mitigated"


def test_first_violation_only_on_the_list_and_without_history():
    first = ["first_violation", "minor_harm", "corrected"]
    tiers = multiple_tiers()
    waived = engine.propose(tiers, first, first_violation_list=True, earlier_violations=[])
    assert waived.tier.tier == "no_penalty"
    assert waived.range.kind == "none"
    assert any("未发现此前的违法行为" in r for r in waived.reasons)
    not_listed = engine.propose(tiers, first, first_violation_list=False, earlier_violations=[])
    assert not_listed.tier.tier == "general"
    assert "首违不罚清单" in not_listed.reasons[0]
    repeat = engine.propose(
        tiers, first, first_violation_list=True, earlier_violations=["2024年1月1日案源"]
    )
    assert repeat.tier.tier == "general"
    assert "first_violation" not in repeat.circumstances
    assert "不属于初次违法" in repeat.reasons[0]
    unchecked = engine.propose(tiers, first, first_violation_list=True, earlier_violations=None)
    assert unchecked.tier.tier == "no_penalty"
    assert "未核对" in unchecked.reasons[0]


def test_multiple_without_gains_is_unknown_and_the_check_asks_for_them():
    proposal = engine.propose(multiple_tiers(), [])
    assert not proposal.range.known
    with pytest.raises(errors.ValidationFailed) as exc:
        engine.discretion_check(D("1000"), proposal.range)
    assert exc.value.code == "gains_required"


def test_check_inside_and_outside():
    span = engine.FineRange("amount", D("500"), D("5000"))
    inside = engine.discretion_check(D("500"), span)
    assert not inside.outside and not inside.legal_review_required
    for amount in (D("499.99"), D("5000.01")):
        outside = engine.discretion_check(amount, span)
        assert outside.outside and outside.reason_required and outside.legal_review_required
        assert "法制审核" in outside.message
    assert engine.discretion_check(D("1"), engine.FineRange("none")).outside
    assert not engine.discretion_check(D("0"), engine.FineRange("none")).outside


@pytest.mark.parametrize(
    "bad", ["-1", "abc", "NaN", "Infinity", "1.001", "1000000000.01", 1.5, True]
)
def test_bad_amounts_are_refused(bad):
    with pytest.raises(errors.ValidationFailed) as exc:
        engine.parse_amount(bad, field="amount", label="金额")
    assert exc.value.code == "invalid_amount"


def test_unknown_circumstance_is_refused():
    with pytest.raises(errors.ValidationFailed) as exc:
        engine.propose(multiple_tiers(), ["bribed"])
    assert exc.value.code == "unknown_circumstance"


def test_consistent_tiers_have_no_problems():
    assert engine.check_tiers(multiple_tiers()) == []


def test_overlapping_and_inverted_tiers_are_found():
    tiers = multiple_tiers()
    tiers[2] = TierRule(
        tier="lighter", fine_kind="multiple", multiple_min=D("5"), multiple_max=D("12")
    )
    assert any("重叠" in p for p in engine.check_tiers(tiers))
    inverted = [TierRule(tier="general", fine_kind="amount", fine_min=D("900"), fine_max=D("100"))]
    assert any("下限大于上限" in p for p in engine.check_tiers(inverted))


def test_missing_general_duplicate_tier_and_fined_no_penalty():
    problems = engine.check_tiers(
        [
            TierRule(tier="lighter", fine_kind="amount", fine_min=D("1"), fine_max=D("2")),
            TierRule(tier="lighter"),
            TierRule(tier="no_penalty", warning=True),
            TierRule(tier="heavier", fine_kind="amount"),
        ]
    )
    text = "；".join(problems)
    assert "缺少“一般处罚”" in text
    assert "重复" in text
    assert "不予处罚”阶次不能" in text
    assert "须填写罚款下限和上限" in text


def test_absurd_or_negative_bounds_in_tiers_are_found():
    tiers = [
        TierRule(tier="general", fine_kind="amount", fine_min=D("-1"), fine_max=D("1e12")),
        TierRule(
            tier="heavier", fine_kind="multiple", multiple_min=D("1.005"), multiple_max=D("500")
        ),
    ]
    problems = engine.check_tiers(tiers)
    assert sum("无效" in p for p in problems) == 4
