"""``fazhi check --deploy`` in a controlled environment (subprocess, no inherited variables)."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _env_example() -> dict[str, str]:
    values = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


def _check_deploy(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    base = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "PYTHONDONTWRITEBYTECODE": "1",
        "DJANGO_SETTINGS_MODULE": "fazhi.settings",
    }
    return subprocess.run(
        [sys.executable, "-m", "fazhi", "check", "--deploy"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _ids(output: str) -> set[str]:
    return set(re.findall(r"\(([a-z_]+\.[A-Z]\d{3})\)", output))


def test_with_the_env_example_variables_set_it_lists_nothing(tmp_path):
    env = _env_example()
    assert env["FAZHI_ENV"] == "production"
    # The example's key is a placeholder; a deployment sets a real, long random one.
    env["FAZHI_SECRET_KEY"] = secrets.token_urlsafe(50)
    env["FAZHI_VAR_DIR"] = str(tmp_path / "var")
    result = _check_deploy(env, tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output


def test_the_placeholder_key_of_the_example_is_flagged(tmp_path):
    env = _env_example() | {"FAZHI_VAR_DIR": str(tmp_path / "var")}
    result = _check_deploy(env, tmp_path)
    assert _ids(result.stdout + result.stderr) == {"security.W009"}


def test_with_nothing_set_it_lists_only_what_a_deployment_must_set(tmp_path):
    result = _check_deploy(
        {"FAZHI_ENV": "production", "FAZHI_VAR_DIR": str(tmp_path / "var")}, tmp_path
    )
    output = result.stdout + result.stderr
    # secret key, allowed hosts, database URL: nothing about HTTPS, cookies or HSTS, which
    # production defaults already set.
    assert _ids(output) == {"security.W009", "security.W020", "fazhi.W001"}, output


def test_development_defaults_are_safe_for_the_embedded_demo():
    from django.conf import settings

    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.X_FRAME_OPTIONS == "DENY"
    # the idle window is renewed by the middleware, at most once a minute
    assert "fazhi.core.middleware.SessionRenewalMiddleware" in settings.MIDDLEWARE
    assert settings.AXES_FAILURE_LIMIT == 5
