"""The import template and exports of filtered directory lists (.xlsx and .csv)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from django.db import transaction

from fazhi.core import audit
from fazhi.core.exports import csv_bytes, xlsx_append
from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap
from fazhi.registry.importing import COLUMNS
from fazhi.registry.models import Entity, EntityKind, EntityStatus, LicenceKind, RiskGrade
from fazhi.registry.selectors import EntityFilters, category_list, entity_list

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
_TEXT_FIELDS = {"uscc", "id_number", "division_code"}


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
            for row in range(2, 1002):
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
        ("风险等级", [(value, str(label)) for value, label in RiskGrade.choices]),
    ]
    for title, rows in code_lists:
        ws = workbook.create_sheet(title)
        ws.append(["名称", "代码"])
        for pair in rows:
            xlsx_append(ws, pair)  # category names are data entered by administrators
        ws.column_dimensions["A"].width = 30
        ws.column_dimensions["B"].width = 30
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


EXPORT_HEADERS = [
    "编号",
    "名称",
    "统一社会信用代码",
    "公民身份号码",
    "是否个人",
    "类型",
    "专业类别",
    "行政区划代码",
    "地址",
    "法定代表人/负责人",
    "经营状态",
    "风险等级",
    "在册",
    "许可证",
    "监管机构",
]


def _export_rows(qs: Any) -> Iterator[list[Any]]:
    kinds = dict(EntityKind.choices)
    statuses = dict(EntityStatus.choices)
    for entity in qs.prefetch_related("licences").iterator(chunk_size=2000):
        yield [
            entity.pk,
            entity.name,
            entity.uscc,
            entity.id_number,
            "是" if entity.is_individual else "否",
            kinds.get(entity.kind, entity.kind),
            "、".join(c.name for c in entity.categories.all()),
            entity.division_code,
            entity.address,
            entity.legal_representative,
            statuses.get(entity.status, entity.status),
            entity.risk_grade,
            "是" if entity.is_active else "否",
            "；".join(
                f"{lic.number}（{lic.valid_from:%Y-%m-%d}至"
                f"{lic.valid_to.strftime('%Y-%m-%d') if lic.valid_to else '长期'}）"
                for lic in entity.licences.all()
            ),
            entity.organisation.name,
        ]


def entity_export(*, user: User, filters: EntityFilters, fmt: str) -> tuple[bytes, str, str]:
    """Export the scoped, filtered list. Returns (content, content type, file name).

    Exports carry personal data (ID numbers), so each one is an audit event."""
    require_cap(user, Cap.REGISTRY_VIEW, action="registry.entity.export")
    qs = entity_list(user=user, filters=filters).order_by("organisation_id", "name", "id")
    count = 0
    if fmt == "csv":
        content, count = csv_bytes(EXPORT_HEADERS, _export_rows(qs))
        content_type, name = CSV_TYPE, "检查对象.csv"
    else:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("检查对象")
        sheet.append(EXPORT_HEADERS)
        for row in _export_rows(qs):
            xlsx_append(sheet, row)
            count += 1
        out = io.BytesIO()
        workbook.save(out)
        content, content_type, name = out.getvalue(), XLSX_TYPE, "检查对象.xlsx"
    with transaction.atomic(durable=True):
        audit.append(
            actor=user,
            action="registry.entity.exported",
            object_type=Entity._meta.label_lower,
            details={"format": fmt, "count": count, "filters": filters.as_dict()},
        )
    return content, content_type, name
