"""Suite-wide fixtures. Tests build state through the real services; no network."""

from __future__ import annotations

import os
import socket
from typing import Any

import hypothesis
import pytest
import time_machine
from hypothesis import HealthCheck

from fazhi.core.testing import (  # noqa: F401 (fixtures)
    at,
    clock,
    empty_cal,
    run_jobs,
    session_today,
)


@pytest.fixture(autouse=True, scope="session")
def _session_clock() -> Any:
    """With ``FAZHI_TEST_TODAY=YYYY-MM-DD`` the whole session runs on that day (the clock ticks
    from 10:00 local time): the CI date step runs the suite at the year's end and start."""
    day = session_today()
    if day is None:
        yield None
        return
    with time_machine.travel(at(day), tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _fresh_calendar_snapshot() -> Any:
    """Forget the process's calendar snapshot after each test. A test that changes the calendar
    bumps ``CalendarRevision.version`` inside its transaction; the rollback restores the number,
    and a later test's own bump reaches the same number again, so the snapshot loaded in the
    first test (an empty calendar, say) would be taken for current: the failure depended on
    test order (``CalendarUnknown`` in an unrelated test)."""
    yield
    from fazhi.core import calendar as workcal

    workcal.invalidate()


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Block connections to anything but the local database."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        if (
            isinstance(host, str)
            and host not in {"127.0.0.1", "localhost", "::1"}
            and "/" not in host
        ):
            raise RuntimeError(f"network access blocked in tests: {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


# Property tests: no per-example deadline and no "too slow" health check (CI machines are shared
# and loaded); deterministic examples in CI so that a run is repeatable.
hypothesis.settings.register_profile(
    "fazhi",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=os.environ.get("CI", "").lower() == "true",
)
hypothesis.settings.load_profile("fazhi")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Cheap password hashing in tests; the password-policy validators still run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def _session_media(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, _session_media: Any) -> None:
    """Stored files (attachments, uploads kept for a background job, export files) go to a
    temporary directory, never the checkout's ``var/``; a test may set its own."""
    settings.MEDIA_ROOT = _session_media
