"""``fazhi calendar seed [--years 2025 2026]`` and ``fazhi calendar show YEAR``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fazhi.core import errors
from fazhi.core.deadlines import calendar_day_list, calendar_seed_from_package, calendar_year_list


class Command(BaseCommand):
    help = "工作日历：seed 从 chinesecalendar 软件包导入（幂等）；years 列出已录入年度。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["seed", "years", "show"])
        parser.add_argument("--years", nargs="*", type=int, help="只导入这些年度")
        parser.add_argument("--year", type=int, help="show：要列出的年度")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "seed":
            try:
                added = calendar_seed_from_package(actor=None, years=options.get("years"))
            except errors.FazhiError as exc:
                raise CommandError(f"{exc.code}: {exc.message}") from exc
            self.stdout.write(
                f"seeded: {', '.join(map(str, added))}" if added else "seeded: nothing new"
            )
        elif action == "years":
            for row in calendar_year_list():
                self.stdout.write(f"{row.year}\t{row.source}")
        else:
            if not options.get("year"):
                raise CommandError("usage: fazhi calendar show --year YEAR")
            for day in calendar_day_list(year=options["year"]):
                self.stdout.write(f"{day.date.isoformat()}\t{day.kind}\t{day.name}")
