"""Services: background jobs — starting one (``job_enqueue``), retrying it (``job_retry``), and the
runner's side: ``job_run`` (what the worker's task calls), ``job_progress`` and the states a run
moves the job through, and ``jobs_fail_stale`` for jobs whose worker died.

Kinds, the workflow and the events are in ``fazhi.core.jobs``. The task is sent to the task
backend when the transaction that queued the job commits (``transaction.on_commit``), so a
worker never sees a job that might still roll back.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Mapping
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from fazhi.core import audit, clock, errors, workflow
from fazhi.core.jobs import (
    JOB_WORKFLOW,
    JobEvents,
    JobKind,
    Outcome,
    all_kinds,
    find_kind,
    get_kind,
)
from fazhi.core.models import AttachmentKind, Job, JobState, Organisation, User
from fazhi.core.scope import (
    get_scoped,
    require_cap,
    require_in_scope,
    scoped,
    visible_organisations,
)
from fazhi.core.services.attachments import (
    StoredBlob,
    attachment_link,
    attachment_store_output,
)

logger = logging.getLogger(__name__)

PROGRESS_INTERVAL_S = 1.0
CRASHED = "后台任务意外中断，未能完成。请点击“重试”；如仍失败，请联系系统管理员。"
INTERRUPTED = "后台任务在执行中被中断（服务重启或进程停止），未能完成。请点击“重试”。"
NOT_STARTED = "后台任务未能开始执行（任务队列不可用）。请点击“重试”。"
KIND_GONE = "该类型的后台任务已不再提供。"
# What resetting a job for another run clears.
_FRESH: dict[str, Any] = {
    "done": 0,
    "total": None,
    "message": "",
    "started_at": None,
    "progress_at": None,
    "finished_at": None,
    "result_type": "",
    "result_id": "",
    "result_summary": "",
    "error_code": "",
    "error_message": "",
    "task_id": "",
}


# --- starting -----------------------------------------------------------------------------------


def _may_start(actor: User | None, spec: JobKind, organisation: Organisation) -> None:
    if actor is None:
        if not spec.system:
            raise errors.PermissionDenied(attempted=str(JobEvents.QUEUED), kind=spec.name)
        return
    if spec.system:
        raise errors.PermissionDenied(
            "该后台任务由系统定时执行。", attempted=str(JobEvents.QUEUED), kind=spec.name
        )
    require_cap(actor, spec.cap, action=str(JobEvents.QUEUED))
    if spec.writes:
        require_in_scope(actor, organisation, action=str(JobEvents.QUEUED))
    elif not visible_organisations(actor).filter(pk=organisation.pk).exists():
        raise errors.OutOfScope(attempted=str(JobEvents.QUEUED), organisation_id=organisation.pk)


def job_enqueue(
    *,
    actor: User | None,
    kind: str,
    organisation: Organisation,
    params: Mapping[str, Any] | None = None,
    upload: StoredBlob | None = None,
) -> Job:
    """Queue a job of ``kind`` for ``organisation``; a worker runs it after the commit.

    ``upload`` is a file the job will read (stored with ``attachment_store_blob`` before this
    call): it is linked to the job in the same transaction and its id is the ``attachment``
    parameter.

    ``actor`` needs the kind's capability and the organisation in scope (a write kind: where
    they may write); ``None`` is the system, which may start only system kinds. A ``unique``
    kind answers the unfinished job with the same organisation and parameters, if there is one.
    """
    spec = get_kind(kind)
    _may_start(actor, spec, organisation)
    values = dict(params or {})
    with transaction.atomic(durable=True):
        if spec.unique:
            twin = _unfinished_twin(spec, organisation, values)
            if twin is not None:
                return twin
        job = Job.objects.create(
            kind=spec.name, organisation=organisation, created_by=actor, params=values
        )
        if upload is not None:
            link = attachment_link(
                actor=actor, attachment_or_blob=upload, subject=job, kind=AttachmentKind.UPLOAD
            )
            values["attachment"] = link.attachment_id
            job.params = values
            job.save(update_fields=["params"])
        audit.append(
            actor=actor, action=JobEvents.QUEUED, obj=job, details={"kind": spec.name, **values}
        )
        _send_on_commit(job)
    return job


def _unfinished_twin(
    spec: JobKind, organisation: Organisation, params: dict[str, Any]
) -> Job | None:
    candidates = Job.objects.filter(
        kind=spec.name,
        organisation=organisation,
        state__in=(JobState.QUEUED, JobState.RUNNING),
    ).order_by("pk")
    return next((job for job in candidates if job.params == params), None)


def _send_on_commit(job: Job) -> None:
    # robust: a task backend that cannot be reached must not turn the committed request into an
    # error page; the job stays queued without a task and ``jobs_fail_stale`` fails it later.
    transaction.on_commit(partial(_send, job.pk), robust=True)


def _send(job_id: int) -> None:
    from fazhi.core.tasks import run_job

    result = run_job.enqueue(job_id)
    # No state here: the task id only helps an operator find the task backend's record.
    Job.objects.filter(pk=job_id).update(task_id=str(result.id)[:64])


def job_retry(*, actor: User, job_id: int) -> Job:
    """Queue a failed job again (a succeeded one where its kind allows ``rerun``), by the user
    who started it, from the start."""
    with transaction.atomic(durable=True):
        job = get_scoped(
            scoped(Job.objects.select_for_update(of=("self",)), actor).select_related(
                "organisation"
            ),
            job_id,
        )
        spec = find_kind(job.kind)
        if spec is None:
            raise errors.Conflict(KIND_GONE, code="job_kind_unknown")
        _may_start(actor, spec, job.organisation)
        job = workflow.transition(
            JOB_WORKFLOW,
            job,
            "retry",
            actor=actor,
            ctx={"actor": actor},
            locked=True,
            changes=_FRESH,
            details={"kind": job.kind, "attempts": job.attempts},
        )
        _send_on_commit(job)
    return job


# --- running ------------------------------------------------------------------------------------


def job_run(job_id: int) -> None:
    """Run one queued job to its end: what the worker's task does (``fazhi.core.tasks``).

    A job that is no longer queued (its task delivered twice, or retried meanwhile) is left as
    it is. A ``FazhiError`` fails the job with its code and message; any other exception fails
    it with a general message and is raised again, so that the worker logs the traceback and
    the task backend keeps it for the operator."""
    job = Job.objects.select_related("organisation", "created_by").filter(pk=job_id).first()
    if job is None:
        logger.warning("job %s does not exist: nothing to run", job_id)
        return
    try:
        job = job_start(job)
    except errors.InvalidTransition:
        logger.info("job %s is %s, not queued: not run again", job_id, job.state)
        return
    tracker = JobProgress(job)
    try:
        spec = find_kind(job.kind)
        if spec is None:
            raise errors.Conflict(KIND_GONE, code="job_kind_unknown")
        outcome = spec.run(job, tracker)
    except errors.FazhiError as exc:
        _end(job_fail, job, code=exc.code, message=exc.message)
        return
    except Exception:
        logger.exception("job %s (%s) crashed", job.pk, job.kind)
        _end(job_fail, job, code="job_crashed", message=CRASHED)
        raise
    try:
        job_succeed(job, outcome, done=tracker.done, total=tracker.total)
    except errors.Conflict:  # not running, or running again: this run is no longer the job's
        _superseded(job)
    except errors.FazhiError as exc:
        _end(job_fail, job, code=exc.code, message=exc.message)
    except Exception:  # e.g. the disk refused the file
        logger.exception("job %s (%s) could not record its result", job.pk, job.kind)
        _end(job_fail, job, code="job_crashed", message=CRASHED)
        raise


def _end(step: Any, job: Job, **kwargs: Any) -> None:
    try:
        step(job, **kwargs)
    except errors.Conflict:
        _superseded(job)


def _superseded(job: Job) -> None:
    logger.warning(
        "job %s changed meanwhile (failed as stale, retried): this run's end dropped", job.pk
    )


def job_start(job: Job) -> Job:
    """queued → running (the worker took it)."""
    with transaction.atomic(durable=True):
        locked = JOB_WORKFLOW.lock(job)
        now = clock.now()
        started = workflow.transition(
            JOB_WORKFLOW,
            locked,
            "start",
            actor=None,
            locked=True,
            changes={"started_at": now, "progress_at": now, "attempts": locked.attempts + 1},
            details={"kind": locked.kind, "attempt": locked.attempts + 1},
        )
    started.organisation = job.organisation
    started.created_by = job.created_by
    return started


def job_succeed(job: Job, outcome: Outcome, *, done: int = 0, total: int | None = None) -> Job:
    """running → succeeded, with what it produced (a file is stored as an attachment first) and
    the final count (the last progress report may have been held back by the throttle)."""
    stored = (
        attachment_store_output(
            organisation=job.organisation,
            produced_for=job.created_by,
            content=outcome.file.content,
            file=outcome.file.file,
            filename=outcome.file.name,
        )
        if outcome.file is not None and job.created_by is not None
        else None
    )
    with transaction.atomic(durable=True):
        result: Any = outcome.result
        if stored is not None:
            result = attachment_link(
                actor=job.created_by,
                attachment_or_blob=stored,
                subject=job,
                kind=AttachmentKind.OUTPUT,
            ).attachment
        return workflow.transition(
            JOB_WORKFLOW,
            job,
            "succeed",
            actor=None,
            ctx={"attempt": job.attempts},
            changes={
                "finished_at": clock.now(),
                "message": "",
                "done": done,
                "total": total,
                "result_type": result._meta.label_lower if result is not None else "",
                "result_id": str(result.pk) if result is not None else "",
                "result_summary": outcome.summary[:300],
            },
            details={"kind": job.kind, "summary": outcome.summary[:300]},
        )


def job_fail(job: Job, *, code: str, message: str) -> Job:
    """running → failed (this run, ``job.attempts``), with the stable code and the Chinese
    reason; a job still queued is abandoned (it never started)."""
    queued = job.state == JobState.QUEUED
    with transaction.atomic(durable=True):
        return workflow.transition(
            JOB_WORKFLOW,
            job,
            "abandon" if queued else "fail",
            actor=None,
            ctx={"attempt": job.attempts},
            changes={
                "finished_at": clock.now(),
                "error_code": code[:64],
                "error_message": message[:500],
            },
            details={"kind": job.kind, "code": code},
        )


def job_progress(
    job: Job, *, done: int, total: int | None = None, message: str | None = None
) -> None:
    """Record a running job's progress: one UPDATE of the job row, no audit event (the run's
    start and end are the events). ``JobProgress`` decides how often to call it."""
    values: dict[str, Any] = {"done": max(0, done), "progress_at": clock.now()}
    if total is not None:
        values["total"] = max(0, total)
    if message is not None:
        values["message"] = message[:200]
    Job.objects.filter(pk=job.pk, state=JobState.RUNNING).update(**values)


class JobProgress:
    """The ``Progress`` a job function gets: writes when the step (message) changes, and
    otherwise at most once every ``PROGRESS_INTERVAL_S`` seconds, so a function may report
    every row. Inside one database transaction the writes become visible only at its commit:
    a step that is one transaction reports its start and its end."""

    def __init__(self, job: Job, interval: float = PROGRESS_INTERVAL_S) -> None:
        self.job = job
        self.interval = interval
        self._written = 0.0
        self._message: str | None = None
        self.done = 0
        self.total: int | None = None

    def __call__(self, done: int, total: int | None = None, message: str | None = None) -> None:
        self.done = done
        if total is not None:
            self.total = total
        now = time.monotonic()
        new_step = message is not None and message != self._message
        if not new_step and now - self._written < self.interval:
            return
        self._written = now
        if message is not None:
            self._message = message
        job_progress(self.job, done=done, total=total, message=message)


def jobs_fail_stale(*, now: dt.datetime | None = None) -> int:
    """Fail the jobs whose worker is gone, so that they can be retried: running with no
    progress for ``FAZHI_JOB_STALE_MINUTES`` (the worker was stopped or killed), or queued that
    long without a task (the task backend was unreachable when they were queued)."""
    cutoff = (now or clock.now()) - dt.timedelta(minutes=settings.FAZHI_JOB_STALE_MINUTES)
    stale = Job.objects.filter(
        Q(state=JobState.RUNNING, progress_at__lt=cutoff)
        | Q(state=JobState.QUEUED, task_id="", created_at__lt=cutoff)
    ).order_by("pk")
    count = 0
    for job in stale:
        code, message = (
            ("job_interrupted", INTERRUPTED)
            if job.state == JobState.RUNNING
            else ("job_not_started", NOT_STARTED)
        )
        try:
            job_fail(job, code=code, message=message)
        except errors.FazhiError:
            continue  # it moved on meanwhile
        count += 1
    return count


def jobs_schedule() -> list[Job]:
    """The periodic jobs (``periodic`` kinds), queued by the system for the root organisation
    (``fazhi jobs schedule``, run daily from cron or a systemd timer). A periodic kind is
    ``unique``, so a run while yesterday's is still queued or running adds nothing."""
    root = Organisation.objects.filter(parent__isnull=True).order_by("pk").first()
    if root is None:
        return []
    return [
        job_enqueue(actor=None, kind=spec.name, organisation=root)
        for spec in all_kinds()
        if spec.periodic
    ]
