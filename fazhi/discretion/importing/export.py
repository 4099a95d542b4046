"""A benchmark written in the import template's columns, so that the file can be edited and
imported again as a new version (text cells: amounts round-trip exactly)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import transaction

from fazhi.core import audit
from fazhi.core.exports import xlsx_bytes
from fazhi.core.models import User
from fazhi.discretion import engine
from fazhi.discretion.events import BenchmarkEvent
from fazhi.discretion.importing.template import COLUMNS
from fazhi.discretion.models import Benchmark, BenchmarkItem
from fazhi.discretion.selectors import benchmarks as benchmark_selectors

FINE_LABELS = {
    engine.FINE_NONE: "不罚款",
    engine.FINE_AMOUNT: "罚款金额",
    engine.FINE_MULTIPLE: "违法所得倍数",
}


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def _text(value: Any) -> str:
    return "" if value is None else f"{value:f}"


def _labels(keys: list[str]) -> str:
    return "、".join(engine.circumstance_label(k) for k in keys)


def _rows(items: list[BenchmarkItem]) -> Iterator[list[Any]]:
    for item in items:
        for tier in item.tiers.all():
            values = {
                "code": item.code,
                "violation": item.violation,
                "violated_article": item.violated_article,
                "penalty_article": item.penalty_article,
                "first_violation_list": _yes(item.first_violation_list),
                "tier": engine.TIER_LABELS[tier.tier],
                "conditions": tier.conditions,
                "requires_all": _labels(tier.requires_all or []),
                "requires_any": _labels(tier.requires_any or []),
                "warning": _yes(tier.warning),
                "fine_kind": FINE_LABELS[tier.fine_kind],
                "fine_min": _text(tier.fine_min),
                "fine_max": _text(tier.fine_max),
                "multiple_min": _text(tier.multiple_min),
                "multiple_max": _text(tier.multiple_max),
                "gains_floor": _text(tier.gains_floor),
                "confiscation": tier.confiscation,
                "suspension": tier.suspension,
                "revocation": tier.revocation,
                "other_measures": tier.other_measures,
            }
            yield [values[c.field] for c in COLUMNS]


def benchmark_export(*, user: User, benchmark_id: int) -> tuple[bytes, str, int]:
    """(content, file name, rows) of the benchmark in the template's columns."""
    benchmark: Benchmark = benchmark_selectors.benchmark_get(user=user, benchmark_id=benchmark_id)
    items = list(benchmark_selectors.benchmark_items(benchmark=benchmark))
    rows = list(_rows(items))
    content = xlsx_bytes([("裁量基准", [c.header for c in COLUMNS], rows)])
    with transaction.atomic(durable=True):
        audit.append(
            actor=user,
            action=BenchmarkEvent.EXPORTED,
            obj=benchmark,
            details={"rows": len(rows)},
        )
    return content, f"{benchmark.title[:60]}.xlsx", len(rows)
