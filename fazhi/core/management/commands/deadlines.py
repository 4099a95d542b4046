"""``fazhi deadlines refresh``: mark open deadlines past their due date as overdue (daily job)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fazhi.core.services.deadlines import deadlines_refresh


class Command(BaseCommand):
    help = "期限维护：refresh 将已届满未办结的期限标记为逾期（每日任务）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["refresh"])
        parser.add_argument("--today", help="按此日期判断（YYYY-MM-DD），默认今天")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options.get("today"):
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError(f"invalid_date: {options['today']!r}") from exc
        count = deadlines_refresh(actor=None, today=today)
        self.stdout.write(f"marked overdue: {count}")
