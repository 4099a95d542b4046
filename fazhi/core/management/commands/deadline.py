"""``fazhi deadline RULE_KEY START_DATE``: the due date alone on the first line, then the citation.

Exit codes: 0 computed; 2 unknown rule key or bad input; 3 the calendar does not cover the period.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fazhi.core import errors, rules
from fazhi.core.periods import compute_due


def calendar_fix_hint(exc: errors.CalendarUnknown) -> str:
    """The CLI's calendar_unknown message: what is missing and the page and command that fix it."""
    return (
        f"{exc.message}（unknown year: {exc.year}）修复：系统管理员在“系统 › 节假日日历”页面"
        f"（/calendar/）按通知录入{exc.year}年，或运行 fazhi calendar publish {exc.year} "
        '--source "国务院办公厅关于…年部分节假日安排的通知" --holiday YYYY-MM-DD[:名称] … '
        "--workday YYYY-MM-DD …"
    )


class Command(BaseCommand):
    help = "计算法定期限的届满日期：fazhi deadline RULE_KEY START_DATE [--province 35]"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("rule_key", nargs="?")
        parser.add_argument("start_date", nargs="?", help="起算日，YYYY-MM-DD")
        parser.add_argument("--province", help="两位省级行政区划代码，如 35")
        parser.add_argument("--list", action="store_true", help="列出全部规则键及依据")
        parser.add_argument("--trace", action="store_true", help="同时输出逐日推算过程")

    def _fail(self, code: str, message: str, status: int) -> None:
        self.stderr.write(f"{code}: {message}")
        sys.exit(status)

    def handle(self, *args: Any, **options: Any) -> None:
        province = options.get("province")
        if province is not None and not rules.PROVINCE_RE.match(province):
            self._fail("invalid_province", "省级代码应为两位数字，如 35。", 2)
        if options["list"]:
            for rule_def in rules.all_rules(province=province):
                latest = rule_def.versions[-1]
                self.stdout.write(
                    f"{rule_def.key}\t{latest.value.describe()}\t{latest.citation}\t{rule_def.title}"
                )
            return
        key, start_text = options.get("rule_key"), options.get("start_date")
        if not key or not start_text:
            self._fail("usage", "用法：fazhi deadline RULE_KEY START_DATE [--province 35]", 2)
        assert key is not None and start_text is not None
        try:
            start = dt.date.fromisoformat(start_text)
        except ValueError:
            self._fail("invalid_date", f"起算日 {start_text!r} 不是有效日期（YYYY-MM-DD）。", 2)
        try:
            due = compute_due(key, start, province=province, trace=options["trace"])
        except errors.CalendarUnknown as exc:
            self._fail(exc.code, calendar_fix_hint(exc), 3)
        except errors.FazhiError as exc:
            self._fail(exc.code, exc.message, 2)
        self.stdout.write(due.due.isoformat())
        self.stdout.write(f"{due.rule.title}：{due.rule.value.describe()}，{due.citation}")
        for warning in due.warnings:
            self.stdout.write(f"注意：{warning}")
        for line in due.trace:
            self.stdout.write(line)
