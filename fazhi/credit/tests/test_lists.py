"""Red and black lists: entry by hand, the repair of a black list entry (minimum publication
period, the fine paid, approval) and the removal of a red one; guards, bad input, permission."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fazhi.core import errors
from fazhi.core.errors import PermissionDenied
from fazhi.core.models import AuditEvent, Role
from fazhi.core.testing import at
from fazhi.core.tests.factories import make_user
from fazhi.core.todo import todo_for
from fazhi.credit.events import CreditListEvent
from fazhi.credit.models import CreditListEntry, ListState
from fazhi.credit.services import lists
from fazhi.credit.tests.support import clinic, served_case, served_heavy_case, world
from fazhi.enforcement.services import case_steps

pytestmark = pytest.mark.django_db


@pytest.fixture
def cw(clock: Any) -> Any:
    return world(clock)


def enter(cw: Any, **kw: Any) -> CreditListEntry:
    values = {
        "actor": cw.leader,
        "kind": "red",
        "grounds": "连续三年无不良记录，获评诚信示范单位",
        "basis": "演示省诚信示范单位评定办法（示例）",
        **kw,
    }
    if "entity" not in values:
        values["entity"] = clinic(cw)
    return lists.credit_list_enter(**values)


def test_a_red_list_entry_is_entered_and_removed_with_a_reason(cw):
    entry = enter(cw)
    assert (entry.state, entry.earliest_exit_on) == (ListState.LISTED, None)
    with pytest.raises(errors.Conflict) as refused:
        lists.credit_list_apply_repair(actor=cw.handler, entry=entry, reason="申请修复")
    assert refused.value.code == "not_black_list"
    with pytest.raises(errors.ValidationFailed):
        lists.credit_list_remove(actor=cw.leader, entry=entry, reason="")
    entry = lists.credit_list_remove(actor=cw.leader, entry=entry, reason="发生违法行为")
    assert (entry.state, entry.removed_on) == (ListState.REMOVED, dt.date(2025, 9, 1))
    assert AuditEvent.objects.filter(action=CreditListEvent.REMOVED).count() == 1


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({"kind": "grey"}, "unknown_list"),
        ({"grounds": " "}, "grounds_required"),
        ({"basis": ""}, "basis_required"),
        ({"kind": "black"}, "case_required"),
        ({"on": dt.date(2025, 9, 2)}, "date_in_future"),
    ],
)
def test_bad_entries_are_refused(cw, kw, expected):
    with pytest.raises(errors.ValidationFailed) as refused:
        enter(cw, **kw)
    assert refused.value.code == expected
    assert not CreditListEntry.objects.exists()


def test_an_entity_is_listed_once_and_a_case_must_be_its_own(cw):
    entity = clinic(cw)
    enter(cw, entity=entity)
    with pytest.raises(errors.Conflict) as refused:
        enter(cw, entity=entity)
    assert refused.value.code == "already_listed"
    with pytest.raises(errors.ValidationFailed) as mismatch:
        enter(cw, kind="black", case=served_case(cw))
    assert mismatch.value.code == "case_mismatch"


def test_entry_needs_the_decide_capability_and_the_scope(cw):
    with pytest.raises(PermissionDenied):
        enter(cw, actor=cw.handler)
    with pytest.raises(errors.OutOfScope):
        enter(cw, actor=make_user(cw.w.tree.districts[2], Role.LEADER))


def test_credit_repair_waits_for_the_publication_period_and_the_fine(cw, clock):
    case = served_heavy_case(cw)
    entry = CreditListEntry.objects.get(case=case)
    with pytest.raises(errors.ValidationFailed):
        lists.credit_list_apply_repair(actor=cw.handler, entry=entry, reason="")
    with pytest.raises(errors.Conflict):  # nothing to approve yet
        lists.credit_list_approve_repair(actor=cw.leader, entry=entry)
    entry = lists.credit_list_apply_repair(actor=cw.handler, entry=entry, reason="已整改并缴纳罚款")
    assert entry.state == ListState.REPAIR_REQUESTED
    assert {i.label: i.count for i in todo_for(cw.leader)}["待审批的信用修复申请"] == 1
    with pytest.raises(PermissionDenied):
        lists.credit_list_approve_repair(actor=cw.handler, entry=entry)
    with pytest.raises(errors.Conflict) as refused:
        lists.credit_list_approve_repair(actor=cw.leader, entry=entry)
    assert refused.value.code == "publication_period_running"
    assert entry.earliest_exit_on is not None
    clock.move_to(at(entry.earliest_exit_on))
    with pytest.raises(errors.Conflict) as refused:
        lists.credit_list_approve_repair(actor=cw.leader, entry=entry)
    assert refused.value.code == "penalty_not_fulfilled"
    entry = lists.credit_list_reject_repair(actor=cw.leader, entry=entry, reason="罚款未缴清")
    assert entry.state == ListState.LISTED
    case_steps.case_execute(
        actor=cw.handler, case=case, paid_amount="400000", on=dt.date(2025, 9, 10)
    )
    entry = lists.credit_list_apply_repair(actor=cw.handler, entry=entry, reason="已缴清")
    entry = lists.credit_list_approve_repair(actor=cw.leader, entry=entry, reason="同意修复")
    assert (entry.state, entry.decided_by, entry.removed_on) == (
        ListState.REMOVED,
        cw.leader,
        entry.earliest_exit_on,
    )


def test_a_rejection_needs_a_reason(cw):
    entry = CreditListEntry.objects.get(case=served_heavy_case(cw))
    entry = lists.credit_list_apply_repair(actor=cw.handler, entry=entry, reason="已整改")
    with pytest.raises(errors.ValidationFailed) as refused:
        lists.credit_list_reject_repair(actor=cw.leader, entry=entry, reason="")
    assert refused.value.code == "reason_required"
    assert CreditListEntry.objects.get(pk=entry.pk).state == ListState.REPAIR_REQUESTED
