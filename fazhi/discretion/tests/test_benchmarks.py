"""Publishing benchmarks, versions, the sample, the reads in scope and the assistant service."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from fazhi.core import clock, errors
from fazhi.core.models import AuditEvent, Role
from fazhi.core.tests.factories import make_user
from fazhi.discretion import history
from fazhi.discretion.events import BenchmarkEvent
from fazhi.discretion.models import Benchmark, BenchmarkItem, BenchmarkTier
from fazhi.discretion.sample import TITLE, load_sample
from fazhi.discretion.selectors import benchmarks as benchmark_selectors
from fazhi.discretion.services import benchmarks as benchmark_services
from fazhi.discretion.tests.support import amount_item, make_benchmark
from fazhi.enforcement.models import CaseLeadSource
from fazhi.enforcement.services.leads import case_lead_create
from fazhi.inspections.tests.task_support import TaskWorld, make_entity, make_task_world

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def world() -> TaskWorld:
    return make_task_world()


@pytest.fixture
def reviewer(world: TaskWorld):
    return make_user(world.org, Role.LEGAL_REVIEWER)


def test_create_writes_items_tiers_and_the_event(world, reviewer):
    benchmark = make_benchmark(reviewer, world.org)
    assert benchmark.items.count() == 1
    item = benchmark.items.get()
    assert item.tiers.count() == 4
    general = item.tiers.get(tier="general")
    assert general.fine_min == D("1500.00") and general.fine_max == D("5000.00")
    event = AuditEvent.objects.filter(action=BenchmarkEvent.CREATED).latest("seq")
    assert event.details["items"] == 1


def test_create_needs_the_manage_capability_and_scope(world, reviewer):
    with pytest.raises(errors.PermissionDenied):
        make_benchmark(world.planner, world.org)  # a supervisor reads, does not publish
    with pytest.raises(errors.OutOfScope):
        make_benchmark(reviewer, world.other_org)
    assert not Benchmark.objects.exists()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"items": []}, "benchmark_empty"),
        ({"title": " "}, "title_required"),
        ({"effective_to": dt.date(2024, 1, 1)}, "invalid_period"),
    ],
)
def test_bad_heading_is_refused(world, reviewer, change, code):
    with pytest.raises(errors.ValidationFailed) as exc:
        make_benchmark(reviewer, world.org, **change)
    assert exc.value.code == code
    assert not Benchmark.objects.exists()


def test_overlapping_tiers_and_duplicate_codes_are_refused(world, reviewer):
    bad = amount_item()
    bad.tiers[1] = bad.tiers[1].__class__(
        tier="lighter", fine_kind="amount", fine_min=D("500"), fine_max=D("2000")
    )
    with pytest.raises(errors.ValidationFailed) as exc:
        make_benchmark(reviewer, world.org, items=[bad])
    assert exc.value.code == "invalid_benchmark_item"
    assert "重叠" in exc.value.message
    with pytest.raises(errors.ValidationFailed) as exc:
        make_benchmark(reviewer, world.org, items=[amount_item(), amount_item()])
    assert "编号重复" in exc.value.message
    assert not BenchmarkItem.objects.exists()


def test_a_new_version_closes_the_one_in_force(world, reviewer):
    old = make_benchmark(reviewer, world.org)
    new = make_benchmark(reviewer, world.org, effective_from=dt.date(2026, 3, 1))
    old.refresh_from_db()
    assert old.effective_to == dt.date(2026, 2, 28)
    assert AuditEvent.objects.filter(action=BenchmarkEvent.SUPERSEDED).count() == 1
    in_force = benchmark_selectors.benchmark_list(user=reviewer, in_force_on=dt.date(2026, 1, 5))
    assert list(in_force) == [old]
    later = benchmark_selectors.benchmark_list(user=reviewer, in_force_on=dt.date(2026, 3, 1))
    assert list(later) == [new]
    with pytest.raises(errors.Conflict) as exc:  # the same start again
        make_benchmark(reviewer, world.org, effective_from=dt.date(2026, 3, 1))
    assert exc.value.code == "benchmark_overlap"
    with pytest.raises(errors.Conflict):  # inside the old, now closed version
        make_benchmark(reviewer, world.org, effective_from=dt.date(2025, 6, 1))


def test_reads_see_own_scope_and_the_organisations_above_never_a_sibling(world, reviewer):
    province = world.tree.province
    mine = make_benchmark(reviewer, world.org)
    provincial, _ = load_sample(organisation=province)
    sibling_reviewer = make_user(world.other_org, Role.LEGAL_REVIEWER)
    theirs = make_benchmark(sibling_reviewer, world.other_org, title="他区基准")
    seen = set(benchmark_selectors.benchmark_list(user=world.planner))
    assert seen == {mine, provincial}
    with pytest.raises(errors.OutOfScope):
        benchmark_selectors.benchmark_get(user=world.planner, benchmark_id=theirs.pk)
    item = theirs.items.get()
    with pytest.raises(errors.OutOfScope):
        benchmark_selectors.benchmark_item_get(user=world.planner, item_id=item.pk)
    with pytest.raises(errors.NotFound):
        benchmark_selectors.benchmark_get(user=world.planner, benchmark_id=10**9)


def test_list_refuses_a_user_without_the_capability(world):
    petition = make_user(world.org, Role.PETITION_OFFICER)
    with pytest.raises(errors.PermissionDenied):
        benchmark_selectors.benchmark_list(user=petition)


def test_sample_has_at_least_ten_violations_is_marked_and_idempotent(world):
    benchmark, created = load_sample(organisation=world.tree.province)
    assert created and benchmark.is_sample and benchmark.title == TITLE
    assert benchmark.items.count() >= 10
    assert "已核对法律法规文本" in benchmark.sources and "未核对正式文本" in benchmark.sources
    violations = set(benchmark.items.values_list("violation", flat=True))
    assert "未取得医疗机构执业许可证擅自执业" in violations
    assert "公共场所未取得卫生许可证擅自营业" in violations
    again, created = load_sample(organisation=world.tree.province)
    assert again == benchmark and not created
    call_command("discretion_sample", organisation=world.tree.province.pk)
    assert Benchmark.objects.filter(title=TITLE).count() == 1


def test_sample_unlicensed_practice_proposal(world):
    benchmark, _ = load_sample(organisation=world.tree.province)
    item = benchmark.items.get(code="YL-01")
    answer = benchmark_services.discretion_propose(
        actor=world.planner, item=item, circumstances=[], illegal_gains="8000", amount="150000"
    )
    assert answer.proposal.tier.tier == "general"
    assert answer.proposal.range.minimum == D("100000.00")
    assert answer.proposal.range.maximum == D("150000.00")
    assert "没收违法所得和药品、医疗器械" in answer.proposal.measures
    assert answer.check is not None and not answer.check.outside
    too_much = benchmark_services.discretion_propose(
        actor=world.planner, item=item, circumstances=[], illegal_gains="8000", amount="150000.01"
    )
    assert too_much.check is not None and too_much.check.legal_review_required


def test_first_violation_checked_against_the_entity_history(world):
    benchmark = make_benchmark(make_user(world.org, Role.LEGAL_REVIEWER), world.org)
    item = benchmark.items.get()
    entity = make_entity(world)
    first = ["first_violation", "minor_harm", "corrected"]
    clean = benchmark_services.discretion_propose(
        actor=world.planner, item=item, circumstances=first, entity=entity
    )
    assert clean.proposal.tier.tier == "no_penalty" and clean.history_checked
    with transaction.atomic():
        case_lead_create(
            actor=world.planner,
            organisation=world.org,
            entity=entity,
            source=CaseLeadSource.COMPLAINT,
            facts="从业人员未取得健康合格证明",
        )
    tomorrow = clock.today() + dt.timedelta(days=1)
    found = history.earlier_violations(entity=entity, before=tomorrow)
    assert len(found) == 1 and found[0].source == "case_lead"
    repeat = benchmark_services.discretion_propose(
        actor=world.planner, item=item, circumstances=first, entity=entity, on=tomorrow
    )
    assert repeat.proposal.tier.tier == "general"
    assert "不属于初次违法" in repeat.proposal.reasons[0]


def test_a_provider_can_be_registered(world, monkeypatch):
    entity = make_entity(world)
    monkeypatch.setattr(history, "_providers", list(history._providers))
    history.register_history_provider(
        lambda e, before, item: [history.PriorViolation(before, "处罚决定", "penalty_case")]
    )
    assert [v.source for v in history.earlier_violations(entity=entity, before=clock.today())] == [
        "penalty_case"
    ]


def test_propose_refuses_bad_input_and_users_without_the_capability(world):
    benchmark = make_benchmark(make_user(world.org, Role.LEGAL_REVIEWER), world.org)
    item = benchmark.items.get()
    for bad in ({"illegal_gains": "-5"}, {"amount": "1e12"}, {"circumstances": ["x"]}):
        kwargs: dict[str, Any] = {"circumstances": [], **bad}
        with pytest.raises(errors.ValidationFailed):
            benchmark_services.discretion_propose(actor=world.planner, item=item, **kwargs)
    petition = make_user(world.org, Role.PETITION_OFFICER)
    with pytest.raises(errors.PermissionDenied):
        benchmark_services.discretion_propose(actor=petition, item=item, circumstances=[])


def test_amount_needs_review_for_the_case_workflow(world):
    benchmark = make_benchmark(make_user(world.org, Role.LEGAL_REVIEWER), world.org)
    item = benchmark.items.get()
    assert not benchmark_services.amount_needs_review(
        item=item, tier="general", amount=D("2000")
    ).outside
    assert benchmark_services.amount_needs_review(
        item=item, tier="lighter", amount=D("2000")
    ).outside
    with pytest.raises(errors.ValidationFailed):
        benchmark_services.amount_needs_review(item=item, tier="mitigated", amount=D("1"))
    assert BenchmarkTier.objects.count() == 4


def test_first_violation_check_for_the_case_workflow(world):
    benchmark = make_benchmark(make_user(world.org, Role.LEGAL_REVIEWER), world.org)
    listed = benchmark.items.get()
    entity = make_entity(world)
    today = clock.today()
    assert history.first_violation_check(entity=entity, item=listed, on=today).eligible
    unlisted = make_benchmark(
        make_user(world.org, Role.LEGAL_REVIEWER),
        world.org,
        title="未列入清单",
        items=[amount_item(listed=False)],
    ).items.get()
    refused = history.first_violation_check(entity=entity, item=unlisted, on=today)
    assert not refused.eligible and "未列入" in refused.reason
    with transaction.atomic():
        case_lead_create(
            actor=world.planner,
            organisation=world.org,
            entity=entity,
            source=CaseLeadSource.COMPLAINT,
            facts="无证经营",
        )
    later = history.first_violation_check(
        entity=entity, item=listed, on=today + dt.timedelta(days=1)
    )
    assert not later.eligible and len(later.earlier) == 1 and "违法记录" in later.reason


def test_proposal_record_is_what_a_decision_stores(world):
    benchmark, _ = load_sample(organisation=world.tree.province)
    item = benchmark.items.get(code="YL-01")
    answer = benchmark_services.discretion_propose(
        actor=world.planner, item=item, circumstances=["repeat"], illegal_gains="20000", amount="1"
    )
    record = benchmark_services.proposal_record(answer)
    assert json.loads(json.dumps(record)) == record
    assert record["tier"] == "heavier" and record["minimum"] == "300000.00"
    assert record["benchmark_effective_from"] == "2025-01-01" and record["item_code"] == "YL-01"
    assert record["check"]["legal_review_required"]
