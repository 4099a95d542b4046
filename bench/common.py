"""What the benchmark modules share: the scratch PostgreSQL database, the child process that
measures (Django configured against the database under test), and peak memory.

A module imports it as ``import common`` (``bench/`` is the script's directory, whether it runs
under ``bench/run.py`` or on its own). PostgreSQL is ``FAZHI_BENCH_PG_HOST``/``PORT``/``USER``
(default ``postgres@127.0.0.1:5432``).
"""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PG_HOST = os.environ.get("FAZHI_BENCH_PG_HOST", "127.0.0.1")
PG_PORT = os.environ.get("FAZHI_BENCH_PG_PORT", "5432")
PG_USER = os.environ.get("FAZHI_BENCH_PG_USER", "postgres")
NO_POSTGRES = f"no PostgreSQL answers on {PG_HOST}:{PG_PORT}"


def postgres_answers() -> bool:
    try:
        with socket.create_connection((PG_HOST, int(PG_PORT)), timeout=2):
            return True
    except OSError:
        return False


def pg_url(database: str) -> str:
    return f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}"


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(sql)


@contextmanager
def scratch_database(name: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database ``name`` for the block (its URL), dropped afterwards."""
    _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _admin(f"CREATE DATABASE {name}")
    try:
        yield pg_url(name)
    finally:
        _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def child_env(database_url: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of a measuring child: Django's settings, the repository importable, the
    database ``database_url`` (none: the default SQLite under ``FAZHI_VAR_DIR``), never the test
    suite's database."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"FAZHI_TEST_DATABASE_URL", "FAZHI_DATABASE_URL"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "fazhi.settings"
    env["PYTHONPATH"] = str(REPO)
    if database_url:
        env["FAZHI_DATABASE_URL"] = database_url
    env.update(extra)
    return env


def run_child(script: str, *args: str, env: dict[str, str]) -> dict[str, Any]:
    """Run ``script`` with ``args`` in a child process; its figures are its last line of JSON
    (``emit``). A failing child raises with its output."""
    proc = subprocess.run(
        [sys.executable, script, *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{Path(script).stem} child failed:\n{proc.stdout}\n{proc.stderr}")
    figures: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return figures


def setup_django() -> None:
    """In the child: configure Django (against the database of ``child_env``)."""
    import django

    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fazhi.settings")
    django.setup()


def emit(figures: Any) -> None:
    """In the child: hand the figures to the parent (``run_child`` reads the last line)."""
    sys.stdout.write(json.dumps(figures, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def peak_mb() -> float:
    """This process's peak resident memory in MB (Linux reports ``ru_maxrss`` in kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
