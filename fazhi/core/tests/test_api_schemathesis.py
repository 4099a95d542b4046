"""The whole API against its own OpenAPI schema (schemathesis), in process, as demo users.

Every operation of ``/api/schema/`` is called with generated valid and invalid input (the
schema's examples, its boundary values, then random cases) through the WSGI application, with the
token of a demo login that may use it. The run fails on any server error and on any answer the
schema does not describe: an undocumented status code, another content type, a body that does
not match, a header that does not match. Deterministic (derandomised, no example database) and
bounded (``MAX_EXAMPLES`` random cases per operation), so CI is reproducible; it runs on both
databases. State-changing operations are included: they run inside the test's transaction.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from rest_framework.authtoken.models import Token
from schemathesis.core.result import Ok
from schemathesis.pytest.lazy import get_all_tests
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from fazhi.core import demo
from fazhi.core.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.schemathesis]

MAX_EXAMPLES = 8
# The demo login that may use each part of the API; everything else as the system admin.
USER_FOR_PREFIX = {
    "/api/inspections/": "demo_supervisor",
    "/api/registry/": "demo_supervisor",
    "/api/deadlines/": "demo_supervisor",
    "/api/document-": "demo_supervisor",
    "/api/matters/": "demo_petition",
    "/api/appeals/": "demo_legal",
    "/api/disputes/": "demo_petition",
}
DEFAULT_USER = "demo_admin"
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]

CONFIG: dict[str, Any] = {
    "generation": {
        "mode": "all",
        "max-examples": MAX_EXAMPLES,
        "deterministic": True,
        "no-shrink": True,
        "database": "none",
    },
    "phases": {
        "examples": {"enabled": True},
        # every parameter's missing, out-of-range and wrong-typed values; methods an operation
        # lacks are DRF's uniform 405 and only cost time
        "coverage": {
            "enabled": True,
            "unexpected-methods": [],
            "generation": {"mode": "negative"},
        },
        "fuzzing": {"enabled": True},
        "stateful": {"enabled": False},
    },
}


@pytest.fixture
def demo_world(monkeypatch):
    """The demo province with the inspections demo (its own small fallback directory) but not
    the 3,000-entity registry import, which only makes the run slower."""
    monkeypatch.setattr(demo, "DEMO_HOOKS", ["fazhi.inspections.demo"])
    result = demo.load(stdout=io.StringIO())
    demo.run_hooks(province=result.province, stdout=io.StringIO())
    return {
        user.username: f"Token {Token.objects.get_or_create(user=user)[0].key}"
        for user in User.objects.filter(username__startswith="demo_")
    }


@pytest.fixture
def wsgi_app():
    # As Django's test client does: a request must not close the test's database connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _token_for(path: str, tokens: dict[str, str]) -> str:
    for prefix, username in USER_FOR_PREFIX.items():
        if path.startswith(prefix):
            return tokens[username]
    return tokens[DEFAULT_USER]


def test_every_operation_answers_as_its_schema_says(demo_world, wsgi_app):
    config = schemathesis.Config.from_dict(CONFIG)
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app, config=config)
    problems: list[str] = []
    operations = 0

    def call(case: Any) -> None:
        headers = {"Authorization": _token_for(case.operation.path, demo_world)}
        case.call_and_validate(headers=headers, checks=CHECKS)

    for result in get_all_tests(schema=schema, test_func=call, settings=None, given_kwargs=None):
        if not isinstance(result, Ok):
            problems.append(f"schema: {result.err()}")
            continue
        operation, test = result.ok()
        operations += 1
        try:
            test()
        except (Exception, BaseExceptionGroup) as exc:  # report every failing operation
            problems.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert operations >= 90, operations
    assert not problems, f"{len(problems)} operations fail:\n\n" + "\n\n".join(problems)
