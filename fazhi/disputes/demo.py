"""Demo data: medical disputes of 松溪区, the monthly screening of every unit of 青川市 and the
liability insurance of its medical institutions, through the services (idempotent: nothing is
added when screening reports exist already).

Last year: every unit reported every month on time, all zero reports (the seed's "monthly
dispute screening with zero reports and no late or missing report"), and 34 institutions (or as
many as the registry holds) carried liability insurance. This year: the months already due are
reported, one of them late, and one unit's report for last month is missing (at the start of a
year nothing of this year is due yet). Each unit reports through a 纠纷排查联络员 login of its own
(``screen_<id>``, not printed with the demo logins)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fazhi.core import clock
from fazhi.core.demo import DEMO_PASSWORD
from fazhi.core.models import Organisation, OrganisationLevel, Role, User
from fazhi.core.services import people as people_services
from fazhi.disputes.models import DisputeOutcome, DisputeRoute, ScreeningReport
from fazhi.disputes.selectors.disputes import MEDICAL_KINDS
from fazhi.disputes.services import disputes as ds
from fazhi.disputes.services.insurance import insurance_record
from fazhi.disputes.services.screening import month_end, report_due, screening_report_submit
from fazhi.registry.models import Entity

CITY = "青川市"
OFFICER = "demo_petition"
INSURED = 34
INSURERS = (
    "中国人民财产保险股份有限公司",
    "中国平安财产保险股份有限公司",
    "中国太平洋财产保险股份有限公司",
)


def _say(stdout: Any, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


def _reporter(unit: Organisation) -> User:
    username = f"screen_{unit.pk}"
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return existing
    return people_services.user_create(
        actor=None,
        username=username,
        full_name=f"{unit.name}纠纷排查联络员"[:50],
        organisation=unit,
        role=Role.PETITION_OFFICER,
        password=DEMO_PASSWORD,
    )


def _screening(units: list[Organisation], today: dt.date) -> int:
    made = 0
    last_year = today.year - 1
    months = [dt.date(last_year, m, 1) for m in range(1, 13)]
    months += [dt.date(today.year, m, 1) for m in range(1, today.month)]
    for month in months:
        for index, unit in enumerate(units):
            due = report_due(unit, month)
            if month.year == today.year:
                if month.month == today.month - 1 and index == len(units) - 1:
                    continue  # last month's report of the last unit is missing
                late = month.month == 2 and index == 0  # one late report this year
            else:
                late = False
            submitted = min(
                due + dt.timedelta(days=3) if late else month_end(month) + dt.timedelta(days=2),
                today,
            )
            if month.year == today.year and submitted > today:
                continue
            found = 0 if month.year < today.year or (index + month.month) % 4 else 1
            screening_report_submit(
                actor=_reporter(unit),
                organisation=unit,
                month=month,
                found=found,
                resolved=found,
                note="" if found == 0 else "已协调医患双方协商处理。",
                submitted_on=submitted,
            )
            made += 1
    return made


def _insurance(officer: User, entities: list[Entity], today: dt.date) -> int:
    made = 0
    for year, count in ((today.year - 1, INSURED), (today.year, 5)):
        for n, entity in enumerate(entities[:count]):
            insurance_record(
                actor=_reporter(entity.organisation),
                entity=entity,
                year=year,
                insurer=INSURERS[n % len(INSURERS)],
                policy_number=f"PYZA{year}{n + 1:05d}",
                starts_on=dt.date(year, 1, 1),
                ends_on=dt.date(year, 12, 31),
                coverage="2000000.00" if n % 2 else "1000000.00",
            )
            made += 1
    return made


def _disputes(officer: User, entities: list[Entity], today: dt.date) -> int:
    mine = [e for e in entities if e.organisation.path.startswith(officer.organisation.path)]  # type: ignore[union-attr]
    if not mine:
        return 0
    year = today.year - 1
    plan = [  # (occurred, route, later route, outcome, compensation)
        (dt.date(year, 3, 4), DisputeRoute.NEGOTIATION, None, DisputeOutcome.AGREED, "12000.00"),
        (
            dt.date(year, 5, 18),
            DisputeRoute.NEGOTIATION,
            DisputeRoute.MEDIATION,
            DisputeOutcome.MEDIATED,
            "86500.50",
        ),
        (
            dt.date(year, 7, 9),
            DisputeRoute.MEDIATION,
            DisputeRoute.LITIGATION,
            DisputeOutcome.JUDGED,
            "152300.00",
        ),
        (dt.date(year, 9, 21), DisputeRoute.ADMINISTRATIVE, None, DisputeOutcome.WITHDRAWN, None),
    ]
    made = 0
    for n, (occurred, route, later, outcome, amount) in enumerate(plan):
        d = ds.dispute_register(
            actor=officer,
            organisation=officer.organisation,  # type: ignore[arg-type]
            entity=mine[n % len(mine)],
            occurred_on=occurred,
            reported_on=occurred + dt.timedelta(days=2),
            patient_name=f"患者{n + 1}",
            claimant_name=f"家属{n + 1}",
            summary="（演示数据）患方对诊疗结果有异议，要求赔偿。",
            route=route,
            claim_amount="200000.00",
        )
        if later is not None:
            d = ds.dispute_change_route(
                actor=officer,
                dispute=d,
                route=later,
                on=occurred + dt.timedelta(days=20),
                note="协商不成",
            )
        ds.dispute_conclude(
            actor=officer,
            dispute=d,
            outcome=outcome,
            compensation=amount,
            on=occurred + dt.timedelta(days=60),
        )
        made += 1
    start = dt.date(today.year, 1, 1)
    for n, route in enumerate((DisputeRoute.NEGOTIATION, DisputeRoute.MEDIATION)):
        occurred = max(today - dt.timedelta(days=20 + 10 * n), start)
        ds.dispute_register(
            actor=officer,
            organisation=officer.organisation,  # type: ignore[arg-type]
            entity=mine[n % len(mine)],
            occurred_on=occurred,
            reported_on=max(occurred, min(occurred + dt.timedelta(days=1), today)),
            patient_name=f"患者{n + 11}",
            summary="（演示数据）患方投诉诊疗过程，正在处理。",
            route=route,
        )
        made += 1
    return made


def load(*, province: Organisation, stdout: Any) -> None:
    city = (
        Organisation.objects.filter(
            name__startswith=CITY, level=OrganisationLevel.CITY, path__startswith=province.path
        )
        .exclude(name__endswith="监督所")
        .first()
    )
    officer = User.objects.filter(username=OFFICER, is_active=True).first()
    if city is None or officer is None or officer.organisation is None:
        _say(stdout, "未找到演示机构或账号，跳过医疗纠纷演示数据。")
        return
    units = list(
        Organisation.objects.filter(path__startswith=city.path, is_active=True).order_by("path")
    )
    if ScreeningReport.objects.filter(organisation__in=units).exists():
        _say(stdout, "医疗纠纷演示数据已存在。")
        return
    today = clock.today()
    entities = list(
        Entity.objects.filter(organisation__in=units, kind__in=MEDICAL_KINDS)
        .select_related("organisation")
        .order_by("pk")
    )
    reports = _screening(units, today)
    insured = _insurance(officer, entities, today)
    disputes = _disputes(officer, entities, today)
    _say(
        stdout,
        f"医疗纠纷演示数据：排查报告 {reports} 份，"
        f"医疗责任保险 {insured} 条，医疗纠纷 {disputes} 件。",
    )
