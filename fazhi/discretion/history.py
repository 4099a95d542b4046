"""The entity's earlier violations, for the first-violation check (首违不罚).

``earlier_violations(entity=, before=, item=)`` asks every registered provider and returns what
they found, oldest first. The provider here reads the entity's earlier case leads (案源) that were
not dismissed (a lead dismissed as unfounded is no violation). The penalty-case module adds its
decided violations by registering a provider with ``register_history_provider`` from its
``AppConfig.ready()``: a function ``(entity, before, item) -> list[PriorViolation]`` (``item`` the
benchmark item being assessed, for a provider that counts only the same violation).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fazhi.core.formatting import cn_date
from fazhi.enforcement.models import CaseLead, CaseLeadState


@dataclass(frozen=True)
class PriorViolation:
    on: dt.date
    description: str  # Chinese, shown in the proposal's reasons
    source: str  # "case_lead", "penalty_case", …
    reference: int | None = None


HistoryProvider = Callable[[Any, dt.date, Any], list[PriorViolation]]


def case_leads_before(entity: Any, before: dt.date, item: Any) -> list[PriorViolation]:
    """The entity's case leads created before ``before`` and not dismissed."""
    leads = (
        CaseLead.objects.filter(entity=entity, created_at__date__lt=before)
        .exclude(state=CaseLeadState.DISMISSED)
        .order_by("created_at", "id")
        .values_list("pk", "created_at", "facts", "state")
    )
    found = []
    for pk, created_at, facts, state in leads[:20]:
        day = created_at.date()
        label = CaseLeadState(state).label
        found.append(
            PriorViolation(
                on=day,
                description=f"{cn_date(day)}案源（{label}）：{facts[:40]}",
                source="case_lead",
                reference=pk,
            )
        )
    return found


_providers: list[HistoryProvider] = [case_leads_before]


def register_history_provider(provider: HistoryProvider) -> None:
    """Add a source of earlier violations (idempotent)."""
    if provider not in _providers:
        _providers.append(provider)


def earlier_violations(*, entity: Any, before: dt.date, item: Any = None) -> list[PriorViolation]:
    found: list[PriorViolation] = []
    for provider in _providers:
        found.extend(provider(entity, before, item))
    return sorted(found, key=lambda v: v.on)


@dataclass(frozen=True)
class FirstViolation:
    """Whether the first-violation waiver (首违不罚) can apply to ``entity`` for ``item``."""

    eligible: bool
    earlier: list[PriorViolation]
    reason: str  # Chinese


def first_violation_check(*, entity: Any, item: Any, on: dt.date) -> FirstViolation:
    """For the case workflow: the item must be on the first-violation list and the entity must
    have no earlier violation before ``on``."""
    if not item.first_violation_list:
        return FirstViolation(False, [], "该违法行为未列入首违不罚清单。")
    earlier = earlier_violations(entity=entity, before=on, item=item)
    if earlier:
        listed = "；".join(v.description for v in earlier[:5])
        return FirstViolation(False, earlier, f"当事人此前已有违法记录：{listed}。")
    return FirstViolation(True, [], "经核对当事人违法记录，未发现此前的违法行为。")
