"""The workflow mechanism itself, on a throwaway table over the Deadline model."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from fazhi.core import errors, events, workflow
from fazhi.core.events import EventName
from fazhi.core.models import AuditEvent, Deadline, Role
from fazhi.core.models.deadlines import DeadlineState
from fazhi.core.tests.factories import make_org_tree, make_user


class _Events(EventName):
    PROBED = "probe.probed", "试探"


events.register(_Events)


def _refuse_title(row, ctx):
    if row.title == "拒绝":
        raise errors.ValidationFailed("标题不允许。", code="title_refused")


@pytest.fixture
def flow():
    table = workflow.Workflow(
        name="probe",
        label="试验",
        model=Deadline,
        states=DeadlineState,
        initial=(DeadlineState.OPEN,),
        actions=[
            workflow.Action(
                name="stop",
                label="中止",
                sources=(DeadlineState.OPEN,),
                target=DeadlineState.STOPPED,
                event=_Events.PROBED,
                guards=(workflow.Guard("标题不是“拒绝”", _refuse_title),),
                refusal="probe_not_open",
            ),
            workflow.Action(
                name="settle",
                label="结算",
                sources=(DeadlineState.STOPPED,),
                target="",
                targets=(DeadlineState.MET, DeadlineState.LATE),
                event=_Events.PROBED,
            ),
        ],
    )
    yield table
    workflow._registry.pop("probe")


@pytest.fixture
def deadline(db):
    tree = make_org_tree()
    user = make_user(tree.districts[0], Role.SUPERVISOR)
    return Deadline.objects.create(
        organisation=tree.districts[0],
        title="事项",
        rule_key="fixed",
        start_date=dt.date(2025, 1, 1),
        due_date=dt.date(2025, 2, 1),
        assignee=user,
    )


def test_transition_locks_checks_saves_and_records(flow, deadline):
    with transaction.atomic():
        row = workflow.transition(flow, deadline, "stop", actor=None, details={"why": "x"})
    assert row.state == DeadlineState.STOPPED
    assert Deadline.objects.get(pk=deadline.pk).state == DeadlineState.STOPPED
    event = AuditEvent.objects.get(action="probe.probed")
    assert event.details == {"from": "open", "to": "stopped", "why": "x"}
    with transaction.atomic():
        row = workflow.transition(flow, row, "settle", actor=None, target=DeadlineState.LATE)
    assert row.state == DeadlineState.LATE


def test_refusals_explain_themselves(flow, deadline):
    with pytest.raises(errors.InvalidTransition) as exc, transaction.atomic():
        workflow.transition(flow, deadline, "settle", actor=None, target=DeadlineState.MET)
    assert exc.value.code == "invalid_transition" and "进行中" in exc.value.message
    deadline.title = "拒绝"
    deadline.save()
    with pytest.raises(errors.ValidationFailed) as vexc, transaction.atomic():
        workflow.transition(flow, deadline, "stop", actor=None)
    assert vexc.value.code == "title_refused"
    Deadline.objects.filter(pk=deadline.pk).update(title="事项", state=DeadlineState.MET)
    with pytest.raises(errors.InvalidTransition) as exc, transaction.atomic():
        workflow.transition(flow, deadline, "stop", actor=None)
    assert exc.value.code == "probe_not_open"
    assert not AuditEvent.objects.filter(action="probe.probed").exists()


def test_a_fixed_destination_cannot_be_overridden(flow, deadline):
    with pytest.raises(ValueError), transaction.atomic():
        workflow.transition(flow, deadline, "stop", actor=None, target=DeadlineState.MET)


def test_tables_are_checked_and_rendered(flow):
    with pytest.raises(ValueError):
        workflow.Workflow(
            name="broken",
            label="坏",
            model=Deadline,
            states=DeadlineState,
            initial=("nowhere",),
            actions=[],
        )
    text = workflow.mermaid(flow)
    assert "open --> stopped: 中止" in text and "stopped --> late: 结算" in text
    assert "[*] --> open" in text and "met --> [*]" in text
    assert [a.name for a in flow.available(Deadline(state=DeadlineState.OPEN))] == ["stop"]


def test_event_names_have_one_shape():
    with pytest.raises(ValueError):

        class Bad(EventName):
            WRONG = "registry.entity.created", "三段式"


def test_committed_docs_are_not_stale():
    from django.core.management import call_command

    call_command("workflows", "docs", "--check")


def test_docs_check_fails_on_a_stale_file(tmp_path, capsys):
    from django.core.management import call_command

    stale = tmp_path / "workflows.md"
    stale.write_text("# old\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        call_command("workflows", "docs", "--check", "--output", str(stale))
    assert exc.value.code == 1
    call_command("workflows", "docs", "--output", str(stale))
    text = stale.read_text(encoding="utf-8")
    assert "## 期限（`deadline`, `core.Deadline.state`）" in text
    assert "| `cancel` | 撤销 |" in text and "`credential.suspended`" in text
    call_command("workflows", "docs", "--check", "--output", str(stale))
    assert "is up to date" in capsys.readouterr().out
