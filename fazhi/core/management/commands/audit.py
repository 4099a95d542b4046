"""``fazhi audit verify [--files] [--expect-head ANCHOR …] [--anchors FILE]`` and
``fazhi audit head``."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fazhi.core import audit_verify, errors


class Command(BaseCommand):
    help = (
        "审计链：verify 重新计算并校验整条哈希链（--files 同时校验附件文件；--expect-head 核对此前"
        "导出的链头）；head 以一行 JSON 输出链头，供在数据库服务器之外留存。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="recompute the chain; exit 1 at the first break")
        verify.add_argument(
            "--files", action="store_true", help="also re-hash every stored attachment"
        )
        verify.add_argument(
            "--expect-head",
            action="append",
            default=[],
            metavar="ANCHOR",
            help="a head exported earlier (SEQ:HASH, HASH, or a line of 'fazhi audit head'): "
            "the chain must still hold that event (repeatable)",
        )
        verify.add_argument(
            "--anchors",
            type=Path,
            metavar="FILE",
            help="check every line of a file of exported heads (one JSON line each)",
        )
        verify.add_argument("--timing", action="store_true", help="print the elapsed time")
        sub.add_parser(
            "head", help='print {"seq", "hash", "time"} of the chain head as one JSON line'
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "head":
            self.stdout.write(audit_verify.head_line())
            return
        texts = list(options["expect_head"])
        if options["anchors"] is not None:
            try:
                content = options["anchors"].read_text(encoding="utf-8")
            except OSError as exc:
                self.stderr.write(f"bad_anchor: {exc}")
                sys.exit(2)
            texts += [line for line in content.splitlines() if line.strip()]
        try:
            anchors = [audit_verify.Anchor.parse(text) for text in texts]
        except errors.ValidationFailed as exc:
            self.stderr.write(f"{exc.code}: {exc.message}")
            sys.exit(2)
        started = time.perf_counter()
        result = audit_verify.verify(anchors=anchors)
        for line in result.lines():
            self.stdout.write(line)
        failed = not result.all_ok
        if options["files"]:
            count, problems = audit_verify.verify_files()
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
