"""The year's figures of disputes, screening and liability insurance, and their Excel export:
every count is defined here once (docs/disputes.md)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

from fazhi.core import exports
from fazhi.core.models import User
from fazhi.disputes.models import DisputeOutcome, DisputeRoute, DisputeState
from fazhi.disputes.selectors.disputes import dispute_list
from fazhi.disputes.selectors.insurance import insurance_list
from fazhi.disputes.selectors.screening import ScreeningFigures, screening_figures


@dataclass(frozen=True)
class DisputeFigures:
    """Disputes registered in the year (by ``reported_on``): by current route, concluded ones
    by outcome, and the compensation settled (exact, in yuan) on those concluded in the year."""

    registered: int
    open: int
    by_route: dict[str, int]
    concluded: int
    by_outcome: dict[str, int]
    compensation: Decimal


@dataclass(frozen=True)
class Figures:
    year: int
    disputes: DisputeFigures
    screening: ScreeningFigures
    insured: int  # institutions with a liability insurance record for the year


def year_figures(*, user: User | Any, year: int) -> Figures:
    registered = dispute_list(user=user, year=year)
    by_route = dict(registered.values_list("route").annotate(n=Count("pk")).order_by())
    concluded = dispute_list(user=user).filter(
        state=DisputeState.CONCLUDED, concluded_on__year=year
    )
    by_outcome = dict(concluded.values_list("outcome").annotate(n=Count("pk")).order_by())
    total = (concluded.aggregate(total=Sum("compensation"))["total"] or Decimal(0)).quantize(
        Decimal("0.01")
    )
    return Figures(
        year=year,
        disputes=DisputeFigures(
            registered=registered.count(),
            open=registered.filter(state=DisputeState.OPEN).count(),
            by_route={str(r): by_route.get(r, 0) for r in DisputeRoute.values},
            concluded=sum(by_outcome.values()),
            by_outcome={str(o): by_outcome.get(o, 0) for o in DisputeOutcome.values},
            compensation=total,
        ),
        screening=screening_figures(user=user, year=year),
        insured=insurance_list(user=user, year=year).values("entity").distinct().count(),
    )


def figure_rows(f: Figures) -> list[tuple[str, Any]]:
    """(label, value) rows: what the page shows and the workbook holds."""
    rows: list[tuple[str, Any]] = [
        ("登记医疗纠纷", f.disputes.registered),
        ("其中仍在处理", f.disputes.open),
    ]
    rows += [(f"处理途径：{DisputeRoute(r).label}", n) for r, n in f.disputes.by_route.items()]
    rows.append(("本年结案", f.disputes.concluded))
    rows += [(f"结果：{DisputeOutcome(o).label}", n) for o, n in f.disputes.by_outcome.items()]
    rows.append(("本年结案的赔偿（补偿）金额合计（元）", f.disputes.compensation))
    s = f.screening
    rows += [
        ("月度排查应报（单位×月）", s.expected),
        ("已报送", s.reported),
        ("其中零报告", s.zero),
        ("逾期报送", s.late),
        ("未报送", s.missing),
        ("未到报送期限", s.not_due),
        ("排查发现纠纷", s.found),
        ("已化解", s.resolved),
        ("参加医疗责任保险的机构", f.insured),
    ]
    return rows


def figures_xlsx(*, user: User | Any, year: int) -> bytes:
    figures = year_figures(user=user, year=year)
    disputes = dispute_list(user=user, year=year)
    return exports.xlsx_bytes(
        [
            (f"{year}年统计", ["项目", "数值"], figure_rows(figures)),
            (
                "医疗纠纷",
                [
                    "登记日期",
                    "医疗机构",
                    "患者",
                    "处理途径",
                    "状态",
                    "结果",
                    "赔偿金额（元）",
                    "结案日期",
                ],
                (
                    [
                        d.reported_on,
                        d.entity.name,
                        d.patient_name,
                        d.get_route_display(),
                        d.get_state_display(),
                        d.get_outcome_display() if d.outcome else "",
                        d.compensation if d.compensation is not None else "",
                        d.concluded_on or "",
                    ]
                    for d in disputes.iterator(chunk_size=500)
                ),
            ),
            (
                "医疗责任保险",
                ["医疗机构", "年度", "承保机构", "保单号", "保险期间起", "保险期间止"],
                (
                    [i.entity.name, i.year, i.insurer, i.policy_number, i.starts_on, i.ends_on]
                    for i in insurance_list(user=user, year=year)
                ),
            ),
        ]
    )
