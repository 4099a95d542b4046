"""``fazhi rules docs [--check]`` and ``fazhi rules validate [PATH]``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from fazhi.core import errors, rules, rules_docs
from fazhi.core.management.generated_docs import write_or_check

DOCS_PATH = Path(settings.BASE_DIR) / "docs" / "rules.md"


class Command(BaseCommand):
    help = "规则包：docs 生成 docs/rules.md（--check 检查是否过期）；validate 校验规则包目录。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["docs", "validate", "list"])
        parser.add_argument("path", nargs="?", help="validate：规则包目录，默认 rules/")
        parser.add_argument("--check", action="store_true", help="docs：过期则退出码为1")
        parser.add_argument("--output", help="docs：输出文件，默认 docs/rules.md")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "validate":
            directory = Path(options.get("path") or settings.FAZHI_RULES_DIR)
            try:
                packs = rules.parse_packs(directory)
            except errors.RulePackError as exc:
                self.stderr.write(f"{exc.code}: {exc.message}")
                sys.exit(1)
            count = len(packs.national) + sum(
                1 for p in packs.provinces for _ in packs.provinces[p]
            )
            self.stdout.write(
                f"OK: {len(packs.national)} national rules, "
                f"{len(packs.provinces)} province packs ({count} effective rules)"
            )
            return
        if action == "list":
            for rule_def in rules.all_rules():
                self.stdout.write(f"{rule_def.key}\t{rule_def.versions[-1].citation}")
            return
        output = Path(options.get("output") or DOCS_PATH)
        text = rules_docs.render_docs()
        write_or_check(self, output, text, check=options["check"], how="fazhi rules docs")
