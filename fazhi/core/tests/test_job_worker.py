"""Jobs through the real task backend (django-tasks' database backend) and its worker, on
SQLite and PostgreSQL; on PostgreSQL also a separate ``fazhi db_worker`` process."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from fazhi.core import errors, jobs, testing
from fazhi.core.jobs import Outcome
from fazhi.core.models import Job, Role
from fazhi.core.roles import Cap
from fazhi.core.services import jobs as job_services
from fazhi.core.tests.factories import make_org_tree, make_user

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
KIND = "test.worker_probe"


def _probe(job, progress):
    if job.params.get("crash"):
        raise RuntimeError("boom")
    if job.params.get("fail"):
        raise errors.ValidationFailed("文件中没有数据行。", code="empty_file")
    for n in range(1, 2001):
        progress(n, 2000, "正在处理")
    return Outcome("处理完成。")


@pytest.fixture
def kind():
    jobs.kind(KIND, "试验后台任务", cap=Cap.REGISTRY_MANAGE)(_probe)
    yield
    jobs._kinds.pop(KIND)


def _work() -> None:
    """What ``fazhi db_worker --batch`` does: take ready tasks until none is left."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


@pytest.mark.django_db(transaction=True)
def test_jobs_go_through_the_database_backend_and_its_worker(kind, settings):
    settings.TASKS = DATABASE_TASKS
    tree = make_org_tree()
    org = tree.institute_of(tree.districts[0])
    user = make_user(org, Role.SUPERVISOR)
    queued = [
        job_services.job_enqueue(actor=user, kind=KIND, organisation=org, params=params)
        for params in ({}, {"fail": True}, {"crash": True})
    ]
    for job in queued:
        job.refresh_from_db()
        assert job.state == "queued"
        task = DBTaskResult.objects.get(pk=job.task_id)  # sent when the job's row committed
        assert task.status == "READY" and task.args_kwargs["args"] == [job.pk]
    _work()
    ok, failed, crashed = (Job.objects.get(pk=job.pk) for job in queued)
    assert (ok.state, ok.done, ok.total, ok.result_summary) == (
        "succeeded",
        2000,
        2000,
        "处理完成。",
    )
    assert (failed.state, failed.error_code, failed.error_message) == (
        "failed",
        "empty_file",
        "文件中没有数据行。",
    )
    assert DBTaskResult.objects.get(pk=failed.task_id).status == "SUCCESSFUL"  # handled
    assert (crashed.state, crashed.error_code) == ("failed", "job_crashed")
    record = DBTaskResult.objects.get(pk=crashed.task_id)
    assert record.status == "FAILED" and "boom" in record.traceback  # for the operator only
    assert "boom" not in crashed.error_message
    # a retry is a new task for the same job
    job_services.job_retry(actor=user, job_id=failed.pk)
    failed.refresh_from_db()
    assert (
        failed.state == "queued" and DBTaskResult.objects.get(pk=failed.task_id).status == "READY"
    )


@testing.needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_separate_worker_process_runs_the_scheduled_job(settings):
    """``fazhi jobs schedule`` then ``fazhi db_worker`` as production runs them (a kind every
    process knows: the daily deadline check)."""
    settings.TASKS = DATABASE_TASKS
    tree = make_org_tree()
    env = {**testing.postgres_env(), "FAZHI_TASKS_BACKEND": "django_tasks_db.DatabaseBackend"}
    for command in (["jobs", "schedule"], ["db_worker", "--batch", "--no-startup-delay"]):
        done = subprocess.run(
            [sys.executable, "-m", "fazhi", *command],
            capture_output=True,
            text=True,
            env=env,
            check=False,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
    job = Job.objects.get(kind="core.deadlines_refresh")
    assert (job.state, job.organisation_id, job.created_by_id) == (
        "succeeded",
        tree.province.pk,
        None,
    )
    assert DBTaskResult.objects.get(pk=job.task_id).status == "SUCCESSFUL"
