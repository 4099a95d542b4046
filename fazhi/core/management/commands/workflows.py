"""``fazhi workflows docs [--check] [--output PATH]``: docs/workflows.md from the tables."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from fazhi.core import workflow

DOCS_PATH = Path(settings.BASE_DIR) / "docs" / "workflows.md"


class Command(BaseCommand):
    help = "工作流：docs 由各工作流的状态表生成 docs/workflows.md（--check 检查是否过期）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["docs"])
        parser.add_argument("--check", action="store_true", help="docs：过期则退出码为1")
        parser.add_argument("--output", help="docs：输出文件，默认 docs/workflows.md")

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options.get("output") or DOCS_PATH)
        text = workflow.render_docs()
        if options["check"]:
            current = output.read_text(encoding="utf-8") if output.exists() else ""
            if current != text:
                self.stderr.write(f"{output} is stale: run `fazhi workflows docs`")
                sys.exit(1)
            self.stdout.write(f"{output} is up to date")
            return
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {output}")
