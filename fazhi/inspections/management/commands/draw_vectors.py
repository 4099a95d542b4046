"""``fazhi draw_vectors [--check]``: write (or check) the draw protocol's test vectors.

The vectors under ``docs/draw-vectors/`` are computed by the engine (``fazhi.inspections
.drawvectors``); ``--check`` exits 1 and names the stale files when the engine no longer
produces what is committed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from fazhi.inspections import drawvectors


class Command(BaseCommand):
    help = "Write or check the draw protocol's test vectors (抽取协议测试向量)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="compare, do not write")
        parser.add_argument(
            "--dir",
            type=Path,
            default=Path(settings.BASE_DIR) / "docs" / "draw-vectors",
            help="the vectors' directory",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["dir"]
        if options["check"]:
            stale = drawvectors.differences(directory)
            if stale:
                self.stdout.write("stale draw vectors: " + ", ".join(stale))
                raise SystemExit(1)
            self.stdout.write("draw vectors up to date")
            return
        directory.mkdir(parents=True, exist_ok=True)
        produced = drawvectors.files()
        for name, content in produced.items():
            (directory / name).write_text(content, encoding="utf-8")
        self.stdout.write(f"wrote {len(produced)} files to {directory}")
