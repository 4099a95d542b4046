"""The officer's assistant, as pure functions (no database): which tier the circumstances
select, the fine range it gives, and whether a proposed amount lies outside it.

Decision 0043 records the logic:

* the circumstances (``CIRCUMSTANCES``) are the ones of 行政处罚法 arts. 30-33 and those local
  benchmarks commonly use; a tier is selected by the circumstances it requires (all of
  ``requires_all`` and, when given, one of ``requires_any``);
* precedence: 不予处罚, then 减轻; then 从重 and 从轻 — both present give 一般 (mitigating and
  aggravating circumstances weighed together), one of them gives its tier; none gives 一般;
* "初次违法" counts only for an item on the first-violation list (首违不罚清单) and only when the
  entity's history shows no earlier violation (``fazhi.discretion.history``);
* a multiple of the illegal gains is computed on the gains, or on the tier's floor when the gains
  are below it (e.g. gains under 10,000 yuan counted as 10,000), to the fen (ROUND_HALF_UP);
* an amount outside the tier's range (or any fine where the tier has none) needs a written reason
  and sends the case to legal review: ``discretion_check``, which the case workflow calls.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from fazhi.core import errors

# tiers in their order of severity (TierKind's values)
NO_PENALTY, MITIGATED, LIGHTER, GENERAL, HEAVIER = (
    "no_penalty",
    "mitigated",
    "lighter",
    "general",
    "heavier",
)
TIER_ORDER = (NO_PENALTY, MITIGATED, LIGHTER, GENERAL, HEAVIER)
TIER_LABELS = {
    NO_PENALTY: "不予处罚",
    MITIGATED: "减轻处罚",
    LIGHTER: "从轻处罚",
    GENERAL: "一般处罚",
    HEAVIER: "从重处罚",
}
FINE_NONE, FINE_AMOUNT, FINE_MULTIPLE = "none", "amount", "multiple"

# Largest amount (fine bound, illegal gains, proposed fine) taken as input: 1,000,000,000 yuan.
# Above it the figure is a typing error, not a health penalty.
MAX_AMOUNT = Decimal("1000000000")
MAX_MULTIPLE = Decimal("100")
FEN = Decimal("0.01")

FIRST_VIOLATION = "first_violation"

# key: (label, basis). The officer picks among these; a tier names the ones that select it.
CIRCUMSTANCES: dict[str, tuple[str, str]] = {
    FIRST_VIOLATION: ("初次违法", "行政处罚法第三十三条第一款"),
    "minor_harm": ("危害后果轻微", "行政处罚法第三十三条第一款"),
    "corrected": ("及时改正", "行政处罚法第三十三条第一款"),
    "no_harm": ("未造成危害后果", "行政处罚法第三十三条第一款"),
    "no_fault": ("有证据足以证明没有主观过错", "行政处罚法第三十三条第二款"),
    "eliminated_harm": ("主动消除或者减轻违法行为危害后果", "行政处罚法第三十二条第（一）项"),
    "coerced": ("受他人胁迫或者诱骗实施违法行为", "行政处罚法第三十二条第（二）项"),
    "confessed": ("主动供述行政机关尚未掌握的违法行为", "行政处罚法第三十二条第（三）项"),
    "meritorious": ("配合查处违法行为有立功表现", "行政处罚法第三十二条第（四）项"),
    "minor_age": ("已满十四周岁不满十八周岁", "行政处罚法第三十条"),
    "short_duration": ("违法行为持续时间较短（基准规定的期限内）", "裁量基准"),
    "small_scale": ("违法所得或者涉案规模较小", "裁量基准"),
    "harm_caused": ("造成危害后果（如人身损害）", "裁量基准"),
    "serious_harm": ("造成严重危害后果或者恶劣社会影响", "裁量基准"),
    "repeat": ("曾因同类违法行为受过行政处罚", "裁量基准"),
    "refused_correction": ("拒不改正或者逾期不改正", "裁量基准"),
    "obstruction": ("阻碍、拒绝执法或者隐匿、销毁证据", "裁量基准"),
    "emergency": ("在突发公共卫生事件期间实施违法行为", "裁量基准"),
    "vulnerable": ("侵害未成年人、老年人、孕产妇等特殊群体", "裁量基准"),
}
LABEL_TO_KEY = {label: key for key, (label, _) in CIRCUMSTANCES.items()}


def circumstance_label(key: str) -> str:
    return CIRCUMSTANCES[key][0] if key in CIRCUMSTANCES else key


def _labels(keys: Iterable[str]) -> str:
    return "、".join(circumstance_label(k) for k in keys)


# --- input --------------------------------------------------------------------------------------


def parse_amount(
    value: Any, *, field: str, label: str, maximum: Decimal = MAX_AMOUNT, places: int = 2
) -> Decimal:
    """An exact, non-negative amount of at most ``places`` decimals up to ``maximum``; anything
    else (a float's noise, text, NaN, a negative or absurd figure) is refused with the reason."""
    if isinstance(value, (bool, float)):
        raise errors.ValidationFailed(
            f"{label}须以数字文本填写。", code="invalid_amount", field=field
        )
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise errors.ValidationFailed(
            f"{label}不是有效的数字。", code="invalid_amount", field=field
        ) from None
    if not amount.is_finite():
        raise errors.ValidationFailed(
            f"{label}不是有效的数字。", code="invalid_amount", field=field
        )
    if amount < 0:
        raise errors.ValidationFailed(f"{label}不能为负数。", code="invalid_amount", field=field)
    if amount > maximum:
        raise errors.ValidationFailed(
            f"{label}超过上限（{maximum:,}），请核对。", code="invalid_amount", field=field
        )
    if amount != amount.quantize(Decimal(1).scaleb(-places)):
        raise errors.ValidationFailed(
            f"{label}最多保留{places}位小数。", code="invalid_amount", field=field
        )
    return amount


def parse_circumstances(keys: Iterable[str]) -> list[str]:
    """The known circumstance keys, in the vocabulary's order; an unknown one is refused."""
    given = set()
    for key in keys:
        if key not in CIRCUMSTANCES:
            raise errors.ValidationFailed(
                "包含未知的违法情节。", code="unknown_circumstance", circumstance=str(key)[:40]
            )
        given.add(key)
    return [key for key in CIRCUMSTANCES if key in given]


# --- the tiers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TierRule:
    tier: str
    conditions: str = ""
    requires_all: tuple[str, ...] = ()
    requires_any: tuple[str, ...] = ()
    warning: bool = False
    fine_kind: str = FINE_NONE
    fine_min: Decimal | None = None
    fine_max: Decimal | None = None
    multiple_min: Decimal | None = None
    multiple_max: Decimal | None = None
    gains_floor: Decimal | None = None
    confiscation: str = ""
    suspension: str = ""
    revocation: str = ""
    other_measures: str = ""

    @property
    def label(self) -> str:
        return TIER_LABELS[self.tier]

    @property
    def selectable(self) -> bool:
        return bool(self.requires_all or self.requires_any)

    def matches(self, present: set[str]) -> bool:
        if not self.selectable:
            return False
        if not set(self.requires_all) <= present:
            return False
        return not self.requires_any or bool(set(self.requires_any) & present)

    def measures(self) -> list[str]:
        out = []
        if self.warning:
            out.append("警告")
        if self.fine_kind == FINE_AMOUNT:
            out.append(f"罚款{_money(self.fine_min)}至{_money(self.fine_max)}")
        elif self.fine_kind == FINE_MULTIPLE:
            floor = (
                f"（违法所得不足{_money(self.gains_floor)}的，按{_money(self.gains_floor)}计算）"
                if self.gains_floor
                else ""
            )
            out.append(f"违法所得{_num(self.multiple_min)}至{_num(self.multiple_max)}倍罚款{floor}")
        for text in (self.confiscation, self.suspension, self.revocation, self.other_measures):
            if text:
                out.append(text)
        return out or ["不予行政处罚"]


def _num(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"{value.quantize(FEN):,}元"


def check_tiers(tiers: Sequence[TierRule]) -> list[str]:
    """The problems of one item's tiers (empty: consistent): each tier once, 一般 present,
    known circumstances, fine bounds complete and ordered, and fines that do not overlap or
    run backwards from a milder tier to a more severe one of the same kind."""
    problems: list[str] = []
    kinds = [t.tier for t in tiers]
    for tier in set(kinds):
        if kinds.count(tier) > 1:
            problems.append(f"“{TIER_LABELS.get(tier, tier)}”阶次重复")
    if GENERAL not in kinds:
        problems.append("缺少“一般处罚”阶次")
    for t in tiers:
        for value, limit in (
            (t.fine_min, MAX_AMOUNT),
            (t.fine_max, MAX_AMOUNT),
            (t.gains_floor, MAX_AMOUNT),
            (t.multiple_min, MAX_MULTIPLE),
            (t.multiple_max, MAX_MULTIPLE),
        ):
            if value is not None and not _sane(value, limit):
                problems.append(
                    f"“{t.label}”的金额或倍数{value}无效（须为0至{limit:,}、最多两位小数）"
                )
        unknown = [k for k in (*t.requires_all, *t.requires_any) if k not in CIRCUMSTANCES]
        if unknown:
            problems.append(f"“{t.label}”含未知情节：{'、'.join(unknown)}")
        if t.fine_kind == FINE_AMOUNT:
            if t.fine_min is None or t.fine_max is None:
                problems.append(f"“{t.label}”按金额罚款，须填写罚款下限和上限")
            elif t.fine_min > t.fine_max:
                problems.append(f"“{t.label}”罚款下限大于上限")
        elif t.fine_kind == FINE_MULTIPLE:
            if t.multiple_min is None or t.multiple_max is None:
                problems.append(f"“{t.label}”按倍数罚款，须填写倍数下限和上限")
            elif t.multiple_min > t.multiple_max:
                problems.append(f"“{t.label}”倍数下限大于上限")
        if t.tier == NO_PENALTY and (t.fine_kind != FINE_NONE or t.warning):
            problems.append("“不予处罚”阶次不能规定警告或罚款")
    ordered = sorted(
        (t for t in tiers if t.tier in TIER_ORDER and t.tier != NO_PENALTY),
        key=lambda t: TIER_ORDER.index(t.tier),
    )
    for lower, higher in itertools.pairwise(ordered):
        if lower.fine_kind != higher.fine_kind or lower.fine_kind == FINE_NONE:
            continue
        low_max, high_min = _bounds(lower)[1], _bounds(higher)[0]
        if low_max is not None and high_min is not None and low_max > high_min:
            problems.append(
                f"“{lower.label}”与“{higher.label}”的罚款幅度重叠"
                f"（{lower.label}上限高于{higher.label}下限）"
            )
    return problems


def _sane(value: Decimal, limit: Decimal) -> bool:
    return value.is_finite() and Decimal(0) <= value <= limit and value == value.quantize(FEN)


def _bounds(t: TierRule) -> tuple[Decimal | None, Decimal | None]:
    if t.fine_kind == FINE_MULTIPLE:
        return t.multiple_min, t.multiple_max
    return t.fine_min, t.fine_max


# --- the range ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FineRange:
    """The fine a tier allows: ``kind`` none (no fine allowed), amount, or multiple (computed
    on ``base``); ``minimum``/``maximum`` in yuan. ``known`` is False when a multiple lacks the
    illegal gains."""

    kind: str
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    base: Decimal | None = None
    known: bool = True

    def base_text(self) -> str:
        return _money(self.base)

    def text(self) -> str:
        if self.kind == FINE_NONE:
            return "不予罚款"
        if not self.known:
            return "须填写违法所得后计算"
        return f"{_money(self.minimum)}至{_money(self.maximum)}"


def fine_range(rule: TierRule, illegal_gains: Decimal | None) -> FineRange:
    if rule.fine_kind == FINE_AMOUNT:
        return FineRange(FINE_AMOUNT, rule.fine_min, rule.fine_max)
    if rule.fine_kind == FINE_MULTIPLE:
        if illegal_gains is None:
            return FineRange(FINE_MULTIPLE, known=False)
        base = illegal_gains
        if rule.gains_floor is not None and base < rule.gains_floor:
            base = rule.gains_floor
        assert rule.multiple_min is not None and rule.multiple_max is not None
        return FineRange(
            FINE_MULTIPLE,
            (base * rule.multiple_min).quantize(FEN, ROUND_HALF_UP),
            (base * rule.multiple_max).quantize(FEN, ROUND_HALF_UP),
            base=base,
        )
    return FineRange(FINE_NONE)


# --- the proposal -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    tier: TierRule
    range: FineRange
    reasons: list[str]
    circumstances: list[str]  # the circumstances counted (after the history check)
    measures: list[str] = field(default_factory=list)

    @property
    def tier_label(self) -> str:
        return self.tier.label


def propose(
    tiers: Sequence[TierRule],
    circumstances: Iterable[str],
    *,
    illegal_gains: Decimal | None = None,
    first_violation_list: bool = False,
    earlier_violations: Sequence[str] | None = None,
) -> Proposal:
    """The tier the circumstances select and why (decision 0043).

    ``earlier_violations``: descriptions of the entity's earlier violations, None when the
    entity's history was not checked (no entity given)."""
    present = set(parse_circumstances(circumstances))
    reasons: list[str] = []
    if FIRST_VIOLATION in present:
        if not first_violation_list:
            present.discard(FIRST_VIOLATION)
            reasons.append("该违法行为未列入首违不罚清单，“初次违法”不作为不予处罚的情节。")
        elif earlier_violations:
            present.discard(FIRST_VIOLATION)
            reasons.append(
                "经核对当事人违法记录，此前已有："
                + "；".join(earlier_violations[:5])
                + "，不属于初次违法。"
            )
        elif earlier_violations is None:
            reasons.append("未核对当事人违法记录（未指定当事人），“初次违法”以承办人认定为准。")
        else:
            reasons.append("经核对当事人违法记录，未发现此前的违法行为，属于初次违法。")
    by_tier = {t.tier: t for t in tiers}
    general = by_tier.get(GENERAL)
    if general is None:
        raise errors.Conflict(
            "该裁量事项缺少“一般处罚”阶次，不能计算。", code="benchmark_incomplete"
        )
    matched = {t.tier for t in tiers if t.matches(present)}

    def why(t: TierRule) -> str:
        needed = [*t.requires_all, *(k for k in t.requires_any if k in present)]
        cond = f"（基准规定的适用情形：{t.conditions}）" if t.conditions else ""
        return f"具备“{_labels(k for k in needed if k in present)}”，符合“{t.label}”阶次{cond}。"

    if NO_PENALTY in matched:
        chosen = by_tier[NO_PENALTY]
        reasons.append(why(chosen))
    elif MITIGATED in matched:
        chosen = by_tier[MITIGATED]
        reasons.append(why(chosen))
    elif HEAVIER in matched and LIGHTER in matched:
        chosen = general
        reasons.append(why(by_tier[LIGHTER]).rstrip("。") + "；")
        reasons.append(why(by_tier[HEAVIER]).rstrip("。") + "；")
        reasons.append("从轻与从重情节并存，综合裁量适用“一般处罚”阶次。")
    elif HEAVIER in matched:
        chosen = by_tier[HEAVIER]
        reasons.append(why(chosen))
    elif LIGHTER in matched:
        chosen = by_tier[LIGHTER]
        reasons.append(why(chosen))
    else:
        chosen = general
        if present:
            reasons.append(
                f"所选情节（{_labels(sorted(present, key=list(CIRCUMSTANCES).index))}）"
                "不构成其他阶次的适用情形，适用“一般处罚”阶次。"
            )
        else:
            reasons.append("未选择从轻、减轻、从重或不予处罚的情节，适用“一般处罚”阶次。")
    span = fine_range(chosen, illegal_gains)
    floor = chosen.gains_floor
    gains_below = illegal_gains is not None and floor is not None and illegal_gains < floor
    if span.kind == FINE_MULTIPLE and span.known and gains_below:
        reasons.append(
            f"违法所得{_money(illegal_gains)}不足{_money(floor)}，按{_money(floor)}计算罚款。"
        )
    if span.kind == FINE_MULTIPLE and not span.known:
        reasons.append("该阶次按违法所得倍数罚款，填写违法所得后可计算罚款幅度。")
    counted = [k for k in CIRCUMSTANCES if k in present]
    return Proposal(chosen, span, reasons, counted, chosen.measures())


# --- the check ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    outside: bool
    reason_required: bool
    legal_review_required: bool
    message: str


def discretion_check(amount: Decimal, span: FineRange) -> Check:
    """Whether a proposed fine lies outside the tier's range. Outside: the decision needs a
    written reason and the case needs legal review (the case workflow calls this)."""
    amount = parse_amount(amount, field="amount", label="拟罚款金额")
    if span.kind != FINE_NONE and not span.known:
        raise errors.ValidationFailed(
            "该阶次按违法所得倍数罚款，请先填写违法所得。",
            code="gains_required",
            field="illegal_gains",
        )
    if span.kind == FINE_NONE:
        outside = amount > 0
    else:
        assert span.minimum is not None and span.maximum is not None
        outside = amount < span.minimum or amount > span.maximum
    if outside:
        message = (
            f"拟罚款{_money(amount)}超出裁量基准幅度（{span.text()}），"
            "须书面说明理由，并提交法制审核。"
        )
    else:
        message = f"拟罚款{_money(amount)}在裁量基准幅度（{span.text()}）内。"
    return Check(outside, outside, outside, message)
