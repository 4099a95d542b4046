#!/usr/bin/env python3
"""Verify a Fazhi draw from its published export, with nothing but Python's standard library.

    python3 verify_draw.py export.json [--engine drawengine.py]

Recomputes every candidate-list hash, the inspector-pool hash, the witnesses' commitments, the
announcement hash, the seed, the targets and the inspector assignment, and compares them with the
export. Prints "OK ..." and exits 0 when everything matches, otherwise prints the first difference
and exits 1 (2 for unusable input). The engine ``drawengine.py`` is downloadable from the public
portal; by default the copy next to this script (or in this repository) is used.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
CANDIDATES = (
    HERE / "drawengine.py",
    HERE.parent / "fazhi" / "inspections" / "drawengine.py",
)


def load_engine(path: Path | None) -> ModuleType:
    choices = (path,) if path else CANDIDATES
    for candidate in choices:
        if candidate is not None and candidate.is_file():
            spec = importlib.util.spec_from_file_location("fazhi_drawengine", candidate)
            if spec is None or spec.loader is None:
                break
            module = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = module  # dataclasses look their module up by name
            spec.loader.exec_module(module)
            return module
    raise SystemExit("drawengine.py not found; pass --engine PATH")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify a Fazhi draw export (standard library).")
    parser.add_argument("export", help="export JSON file ('-' for standard input)")
    parser.add_argument("--engine", type=Path, help="path to drawengine.py")
    args = parser.parse_args(argv)
    engine = load_engine(args.engine)
    try:
        if args.export == "-":
            export = json.load(sys.stdin)
        else:
            with open(args.export, encoding="utf-8") as fh:
                export = json.load(fh)
    except (OSError, ValueError) as exc:
        print(f"cannot read export: {exc}")
        return 2
    try:
        problem = engine.verify_export(export)
    except (KeyError, TypeError, ValueError) as exc:
        print(f"malformed export: {type(exc).__name__}: {exc}")
        return 1
    if problem:
        print(f"MISMATCH: {problem}")
        return 1
    draw = export["draw"]
    print(
        f"OK plan {export['plan']['id']} draw {draw['number']}: "
        f"{len(export['result']['tasks'])} tasks, seed {draw['seed']}, "
        f"result hash {draw['result_hash']}"
    )
    # Derived from the kind (covered by the announcement hash), never from the export's own claim.
    if export["entropy"]["kind"] == "server":
        print("note: server randomness — reproducible, but the entropy was not fixed publicly")
    return 0


if __name__ == "__main__":
    sys.exit(main())
