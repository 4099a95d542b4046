"""The directory export: every column as the list shows it, read in chunks of plain values
(a constant number of queries per chunk, whatever the size), written in constant memory."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from fazhi.registry import exports
from fazhi.registry.selectors.entities import EntityFilters
from fazhi.registry.services import licences as licence_services
from fazhi.registry.tests.helpers import World, make_entity

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return World()


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_export_shows_categories_and_licences_in_their_order(world):
    entity = make_entity(
        world.sup0, name="=甲医院", categories=["radiation", "medical"], kind="hospital"
    )
    for number, start, end in (
        ("PDY-1", dt.date(2020, 1, 1), None),
        ("PDY-2", dt.date(2024, 5, 1), dt.date(2029, 4, 30)),
    ):
        licence_services.licence_add(
            actor=world.sup0,
            entity_id=entity.pk,
            kind="medical_institution",
            number=number,
            valid_from=start,
            valid_to=end,
        )
    make_entity(world.sup0, name="乙诊所")
    content, _, _ = exports.entity_export(user=world.sup0, filters=EntityFilters(), fmt="csv")
    header, *rows = _csv_rows(content)
    assert header == exports.EXPORT_HEADERS
    by_name = {row[1]: row for row in rows}
    first = by_name["'=甲医院"]  # a formula-like name is neutralised
    assert first[0] == str(entity.pk) and first[4] == "否" and first[5] == "医院"
    assert first[6] == "医疗卫生、放射卫生"  # the categories' own order
    assert first[13] == "PDY-2（2024-05-01至2029-04-30）；PDY-1（2020-01-01至长期）"
    assert first[14] == world.inst0.name
    assert by_name["乙诊所"][13] == ""
    xlsx, _, _ = exports.entity_export(user=world.sup0, filters=EntityFilters(), fmt="xlsx")
    sheet = load_workbook(io.BytesIO(xlsx)).active
    cells = {row[1].value: row for row in sheet.iter_rows(min_row=2)}
    assert cells["=甲医院"][1].data_type == "s" and cells["=甲医院"][13].value == first[13]


def test_the_export_reads_a_constant_number_of_queries_per_chunk(
    world, django_assert_max_num_queries, monkeypatch
):
    monkeypatch.setattr(exports, "_EXPORT_CHUNK", 5)
    for n in range(12):
        make_entity(world.sup0, name=f"单位{n:02d}")
    with django_assert_max_num_queries(20):  # 3 chunks x 3 queries, the scope, the audit event
        content, _, _ = exports.entity_export(user=world.sup0, filters=EntityFilters(), fmt="csv")
    assert len(_csv_rows(content)) == 13
