"""Background jobs (后台任务): long work that runs outside the web request, with its progress.

A ``Job`` is what users see and what scope, permission and the audit chain act on: its kind (a
registered ``fazhi.core.jobs.JobKind``), organisation, who started it, its state (the ``job``
workflow), progress, result and failure. Running it is the task framework's business
(``fazhi.core.tasks.run_job`` on django-tasks' database backend, decision 0014): the task row
carries nothing but the job's id.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class JobState(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    SUCCEEDED = "succeeded", "已完成"
    FAILED = "failed", "失败"


FINISHED_JOB_STATES = (JobState.SUCCEEDED, JobState.FAILED)


class Job(models.Model):
    kind = models.CharField("类型", max_length=64)
    organisation = models.ForeignKey(
        "core.Organisation", verbose_name="机构", on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,  # a scheduled job is started by the system
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(
        "状态", max_length=16, choices=JobState.choices, default=JobState.QUEUED
    )
    params = models.JSONField("参数", default=dict, blank=True)
    done = models.PositiveBigIntegerField("已处理", default=0)
    total = models.PositiveBigIntegerField("总数", null=True, blank=True)  # unknown until counted
    message = models.CharField("进度说明", max_length=200, blank=True)
    attempts = models.PositiveIntegerField("执行次数", default=0)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    progress_at = models.DateTimeField("进度更新时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    # What it produced: a row (``app_label.model`` and its id), e.g. an import batch or the
    # attachment holding an export file, and one Chinese sentence about it.
    result_type = models.CharField("结果类型", max_length=80, blank=True)
    result_id = models.CharField("结果编号", max_length=64, blank=True)
    result_summary = models.CharField("结果", max_length=300, blank=True)
    error_code = models.CharField("错误代码", max_length=64, blank=True)
    error_message = models.CharField("失败原因", max_length=500, blank=True)
    task_id = models.CharField("任务编号", max_length=64, blank=True)  # the task backend's id

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_by", "-created_at"], name="job_creator_recent"),
            models.Index(fields=["organisation", "-created_at"], name="job_org_recent"),
            models.Index(fields=["state", "kind"], name="job_state_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.get_state_display()})"

    @property
    def finished(self) -> bool:
        return self.state in FINISHED_JOB_STATES

    @property
    def percent(self) -> int | None:
        """Whole per cent done: 100 once succeeded, else known only with the total."""
        if self.state == JobState.SUCCEEDED:
            return 100
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)
