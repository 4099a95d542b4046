"""``fazhi workflows docs [--check] [--output PATH]``: docs/workflows.md from the tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from fazhi.core import workflow
from fazhi.core.management.generated_docs import write_or_check

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
        write_or_check(self, output, text, check=options["check"], how="fazhi workflows docs")
