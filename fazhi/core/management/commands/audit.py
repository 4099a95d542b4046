"""``fazhi audit verify [--files]`` and ``fazhi audit head``."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fazhi.core import audit


class Command(BaseCommand):
    help = "审计链：verify 重新计算并校验整条哈希链（--files 同时校验附件文件）；head 输出链头。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="recompute the chain; exit 1 at the first break")
        verify.add_argument(
            "--files", action="store_true", help="also re-hash every stored attachment"
        )
        verify.add_argument("--timing", action="store_true", help="print the elapsed time")
        sub.add_parser("head", help="print '<seq> <hash>' of the chain head, for anchoring")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "head":
            self.stdout.write(audit.head_text())
            return
        started = time.perf_counter()
        result = audit.verify()
        self.stdout.write(result.summary())
        failed = not result.ok
        if options["files"]:
            count, problems = audit.verify_files()
            for problem in problems:
                self.stdout.write(
                    f"FILE BROKEN attachment {problem.attachment_id} "
                    f"({problem.filename}): {problem.reason}"
                )
            if not problems:
                self.stdout.write(f"OK {count} files")
            failed = failed or bool(problems)
        if options["timing"]:
            self.stderr.write(f"{time.perf_counter() - started:.2f}s")
        if failed:
            sys.exit(1)
