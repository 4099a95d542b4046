"""The import preview shows what it will import (first rows, counts), a batch with errors says it
cannot be imported, confirming lands on the imported batch; the Excel template has drop-down
lists for its coded columns and its code sheets have the name and the code in their columns."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from fazhi.core import errors
from fazhi.registry.importing import template
from fazhi.registry.importing.template import COLUMNS
from fazhi.registry.models import Entity, ImportBatch, RiskGrade
from fazhi.registry.selectors import imports as import_selectors
from fazhi.registry.services import imports as import_services
from fazhi.registry.tests.helpers import World, good_row, next_id_number, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return World()


def _stage(world: World, rows: list[list[object]]) -> ImportBatch:
    return import_services.import_batch_stage(
        actor=world.sup0, organisation=world.inst0, file_name="data.xlsx", content=xlsx_bytes(rows)
    )


def _rows(n: int) -> list[list[object]]:
    rows = [good_row(name=f"预览单位{i:03d}") for i in range(n - 1)]
    rows.append(
        good_row(
            name="张三诊所",
            uscc="",
            id_number=next_id_number(),
            is_individual="是",
            kind="诊所/门诊部",
            categories="医疗卫生",
            licence_kind="医疗机构执业许可证",
            licence_number="PDY12345",
            licence_valid_from="2024-01-31",
        )
    )
    return rows


def test_preview_selector_gives_the_first_rows_and_the_counts(world):
    batch = _stage(world, _rows(25))
    preview = import_selectors.import_batch_preview(user=world.sup0, batch=batch)
    assert preview is not None
    assert preview.total == 25
    assert (preview.organisations, preview.individuals, preview.with_licence) == (24, 1, 1)
    assert len(preview.rows) == import_selectors.PREVIEW_ROWS == 20
    first = preview.rows[0]
    assert first["name"] == "预览单位000"
    assert first["kind"] == "医院"
    assert first["categories"] == "医疗卫生、放射卫生"
    assert first["risk_grade"] == RiskGrade.C.label
    assert first["status"] == "正常经营"
    assert dict(preview.by_kind) == {"医院": 24, "诊所/门诊部": 1}
    assert dict(preview.by_category)["医疗卫生"] == 25


def test_a_batch_past_the_count_limit_shows_its_first_rows_and_total_only(world, monkeypatch):
    batch = _stage(world, _rows(25))
    monkeypatch.setattr(import_selectors, "PREVIEW_COUNT_LIMIT", 10)
    preview = import_selectors.import_batch_preview(user=world.sup0, batch=batch)
    assert preview is not None
    assert preview.total == 25 and len(preview.rows) == 20
    assert preview.rows[0]["name"] == "预览单位000" and preview.rows[19]["name"] == "预览单位019"
    assert preview.individuals is None and preview.by_kind == []


def test_preview_selector_is_none_when_nothing_is_staged(world):
    bad = _stage(world, [good_row(kind="bogus")])
    assert import_selectors.import_batch_preview(user=world.sup0, batch=bad) is None


def test_preview_selector_refuses_a_user_without_registry_view(world):
    from fazhi.core.models import Role
    from fazhi.core.tests.factories import make_user

    batch = _stage(world, _rows(2))
    petitions = make_user(world.inst0, Role.PETITION_OFFICER)
    with pytest.raises(errors.PermissionDenied):
        import_selectors.import_batch_preview(user=petitions, batch=batch)


def test_preview_page_shows_rows_and_counts_in_bounded_queries(
    world, client, django_assert_max_num_queries
):
    batch = _stage(world, _rows(25))
    client.force_login(world.sup0)
    with django_assert_max_num_queries(12):
        body = client.get(reverse("registry:import_preview", args=[batch.pk])).content.decode()
    assert 'id="import-rows"' in body
    assert "预览单位000" in body and "预览单位019" in body and "预览单位020" not in body
    assert "（前 20 行，共 25 行）" in body
    assert "确认导入 25 行" in body
    assert "张三诊所" not in body  # the 25th row is counted, not listed
    assert '个人</div><div class="fs-5">1 个' in body


def test_a_batch_with_errors_says_it_cannot_be_imported(world, client):
    batch = _stage(world, [good_row(), good_row(kind="bogus")])
    client.force_login(world.sup0)
    body = client.get(reverse("registry:import_preview", args=[batch.pk])).content.decode()
    assert "该批次有错误，不能导入。" in body
    assert 'id="import-confirm"' not in body
    assert 'id="import-rows"' not in body


def test_confirming_lands_on_the_imported_batch(world, client, run_jobs):
    batch = _stage(world, _rows(3))
    client.force_login(world.sup0)
    with run_jobs():
        response = client.post(reverse("registry:import_confirm", args=[batch.pk]))
    job_url = response["Location"]
    batch_url = reverse("registry:import_preview", args=[batch.pk])
    # the job page's polling fragment sends the browser on to the batch
    fragment = client.get(job_url + "status/", headers={"HX-Request": "true"})
    assert fragment["HX-Redirect"] == batch_url
    body = client.get(batch_url).content.decode()
    assert "已导入 3 个检查对象" in body
    assert 'id="imported-entities"' in body
    for entity in Entity.objects.filter(import_batch=batch):
        assert reverse("registry:entity_detail", args=[entity.pk]) in body
    assert 'id="import-confirm"' not in body


def test_template_has_drop_down_lists_for_the_coded_columns():
    workbook = load_workbook(io.BytesIO(template.import_template()))
    data = workbook["数据"]
    letters = {c.field: data.cell(row=1, column=i).column_letter for i, c in enumerate(COLUMNS, 1)}
    lists = {str(v.sqref): v for v in data.data_validations.dataValidation}
    expected = {
        "kind": "'类型'!$A$2:$A$",
        "categories": "'专业类别'!$A$2:$A$",
        "licence_kind": "'许可证类型'!$A$2:$A$",
        "status": "'经营状态'!$A$2:$A$",
        "risk_grade": "'风险等级'!$A$2:$A$5",
        "is_individual": '"是,否"',
    }
    for field, formula in expected.items():
        ref = f"{letters[field]}2:{letters[field]}{template.DATA_ROWS + 1}"
        assert ref in lists, field
        assert lists[ref].type == "list"
        assert lists[ref].formula1.startswith(formula), (field, lists[ref].formula1)
    # several categories in one cell stay possible
    assert not lists[f"{letters['categories']}2:{letters['categories']}1001"].showErrorMessage
    assert lists[f"{letters['kind']}2:{letters['kind']}1001"].showErrorMessage


def test_every_code_sheet_has_the_name_then_the_code():
    workbook = load_workbook(io.BytesIO(template.import_template()))
    grades = [(r[0].value, r[1].value) for r in workbook["风险等级"].iter_rows(min_row=2)]
    assert grades == [(str(label), value) for value, label in RiskGrade.choices]
    for title in ("类型", "专业类别", "许可证类型", "经营状态", "风险等级"):
        sheet = workbook[title]
        assert [c.value for c in sheet[1]] == ["名称", "代码"]
        for name, code in sheet.iter_rows(min_row=2, values_only=True):
            assert name and code and name != code, (title, name, code)
            assert any("\u4e00" <= ch <= "\u9fff" for ch in str(name)), (title, name)


def test_a_row_filled_from_the_drop_down_lists_imports_cleanly(world):
    workbook = load_workbook(io.BytesIO(template.import_template()))

    def first_name(title: str) -> str:
        return str(workbook[title]["A2"].value)

    data = workbook["数据"]
    values = dict(zip([c.field for c in COLUMNS], good_row(), strict=True))
    values.update(
        is_individual="否",
        kind=first_name("类型"),
        categories=first_name("专业类别"),
        status=first_name("经营状态"),
        risk_grade=str(workbook["风险等级"]["A5"].value),  # D级（高风险）
    )
    for index, column in enumerate(COLUMNS, start=1):
        data.cell(row=2, column=index, value=values[column.field])
    out = io.BytesIO()
    workbook.save(out)
    batch = import_services.import_batch_stage(
        actor=world.sup0, organisation=world.inst0, file_name="t.xlsx", content=out.getvalue()
    )
    assert batch.errors == [] and batch.row_count == 1
    preview = import_selectors.import_batch_preview(user=world.sup0, batch=batch)
    assert preview is not None and preview.rows[0]["risk_grade"] == RiskGrade.D.label
