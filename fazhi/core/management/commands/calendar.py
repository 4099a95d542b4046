"""``fazhi calendar seed|years|show|publish``: the official working-day calendar.

- ``seed [--years 2025 2026]``: load years the chinesecalendar package knows (idempotent);
- ``years``: the years loaded, with their source;
- ``show --year YEAR``: a year's exceptions to Monday–Friday;
- ``publish YEAR --source TEXT --holiday DATE[:NAME] … --workday DATE[:NAME] …``: load a year
  from the State Council notice (the administrator's act for years after the package).
Exit codes: 0 done, 2 bad input (the error code and the Chinese message on stderr).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fazhi.core import errors
from fazhi.core.selectors.calendar import calendar_day_list, calendar_year_list
from fazhi.core.services.calendar import calendar_seed_from_package, calendar_year_publish


def _days(values: list[str] | None, label: str) -> tuple[list[dt.date], dict[dt.date, str]]:
    days: list[dt.date] = []
    names: dict[dt.date, str] = {}
    for value in values or []:
        text, _, name = value.partition(":")
        try:
            day = dt.date.fromisoformat(text.strip())
        except ValueError as exc:
            raise CommandError(
                f"invalid_date: {label} {value!r} 不是有效日期（YYYY-MM-DD）。"
            ) from exc
        days.append(day)
        if name.strip():
            names[day] = name.strip()
    return days, names


class Command(BaseCommand):
    help = "工作日历：seed 从软件包导入；years 列出年度；show 列出某年；publish 按通知录入某年。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["seed", "years", "show", "publish"])
        parser.add_argument("year_arg", nargs="?", type=int, help="publish：年度")
        parser.add_argument("--years", nargs="*", type=int, help="seed：只导入这些年度")
        parser.add_argument("--year", type=int, help="show：要列出的年度")
        parser.add_argument("--source", help="publish：依据（通知名称及文号）")
        parser.add_argument(
            "--holiday", action="append", help="publish：放假日期 YYYY-MM-DD[:节日]，可重复"
        )
        parser.add_argument(
            "--workday", action="append", help="publish：调休上班日期 YYYY-MM-DD[:节日]，可重复"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "seed":
                added = calendar_seed_from_package(actor=None, years=options.get("years"))
                self.stdout.write(
                    f"seeded: {', '.join(map(str, added))}" if added else "seeded: nothing new"
                )
            elif action == "years":
                for row in calendar_year_list():
                    self.stdout.write(f"{row.year}\t{row.source}")
            elif action == "show":
                if not options.get("year"):
                    raise CommandError("usage: fazhi calendar show --year YEAR")
                for day in calendar_day_list(year=options["year"]):
                    self.stdout.write(f"{day.date.isoformat()}\t{day.kind}\t{day.name}")
            else:
                year = options.get("year_arg")
                if not year:
                    raise CommandError(
                        "usage: fazhi calendar publish YEAR --source TEXT "
                        "--holiday YYYY-MM-DD[:NAME] ... --workday YYYY-MM-DD[:NAME] ..."
                    )
                holidays, names = _days(options.get("holiday"), "放假日期")
                workdays, work_names = _days(options.get("workday"), "调休上班日期")
                row = calendar_year_publish(
                    actor=None,
                    year=year,
                    source=options.get("source") or "",
                    holidays=holidays,
                    workdays=workdays,
                    names={**names, **work_names},
                )
                self.stdout.write(
                    f"published: {row.year} ({len(holidays)} holidays, {len(workdays)} workdays)"
                )
        except errors.FazhiError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
