"""The columns of a benchmark file (one row per tier; the rows of one violation share its
编号) and the .xlsx template offered for download."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from fazhi.core.exports import xlsx_append
from fazhi.discretion.engine import CIRCUMSTANCES, TIER_LABELS


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    required: bool = False
    note: str = ""


COLUMNS: tuple[Column, ...] = (
    Column(
        "code", "编号", True, "违法行为的编号，如 GG-01；同一违法行为的各阶次逐行填写，编号相同。"
    ),
    Column("violation", "违法行为", True, "同一编号只需在第一行填写。"),
    Column("violated_article", "违反条款", True, "如《公共场所卫生管理条例》第八条。"),
    Column(
        "penalty_article", "处罚依据", True, "如《公共场所卫生管理条例》第十四条第一款第（四）项。"
    ),
    Column("first_violation_list", "首违不罚清单", False, "填“是”或“否”；留空为否。"),
    Column(
        "tier",
        "裁量阶次",
        True,
        "不予处罚、减轻处罚、从轻处罚、一般处罚、从重处罚；每个违法行为须有一般处罚。",
    ),
    Column("conditions", "适用情形", False, "基准原文中的适用情形。"),
    Column("requires_all", "须全部具备的情节", False, "见“情节”工作表，多个用“、”分隔。"),
    Column("requires_any", "须具备其一的情节", False, "见“情节”工作表，多个用“、”分隔。"),
    Column("warning", "警告", False, "填“是”或“否”。"),
    Column("fine_kind", "罚款方式", False, "不罚款、罚款金额、违法所得倍数；留空为不罚款。"),
    Column("fine_min", "罚款下限（元）", False, "按金额罚款时必填，最多两位小数。"),
    Column("fine_max", "罚款上限（元）", False, "按金额罚款时必填。"),
    Column("multiple_min", "倍数下限", False, "按违法所得倍数罚款时必填，如 5。"),
    Column("multiple_max", "倍数上限", False, "按违法所得倍数罚款时必填，如 20。"),
    Column(
        "gains_floor",
        "违法所得计算基数下限（元）",
        False,
        "如“违法所得不足一万元的，按一万元计算”填 10000。",
    ),
    Column("confiscation", "没收", False, "如：没收违法所得和药品、医疗器械。"),
    Column("suspension", "责令停业/暂停执业", False, ""),
    Column("revocation", "吊销", False, ""),
    Column("other_measures", "其他措施", False, "如：责令限期改正。"),
)
HEADERS = {c.header: c for c in COLUMNS}


def import_template() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "裁量基准"
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = Font(bold=True, color="C00000" if column.required else "000000")
        sheet.column_dimensions[cell.column_letter].width = max(12, len(column.header) * 2 + 4)
    sheet.freeze_panes = "A2"
    example: list[list[Any]] = [
        [
            "GG-02",
            "安排未获得有效健康合格证明的从业人员直接为顾客服务",
            "《公共场所卫生管理条例》第七条",
            "《公共场所卫生管理条例》第十四条",
            "是",
            "不予处罚",
            "初次违法、危害后果轻微并及时改正",
            "初次违法、危害后果轻微、及时改正",
            "",
            "否",
            "不罚款",
            None,
            None,
            None,
            None,
            None,
            "",
            "",
            "",
            "责令改正",
        ],
        [
            "GG-02",
            "",
            "",
            "",
            "",
            "一般处罚",
            "不具有从轻、从重情节",
            "",
            "",
            "是",
            "罚款金额",
            1500,
            5000,
            None,
            None,
            None,
            "",
            "",
            "",
            "",
        ],
    ]
    notes = workbook.create_sheet("说明")
    notes.append(["裁量基准导入说明"])
    notes.append(
        ["1. 在“裁量基准”工作表中每行填写一个违法行为的一个裁量阶次，第一行为列名，请勿修改。"]
    )
    notes.append(["2. 红色列名为必填列。基准名称、发布机关和施行日期在导入页面填写。"])
    notes.append(
        ["3. 导入前逐行检查，列出每一处错误（行号、列名、原因）；有任何错误时不导入任何数据。"]
    )
    notes.append(
        [
            "4. 同一违法行为的阶次之间罚款幅度不得重叠："
            "从轻上限不高于一般下限，一般上限不高于从重下限。"
        ]
    )
    notes.append(["示例（不要粘贴到数据表中）："])
    for row in example:
        xlsx_append(notes, row)
    notes.append([])
    notes.append(["列名", "是否必填", "填写要求"])
    for column in COLUMNS:
        notes.append([column.header, "必填" if column.required else "", column.note])
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["C"].width = 80
    tiers = workbook.create_sheet("裁量阶次")
    tiers.append(["裁量阶次"])
    for label in TIER_LABELS.values():
        tiers.append([label])
    circumstances = workbook.create_sheet("情节")
    circumstances.append(["情节", "依据"])
    for label, basis in CIRCUMSTANCES.values():
        circumstances.append([label, basis])
    circumstances.column_dimensions["A"].width = 40
    circumstances.column_dimensions["B"].width = 36
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
