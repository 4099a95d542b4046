"""Run the benchmarks: every ``bench/bench_*.py`` module's ``run() -> dict``.

    python bench/run.py                 # all modules (``make bench``)
    python bench/run.py bench_audit     # some of them

Each module runs in its own process (a benchmark may configure Django against its own scratch
database), and its figures are written to ``bench/results/<module>.json`` together with the
machine they were measured on and when. ``bench/results/summary.md`` is then rebuilt from every
results file present, so running one module keeps the others' last figures. A module whose
``run()`` returns ``{"skipped": "<why>"}`` (e.g. no PostgreSQL on 127.0.0.1:5432) is reported as
skipped; one that raises is reported as failed and makes the exit status 1.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import platform
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results"
MARKER = "@@FAZHI-BENCH-RESULT@@ "


def modules() -> list[str]:
    return sorted(p.stem for p in BENCH.glob("bench_*.py"))


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )
        return out.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def _postgres() -> str | None:
    host = os.environ.get("FAZHI_BENCH_PG_HOST", "127.0.0.1")
    port = int(os.environ.get("FAZHI_BENCH_PG_PORT", "5432"))
    try:
        with socket.create_connection((host, port), timeout=2):
            pass
    except OSError:
        return None
    try:
        import psycopg

        user = os.environ.get("FAZHI_BENCH_PG_USER", "postgres")
        with psycopg.connect(host=host, port=port, user=user, dbname="postgres") as conn:
            row = conn.execute("SHOW server_version").fetchone()
            return f"PostgreSQL {row[0]}" if row else "PostgreSQL"
    except Exception as exc:  # reported, not fatal: a module may not need it
        return f"unreachable ({exc.__class__.__name__})"


def machine() -> dict[str, Any]:
    """Where the figures come from; the load average says how busy the machine was."""
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = []
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu": _cpu_model(),
        "logical_cpus": os.cpu_count(),
        "memory_gb": _memory_gb(),
        "load_average_1_5_15": load,
        "postgresql": _postgres(),
        "git_commit": _git_commit(),
    }


def _run_one_here(name: str) -> None:
    """Child mode: import the module, call ``run()``, print its figures after the marker."""
    sys.path.insert(0, str(REPO))
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    figures = module.run()
    sys.stdout.write(MARKER + json.dumps(figures, ensure_ascii=False, default=str) + "\n")


def run_module(name: str) -> dict[str, Any]:
    started = dt.datetime.now(dt.UTC)
    before = machine()
    t0 = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, __file__, "--one", name],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = round(time.perf_counter() - t0, 1)
    record: dict[str, Any] = {
        "module": name,
        "started": started.isoformat(timespec="seconds"),
        "seconds": seconds,
        "machine": before,
    }
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(MARKER)]
    if proc.returncode != 0 or not lines:
        record["status"] = "failed"
        record["error"] = (proc.stderr or proc.stdout)[-4000:]
        return record
    figures = json.loads(lines[-1][len(MARKER) :])
    record["status"] = "skipped" if isinstance(figures, dict) and "skipped" in figures else "ok"
    record["results"] = figures
    return record


def _flatten(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        out: list[tuple[str, Any]] = []
        for key, item in value.items():
            out += _flatten(item, f"{prefix}.{key}" if prefix else str(key))
        return out
    if isinstance(value, list) and len(value) > 6:
        return [(prefix, f"[{len(value)} values]")]
    return [(prefix, value)]


def summary_markdown(records: list[dict[str, Any]]) -> str:
    lines = [
        "# Benchmark results",
        "",
        "Generated by `make bench` (`bench/run.py`) from the files in `bench/results/`; each",
        "module's JSON holds the full figures and the machine they were measured on.",
        "",
    ]
    for record in records:
        m = record.get("machine", {})
        lines += [
            f"## {record['module']} — {record.get('status', '?')}",
            "",
            f"Run {record.get('started', '?')} in {record.get('seconds', '?')} s on "
            f"{m.get('cpu', '?')} ({m.get('logical_cpus', '?')} CPUs, "
            f"{m.get('memory_gb', '?')} GB), Python {m.get('python', '?')}, "
            f"{m.get('postgresql') or 'no PostgreSQL'}; load average "
            f"{m.get('load_average_1_5_15', '?')}; commit {m.get('git_commit', '?')}.",
            "",
        ]
        if record.get("status") == "failed":
            error = str(record.get("error", "")).strip().splitlines()[-1:] or ["?"]
            lines += [f"Failed: `{error[0][:300]}`", ""]
            continue
        lines += ["| figure | value |", "|---|---|"]
        for key, value in _flatten(record.get("results", {})):
            text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
            lines.append(f"| {key} | {text.replace('|', '/')} |")
        lines.append("")
    return "\n".join(lines)


def write_summary() -> Path:
    records = []
    for path in sorted(RESULTS.glob("bench_*.json")):
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        record.setdefault("module", path.stem)
        records.append(record)
    target = RESULTS / "summary.md"
    target.write_text(summary_markdown(records))
    return target


def main(argv: list[str]) -> int:
    if argv[:1] == ["--one"]:
        _run_one_here(argv[1])
        return 0
    names = argv or modules()
    unknown = [n for n in names if n not in modules()]
    if unknown:
        print(f"unknown benchmark module(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    RESULTS.mkdir(exist_ok=True)
    failed = False
    for name in names:
        print(f"== {name} ...", flush=True)
        record = run_module(name)
        (RESULTS / f"{name}.json").write_text(
            json.dumps(record, ensure_ascii=False, indent=2) + "\n"
        )
        print(f"   {record['status']} in {record['seconds']} s", flush=True)
        if record["status"] == "failed":
            failed = True
            print(record.get("error", ""), file=sys.stderr)
    print(f"summary: {write_summary().relative_to(REPO)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
