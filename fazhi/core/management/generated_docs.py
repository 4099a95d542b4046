"""Write a generated document, or check that the committed one is current (``--check``).

Shared by ``fazhi rules docs`` and ``fazhi workflows docs``: exit status 1 when the file is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand


def write_or_check(command: BaseCommand, output: Path, text: str, *, check: bool, how: str) -> None:
    """``how`` is the command that regenerates the file, named in the stale message."""
    if check:
        current = output.read_text(encoding="utf-8") if output.exists() else ""
        if current != text:
            command.stderr.write(f"{output} is stale: run `{how}`")
            sys.exit(1)
        command.stdout.write(f"{output} is up to date")
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    command.stdout.write(f"wrote {output}")
