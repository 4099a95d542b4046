"""``fazhi deadline``: output and exit codes (0 ok, 2 unknown key or bad input, 3 calendar)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.management import call_command

from fazhi.core import testing
from fazhi.core.services import calendar as calendar_services


@pytest.fixture
def seeded(db):
    calendar_services.calendar_seed_from_package(actor=None, years=[2024, 2025, 2026])


def run(*args, capsys):
    try:
        call_command("deadline", *args)
    except SystemExit as exc:
        code = exc.code
    else:
        code = 0
    out = capsys.readouterr()
    return code, out.out, out.err


def test_prints_the_iso_date_alone_on_the_first_line(seeded, capsys):
    code, out, _ = run("penalty.publicity", "2025-09-26", capsys=capsys)
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == "2025-10-13"
    assert "国办发〔2018〕118号" in lines[1]


def test_payment_across_the_spring_festival(seeded, capsys):
    code, out, _ = run("penalty.payment", "2025-01-20", capsys=capsys)
    assert (code, out.splitlines()[0]) == (0, "2025-02-05")
    assert "第六十七条" in out.splitlines()[1]


def test_trace_option(seeded, capsys):
    code, out, _ = run("penalty.publicity", "2025-09-26", "--trace", capsys=capsys)
    assert code == 0 and "第7个工作日" in out


def test_unknown_year_exits_3_naming_the_year(seeded, capsys):
    code, out, err = run("penalty.decision", "2026-11-15", capsys=capsys)
    assert code == 3
    assert out == ""
    assert "calendar_unknown" in err and "2027" in err


def test_unknown_key_exits_2(seeded, capsys):
    code, out, err = run("penalty.nope", "2025-01-01", capsys=capsys)
    assert (code, out) == (2, "")
    assert err.startswith("unknown_rule")


@pytest.mark.parametrize("bad", ["2025-13-01", "yesterday", "2025/01/01"])
def test_bad_date_exits_2(seeded, capsys, bad):
    code, _, err = run("penalty.payment", bad, capsys=capsys)
    assert code == 2 and err.startswith("invalid_date")


def test_missing_arguments_and_bad_province(seeded, capsys):
    assert run("penalty.payment", capsys=capsys)[0] == 2
    assert run("penalty.payment", "2025-01-01", "--province", "fujian", capsys=capsys)[0] == 2


def test_non_period_rule_exits_2(seeded, capsys):
    code, _, err = run("penalty.late_surcharge", "2025-01-01", capsys=capsys)
    assert code == 2 and "rule_not_a_period" in err


def test_province_option(seeded, capsys):
    code, out, _ = run(
        "inspection.result_publicity", "2025-09-26", "--province", "13", capsys=capsys
    )
    assert code == 0
    assert "冀政办发" in out and "未核实" not in out.splitlines()[1]


def test_list(db, capsys):
    code, out, _ = run("--list", capsys=capsys)
    assert code == 0
    lines = out.splitlines()
    keys = [line.split("\t")[0] for line in lines]
    assert "penalty.decision" in keys and "police_transfer.approve" in keys
    decision = next(line for line in lines if line.startswith("penalty.decision_general\t"))
    assert "第六十条" in decision


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_real_process_exit_codes():
    """The console command as a shell sees it, in a child process against the test database
    (PostgreSQL only: SQLite's test database lives in this process's memory)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the child process must open the test database")
    calendar_services.calendar_seed_from_package(actor=None, years=[2025, 2026])
    env = testing.postgres_env()
    ok = subprocess.run(
        [sys.executable, "-m", "fazhi", "deadline", "penalty.publicity", "2025-09-26"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert ok.returncode == 0 and ok.stdout.splitlines()[0] == "2025-10-13"
    for args, code in (
        (["penalty.decision", "2026-11-15"], 3),
        (["nope.key", "2025-01-01"], 2),
        (["penalty.payment", "2025-02-30"], 2),
    ):
        result = subprocess.run(
            [sys.executable, "-m", "fazhi", "deadline", *args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert result.returncode == code, result.stderr


def test_a_fresh_install_answers_after_migrate(tmp_path):
    """``fazhi migrate`` on an empty SQLite file, no demo: the published years are known at once
    (migration 0006). Runs once, in the SQLite session (the child uses its own SQLite file)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the child process builds its own SQLite database; once is enough")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"FAZHI_DATABASE_URL", "FAZHI_TEST_DATABASE_URL", "FAZHI_TEST_TODAY"}
    }
    env["FAZHI_VAR_DIR"] = str(tmp_path)

    def fazhi(*args):
        return subprocess.run(
            [sys.executable, "-m", "fazhi", *args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
            timeout=300,
        )

    migrated = fazhi("migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    answer = fazhi("deadline", "penalty.payment", "2025-09-20")
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.splitlines()[0] == "2025-10-09"  # 10-05 falls in the National Day break
