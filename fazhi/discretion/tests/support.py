"""Building discretion state through the services, for the tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from fazhi.core.models import Organisation, User
from fazhi.discretion.engine import TierRule
from fazhi.discretion.models import Benchmark
from fazhi.discretion.services import benchmarks as benchmark_services
from fazhi.discretion.services.benchmarks import BenchmarkMeta, ItemData

D = Decimal


def amount_item(code: str = "GG-02", *, listed: bool = True) -> ItemData:
    return ItemData(
        code=code,
        violation="安排未获得有效健康合格证明的从业人员直接为顾客服务",
        violated_article="《公共场所卫生管理条例》第七条",
        penalty_article="《公共场所卫生管理条例》第十四条",
        first_violation_list=listed,
        tiers=[
            TierRule(
                tier="no_penalty", requires_all=("first_violation", "minor_harm", "corrected")
            ),
            TierRule(
                tier="lighter",
                requires_any=("small_scale",),
                warning=True,
                fine_kind="amount",
                fine_min=D("500"),
                fine_max=D("1500"),
            ),
            TierRule(
                tier="general",
                warning=True,
                fine_kind="amount",
                fine_min=D("1500"),
                fine_max=D("5000"),
            ),
            TierRule(
                tier="heavier",
                requires_any=("repeat",),
                warning=True,
                fine_kind="amount",
                fine_min=D("5000"),
                fine_max=D("15000"),
            ),
        ],
    )


def make_benchmark(
    actor: User | None,
    organisation: Organisation,
    *,
    title: str = "测试裁量基准",
    effective_from: dt.date = dt.date(2025, 1, 1),
    effective_to: dt.date | None = None,
    items: list[ItemData] | None = None,
    **meta: Any,
) -> Benchmark:
    return benchmark_services.benchmark_create(
        actor=actor,
        organisation=organisation,
        meta=BenchmarkMeta(
            title=title,
            issuing_body="测试卫生健康委员会",
            effective_from=effective_from,
            effective_to=effective_to,
            **meta,
        ),
        items=items if items is not None else [amount_item()],
    )
