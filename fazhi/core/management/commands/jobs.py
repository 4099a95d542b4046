"""``fazhi jobs schedule``: the periodic work, run once a day from cron or a systemd timer (README).

It queues the periodic jobs (the daily deadline check) for the workers (``fazhi db_worker``) and
fails the jobs whose worker is gone (``jobs_fail_stale``), so that their users can retry them.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fazhi.core.jobs import kind_label
from fazhi.core.services.jobs import jobs_fail_stale, jobs_schedule


class Command(BaseCommand):
    help = "后台任务：schedule 提交定时任务（每日期限检查），并将中断的任务记为失败（每日运行）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["schedule"])

    def handle(self, *args: Any, **options: Any) -> None:
        stale = jobs_fail_stale()
        self.stdout.write(f"interrupted jobs marked failed: {stale}")
        for job in jobs_schedule():
            self.stdout.write(f"queued: #{job.pk} {job.kind} ({kind_label(job.kind)})")
