"""Publishing a discretion benchmark (one transaction: the table, its items and tiers, and the
closing of the version it replaces) and the officer's assistant."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from fazhi.core import audit, clock, errors
from fazhi.core.models import Organisation, User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap, require_in_scope
from fazhi.core.services._common import clean_text
from fazhi.discretion import engine, history
from fazhi.discretion.events import BenchmarkEvent
from fazhi.discretion.models import Benchmark, BenchmarkItem, BenchmarkTier

MAX_ITEMS = 2000


@dataclass
class ItemData:
    """One violation of a benchmark, as a form, a file or the sample gives it."""

    code: str
    violation: str
    violated_article: str
    penalty_article: str
    first_violation_list: bool = False
    tiers: list[engine.TierRule] = field(default_factory=list)


@dataclass(frozen=True)
class BenchmarkMeta:
    title: str
    issuing_body: str
    effective_from: dt.date
    effective_to: dt.date | None = None
    document_number: str = ""
    is_sample: bool = False
    sources: str = ""


def clean_meta(meta: BenchmarkMeta) -> BenchmarkMeta:
    """The benchmark's heading checked: names present and not too long, dates in order."""
    if meta.effective_to is not None and meta.effective_to < meta.effective_from:
        raise errors.ValidationFailed(
            "失效日期不能早于施行日期。", code="invalid_period", field="effective_to"
        )
    return BenchmarkMeta(
        title=clean_text(meta.title, field="title", label="基准名称", max_length=200),
        issuing_body=clean_text(
            meta.issuing_body, field="issuing_body", label="发布机关", max_length=200
        ),
        effective_from=meta.effective_from,
        effective_to=meta.effective_to,
        document_number=clean_text(
            meta.document_number,
            field="document_number",
            label="文号",
            max_length=100,
            required=False,
        ),
        is_sample=meta.is_sample,
        sources=clean_text(
            meta.sources, field="sources", label="依据与来源", max_length=5000, required=False
        ),
    )


def item_problems(item: ItemData) -> list[str]:
    """What is wrong with one item (empty: nothing)."""
    problems = []
    for name, label, limit in (
        ("code", "编号", 20),
        ("violation", "违法行为", 300),
        ("violated_article", "违反条款", 500),
        ("penalty_article", "处罚依据", 500),
    ):
        value = getattr(item, name)
        if not value:
            problems.append(f"{label}不能为空")
        elif len(value) > limit:
            problems.append(f"{label}不能超过{limit}个字符")
    problems.extend(engine.check_tiers(item.tiers))
    return problems


def check_items(items: Sequence[ItemData]) -> None:
    if not items:
        raise errors.ValidationFailed("裁量基准至少须包含一个违法行为。", code="benchmark_empty")
    if len(items) > MAX_ITEMS:
        raise errors.ValidationFailed(
            f"一个裁量基准最多{MAX_ITEMS}个违法行为。", code="benchmark_too_large"
        )
    seen: set[str] = set()
    for item in items:
        problems = item_problems(item)
        if item.code in seen:
            problems.append("编号重复")
        seen.add(item.code)
        if problems:
            raise errors.ValidationFailed(
                f"违法行为“{item.code or item.violation[:20]}”：{'；'.join(problems)}。",
                code="invalid_benchmark_item",
                item=item.code[:20],
            )


def benchmark_create(
    *,
    actor: User | None,
    organisation: Organisation,
    meta: BenchmarkMeta,
    items: Sequence[ItemData],
) -> Benchmark:
    """Publish a benchmark of ``organisation``; a version of the same title in force before it
    is closed the day before the new one takes effect."""
    _require_manage(actor, organisation)
    meta = clean_meta(meta)
    check_items(items)
    with transaction.atomic(durable=True):
        return create_in_transaction(actor=actor, organisation=organisation, meta=meta, items=items)


def _require_manage(actor: User | None, organisation: Organisation) -> None:
    if actor is None:  # the system: the sample command and the demo
        return
    require_cap(actor, Cap.DISCRETION_MANAGE, action=BenchmarkEvent.CREATED)
    require_in_scope(actor, organisation, action=BenchmarkEvent.CREATED)


def create_in_transaction(
    *,
    actor: User | None,
    organisation: Organisation,
    meta: BenchmarkMeta,
    items: Sequence[ItemData],
) -> Benchmark:
    """The writes of ``benchmark_create`` (checked input), inside the caller's transaction."""
    # Serialise publications per organisation: two versions of one title published at once
    # must not both pass the overlap check (the version rows may not exist yet to be locked).
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    versions = list(
        Benchmark.objects.select_for_update()
        .filter(organisation=organisation, title=meta.title)
        .order_by("effective_from")
    )
    new_end = meta.effective_to or dt.date.max
    for old in versions:
        old_end = old.effective_to or dt.date.max
        if old.effective_from < meta.effective_from and old.effective_to is None:
            continue  # closed below
        if old.effective_from <= new_end and meta.effective_from <= old_end:
            raise errors.Conflict(
                f"同名裁量基准已有施行期间与之重叠的版本（自{old.effective_from:%Y-%m-%d}起）。",
                code="benchmark_overlap",
                benchmark=old.pk,
            )
    benchmark = Benchmark.objects.create(
        organisation=organisation,
        title=meta.title,
        issuing_body=meta.issuing_body,
        document_number=meta.document_number,
        effective_from=meta.effective_from,
        effective_to=meta.effective_to,
        is_sample=meta.is_sample,
        sources=meta.sources,
        created_by=actor,
    )
    for old in versions:
        if old.effective_from < meta.effective_from and old.effective_to is None:
            old.effective_to = meta.effective_from - dt.timedelta(days=1)
            old.save(update_fields=["effective_to"])
            audit.append(
                actor=actor,
                action=BenchmarkEvent.SUPERSEDED,
                obj=old,
                details={"effective_to": old.effective_to.isoformat(), "by": benchmark.pk},
            )
    tiers: list[BenchmarkTier] = []
    for position, data in enumerate(items, start=1):
        item = BenchmarkItem.objects.create(
            benchmark=benchmark,
            code=data.code,
            position=position,
            violation=data.violation,
            violated_article=data.violated_article,
            penalty_article=data.penalty_article,
            first_violation_list=data.first_violation_list,
        )
        tiers.extend(_tier_row(item, rule) for rule in data.tiers)
    BenchmarkTier.objects.bulk_create(tiers)
    audit.append(
        actor=actor,
        action=BenchmarkEvent.CREATED,
        obj=benchmark,
        details={
            "title": meta.title,
            "effective_from": meta.effective_from.isoformat(),
            "items": len(items),
            "sample": meta.is_sample,
        },
    )
    return benchmark


def _tier_row(item: BenchmarkItem, rule: engine.TierRule) -> BenchmarkTier:
    return BenchmarkTier(
        item=item,
        tier=rule.tier,
        conditions=rule.conditions,
        requires_all=list(rule.requires_all),
        requires_any=list(rule.requires_any),
        warning=rule.warning,
        fine_kind=rule.fine_kind,
        fine_min=rule.fine_min,
        fine_max=rule.fine_max,
        multiple_min=rule.multiple_min,
        multiple_max=rule.multiple_max,
        gains_floor=rule.gains_floor,
        confiscation=rule.confiscation,
        suspension=rule.suspension,
        revocation=rule.revocation,
        other_measures=rule.other_measures,
    )


def tier_rule(row: BenchmarkTier) -> engine.TierRule:
    return engine.TierRule(
        tier=row.tier,
        conditions=row.conditions,
        requires_all=tuple(row.requires_all or ()),
        requires_any=tuple(row.requires_any or ()),
        warning=row.warning,
        fine_kind=row.fine_kind,
        fine_min=row.fine_min,
        fine_max=row.fine_max,
        multiple_min=row.multiple_min,
        multiple_max=row.multiple_max,
        gains_floor=row.gains_floor,
        confiscation=row.confiscation,
        suspension=row.suspension,
        revocation=row.revocation,
        other_measures=row.other_measures,
    )


# --- the assistant ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assistance:
    """What the assistant answers: the proposal, and the check of an amount when one was given."""

    item: BenchmarkItem
    proposal: engine.Proposal
    check: engine.Check | None
    history_checked: bool
    earlier: list[history.PriorViolation]


def proposal_record(answer: Assistance) -> dict[str, Any]:
    """What a decision stores of the assistant's answer (JSON): the benchmark version and item
    it came from, the tier, the range, the circumstances counted and the reasons."""
    item = answer.item
    benchmark = item.benchmark
    span = answer.proposal.range
    money = {"minimum": span.minimum, "maximum": span.maximum, "base": span.base}
    record: dict[str, Any] = {
        "benchmark": benchmark.pk,
        "benchmark_title": benchmark.title,
        "benchmark_effective_from": benchmark.effective_from.isoformat(),
        "item": item.pk,
        "item_code": item.code,
        "violation": item.violation,
        "tier": answer.proposal.tier.tier,
        "tier_label": answer.proposal.tier_label,
        "fine_kind": span.kind,
        "range": span.text(),
        **{key: None if value is None else str(value) for key, value in money.items()},
        "measures": list(answer.proposal.measures),
        "circumstances": list(answer.proposal.circumstances),
        "reasons": list(answer.proposal.reasons),
        "history_checked": answer.history_checked,
    }
    if answer.check is not None:
        record["check"] = {
            "outside": answer.check.outside,
            "legal_review_required": answer.check.legal_review_required,
            "message": answer.check.message,
        }
    return record


def discretion_propose(
    *,
    actor: User | Any,
    item: BenchmarkItem,
    circumstances: Iterable[str],
    illegal_gains: Any = None,
    amount: Any = None,
    entity: Any = None,
    on: dt.date | None = None,
) -> Assistance:
    """The tier, fine range and reasons for ``item`` under ``circumstances``; with ``entity``
    the first-violation claim is checked against its history; with ``amount`` whether that fine
    lies outside the range. Writes nothing."""
    require_cap(actor, Cap.DISCRETION_VIEW, action=BenchmarkEvent.PROPOSED)
    gains = (
        None
        if illegal_gains in (None, "")
        else engine.parse_amount(illegal_gains, field="illegal_gains", label="违法所得")
    )
    on = on or clock.today()
    earlier: list[history.PriorViolation] = []
    if entity is not None:
        earlier = history.earlier_violations(entity=entity, before=on, item=item)
    rules = [tier_rule(t) for t in item.tiers.all()]
    proposal = engine.propose(
        rules,
        circumstances,
        illegal_gains=gains,
        first_violation_list=item.first_violation_list,
        earlier_violations=None if entity is None else [v.description for v in earlier],
    )
    check = None
    if amount not in (None, ""):
        check = engine.discretion_check(
            engine.parse_amount(amount, field="amount", label="拟罚款金额"), proposal.range
        )
    return Assistance(item, proposal, check, entity is not None, earlier)


def amount_needs_review(
    *, item: BenchmarkItem, tier: str, amount: Decimal, gains: Any = None
) -> engine.Check:
    """For the case workflow: the check of ``amount`` against ``item``'s ``tier`` as decided."""
    row = item.tiers.filter(tier=tier).first()
    if row is None:
        raise errors.ValidationFailed(
            "该裁量事项没有所选的裁量阶次。", code="unknown_tier", field="tier"
        )
    parsed = (
        None
        if gains in (None, "")
        else engine.parse_amount(gains, field="illegal_gains", label="违法所得")
    )
    return engine.discretion_check(amount, engine.fine_range(tier_rule(row), parsed))
