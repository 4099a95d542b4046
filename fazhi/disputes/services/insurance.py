"""Services: an institution's medical liability insurance (医疗责任保险) for a year: insurer,
policy, period and limit. One record per institution and year."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction

from fazhi.core import audit, errors, params
from fazhi.core.models import User
from fazhi.disputes.events import InsuranceEvent
from fazhi.disputes.models import LiabilityInsurance
from fazhi.disputes.services._common import money, require_handle, text

if TYPE_CHECKING:
    from fazhi.registry.models import Entity

INSURER_MAX = 100
POLICY_MAX = 60


def insurance_record(
    *,
    actor: User,
    entity: Entity | None,
    year: int | None,
    insurer: str,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    policy_number: str = "",
    coverage: Any = None,
) -> LiabilityInsurance:
    """Record that ``entity`` carries liability insurance in ``year``; the period must cover a
    part of that year."""
    if entity is None:
        raise errors.ValidationFailed("请选择医疗机构。", code="entity_required", field="entity")
    require_handle(actor, entity.organisation, action=InsuranceEvent.RECORDED)
    if year is None or not params.MIN_YEAR <= year <= params.MAX_YEAR:
        raise errors.ValidationFailed("请填写年度。", code="year_required", field="year")
    if starts_on is None or ends_on is None:
        raise errors.ValidationFailed("请填写保险期间。", code="period_required", field="starts_on")
    if ends_on < starts_on:
        raise errors.ValidationFailed(
            "保险期间止不能早于保险期间起。", code="period_reversed", field="ends_on"
        )
    if starts_on > dt.date(year, 12, 31) or ends_on < dt.date(year, 1, 1):
        raise errors.ValidationFailed(
            f"保险期间须覆盖{year}年的一部分。", code="period_outside_year", field="starts_on"
        )
    values: dict[str, Any] = {
        "insurer": text(insurer, field="insurer", label="承保机构", max_length=INSURER_MAX),
        "policy_number": text(
            policy_number,
            field="policy_number",
            label="保单号",
            max_length=POLICY_MAX,
            required=False,
        ),
        "coverage": money(coverage, field="coverage", label="累计赔偿限额"),
    }
    try:
        with transaction.atomic(durable=True):
            row = LiabilityInsurance.objects.create(
                organisation=entity.organisation,
                entity=entity,
                year=year,
                starts_on=starts_on,
                ends_on=ends_on,
                recorded_by=actor,
                **values,
            )
            audit.append(
                actor=actor,
                action=InsuranceEvent.RECORDED,
                obj=row,
                details={
                    "entity": entity.pk,
                    "year": year,
                    "insurer": values["insurer"],
                    "starts_on": starts_on.isoformat(),
                    "ends_on": ends_on.isoformat(),
                },
            )
    except IntegrityError:
        raise errors.Conflict(
            f"{entity.name}已登记{year}年度的医疗责任保险。", code="already_insured"
        ) from None
    return row
