"""The one spreadsheet reader (``fazhi.core.spreadsheets``): differential tests against openpyxl
on a corpus of files generated here (openpyxl's own, hand-written sheet XML as WPS Office and
other exporters write it: shared strings, inline strings, no <dimension>; formulas with cached
values; merged cells; hidden sheets; empty rows; the 1904 date system), CSV in every encoding
Excel and WPS save, and the cell helpers (dates, damaged codes)."""

from __future__ import annotations

import datetime as dt
import io
import warnings
import zipfile
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from fazhi.core import errors, spreadsheets

# --- openpyxl as the reference ------------------------------------------------------------------


def _canonical(value: Any) -> tuple[str, Any] | None:
    """A value as both readers must agree on it (None: an empty cell)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        return ("number", float(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return ("date", value.date())
        return ("datetime", value.replace(microsecond=0))
    if isinstance(value, dt.date):
        return ("date", value)
    if isinstance(value, dt.time):
        return ("time", value.replace(microsecond=0))
    if isinstance(value, dt.timedelta):
        return ("duration", round(value.total_seconds()))
    return ("text", value)


def _openpyxl_cells(content: bytes) -> dict[tuple[int, int], Any]:
    """Non-empty cells of the first visible worksheet as openpyxl reads them (cached values of
    formulas), merged ranges filled with their top-left value; (row, column) from 1."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = load_workbook(io.BytesIO(content), data_only=True)
    sheet = next(s for s in workbook.worksheets if s.sheet_state == "visible")
    grid: dict[tuple[int, int], Any] = {}
    for row in sheet.iter_rows():
        for cell in row:
            grid[(cell.row, cell.column)] = cell.value
    for merged in sheet.merged_cells.ranges:
        value = grid.get((merged.min_row, merged.min_col))
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                grid[(r, c)] = value
    return {k: v for k, v in ((k, _canonical(v)) for k, v in grid.items()) if v is not None}


def _reader_cells(content: bytes, name: str = "x.xlsx") -> dict[tuple[int, int], Any]:
    sheet = spreadsheets.read_sheet(content, name)
    cells: dict[tuple[int, int], Any] = {}
    for r, row in enumerate(sheet.rows, start=1):
        for c, value in enumerate(row, start=sheet.first_column + 1):
            canonical = _canonical(value)
            if canonical is not None:
                cells[(r, c)] = canonical
    return cells


def _same_as_openpyxl(content: bytes) -> None:
    assert _reader_cells(content) == _openpyxl_cells(content)


def _saved(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- the corpus ---------------------------------------------------------------------------------


@pytest.mark.parametrize("mac_epoch", [False, True])
def test_every_kind_of_typed_cell_reads_as_openpyxl_reads_it(mac_epoch):
    workbook = Workbook()
    if mac_epoch:
        workbook.epoch = CALENDAR_MAC_1904
    sheet = workbook.active
    sheet.append(["文本", "  空格  ", "0101", 42, 3.5, -7, 1e15, True, False])
    sheet.append([dt.datetime(2024, 1, 31, 12, 30), dt.date(2025, 3, 1), dt.time(8, 30)])  # noqa: DTZ001
    sheet.append([dt.timedelta(hours=36), 350102198001010011, "=HYPERLINK(1)", None, "末尾"])
    _same_as_openpyxl(_saved(workbook))


def test_empty_rows_leading_columns_and_gaps_keep_their_positions():
    workbook = Workbook()
    sheet = workbook.active
    sheet["C3"] = "第三行"
    sheet["E3"] = 5
    sheet["D7"] = "第七行"
    sheet["C12"] = dt.date(2024, 2, 29)
    content = _saved(workbook)
    _same_as_openpyxl(content)
    rows = list(spreadsheets.read_sheet(content, "x.xlsx").rows)
    assert len(rows) == 12 and rows[2][0] == "第三行"


def test_merged_cells_show_their_value_in_every_covered_cell():
    workbook = Workbook()
    sheet = workbook.active
    sheet["A1"] = "某市检查对象名录"
    sheet.merge_cells("A1:D1")
    sheet["A2"], sheet["B2"], sheet["C2"] = "名称", "许可证", None
    sheet.merge_cells("A2:A3")
    sheet.merge_cells("B2:C2")
    sheet["B3"], sheet["C3"] = "类型", "号码"
    sheet["A4"], sheet["B4"], sheet["D4"] = "甲诊所", "医疗", "备注"
    sheet.merge_cells("B4:B6")
    sheet["A5"], sheet["A6"] = "乙诊所", "丙诊所"
    content = _saved(workbook)
    _same_as_openpyxl(content)
    rows = list(spreadsheets.read_sheet(content, "x.xlsx").rows)
    assert rows[0] == ["某市检查对象名录"] * 4
    assert rows[2][:3] == ["名称", "类型", "号码"]
    assert [r[1] for r in rows[3:6]] == ["医疗"] * 3


def test_a_hidden_sheet_before_the_data_is_skipped():
    workbook = Workbook()
    hidden = workbook.active
    hidden.title = "下拉选项"
    hidden.sheet_state = "hidden"
    hidden["A1"] = "隐藏"
    very = workbook.create_sheet("内部")
    very.sheet_state = "veryHidden"
    very["A1"] = "很隐藏"
    data = workbook.create_sheet("数据")
    data["A1"] = "可见"
    content = _saved(workbook)
    _same_as_openpyxl(content)
    assert list(spreadsheets.read_sheet(content, "x.xlsx").rows) == [["可见"]]


def test_a_workbook_with_only_hidden_sheets_is_refused():
    saved = zipfile.ZipFile(io.BytesIO(_saved(Workbook())))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as rebuilt:
        for name in saved.namelist():
            data = saved.read(name)
            if name == "xl/workbook.xml":
                data = data.replace(b'state="visible" r:id', b'state="hidden" r:id')
            rebuilt.writestr(name, data)
    with pytest.raises(errors.ValidationFailed) as refused:
        spreadsheets.read_sheet(out.getvalue(), "x.xlsx")
    assert refused.value.code == "unreadable_file"


_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_SHARED_STRINGS = (
    f'<sst xmlns="{_MAIN_NS}"><si><t>共享</t></si>'
    "<si><r><t>富</t></r><r><rPr><b/></rPr><t>文本</t></r></si>"
    '<si><t xml:space="preserve"> 前后空格 </t></si></sst>'
)


def _xlsx_with_sheet_xml(sheet_data: str, dimension: str | None, *, mac_epoch: bool) -> bytes:
    """A workbook whose first sheet is ``<sheetData>`` as given (as WPS and other exporters
    write it), with three shared strings; styles 1-4 are a datetime, a duration, a date and a
    time (as openpyxl saves them)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet["A1"] = dt.datetime(2024, 1, 31, 12)  # noqa: DTZ001 - an Excel date has no zone
    sheet["B1"] = dt.timedelta(hours=36)
    sheet["C1"] = dt.date(2024, 1, 1)
    sheet["D1"] = dt.time(8, 30)
    if mac_epoch:
        workbook.epoch = CALENDAR_MAC_1904
    original = zipfile.ZipFile(io.BytesIO(_saved(workbook)))
    assert 's="4"' in original.read("xl/worksheets/sheet1.xml").decode()
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    xml = f'<worksheet xmlns="{_MAIN_NS}">{dim}<sheetData>{sheet_data}</sheetData></worksheet>'
    strings_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as rebuilt:
        for name in original.namelist():
            data = original.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = xml.encode()
            elif name == "[Content_Types].xml":
                part = '<Override PartName="/xl/sharedStrings.xml" ContentType="%s"/>'
                data = data.replace(b"</Types>", (part % strings_type).encode() + b"</Types>")
            rebuilt.writestr(name, data)
        rebuilt.writestr("xl/sharedStrings.xml", _SHARED_STRINGS)
    return out.getvalue()


SHEET_CASES = {
    "strings": (
        '<row r="1"><c r="A1" t="s"><v>0</v></c>'
        '<c r="B1" t="inlineStr"><is><t>内联</t></is></c>'
        '<c r="C1" t="inlineStr"><is><t xml:space="preserve">  空格  </t></is></c>'
        '<c r="D1" t="inlineStr"><is><t/></is></c>'
        '<c r="F1" t="inlineStr"><is><r><t>富</t></r><r><rPr><b/></rPr><t>文本</t></r></is></c>'
        '<c r="K1" t="s"><v>1</v></c><c r="L1" t="s"><v>2</v></c></row>'
    ),
    "numbers_and_dates": (
        '<row r="1"><c r="A1" t="n"><v>42</v></c><c r="B1"><v>3.5</v></c>'
        '<c r="C1"><v>1E3</v></c><c r="D1"><v>-7</v></c>'
        '<c r="F1" s="1"><v>45322.5</v></c><c r="G1" s="2"><v>1.5</v></c>'
        '<c r="H1" s="3" t="n"><v>45292</v></c><c r="I1" s="4"><v>0.25</v></c>'
        '<c r="M1" s="0"><v>9</v></c><c r="N1"><v>3.50102198001010E+17</v></c></row>'
    ),
    "formulas_with_cached_values": (
        '<row r="1"><c r="A1"><f>1+1</f><v>2</v></c><c r="B1" t="str"><f>"甲"&amp;"乙"</f>'
        '<v>甲乙</v></c><c r="C1" t="b"><f>TRUE()</f><v>1</v></c>'
        '<c r="D1" s="3"><f>DATE(2025,3,1)</f><v>45717</v></c>'
        '<c r="E1" t="s"><f>A1</f><v>0</v></c></row>'
    ),
    "layout": (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>无尺寸</t></is></c><c r="E1"><v>5</v></c></row>'
        '<row r="2"><c r="B2"><v>2</v></c></row>'
        '<row r="5"><c r="C5"><v>3</v></c><c r="A5"><v>1</v></c></row>'
        '<row r="7" spans="1:3" ht="20" customHeight="1"><c r="A7" t="s"><v>0</v></c></row>'
        '<row r="8"/>'
        '<row r="9"><c r="Z9" t="inlineStr"><is><t>远</t></is></c></row>'
    ),
}


@pytest.mark.parametrize("case", sorted(SHEET_CASES))
@pytest.mark.parametrize("dimension", [None, "A1:E3"])
@pytest.mark.parametrize("mac_epoch", [False, True])
def test_sheet_xml_as_other_programs_write_it_reads_as_openpyxl_reads_it(
    case, dimension, mac_epoch
):
    content = _xlsx_with_sheet_xml(SHEET_CASES[case], dimension, mac_epoch=mac_epoch)
    _same_as_openpyxl(content)


def test_the_1904_system_is_known_for_bare_serial_numbers():
    sheet_data = '<row r="1"><c r="A1"><v>45292</v></c></row>'
    for mac_epoch, expected in ((False, dt.date(2024, 1, 1)), (True, dt.date(2028, 1, 2))):
        sheet = spreadsheets.read_sheet(
            _xlsx_with_sheet_xml(sheet_data, None, mac_epoch=mac_epoch), "x.xlsx"
        )
        (row,) = list(sheet.rows)
        assert sheet.date1904 is mac_epoch
        assert spreadsheets.as_date(row[0], date1904=sheet.date1904) == expected


@pytest.mark.parametrize(
    "sheet_data",
    [
        '<row r="1"><c r="A1" t="s"><v>9</v></c></row>',  # no such shared string
    ],
)
def test_a_damaged_sheet_is_refused_as_unreadable(sheet_data):
    content = _xlsx_with_sheet_xml(sheet_data, None, mac_epoch=False)
    with pytest.raises(errors.ValidationFailed) as refused:
        list(spreadsheets.read_sheet(content, "x.xlsx").rows)
    assert refused.value.code == "unreadable_file"


@pytest.mark.parametrize(
    "content", [b"not a spreadsheet", b"PK\x03\x04garbage", spreadsheets._OLE2 + b"\x00" * 100]
)
def test_a_file_that_is_no_spreadsheet_is_refused(content):
    with pytest.raises(errors.ValidationFailed) as refused:
        list(spreadsheets.read_sheet(content, "x.xlsx").rows)
    assert refused.value.code == "unreadable_file"


CELL_VALUES = st.one_of(
    st.none(),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=8),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2200, 1, 1)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2200, 1, 1)),  # noqa: DTZ001
)


@settings(max_examples=40, deadline=None)
@given(
    grid=st.lists(st.lists(CELL_VALUES, max_size=6), min_size=1, max_size=6),
    write_only=st.booleans(),
)
def test_any_workbook_reads_as_openpyxl_reads_it(grid, write_only):
    workbook = Workbook(write_only=write_only)
    if write_only:  # inline strings, no <dimension>: as streaming writers save
        sheet = workbook.create_sheet()
        for values in grid:
            sheet.append(values)
    else:
        sheet = workbook.active
        for r, values in enumerate(grid, start=1):
            for c, value in enumerate(values, start=1):
                if value is not None:
                    sheet.cell(row=r, column=c, value=value)
    _same_as_openpyxl(_saved(workbook))


def _ods(rows: list[list[str]]) -> bytes:
    """A minimal OpenDocument spreadsheet (as LibreOffice and WPS save one), text cells."""
    cells = "".join(
        "<table:table-row>"
        + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'
            for v in row
        )
        + "</table:table-row>"
        for row in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="数据">'
        f"{cells}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2"><manifest:file-entry manifest:full-path="/"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_an_ods_file_is_read_whatever_its_name():
    content = _ods([["名称", "代码"], ["甲", "0101"]])
    assert spreadsheets.detect_format("上传.xlsx", content) == spreadsheets.ODS
    sheet = spreadsheets.read_sheet(content, "上传.xlsx")
    assert sheet.file_format == spreadsheets.ODS
    assert list(sheet.rows) == [["名称", "代码"], ["甲", "0101"]]


# --- CSV ----------------------------------------------------------------------------------------

_CSV_ROWS = [
    ["名称", "行政区划代码", "备注"],
    ["甲诊所", "010203", "含,逗号"],
    ["乙", "", "换\n行"],
]


def _csv_text(delimiter: str = ",") -> str:
    import csv

    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(_CSV_ROWS)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        _csv_text().encode("utf-8"),
        b"\xef\xbb\xbf" + _csv_text().encode("utf-8"),
        _csv_text().encode("gb18030"),
        _csv_text("\t").encode("utf-16"),  # Excel's "Unicode text"
    ],
    ids=["utf-8", "utf-8-bom", "gb18030", "utf-16-tabs"],
)
def test_csv_in_every_encoding_excel_and_wps_save_reads_the_same(content):
    sheet = spreadsheets.read_sheet(content, "名录.csv")
    assert sheet.file_format == spreadsheets.CSV
    assert list(sheet.rows) == _CSV_ROWS  # leading zeros kept, quoting honoured


def test_csv_that_is_no_known_encoding_is_refused():
    with pytest.raises(errors.ValidationFailed) as refused:
        list(spreadsheets.read_sheet(b"\xff\xfe\x00bad", "x.csv").rows)
    assert refused.value.code == "unreadable_file"


def test_formats_are_known_by_content_then_name():
    workbook = _saved(Workbook())
    assert spreadsheets.detect_format("a.csv", workbook) == spreadsheets.XLSX
    assert spreadsheets.detect_format("a.XLS", spreadsheets._OLE2) == spreadsheets.XLS
    assert spreadsheets.detect_format("a.txt", b"a,b") == spreadsheets.CSV
    with pytest.raises(errors.ValidationFailed):
        spreadsheets.detect_format("a.pdf", b"%PDF")


# --- cell values --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.datetime(2025, 3, 1, 15, 0), dt.date(2025, 3, 1)),  # noqa: DTZ001
        (dt.date(2025, 3, 1), dt.date(2025, 3, 1)),
        (45717, dt.date(2025, 3, 1)),
        (45717.75, dt.date(2025, 3, 1)),
        ("45717", dt.date(2025, 3, 1)),
        ("2025-03-01", dt.date(2025, 3, 1)),
        ("2025/3/1", dt.date(2025, 3, 1)),
        ("2025.3.1", dt.date(2025, 3, 1)),
        ("2025年3月1日", dt.date(2025, 3, 1)),
        (" 2025 年 3 月 1 日 ", dt.date(2025, 3, 1)),
        ("20250301", dt.date(2025, 3, 1)),
        (1, dt.date(1900, 1, 1)),
        (59, dt.date(1900, 2, 28)),
        (61, dt.date(1900, 3, 1)),
        ("", None),
    ],
)
def test_dates_as_users_type_them(value, expected):
    assert spreadsheets.as_date(value) == expected


def test_serial_dates_in_the_1904_system():
    assert spreadsheets.as_date(44256, date1904=True) == dt.date(2025, 3, 2)


@pytest.mark.parametrize(
    "value", ["2025-02-30", "明天", "3/1", True, 0, -5, 1e9, "2025-13-01", dt.time(8, 0)]
)
def test_what_is_no_date_is_refused(value):
    with pytest.raises((ValueError, OverflowError)):
        spreadsheets.as_date(value)


@pytest.mark.parametrize(
    ("value", "damaged"),
    [
        (350102198001010011, True),
        (3.50102198001010e17, True),
        (913501001234567.0, True),
        ("3.50102E+17", True),
        ("9.13501E+17", True),
        ("350102198001010011", False),
        ("91350100M000100Y3E", False),
        ("0101", False),
        ("", False),
        (True, False),
    ],
)
def test_codes_excel_turned_into_numbers_are_damaged(value, damaged):
    assert spreadsheets.is_damaged_code(value) is damaged


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("  甲  ", "甲"),
        (42.0, "42"),
        (3.5, "3.5"),
        (dt.datetime(2025, 3, 1), "2025-03-01"),  # noqa: DTZ001
        (dt.datetime(2025, 3, 1, 8, 30), "2025-03-01 08:30:00"),  # noqa: DTZ001
        (dt.date(2025, 3, 1), "2025-03-01"),
    ],
)
def test_cell_text_is_what_the_user_reads(value, text):
    assert spreadsheets.cell_text(value) == text
