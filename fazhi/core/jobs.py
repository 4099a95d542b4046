"""Background jobs (后台任务), the kernel: the kinds of job, their workflow and their events.

A domain declares each kind of long work in its own ``jobs.py`` module, which core imports when
it is ready (``autodiscover_modules("jobs")``):

    @jobs.kind("registry.import_stage", "检查对象导入：读取与预检", cap=Cap.REGISTRY_MANAGE)
    def import_stage(job: Job, progress: Progress) -> Outcome:
        batch = import_batch_stage(actor=jobs.starter(job), ..., progress=progress)
        return Outcome(f"预检完成：{batch.row_count}行。", result=batch)

and starts it from a view through a service that calls ``job_enqueue``
(``fazhi.core.services.jobs``). The function runs in a worker process (``fazhi db_worker``) and
calls the domain's ordinary services with the job's starter as their actor, so permissions,
scope and the audit chain apply as if the user had waited for the page. A ``FazhiError`` it
raises fails the job with its code and Chinese message; anything else fails it with a general
Chinese message, and the traceback goes to the log and the task backend's record, never to the
page. ``progress(done, total, message)`` may be called as often as convenient: it writes at
most once a second.

The job's state is the ``job`` workflow (queued → running → succeeded / failed; a failed or
finished job can be queued again by the user who started it). Choice of the task framework:
decision 0014.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any, Protocol, TypeVar

from django.db import models

from fazhi.core import errors, workflow
from fazhi.core.events import EventName
from fazhi.core.models import Job, JobState, User
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap


class JobEvents(EventName):
    QUEUED = "job.queued", "提交后台任务"
    STARTED = "job.started", "开始执行后台任务"
    SUCCEEDED = "job.succeeded", "后台任务完成"
    FAILED = "job.failed", "后台任务失败"
    RETRIED = "job.retried", "重试后台任务"
    VIEWED = "job.viewed", "查看后台任务"
    LISTED = "job.listed", "查看后台任务列表"


class Progress(Protocol):
    """What a job function reports: rows (or items) done, the total when known, and the step
    it is at. ``None`` keeps the previous total or message."""

    def __call__(self, done: int, total: int | None = None, message: str | None = None) -> None: ...


T = TypeVar("T")
REPORT_EVERY = 500


def counted(
    items: Iterable[T],
    progress: Progress,
    *,
    message: str,
    total: Callable[[], int | None] = lambda: None,
    then: str | None = None,
) -> Iterator[T]:
    """``items`` unchanged, reporting how many have passed (every ``REPORT_EVERY``) with
    ``message``; ``total()`` is asked at each report (a reader may learn its size only once it
    has started); ``then`` is the step reported when the items are exhausted."""
    count = 0
    progress(0, total(), message)
    for item in items:
        count += 1
        if count % REPORT_EVERY == 0:
            progress(count, total())
        yield item
    progress(count, total(), then)


@dataclass(frozen=True)
class OutputFile:
    """A file a job produced (an export): stored as an attachment of the job's organisation.
    ``content``, or for a large export ``file``: an open file read from its start in chunks
    (a temporary file the job wrote in constant memory; the job closes it afterwards)."""

    name: str
    content: bytes = b""
    file: IO[bytes] | None = None


@dataclass(frozen=True)
class Outcome:
    """What a finished job reports: one Chinese sentence, and the row or the file it produced."""

    summary: str
    result: models.Model | None = None
    file: OutputFile | None = None


JobFunction = Callable[[Job, Progress], Outcome]


@dataclass(frozen=True)
class JobKind:
    name: str  # "registry.import_stage"
    label: str  # Chinese, for the pages
    run: JobFunction
    cap: Cap  # to start it, retry it and see it
    # Starting it writes in the organisation (``require_in_scope``); a read, such as an
    # export, needs the organisation only to be visible to the user.
    writes: bool = True
    # At most one unfinished job of this kind with the same organisation and parameters:
    # starting it again answers the one already queued or running.
    unique: bool = False
    unit: str = "项"  # what ``done`` counts, in Chinese (行, 个, 项)
    # (link text, URL) of what it produced, for the job page; None: no link
    result_link: Callable[[Job], tuple[str, str] | None] | None = None
    follow: bool = False  # the job page goes on to the result when the job succeeds
    rerun: bool = False  # a succeeded job may be run again (a fresh export), not only a failed one
    system: bool = False  # started by ``fazhi jobs schedule``, never by a user
    periodic: bool = False  # ``fazhi jobs schedule`` enqueues it on every run


_kinds: dict[str, JobKind] = {}


def kind(
    name: str, label: str, *, cap: Cap, **options: Any
) -> Callable[[Callable[[Job, Progress], Outcome]], Callable[[Job, Progress], Outcome]]:
    """Register the decorated function as the job kind ``name``."""

    def register(
        function: Callable[[Job, Progress], Outcome],
    ) -> Callable[[Job, Progress], Outcome]:
        if name in _kinds:
            raise ValueError(f"job kind {name!r} declared twice")
        _kinds[name] = JobKind(name=name, label=label, run=function, cap=cap, **options)
        return function

    return register


def get_kind(name: str) -> JobKind:
    try:
        return _kinds[name]
    except KeyError:
        raise ValueError(
            f"unknown job kind {name!r}: declare it with fazhi.core.jobs.kind"
        ) from None


def find_kind(name: str) -> JobKind | None:
    """The kind, or None for a job whose kind is no longer provided (left in the table)."""
    return _kinds.get(name)


def all_kinds() -> list[JobKind]:
    return [_kinds[name] for name in sorted(_kinds)]


def kind_label(name: str) -> str:
    found = _kinds.get(name)
    return found.label if found else name


def kinds_visible_to(user: User | Any) -> list[str]:
    """The kinds whose jobs ``user`` may see (their capability); their own jobs always."""
    return [k.name for k in _kinds.values() if has_cap(user, k.cap)]


def starter(job: Job) -> User:
    """The user a job acts for (the actor of the services it calls)."""
    if job.created_by is None:
        raise errors.PermissionDenied("该后台任务没有发起人，不能代为执行。", code="job_no_starter")
    return job.created_by


def result_link(job: Job) -> tuple[str, str] | None:
    """(link text, URL) of what a succeeded job produced."""
    if job.state != JobState.SUCCEEDED:
        return None
    if job.result_type == "core.attachment":
        from django.urls import reverse

        return "下载文件", reverse("core:job_download", args=[job.pk])
    found = _kinds.get(job.kind)
    if found is None or found.result_link is None:
        return None
    return found.result_link(job)


def param(job: Job, name: str) -> Any:
    """A parameter the job was started with (a missing one is a failure, not a crash)."""
    params: Mapping[str, Any] = job.params or {}
    if name not in params:
        raise errors.ValidationFailed("后台任务缺少必要的参数，请重新发起。", code="job_bad_params")
    return params[name]


# --- the workflow ------------------------------------------------------------------------------


def _same_run(row: Job, ctx: Mapping[str, Any]) -> None:
    """A run ends only the run it started: a worker that outlived its job (failed as stale,
    then retried) must not end the next run."""
    if ctx.get("attempt") != row.attempts:
        raise errors.Conflict("该后台任务已重新执行。", code="job_superseded")


def _may_run_again(row: Job, ctx: Mapping[str, Any]) -> None:
    found = _kinds.get(row.kind)
    if row.state == JobState.SUCCEEDED and not (found and found.rerun):
        raise errors.Conflict("该后台任务已完成，不能再次执行。", code="job_already_succeeded")


def _started_by_actor(row: Job, ctx: Mapping[str, Any]) -> None:
    actor = ctx.get("actor")
    if actor is None or row.created_by_id is None or row.created_by_id != actor.pk:
        raise errors.PermissionDenied(
            "只能重试本人发起的后台任务。", code="job_not_yours", attempted=str(JobEvents.RETRIED)
        )


JOB_WORKFLOW: workflow.Workflow[Job] = workflow.Workflow(
    name="job",
    label="后台任务",
    model=Job,
    states=JobState,
    initial=(JobState.QUEUED,),
    actions=[
        workflow.Action(
            name="start",
            label="开始执行",
            sources=(JobState.QUEUED,),
            target=JobState.RUNNING,
            event=JobEvents.STARTED,
            refusal="job_not_queued",
        ),
        workflow.Action(
            name="succeed",
            label="完成",
            sources=(JobState.RUNNING,),
            target=JobState.SUCCEEDED,
            event=JobEvents.SUCCEEDED,
            guards=(workflow.Guard("仍是同一次执行", _same_run),),
        ),
        workflow.Action(
            name="fail",
            label="记为失败",
            sources=(JobState.RUNNING,),
            target=JobState.FAILED,
            event=JobEvents.FAILED,
            guards=(workflow.Guard("仍是同一次执行", _same_run),),
        ),
        workflow.Action(
            name="abandon",
            label="记为未能开始",
            sources=(JobState.QUEUED,),
            target=JobState.FAILED,
            event=JobEvents.FAILED,
        ),
        workflow.Action(
            name="retry",
            label="重试",
            sources=(JobState.FAILED, JobState.SUCCEEDED),
            target=JobState.QUEUED,
            event=JobEvents.RETRIED,
            guards=(
                workflow.Guard("由发起人本人重试", _started_by_actor),
                workflow.Guard("已完成的任务仅在该类任务允许时再次执行", _may_run_again),
            ),
            refusal="job_not_finished",
        ),
    ],
)


# --- core's own kinds ---------------------------------------------------------------------------


@kind(
    "core.deadlines_refresh",
    "期限到期检查（每日）",
    cap=Cap.DEADLINE_VIEW,
    unique=True,
    unit="个",
    system=True,
    periodic=True,
)
def deadlines_refresh(job: Job, progress: Progress) -> Outcome:
    from fazhi.core.services.deadlines import deadlines_refresh as refresh

    count = refresh(actor=None)
    return Outcome(f"已将{count}个届满未办结的期限标记为逾期。")
