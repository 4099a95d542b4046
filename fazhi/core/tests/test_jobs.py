"""Background jobs: queueing, running, progress, failure, retry, permission and scope, the
periodic schedule and stale jobs (services and selectors; pages and API in test_job_pages)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import call_command

from fazhi.core import clock, errors, jobs
from fazhi.core.jobs import JobEvents, Outcome, OutputFile
from fazhi.core.models import Attachment, AuditEvent, Job, Role
from fazhi.core.roles import Cap
from fazhi.core.selectors.jobs import job_get, job_list
from fazhi.core.services import jobs as job_services
from fazhi.core.tests.factories import make_org_tree, make_user

pytestmark = pytest.mark.django_db

PROBE = "test.probe"
READ_PROBE = "test.read_probe"


def _probe(job, progress):
    """Counts to ``rows``, fails with ``fail`` (a FazhiError code) or crashes on ``crash``."""
    rows = int(job.params.get("rows", 3))
    for n in range(1, rows + 1):
        progress(n, rows, "正在数数")
    if job.params.get("fail"):
        raise errors.ValidationFailed("第3行的数不对。", code=job.params["fail"])
    if job.params.get("crash"):
        raise RuntimeError("boom: internal detail")
    return Outcome(f"数完了{rows}个。")


def _read_probe(job, progress):
    return Outcome("已导出。", file=OutputFile(name="导出.csv", content=b"a,b\n1,2\n"))


@pytest.fixture
def kinds():
    jobs.kind(PROBE, "试验任务", cap=Cap.REGISTRY_MANAGE, unit="个", rerun=True)(_probe)
    jobs.kind(READ_PROBE, "试验导出", cap=Cap.REGISTRY_VIEW, writes=False, unique=True)(_read_probe)
    yield
    jobs._kinds.pop(PROBE)
    jobs._kinds.pop(READ_PROBE)


@pytest.fixture
def world(kinds):
    tree = make_org_tree()
    d0, d1 = tree.districts[0], tree.districts[1]

    w = SimpleNamespace()
    w.tree = tree
    w.inst0 = tree.institute_of(d0)
    w.sup0 = make_user(w.inst0, Role.SUPERVISOR)
    w.sup0b = make_user(w.inst0, Role.SUPERVISOR)
    w.sup1 = make_user(tree.institute_of(d1), Role.SUPERVISOR)
    w.viewer0 = make_user(w.inst0, Role.VIEWER)
    w.petition0 = make_user(w.inst0, Role.PETITION_OFFICER)
    w.city_leader = make_user(tree.cities[0], Role.LEADER)
    return w


def _enqueue(world, run_jobs, user=None, kind=PROBE, **params):
    with run_jobs():
        job = job_services.job_enqueue(
            actor=user or world.sup0, kind=kind, organisation=world.inst0, params=params
        )
    job.refresh_from_db()
    return job


def _events(job):
    return list(
        AuditEvent.objects.filter(object_type="core.job", object_id=str(job.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


def test_a_job_is_queued_on_commit_runs_and_records_its_steps(world, run_jobs):
    job = _enqueue(world, run_jobs, rows=5)
    assert job.state == "succeeded" and job.attempts == 1
    assert (job.done, job.total, job.percent) == (5, 5, 100)
    assert job.result_summary == "数完了5个。" and job.task_id
    assert job.started_at and job.finished_at and job.finished_at >= job.started_at
    assert _events(job) == ["job.queued", "job.started", "job.succeeded"]
    queued = AuditEvent.objects.get(action="job.queued")
    assert queued.actor_id == world.sup0.pk and queued.details["kind"] == PROBE
    assert AuditEvent.objects.get(action="job.succeeded").actor_id is None  # the worker


def test_nothing_runs_before_the_commit(world, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    job = job_services.job_enqueue(actor=world.sup0, kind=PROBE, organisation=world.inst0)
    job.refresh_from_db()
    assert job.state == "queued" and job.task_id == ""  # the test's transaction never commits


def test_progress_is_throttled_and_never_audited(world):
    job = Job.objects.create(kind=PROBE, organisation=world.inst0, created_by=world.sup0)
    job_services.job_start(job)
    events = AuditEvent.objects.count()
    tracker = job_services.JobProgress(job, interval=3600)
    tracker(0, 1000, "第一步")
    for n in range(1, 1001):
        tracker(n)
    job.refresh_from_db()
    assert (job.done, job.total, job.message) == (0, 1000, "第一步")  # held back
    tracker(1000, message="第二步")  # a new step is written at once
    job.refresh_from_db()
    assert (job.done, job.total, job.message) == (1000, 1000, "第二步")
    assert AuditEvent.objects.count() == events
    assert job.progress_at is not None
    unthrottled = job_services.JobProgress(job, interval=0)
    unthrottled(7)
    job.refresh_from_db()
    assert job.done == 7 and job.total == 1000  # the total is kept


def test_progress_of_a_finished_job_is_not_written(world, run_jobs):
    job = _enqueue(world, run_jobs, rows=2)
    job_services.job_progress(job, done=99, total=100, message="迟到")
    job.refresh_from_db()
    assert (job.done, job.message) == (2, "")


def test_counted_reports_as_items_pass():
    seen = []
    items = jobs.counted(
        range(1200),
        lambda done, total=None, message=None: seen.append((done, total, message)),
        message="读取",
        total=lambda: 1200,
        then="核对",
    )
    assert sum(items) == sum(range(1200))
    assert seen == [(0, 1200, "读取"), (500, 1200, None), (1000, 1200, None), (1200, 1200, "核对")]


def test_a_failure_keeps_its_code_and_chinese_message(world, run_jobs):
    job = _enqueue(world, run_jobs, fail="bad_number")
    assert job.state == "failed"
    assert (job.error_code, job.error_message) == ("bad_number", "第3行的数不对。")
    assert _events(job) == ["job.queued", "job.started", "job.failed"]
    assert AuditEvent.objects.get(action="job.failed").details["code"] == "bad_number"


def test_a_crash_fails_the_job_with_a_general_message_and_is_raised(world, caplog):
    job = Job.objects.create(
        kind=PROBE, organisation=world.inst0, created_by=world.sup0, params={"crash": True}
    )
    with pytest.raises(RuntimeError):
        job_services.job_run(job.pk)  # the worker logs it; the task backend keeps the trace
    job.refresh_from_db()
    assert (job.state, job.error_code) == ("failed", "job_crashed")
    assert "boom" not in job.error_message and "重试" in job.error_message
    assert "crashed" in caplog.text


def test_a_result_that_cannot_be_stored_fails_the_job(world, monkeypatch):
    job = Job.objects.create(kind=READ_PROBE, organisation=world.inst0, created_by=world.viewer0)

    def full_disk(**kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(job_services, "attachment_store_output", full_disk)
    with pytest.raises(OSError):
        job_services.job_run(job.pk)
    job.refresh_from_db()
    assert (job.state, job.error_code) == ("failed", "job_crashed")
    assert not Attachment.objects.exists()


def test_a_job_of_a_kind_no_longer_provided_fails(world):
    job = Job.objects.create(kind="gone.away", organisation=world.inst0, created_by=world.sup0)
    job_services.job_run(job.pk)
    job.refresh_from_db()
    assert (job.state, job.error_code) == ("failed", "job_kind_unknown")


def test_a_job_runs_once(world, run_jobs):
    job = _enqueue(world, run_jobs)
    job_services.job_run(job.pk)  # the task delivered a second time
    job_services.job_run(10**9)  # a job that does not exist
    job.refresh_from_db()
    assert job.attempts == 1 and _events(job).count("job.started") == 1


def test_retry_by_the_starter_runs_it_again(world, run_jobs):
    job = _enqueue(world, run_jobs, fail="bad_number")
    Job.objects.filter(pk=job.pk).update(params={"rows": 4})  # the cause was fixed meanwhile
    with run_jobs():
        job_services.job_retry(actor=world.sup0, job_id=job.pk)
    job.refresh_from_db()
    assert (job.state, job.attempts, job.done, job.error_code) == ("succeeded", 2, 4, "")
    assert _events(job) == [
        "job.queued",
        "job.started",
        "job.failed",
        "job.retried",
        "job.started",
        "job.succeeded",
    ]
    # a finished job may be run again too (a fresh export)
    with run_jobs():
        job_services.job_retry(actor=world.sup0, job_id=job.pk)
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("succeeded", 3)


def test_retry_refusals(world, run_jobs):
    failed = _enqueue(world, run_jobs, fail="bad_number")
    with pytest.raises(errors.PermissionDenied) as exc:
        job_services.job_retry(actor=world.sup0b, job_id=failed.pk)  # a colleague
    assert exc.value.code == "job_not_yours"
    with pytest.raises(errors.OutOfScope):
        job_services.job_retry(actor=world.sup1, job_id=failed.pk)  # another district
    queued = Job.objects.create(kind=PROBE, organisation=world.inst0, created_by=world.sup0)
    with pytest.raises(errors.InvalidTransition) as refused:
        job_services.job_retry(actor=world.sup0, job_id=queued.pk)
    assert refused.value.code == "job_not_finished" and "排队中" in refused.value.message
    done = _enqueue(world, run_jobs, user=world.viewer0, kind=READ_PROBE)  # no rerun
    with pytest.raises(errors.Conflict) as again:
        job_services.job_retry(actor=world.viewer0, job_id=done.pk)
    assert again.value.code == "job_already_succeeded"
    assert not AuditEvent.objects.filter(action="job.retried").exists()


def test_starting_needs_the_kinds_capability_and_scope(world):
    with pytest.raises(errors.PermissionDenied):
        job_services.job_enqueue(actor=world.viewer0, kind=PROBE, organisation=world.inst0)
    with pytest.raises(errors.OutOfScope):
        job_services.job_enqueue(actor=world.sup1, kind=PROBE, organisation=world.inst0)
    with pytest.raises(errors.PermissionDenied):  # only system kinds start without a user
        job_services.job_enqueue(actor=None, kind=PROBE, organisation=world.inst0)
    with pytest.raises(errors.PermissionDenied):  # and users never start them
        job_services.job_enqueue(
            actor=world.sup0, kind="core.deadlines_refresh", organisation=world.inst0
        )
    with pytest.raises(errors.OutOfScope):  # a read kind: the organisation must be visible
        job_services.job_enqueue(actor=world.sup1, kind=READ_PROBE, organisation=world.inst0)
    with pytest.raises(ValueError):
        job_services.job_enqueue(actor=world.sup0, kind="no.such", organisation=world.inst0)
    assert not Job.objects.exists()


def test_a_read_kind_stores_its_file_for_a_read_only_user(world, run_jobs):
    job = _enqueue(world, run_jobs, user=world.viewer0, kind=READ_PROBE)
    assert job.state == "succeeded" and job.result_type == "core.attachment"
    attachment = Attachment.objects.get(pk=job.result_id)
    assert (attachment.filename, attachment.size) == ("导出.csv", 8)
    assert attachment.uploaded_by == world.viewer0 and attachment.organisation == world.inst0
    stored = AuditEvent.objects.get(action="attachment.stored")
    assert stored.details["subject_type"] == "core.job" and stored.details["subject_id"] == str(
        job.pk
    )
    assert stored.details["kind"] == "output" and stored.details["sha256"] == attachment.sha256
    assert jobs.result_link(job) == ("下载文件", f"/jobs/{job.pk}/download/")


def test_a_unique_kind_answers_the_unfinished_twin(world):
    first = job_services.job_enqueue(
        actor=world.viewer0, kind=READ_PROBE, organisation=world.inst0, params={"a": 1}
    )
    again = job_services.job_enqueue(
        actor=world.viewer0, kind=READ_PROBE, organisation=world.inst0, params={"a": 1}
    )
    other = job_services.job_enqueue(
        actor=world.viewer0, kind=READ_PROBE, organisation=world.inst0, params={"a": 2}
    )
    assert again.pk == first.pk and other.pk != first.pk
    assert AuditEvent.objects.filter(action="job.queued").count() == 2


def test_selectors_are_scoped_by_organisation_and_kind(world, run_jobs, django_assert_num_queries):
    mine = _enqueue(world, run_jobs)
    colleague = _enqueue(world, run_jobs, user=world.sup0b)
    export = _enqueue(world, run_jobs, user=world.viewer0, kind=READ_PROBE)
    assert [j.pk for j in job_list(user=world.sup0, mine=True)] == [mine.pk]
    assert {j.pk for j in job_list(user=world.sup0)} == {mine.pk, colleague.pk, export.pk}
    assert {j.pk for j in job_list(user=world.city_leader)} == {export.pk}  # no registry.manage
    assert [j.pk for j in job_list(user=world.viewer0)] == [export.pk]
    assert not job_list(user=world.sup1).exists()
    assert not job_list(user=world.petition0).exists()
    assert [j.pk for j in job_list(user=world.sup0, state="failed")] == []
    assert [j.pk for j in job_list(user=world.sup0, kind=READ_PROBE)] == [export.pk]
    with django_assert_num_queries(1):
        rows = [(j.organisation.name, j.created_by) for j in job_list(user=world.sup0)]
    assert len(rows) == 3
    assert job_get(user=world.sup0, job_id=mine.pk) == mine
    with pytest.raises(errors.OutOfScope):
        job_get(user=world.sup1, job_id=mine.pk)
    with pytest.raises(errors.OutOfScope):
        job_get(user=world.city_leader, job_id=mine.pk)  # in scope, but not the kind
    with pytest.raises(errors.NotFound):
        job_get(user=world.sup0, job_id=10**9)


def test_a_worker_that_outlived_its_run_does_not_end_the_next_one(world, run_jobs):
    job = Job.objects.create(kind=PROBE, organisation=world.inst0, created_by=world.sup0)
    first_run = job_services.job_start(job)
    job_services.job_fail(first_run, code="job_interrupted", message="中断")  # as stale
    with run_jobs():
        job_services.job_retry(actor=world.sup0, job_id=job.pk)
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("succeeded", 2)
    with pytest.raises(errors.InvalidTransition):  # the old worker finally ends its run
        job_services.job_succeed(first_run, Outcome("迟到的结果。"))
    with pytest.raises(errors.InvalidTransition):
        job_services.job_fail(first_run, code="job_crashed", message="迟到")
    Job.objects.filter(pk=job.pk).update(state="running", attempts=3)  # a third run under way
    with pytest.raises(errors.Conflict) as superseded:
        job_services.job_succeed(first_run, Outcome("迟到的结果。"))
    assert superseded.value.code == "job_superseded"
    job.refresh_from_db()
    assert job.result_summary == "数完了3个。"


def test_schedule_queues_the_periodic_jobs_once(world, settings, run_jobs):
    root = world.tree.province
    assert root.parent_id is None
    queued = job_services.jobs_schedule()
    assert [(j.kind, j.organisation_id, j.created_by_id) for j in queued] == [
        ("core.deadlines_refresh", root.pk, None)
    ]
    assert [j.pk for j in job_services.jobs_schedule()] == [queued[0].pk]  # still queued
    job_services.job_run(queued[0].pk)
    queued[0].refresh_from_db()
    assert queued[0].state == "succeeded" and "期限标记为逾期" in queued[0].result_summary
    with run_jobs():
        call_command("jobs", "schedule")
    latest = Job.objects.filter(kind="core.deadlines_refresh").latest("pk")
    assert latest.pk != queued[0].pk and latest.state == "succeeded"
    admin = make_user(root, Role.SYSTEM_ADMIN)
    assert job_list(user=admin).filter(pk=latest.pk).exists()


def test_stale_jobs_fail_so_that_they_can_be_retried(world, settings):
    settings.FAZHI_JOB_STALE_MINUTES = 30
    now = clock.now()
    old = now - dt.timedelta(minutes=31)
    dead = Job.objects.create(kind=PROBE, organisation=world.inst0, created_by=world.sup0)
    job_services.job_start(dead)
    Job.objects.filter(pk=dead.pk).update(progress_at=old)
    alive = Job.objects.create(kind=PROBE, organisation=world.inst0, created_by=world.sup0)
    job_services.job_start(alive)
    lost = Job.objects.create(kind=PROBE, organisation=world.inst0, created_by=world.sup0)
    Job.objects.filter(pk=lost.pk).update(created_at=old)
    waiting = Job.objects.create(
        kind=PROBE, organisation=world.inst0, created_by=world.sup0, task_id="t-1"
    )
    Job.objects.filter(pk=waiting.pk).update(created_at=old)  # a long queue, not a lost task
    assert job_services.jobs_fail_stale(now=now) == 2
    states = {j.pk: (j.state, j.error_code) for j in Job.objects.all()}
    assert states[dead.pk] == ("failed", "job_interrupted")
    assert states[lost.pk] == ("failed", "job_not_started")
    assert states[alive.pk] == ("running", "")
    assert states[waiting.pk] == ("queued", "")


def test_the_workflow_table_and_events_are_registered():
    from fazhi.core import events, workflow

    assert "job" in {w.name for w in workflow.all_workflows()}
    for member in JobEvents:
        assert events.known(str(member)) and events.label(str(member)) != str(member)
    text = workflow.mermaid(jobs.JOB_WORKFLOW)
    assert "failed --> queued: 重试" in text and "running --> succeeded: 完成" in text
    architecture = Path(__file__).resolve().parents[3] / "docs" / "architecture.md"
    assert text in architecture.read_text(encoding="utf-8")  # the diagram there is the table
