"""Imports that would exhaust the server are refused before anything is written.

The probe: a 390 KB .xlsx whose sheet was one 400 MB XML comment held a worker for over 7.5
minutes; 1,048,576 rows took 67 s, 6.4 GB and stored 3,000,001 error rows; a 120 MB upload was
accepted. Limits are set small here so each pathological file is cheap to build and to refuse.
"""

from __future__ import annotations

import base64
import io
import os
import time

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from fazhi.core import errors, import_limits
from fazhi.core.models import AuditEvent
from fazhi.core.tests.spreadsheets import with_sheet_comment, with_sheet_markup, xlsx
from fazhi.registry.models import ImportBatch
from fazhi.registry.services import imports as import_services
from fazhi.registry.tests.helpers import HEADER, World, csv_bytes, good_row, row, xlsx_bytes

pytestmark = pytest.mark.django_db
MIB = 1024 * 1024


@pytest.fixture
def world() -> World:
    return World()


def _stage(world, content, name="data.xlsx"):
    return import_services.import_batch_stage(
        actor=world.sup0, organisation=world.inst0, file_name=name, content=content
    )


def _refused(world, code, content, name="data.xlsx", seconds=10, error=errors.TooLarge):
    batches = ImportBatch.objects.count()
    staged = AuditEvent.objects.filter(action="import_batch.staged").count()
    started = time.monotonic()
    with pytest.raises(error) as info:
        _stage(world, content, name)
    assert time.monotonic() - started < seconds
    assert info.value.code == code
    assert ImportBatch.objects.count() == batches
    assert AuditEvent.objects.filter(action="import_batch.staged").count() == staged


def test_the_zip_bomb_sheet_is_refused_without_reading_it(world):
    _refused(world, "import_unzipped_too_large", with_sheet_comment(xlsx([HEADER]), 60 * MIB))


def test_a_long_comment_that_does_not_compress_is_refused_without_reading_it(world):
    """Under the ratio limit (random text compresses little) but quadratic for the parser:
    a 14 MB file of this shape took 48 s to read."""
    comment = b"<!--" + base64.b64encode(os.urandom(3 * MIB)) + b"-->"
    content = with_sheet_markup(xlsx([HEADER]), comment)
    _refused(world, "import_unsafe_xml", content, seconds=2, error=errors.ValidationFailed)


def test_a_sheet_of_1048576_rows_stops_at_the_row_limit(world, settings):
    settings.FAZHI_IMPORT_MAX_ROWS = 1000
    # One cell in Excel's last row: the reader yields every row up to it, blank or not.
    content = xlsx([HEADER], cells=[(1_048_576, 1, "最后一行")])
    assert len(content) < 20_000
    _refused(world, "import_too_many_rows", content, seconds=5)


def test_the_row_limit_counts_data_rows_after_the_header(world, settings):
    settings.FAZHI_IMPORT_MAX_ROWS = 3
    assert _stage(world, xlsx_bytes([good_row() for _ in range(3)])).is_clean
    _refused(world, "import_too_many_rows", csv_bytes([good_row() for _ in range(4)]), "d.csv")


def test_a_row_wider_than_the_column_limit_is_refused(world):
    content = xlsx([HEADER], cells=[(2, 16_384, "XFD")])  # Excel's last column
    _refused(world, "import_too_many_columns", content)


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ((1_048_576, 16_384), "import_too_many_columns"),  # 17 billion cells as one grid
        ((3, 257), "import_too_many_columns"),
        ((5_000, 1), "import_too_many_rows"),
    ],
)
def test_a_sheet_reaching_past_the_limits_is_refused_before_it_is_loaded(
    world, settings, cell, code
):
    """The reader holds a sheet as one grid from its first to its last cell: the extent is
    checked in the XML first (``import_limits.check_file``), so the reader is never called."""
    settings.FAZHI_IMPORT_MAX_ROWS = 1000
    content = xlsx([HEADER], cells=[(*cell, "远")])
    with pytest.raises(errors.TooLarge) as refused:
        import_limits.check_file(content, xlsx=True)
    assert refused.value.code == code
    _refused(world, code, content, seconds=2)
    import_limits.check_file(xlsx([HEADER], cells=[(1_010, 256, "边")]), xlsx=True)  # within


def test_a_file_over_the_size_limit_is_refused(world, settings):
    settings.FAZHI_IMPORT_MAX_BYTES = 5000
    _refused(world, "import_too_large", csv_bytes([good_row() for _ in range(60)]), "d.csv")


def test_only_the_first_errors_are_stored_with_the_count_of_all(world, settings, client):
    settings.FAZHI_IMPORT_MAX_ERRORS = 5
    bad = [row(name=f"无类型{n}", division_code="350102") for n in range(12)]  # 2 errors a row
    batch = _stage(world, xlsx_bytes(bad))
    assert batch.error_count == 24 and len(batch.errors) == 5
    assert batch.errors_truncated and not batch.is_clean
    assert [e["row"] for e in batch.errors] == [2, 2, 3, 3, 4]  # the first ones, in file order
    client.force_login(world.sup0)
    page = client.get(reverse("registry:import_preview", args=[batch.pk])).content.decode()
    assert "发现 24 处错误" in page and "只保存并列出前 5 处" in page
    api = APIClient()
    api.force_authenticate(world.sup0)
    body = api.get(f"/api/registry/imports/{batch.pk}/").json()
    assert body["error_count"] == 24 and len(body["errors"]) == 5
    assert body["errors_truncated"] is True


def test_page_refuses_an_oversized_upload_with_its_code(world, settings, client):
    settings.FAZHI_IMPORT_MAX_BYTES = 5000
    upload = io.BytesIO(csv_bytes([good_row() for _ in range(60)]))
    upload.name = "big.csv"
    client.force_login(world.sup0)
    response = client.post(
        reverse("registry:import_upload"), {"organisation": world.inst0.pk, "file": upload}
    )
    assert response.status_code == 200
    assert "超过导入大小上限" in response.content.decode()
    assert "import_too_large" not in response.content.decode()
    assert response["X-Error-Code"] == "import_too_large"
    assert not ImportBatch.objects.exists()


def test_api_refuses_with_413_and_the_error_envelope(world, settings, run_jobs):
    settings.FAZHI_IMPORT_MAX_ROWS = 10
    api = APIClient()
    api.force_authenticate(world.sup0)
    # a sheet whose cells reach far past the limit is refused at once (its extent is in the XML)
    upload = io.BytesIO(xlsx([HEADER], cells=[(1_048_576, 1, "x")]))
    upload.name = "far.xlsx"
    response = api.post("/api/registry/imports/", {"file": upload}, format="multipart")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "import_too_many_rows"
    upload = io.BytesIO(xlsx_bytes([good_row() for _ in range(12)]))
    upload.name = "rows.xlsx"
    # otherwise the rows are counted while the file is read: in the background job, which fails
    with run_jobs():
        response = api.post("/api/registry/imports/", {"file": upload}, format="multipart")
    assert response.status_code == 202
    job = api.get(f"/api/jobs/{response.json()['id']}/").json()
    assert job["state"] == "failed" and job["error"]["code"] == "import_too_many_rows"
    assert "导入上限" in job["error"]["message"]
    assert not ImportBatch.objects.exists()
    settings.FAZHI_IMPORT_MAX_BYTES = 1000
    upload = io.BytesIO(b"x" * 1001)
    upload.name = "big.csv"
    response = api.post("/api/registry/imports/", {"file": upload}, format="multipart")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "import_too_large"
