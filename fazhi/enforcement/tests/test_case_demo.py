"""The enforcement demo hook: cases in several states through the services, idempotently."""

from __future__ import annotations

import io

import pytest

from fazhi.core import demo as core_demo
from fazhi.core.audit_verify import verify
from fazhi.enforcement import demo
from fazhi.enforcement.models import CaseFileCheck, CaseFileReview, CaseState, PenaltyCase
from fazhi.inspections import demo as inspections_demo
from fazhi.inspections.tests.task_support import category
from fazhi.registry import demo as registry_demo


@pytest.mark.django_db
def test_demo_loads_cases_in_several_states_and_is_idempotent():
    category("public_places")
    out = io.StringIO()
    result = core_demo.load(stdout=out)
    registry_demo.load(province=result.province, stdout=out)
    inspections_demo.load(province=result.province, stdout=out)
    demo.load(province=result.province, stdout=out)
    states = set(PenaltyCase.objects.values_list("state", flat=True))
    assert {
        CaseState.ARCHIVED,
        CaseState.FILED,
        CaseState.HEARING,
        CaseState.DECIDED,
        CaseState.SERVED,
        CaseState.WITHDRAWN,
    } <= states, out.getvalue()
    archived = PenaltyCase.objects.get(state=CaseState.ARCHIVED)
    assert archived.violated_provision and archived.penalty_provision
    assert CaseFileCheck.objects.filter(case=archived).exists()
    assert CaseFileReview.objects.filter(case=archived).count() == 1
    from fazhi.enforcement.execution_models import (
        ArrangementState,
        CourtEnforcementState,
        PaymentArrangement,
        PoliceTransferState,
    )

    assert PaymentArrangement.objects.filter(state=ArrangementState.APPROVED).exists()
    court = PenaltyCase.objects.get(court_enforcement__isnull=False).court_enforcement
    assert court.state == CourtEnforcementState.ACCEPTED
    transferred = PenaltyCase.objects.get(state=CaseState.TRANSFERRED)
    assert transferred.police_transfers.get().state == PoliceTransferState.ACKNOWLEDGED
    revoked = PenaltyCase.objects.get(decision_altered="revoked")
    assert revoked.published_on and revoked.publicity_withdrawn_on
    from fazhi.enforcement.selectors.publicity import public_decisions

    assert revoked not in public_decisions() and archived in public_decisions()
    count = PenaltyCase.objects.count()
    demo.load(province=result.province, stdout=out)
    assert CaseFileReview.objects.count() == 1
    assert PenaltyCase.objects.count() == count
    assert verify().ok
