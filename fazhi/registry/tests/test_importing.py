from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import marshal
import zlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from fazhi.core import errors, validators
from fazhi.core.models import AuditEvent
from fazhi.registry.importing import payload as batch_payload
from fazhi.registry.importing import template
from fazhi.registry.importing import validation as import_validation
from fazhi.registry.models import Entity, ImportBatch, ImportState, Licence
from fazhi.registry.services import imports as import_services
from fazhi.registry.tests.helpers import (
    HEADER,
    World,
    csv_bytes,
    good_row,
    make_entity,
    next_id_number,
    next_uscc,
    row,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return World()


def stage(world: World, content: bytes, name: str = "data.xlsx") -> ImportBatch:
    return import_services.import_batch_stage(
        actor=world.sup0, organisation=world.inst0, file_name=name, content=content
    )


def codes(batch: ImportBatch) -> list[tuple[int, str, str]]:
    return [(e["row"], e["column"], e["code"]) for e in batch.errors]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_clean_file_previews_then_confirms_in_one_transaction(world, fmt):
    rows = [
        good_row(
            licence_kind="医疗机构执业许可证",
            licence_number="PDY-1",
            licence_valid_from="2024-01-01",
            licence_valid_to="2029-12-31",
        ),
        good_row(kind="clinic", categories="medical", risk_grade=""),
        row(
            name="李四",
            id_number=next_id_number(),
            is_individual="是",
            kind="诊所/门诊部",
            division_code="350102",
        ),
    ]
    content = xlsx_bytes(rows) if fmt == "xlsx" else csv_bytes(rows)
    batch = stage(world, content, f"data.{fmt}")
    assert batch.errors == []
    assert batch.row_count == 3 and batch.is_clean
    assert batch.file_hash == hashlib.sha256(content).hexdigest()
    assert not Entity.objects.exists()  # dry run: nothing committed yet
    events_before = AuditEvent.objects.count()

    import_services.import_batch_confirm(actor=world.sup0, batch_id=batch.pk)

    entities = {e.name: e for e in Entity.objects.all()}
    assert len(entities) == 3
    hospital = entities[rows[0][0]]
    assert sorted(c.code for c in hospital.categories.all()) == ["medical", "radiation"]
    assert hospital.risk_grade == "C" and hospital.organisation == world.inst0
    assert entities[rows[1][0]].risk_grade == "B"
    assert entities["李四"].is_individual and entities["李四"].id_number == rows[2][2]
    licence = Licence.objects.get(number="PDY-1")
    assert licence.entity == hospital and licence.valid_to == dt.date(2029, 12, 31)
    # one audit event for the whole batch, with count and file hash
    (event,) = AuditEvent.objects.filter(pk__gt=0).order_by("-seq")[:1]
    assert AuditEvent.objects.count() == events_before + 1
    assert event.action == "import_batch.confirmed"
    details = json.loads(event.details_json)
    assert details["count"] == 3 and details["file_hash"] == batch.file_hash
    batch.refresh_from_db()
    assert batch.state == ImportState.CONFIRMED and batch.confirmed_by == world.sup0


def test_every_bad_row_is_reported_with_row_column_and_reason(world):
    existing = make_entity(world.sup1, organisation=world.inst1)
    dup = next_uscc()
    valid = next_uscc()  # one code: its check character replaced by a wrong one
    bad_check = valid[:-1] + ("0" if valid[-1] != "0" else "1")
    rows = [
        good_row(uscc=dup),  # row 2: fine
        good_row(uscc=dup),  # row 3: duplicate in file
        good_row(uscc=existing.uscc),  # row 4: already in directory (another district!)
        good_row(uscc=bad_check),  # row 5
        good_row(name=""),  # row 6
        good_row(kind="宇宙飞船"),  # row 7
        good_row(categories="医疗卫生、占星术"),  # row 8
        good_row(risk_grade="E"),  # row 9
        good_row(division_code="12345"),  # row 10
        good_row(
            licence_kind="公共场所卫生许可证", licence_number="L1", licence_valid_from="2024-13-01"
        ),  # row 11
        good_row(status="倒闭"),  # row 12
        row(name="王五", kind="诊所/门诊部", division_code="350102", is_individual="是"),  # 13
        good_row(uscc=""),  # row 14
        good_row(licence_number="L2"),  # row 15: licence without kind and date
        good_row(is_individual="也许"),  # row 16
    ]
    batch = stage(world, xlsx_bytes(rows))
    found = codes(batch)
    rows_with_errors = {r for r, _, _ in found}
    assert rows_with_errors == set(range(3, 17))  # every bad row, and only those
    expected = {
        (3, "统一社会信用代码", "duplicate_in_file"),
        (4, "统一社会信用代码", "already_in_directory"),
        (5, "统一社会信用代码", "uscc_check"),
        (6, "名称", "missing_name"),
        (7, "类型", "unknown_kind"),
        (8, "专业类别", "unknown_category"),
        (9, "风险等级", "bad_risk_grade"),
        (10, "行政区划代码", "division_code_format"),
        (11, "许可有效期起", "bad_date"),
        (12, "经营状态", "unknown_status"),
        (13, "公民身份号码", "missing_id_number"),
        (14, "统一社会信用代码", "missing_uscc"),
        (15, "许可证类型", "incomplete_licence"),
        (15, "许可有效期起", "incomplete_licence"),
        (16, "是否个人", "bad_is_individual"),
    }
    assert expected <= set(found), expected - set(found)
    for error in batch.errors:
        assert error["message"]
    dup_error = next(e for e in batch.errors if e["code"] == "duplicate_in_file")
    assert "第2行" in dup_error["message"]
    assert batch.error_count == len(batch.errors) and not batch.is_clean
    assert not Entity.objects.filter(organisation=world.inst0).exists()
    with pytest.raises(errors.Conflict) as exc:
        import_services.import_batch_confirm(actor=world.sup0, batch_id=batch.pk)
    assert exc.value.code == "batch_has_errors"
    assert not Entity.objects.filter(organisation=world.inst0).exists()


def test_numeric_codes_and_licence_duplicates_are_reported(world):
    make_entity(world.sup0)
    first = good_row(
        licence_kind="radiation", licence_number="FS-1", licence_valid_from=dt.date(2024, 1, 1)
    )
    rows = [
        first,
        good_row(licence_kind="radiation", licence_number="FS-1", licence_valid_from="2024/2/1"),
        good_row(
            licence_kind="radiation",
            licence_number="FS-2",
            licence_valid_from="2024年3月1日",
            licence_valid_to="2020-01-01",
        ),
        row(
            name="赵六",
            is_individual="是",
            id_number=350102198001010011,
            kind="clinic",
            division_code="350102",
        ),
    ]
    batch = stage(world, xlsx_bytes(rows))
    found = set(codes(batch))
    assert (3, "许可证号", "duplicate_licence") in found
    assert (4, "许可有效期至", "bad_validity") in found
    assert (5, "公民身份号码", "numeric_code") in found
    assert 2 not in {r for r, _, _ in found}


def test_licence_number_already_registered_is_reported(world):
    batch = stage(
        world,
        xlsx_bytes(
            [
                good_row(
                    licence_kind="water_supply",
                    licence_number="GS-9",
                    licence_valid_from="2024-01-01",
                )
            ]
        ),
    )
    import_services.import_batch_confirm(actor=world.sup0, batch_id=batch.pk)
    again = stage(
        world,
        xlsx_bytes(
            [
                good_row(
                    licence_kind="water_supply",
                    licence_number="GS-9",
                    licence_valid_from="2024-01-01",
                )
            ]
        ),
    )
    assert codes(again) == [(2, "许可证号", "duplicate_licence")]


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"not a spreadsheet", "x.xlsx", "unreadable_file"),
        (b"PK\x03\x04garbage", "x.xlsx", "unreadable_file"),
        (b"\xff\xfe\x00bad", "x.csv", "unreadable_file"),
        (b"anything", "x.pdf", "unreadable_file"),
    ],
)
def test_malformed_files_are_refused_cleanly(world, content, name, code):
    with pytest.raises(errors.ValidationFailed) as exc:
        stage(world, content, name)
    assert exc.value.code == code
    assert not ImportBatch.objects.exists()


def test_missing_headers_and_empty_files(world):
    batch = stage(world, xlsx_bytes([["x"]], header=["名称", "地址"]))
    assert {(e["column"], e["code"]) for e in batch.errors} == {
        ("类型", "missing_header"),
        ("行政区划代码", "missing_header"),
    }
    empty = stage(world, xlsx_bytes([], header=HEADER))
    assert codes(empty) == [(1, "", "empty_file")]
    blank = stage(world, b"", "x.csv")
    assert codes(blank)[0][2] == "empty_file"


def test_headers_may_come_in_any_order_and_blank_rows_are_skipped(world):
    header = list(reversed(HEADER))
    good = good_row()
    rows = [list(reversed(good)), [""] * len(HEADER), list(reversed(good_row()))]
    batch = stage(world, csv_bytes(rows, header=header), "x.csv")
    assert batch.errors == [] and batch.row_count == 2


def test_a_batch_cannot_be_confirmed_twice_or_after_discard(world):
    batch = stage(world, xlsx_bytes([good_row()]))
    import_services.import_batch_confirm(actor=world.sup0, batch_id=batch.pk)
    with pytest.raises(errors.InvalidTransition) as exc:
        import_services.import_batch_confirm(actor=world.sup0, batch_id=batch.pk)
    assert exc.value.code == "batch_not_pending"
    assert Entity.objects.count() == 1
    other = stage(world, xlsx_bytes([good_row()]))
    import_services.import_batch_discard(actor=world.sup0, batch_id=other.pk)
    with pytest.raises(errors.InvalidTransition):
        import_services.import_batch_confirm(actor=world.sup0, batch_id=other.pk)
    with pytest.raises(errors.InvalidTransition):
        import_services.import_batch_discard(actor=world.sup0, batch_id=other.pk)
    assert Entity.objects.count() == 1


def test_confirm_refuses_when_the_directory_changed_since_preview(world):
    row_ = good_row()
    batch = stage(world, xlsx_bytes([row_, good_row()]))
    make_entity(world.sup1, organisation=world.inst1, uscc=row_[1])  # registered meanwhile
    with pytest.raises(errors.Conflict) as exc:
        import_services.import_batch_confirm(actor=world.sup0, batch_id=batch.pk)
    assert exc.value.code == "directory_changed"
    assert not Entity.objects.filter(organisation=world.inst0).exists()
    batch.refresh_from_db()
    assert batch.state == ImportState.PREVIEWED


def test_staged_rows_round_trip_and_batches_staged_as_json_still_confirm(world):
    rows = [
        ["名称", "91350102MA2XXXXX0X", "", False, "hospital", [1, 2], "350102", "", "", "operating",
         "B", None],
        ["名称2", "", "350102199001011234", True, "clinic", [], "350102", "地址", "", "operating",
         "A", ["x", "PDY1", "", "2024-01-01", None]],
    ]  # fmt: skip
    assert batch_payload.unpack_rows(batch_payload.pack_rows(rows)) == rows
    legacy = zlib.compress(json.dumps(rows, ensure_ascii=False).encode("utf-8"))
    assert batch_payload.unpack_rows(legacy) == rows
    # a batch staged (before the change) with the JSON payload is confirmed as before
    batch = stage(world, xlsx_bytes([good_row(), good_row()]))
    staged = batch_payload.unpack_rows(batch.payload)
    ImportBatch.objects.filter(pk=batch.pk).update(
        payload=zlib.compress(json.dumps(staged, ensure_ascii=False).encode("utf-8"))
    )
    import_services.import_batch_confirm(actor=world.sup0, batch_id=batch.pk)
    assert Entity.objects.filter(organisation=world.inst0).count() == 2


def test_a_batch_staged_by_a_newer_python_is_refused_not_crashed(world):
    batch = stage(world, xlsx_bytes([good_row()]))
    payload = bytearray(batch.payload)
    payload[3] = marshal.version + 1  # the format version byte after the tag
    ImportBatch.objects.filter(pk=batch.pk).update(payload=bytes(payload))
    with pytest.raises(errors.Conflict) as exc:
        import_services.import_batch_confirm(actor=world.sup0, batch_id=batch.pk)
    assert exc.value.code == "batch_outdated"
    assert not Entity.objects.filter(organisation=world.inst0).exists()


def test_text_with_tabs_backslashes_and_line_breaks_is_stored_as_typed(world):
    # COPY's text format on PostgreSQL: these characters are escaped, NULL is \\N
    odd = "甲\\乙\t丙\n丁\r戊 \\N"
    rows = [
        good_row(name=odd, address=odd, legal_representative="张\\三"),
        good_row(
            name="普通单位",
            licence_kind="医疗机构执业许可证",
            licence_number="PDY\\1\t2",
            licence_scope=odd,
            licence_valid_from="2024-01-01",
        ),
    ]
    batch = stage(world, csv_bytes(rows), name="odd.csv")
    assert batch.is_clean, batch.errors
    import_services.import_batch_confirm(actor=world.sup0, batch_id=batch.pk)
    first = Entity.objects.get(name=odd)
    assert (first.address, first.legal_representative) == (odd, "张\\三")
    licence = Licence.objects.get(entity__name="普通单位")
    assert (licence.number, licence.scope, licence.valid_to) == ("PDY\\1\t2", odd, None)
    assert first.categories.count() == 2


def test_import_permission_and_scope(world):
    content = xlsx_bytes([good_row()])
    with pytest.raises(errors.PermissionDenied):
        import_services.import_batch_stage(
            actor=world.viewer0, organisation=world.inst0, file_name="x.xlsx", content=content
        )
    with pytest.raises(errors.OutOfScope):
        import_services.import_batch_stage(
            actor=world.sup0, organisation=world.inst1, file_name="x.xlsx", content=content
        )
    batch = stage(world, content)
    with pytest.raises(errors.OutOfScope):
        import_services.import_batch_confirm(actor=world.sup1, batch_id=batch.pk)
    with pytest.raises(errors.OutOfScope):
        import_services.import_batch_discard(actor=world.sup1, batch_id=batch.pk)
    with pytest.raises(errors.NotFound):
        import_services.import_batch_confirm(actor=world.sup0, batch_id=10**9)
    assert not Entity.objects.exists()


def test_the_template_round_trips_through_the_importer(world):
    content = template.import_template()
    workbook = load_workbook(__import__("io").BytesIO(content))
    assert workbook.sheetnames[:2] == ["数据", "说明"]
    assert {"类型", "专业类别", "许可证类型"} <= set(workbook.sheetnames)
    data = workbook["数据"]
    assert [c.value for c in data[1]] == HEADER
    category_names = [r[0].value for r in workbook["专业类别"].iter_rows(min_row=2)]
    assert "公共场所卫生" in category_names and "职业卫生" in category_names
    # fill the template and import it
    for index, value in enumerate(good_row(), start=1):
        data.cell(row=2, column=index, value=value)
    out = __import__("io").BytesIO()
    workbook.save(out)
    batch = stage(world, out.getvalue())
    assert batch.errors == [] and batch.row_count == 1


def test_stage_rows_in_memory_uses_the_same_rules(world):
    batch = import_services.import_batch_stage_rows(
        actor=world.sup0,
        organisation=world.inst0,
        source_name="demo",
        header=HEADER,
        rows=[good_row(), good_row(kind="bogus")],
    )
    assert codes(batch) == [(3, "类型", "unknown_kind")]


MUTATIONS = {
    "uscc": ("统一社会信用代码", lambda v: v[:-1] + ("1" if v[-1] != "1" else "2")),
    "kind": ("类型", lambda v: v + "X"),
    "risk_grade": ("风险等级", lambda v: "F"),
    "name": ("名称", lambda v: ""),
    "division_code": ("行政区划代码", lambda v: v[:5]),
}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    size=st.integers(min_value=1, max_value=6),
    data=st.data(),
)
def test_one_bad_cell_is_reported_at_its_row_and_column_only(world, size, data):
    from fazhi.registry.importing.template import COLUMNS
    from fazhi.registry.importing.validation import validate_rows

    rows = [good_row() for _ in range(size)]
    target = data.draw(st.integers(min_value=0, max_value=size - 1))
    field = data.draw(st.sampled_from(sorted(MUTATIONS)))
    header, mutate = MUTATIONS[field]
    position = [c.field for c in COLUMNS].index(field)
    rows[target][position] = mutate(rows[target][position])
    result = validate_rows([HEADER, *rows])
    assert {(e["row"], e["column"]) for e in result.errors} == {(target + 2, header)}
    assert result.rows == []  # a file with errors stages nothing


# --- cells as users typed them (through the one reader, fazhi.core.spreadsheets) ----------------


def test_codes_excel_turned_into_numbers_are_reported_as_damaged_never_accepted(world):
    digits = validators.normalise_id_number(next_id_number())
    while digits.endswith("X"):  # a number Excel stored: digits only (serials vary by test order)
        digits = validators.normalise_id_number(next_id_number())
    person = {"name": "张三", "is_individual": "是", "kind": "clinic", "division_code": "350102"}
    numeric = [good_row(uscc=913501001234567000), row(**person, id_number=int(digits))]
    xlsx = xlsx_bytes(numeric)
    csv = csv_bytes([good_row(uscc="9.13501E+17"), row(**person, id_number="3.50102E+17")])
    for content, name in ((xlsx, "x.xlsx"), (csv, "x.csv")):
        batch = stage(world, content, name)
        assert codes(batch) == [
            (2, "统一社会信用代码", "numeric_code"),
            (3, "公民身份号码", "numeric_code"),
        ]
        assert all("该列请设置为文本格式后重新录入" in e["message"] for e in batch.errors)


def test_a_title_row_merged_above_the_header_and_blank_rows_keep_row_numbers(world):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["某区检查对象名录（2026年）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet.append([])
    sheet.append(HEADER)
    sheet.append(good_row())
    sheet.append([])
    sheet.append(good_row(kind="不存在的类型"))
    hidden = workbook.create_sheet("下拉选项", 0)
    hidden.sheet_state = "hidden"
    hidden.append(["医院", "诊所"])
    out = io.BytesIO()
    workbook.save(out)
    batch = stage(world, out.getvalue())
    assert batch.row_count == 2
    assert codes(batch) == [(6, "类型", "unknown_kind")]


@pytest.mark.parametrize(
    "valid_from",
    [dt.date(2024, 3, 1), 45352, "45352", "2024/3/1", "2024年3月1日", "2024.3.1", "20240301"],
)
def test_licence_dates_as_users_type_them(world, valid_from):
    licence = {"licence_kind": "医疗机构执业许可证", "licence_number": "PDY-D"}
    batch = stage(world, xlsx_bytes([good_row(**licence, licence_valid_from=valid_from)]))
    assert batch.is_clean, batch.errors
    import_services.import_batch_confirm(actor=world.sup0, batch_id=batch.pk)
    assert Licence.objects.get(number="PDY-D").valid_from == dt.date(2024, 3, 1)


def test_a_gb18030_csv_with_leading_zeros_in_text_codes_imports(world):
    rows = [good_row(name="甲诊所", address="0591-00001号")]
    batch = stage(world, csv_bytes(rows).decode("utf-8").encode("gb18030"), "名录.csv")
    assert batch.is_clean, batch.errors
    import_services.import_batch_confirm(actor=world.sup0, batch_id=batch.pk)
    assert Entity.objects.get(name="甲诊所").address == "0591-00001号"


# --- directory look-ups ---------------------------------------------------------------------------


def test_codes_already_in_the_directory_are_found_among_many(world):
    """More codes than one look-up chunk; USCCs, ID numbers and licence numbers."""
    taken_uscc = make_entity(world.sup1, organisation=world.inst1)
    taken_id = make_entity(world.sup1, organisation=world.inst1, is_individual=True)
    licence = {
        "licence_kind": "radiation",
        "licence_number": "FS-77",
        "licence_valid_from": "2024-01-01",
    }
    registered = stage(world, xlsx_bytes([good_row(**licence)]))
    import_services.import_batch_confirm(actor=world.sup0, batch_id=registered.pk)
    rows = [good_row() for _ in range(1000)]
    rows[3] = good_row(uscc=taken_uscc.uscc)
    rows[950] = row(
        name="个人",
        id_number=taken_id.id_number,
        is_individual="是",
        kind="clinic",
        division_code="350102",
    )
    rows[990] = good_row(**licence)
    result = import_validation.validate_rows([HEADER, *rows])
    assert [(e["row"], e["column"], e["code"]) for e in result.errors] == [
        (5, "统一社会信用代码", "already_in_directory"),
        (952, "公民身份号码", "already_in_directory"),
        (992, "许可证号", "duplicate_licence"),
    ]
    assert result.rows == []
    clean = import_validation.validate_rows([HEADER, *[good_row() for _ in range(1000)]])
    assert clean.errors == [] and len(clean.rows) == 1000


# --- the check-character shortcuts give the check algorithms' answers -------------------------


def _reference_org_check(body: str) -> str:
    def value(ch: str) -> int:
        return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10

    total = sum(value(c) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    return {10: "X", 11: "0"}.get(11 - total % 11, str(11 - total % 11))


def _reference_uscc_check(first17: str) -> str:
    alphabet = validators.USCC_ALPHABET
    weights = [pow(3, i, 31) for i in range(17)]
    total = sum(alphabet.index(c) * w for c, w in zip(first17, weights, strict=True))
    return alphabet[(31 - total % 31) % 31]


def _outcome(func: Any, value: str) -> Any:
    try:
        return func(value)
    except (ValueError, KeyError) as exc:
        return type(exc) if not isinstance(exc, KeyError) else ValueError  # index() vs dict


@given(st.text(st.sampled_from("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZa-٣ "), max_size=10))
def test_organisation_code_check_matches_the_algorithm(body):
    assert _outcome(validators.organisation_code_check, body) == _outcome(
        _reference_org_check, body
    )


@given(st.text(st.sampled_from(validators.USCC_ALPHABET + "IOZSVa"), min_size=15, max_size=19))
def test_uscc_check_character_matches_the_algorithm(first17):
    assert _outcome(validators.uscc_check_character, first17) == _outcome(
        _reference_uscc_check, first17
    )
