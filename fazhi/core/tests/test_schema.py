"""The OpenAPI schema of the whole API generates and validates with no warning."""

from __future__ import annotations

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text(encoding="utf-8")
    for path in ("/api/deadlines/{id}/extend/", "/api/registry/entities/", "/api/inspections/"):
        assert path.split("{")[0] in text
