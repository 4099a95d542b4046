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


@pytest.mark.django_db
def test_schema_is_true_to_the_answers():
    from drf_spectacular.generators import SchemaGenerator

    from fazhi.core.api_schema import ENVELOPE, error_statuses

    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert error_statuses() == [400, 403, 404, 409, 413, 422]
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            responses = operation["responses"]
            for status in ("400", "401", "403", "404", "409", "422"):
                assert status in responses, (method, path, status)
            if "requestBody" in operation:
                assert "415" in responses, (method, path)
            error = responses["404"]["content"]["application/json"]["schema"]
            assert error == {"$ref": f"#/components/schemas/{ENVELOPE}"}
    components = schema["components"]["schemas"]
    # paginated lists are declared as the envelope they answer with
    listing = schema["paths"]["/api/inspections/tasks/"]["get"]
    ok = listing["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/PaginatedTaskList"}
    assert set(components["PaginatedTaskList"]["properties"]) == {
        "count",
        "next",
        "previous",
        "results",
    }
    limit = next(p for p in listing["parameters"] if p["name"] == "limit")
    assert limit["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
    # figures by category are a list; an email may be empty; an unfinished task has no outcome
    figures = components["InspectionFigures"]["properties"]["by_category"]
    assert figures["type"] == "array"
    email = components["User"]["properties"]["email"]["oneOf"]
    assert {"type": "string", "maxLength": 0} in email
    outcome = components["Task"]["properties"]["outcome"]["oneOf"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in outcome
    # path ids are bounded like the converter
    detail = schema["paths"]["/api/officers/{id}/"]["get"]["parameters"][0]
    assert detail["schema"]["maximum"] == 2**63 - 1 and detail["schema"]["minimum"] == 1
