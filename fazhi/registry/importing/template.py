"""The import's columns and the .xlsx template workbook offered for download."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from fazhi.core.exports import xlsx_append
from fazhi.registry.models import (
    EntityKind,
    EntityStatus,
    LicenceKind,
    RiskGrade,
)
from fazhi.registry.selectors.entities import category_list


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    required: bool = False
    note: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("name", "名称", True, "单位或个人名称，必填。"),
    Column("uscc", "统一社会信用代码", False, "单位必填，18位，含校验码；请以文本格式填写。"),
    Column("id_number", "公民身份号码", False, "个人必填，18位；请以文本格式填写。"),
    Column("is_individual", "是否个人", False, "填“是”或“否”；留空时按是否只填写身份号码判断。"),
    Column("kind", "类型", True, "见“类型”工作表，可填名称或代码。"),
    Column("categories", "专业类别", False, "见“专业类别”工作表，多个用“、”分隔。"),
    Column("division_code", "行政区划代码", True, "6位行政区划代码（GB/T 2260）。"),
    Column("address", "地址", False, ""),
    Column("legal_representative", "法定代表人/负责人", False, ""),
    Column("status", "经营状态", False, "正常经营、停业/暂停、关闭/注销；留空为正常经营。"),
    Column("risk_grade", "风险等级", False, "A（低风险）至D（高风险）；留空为B。"),
    Column("licence_kind", "许可证类型", False, "见“许可证类型”工作表；填写许可证时必填。"),
    Column("licence_number", "许可证号", False, ""),
    Column("licence_scope", "许可范围", False, ""),
    Column("licence_valid_from", "许可有效期起", False, "日期，如 2024-01-31。"),
    Column("licence_valid_to", "许可有效期至", False, "日期；留空为长期。"),
)
HEADERS = {c.header: c for c in COLUMNS}
FIELD_HEADER = {c.field: c.header for c in COLUMNS}


_TEXT_FIELDS = {"uscc", "id_number", "division_code"}
DATA_ROWS = 1000  # rows 2…1001 carry the text format and the drop-down lists

# code-list sheet -> the data column whose drop-down lists its names
_LIST_COLUMNS = {
    "类型": "kind",
    "专业类别": "categories",
    "许可证类型": "licence_kind",
    "经营状态": "status",
    "风险等级": "risk_grade",
}
# several categories go in one cell ("、"): the list helps, it must not refuse the others
_MULTI_VALUE = {"categories"}


def _drop_down(sheet: Any, field: str, formula: str) -> None:
    """A drop-down list (data validation) on the data rows of ``field``'s column. A value not in
    the list (a code, several categories) is warned about, not refused: the importer accepts
    names and codes and reports what it cannot read."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    index = next(i for i, column in enumerate(COLUMNS, start=1) if column.field == field)
    header = FIELD_HEADER[field]
    validation = DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        showDropDown=False,  # (sic) False shows the in-cell arrow
        showErrorMessage=field not in _MULTI_VALUE,
        errorStyle="warning",
        errorTitle=header,
        error=f"“{header}”请从下拉列表中选择，或填写对应工作表中的代码。",
        promptTitle=header,
        prompt=HEADERS[header].note[:255] or f"请从下拉列表中选择{header}。",
        showInputMessage=True,
    )
    letter = get_column_letter(index)
    validation.add(f"{letter}2:{letter}{DATA_ROWS + 1}")
    sheet.add_data_validation(validation)


def import_template() -> bytes:
    """The .xlsx import template: a data sheet with the headers, instructions and code lists."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "数据"
    required_fill = PatternFill("solid", fgColor="FCE4D6")
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = Font(bold=True, color="C00000" if column.required else "000000")
        if column.required:
            cell.fill = required_fill
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = max(12, len(column.header) * 2 + 4)
        if column.field in _TEXT_FIELDS:
            # codes must stay text: an 18-digit number loses its last digits in Excel
            for row in range(2, DATA_ROWS + 2):
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet("说明")
    notes.append(["检查对象导入说明"])
    notes.append(["1. 在“数据”工作表中每行填写一个检查对象，第一行为列名，请勿修改列名。"])
    notes.append(["2. 红色列名为必填列。单位填写统一社会信用代码，个人填写公民身份号码。"])
    notes.append(["3. 代码类列（统一社会信用代码、公民身份号码、行政区划代码）请使用文本格式。"])
    notes.append(
        ["4. 上传后系统先预检，列出每一处错误（行号、列名、原因）；全部改正后才能确认导入。"]
    )
    notes.append(["5. 已在名录库中的代码、文件内重复的代码都会被指出，不会重复登记。"])
    notes.append([])
    notes.append(["列名", "是否必填", "填写要求"])
    for column in COLUMNS:
        notes.append([column.header, "必填" if column.required else "", column.note])
    notes.column_dimensions["A"].width = 20
    notes.column_dimensions["C"].width = 70

    code_lists: list[tuple[str, list[tuple[str, str]]]] = [
        ("类型", [(str(label), value) for value, label in EntityKind.choices]),
        ("专业类别", [(c.name, c.code) for c in category_list()]),
        ("许可证类型", [(str(label), value) for value, label in LicenceKind.choices]),
        ("经营状态", [(str(label), value) for value, label in EntityStatus.choices]),
        ("风险等级", [(str(label), value) for value, label in RiskGrade.choices]),
    ]
    for title, rows in code_lists:
        ws = workbook.create_sheet(title)
        ws.append(["名称", "代码"])
        for pair in rows:
            xlsx_append(ws, pair)  # category names are data entered by administrators
        ws.column_dimensions["A"].width = 30
        ws.column_dimensions["B"].width = 30
        field = _LIST_COLUMNS.get(title)
        if field is not None and rows:
            _drop_down(sheet, field, f"'{title}'!$A$2:$A${len(rows) + 1}")
    _drop_down(sheet, "is_individual", '"是,否"')
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
