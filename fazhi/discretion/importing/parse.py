"""Turning the rows of a benchmark file into items, reporting every problem with its row,
column and reason (``import_limits.BoundedErrors`` keeps the first ones and counts all)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from fazhi.core import errors
from fazhi.core.import_limits import BoundedErrors
from fazhi.discretion import engine
from fazhi.discretion.importing.template import COLUMNS, HEADERS
from fazhi.discretion.services.benchmarks import ItemData, item_problems

TIER_BY_LABEL = {label: key for key, label in engine.TIER_LABELS.items()} | {
    label.removesuffix("处罚"): key for key, label in engine.TIER_LABELS.items()
}
FINE_KINDS = {
    "": engine.FINE_NONE,
    "不罚款": engine.FINE_NONE,
    "罚款金额": engine.FINE_AMOUNT,
    "金额": engine.FINE_AMOUNT,
    "违法所得倍数": engine.FINE_MULTIPLE,
    "倍数": engine.FINE_MULTIPLE,
}
YES = {"是", "Y", "y", "yes", "1", "true", "TRUE"}
NO = {"", "否", "N", "n", "no", "0", "false", "FALSE"}
ITEM_FIELDS = ("violation", "violated_article", "penalty_article")
SEPARATORS = re.compile(r"[、，,；;\n]")


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).strip()


class _Row:
    def __init__(self, number: int, values: dict[str, str], problems: BoundedErrors) -> None:
        self.number = number
        self.values = values
        self.problems = problems
        self.ok = True

    def fail(self, field: str, message: str) -> None:
        header = next(c.header for c in COLUMNS if c.field == field) if field else ""
        self.problems.append({"row": self.number, "column": header, "message": message})
        self.ok = False

    def text(self, field: str, limit: int = 300) -> str:
        value = self.values.get(field, "")
        if len(value) > limit:
            self.fail(field, f"不能超过{limit}个字符")
            return value[:limit]
        return value

    def flag(self, field: str) -> bool:
        value = self.values.get(field, "")
        if value in YES:
            return True
        if value not in NO:
            self.fail(field, "请填写“是”或“否”")
        return False

    def amount(self, field: str, *, maximum: Decimal = engine.MAX_AMOUNT) -> Decimal | None:
        value = self.values.get(field, "")
        if not value:
            return None
        try:
            return engine.parse_amount(value, field=field, label="该值", maximum=maximum)
        except errors.ValidationFailed as exc:
            self.fail(field, exc.message.removeprefix("该值"))
            return None

    def circumstances(self, field: str) -> tuple[str, ...]:
        """Circumstances by their Chinese names, separated by 、 (or ，；). A name that itself
        holds 、 (“阻碍、拒绝执法或者隐匿、销毁证据”) is matched whole: the parts are joined back
        while they are the beginning of a known name."""
        parts = [p.strip() for p in SEPARATORS.split(self.values.get(field, ""))]
        keys: list[str] = []
        i = 0
        while i < len(parts):
            if not parts[i]:
                i += 1
                continue
            label, j = parts[i], i
            while (
                label not in engine.LABEL_TO_KEY
                and j + 1 < len(parts)
                and any(name.startswith(label + "、") for name in engine.LABEL_TO_KEY)
            ):
                j += 1
                label = f"{label}、{parts[j]}"
            key = engine.LABEL_TO_KEY.get(label)
            if key is None:
                self.fail(field, f"未知的情节“{parts[i][:30]}”（见模板“情节”工作表）")
                i += 1
            else:
                keys.append(key)
                i = j + 1
        return tuple(keys)


def parse_rows(
    rows: Iterable[Sequence[Any]], problems: BoundedErrors
) -> tuple[list[ItemData], int]:
    """(items, data rows read). Any problem is in ``problems``; items are returned only to be
    discarded by the caller when there is one (all or nothing)."""
    iterator = iter(rows)
    header = next(iterator, None)
    if header is None:
        raise errors.ValidationFailed("文件为空。", code="empty_file")
    positions: dict[str, int] = {}
    for index, value in enumerate(header):
        column = HEADERS.get(cell_text(value))
        if column is not None:
            positions[column.field] = index
    missing = [c.header for c in COLUMNS if c.required and c.field not in positions]
    if missing:
        raise errors.ValidationFailed(
            f"缺少必填列：{'、'.join(missing)}。请使用下载的裁量基准模板。",
            code="missing_columns",
            columns=missing,
        )
    items: dict[str, ItemData] = {}
    first_row: dict[str, int] = {}
    bad: set[str] = set()  # codes with a bad row: their tiers are incomplete, not checked
    count = 0
    for number, raw in enumerate(iterator, start=2):
        values = {
            field: cell_text(raw[index]) if index < len(raw) else ""
            for field, index in positions.items()
        }
        if not any(values.values()):
            continue
        count += 1
        row = _Row(number, values, problems)
        _read_row(row, items, first_row)
        if not row.ok:
            bad.add(row.values.get("code", ""))
    for code, item in items.items():
        found = [] if code in bad else item_problems(item)
        for problem in found:
            problems.append({"row": first_row[code], "column": "裁量阶次", "message": problem})
    if count == 0:
        raise errors.ValidationFailed("文件中没有数据行。", code="empty_file")
    return list(items.values()), count


def _read_row(row: _Row, items: dict[str, ItemData], first_row: dict[str, int]) -> None:
    code = row.text("code", 20)
    if not code:
        row.fail("code", "编号不能为空")
        return
    item = items.get(code)
    if item is None:
        item = ItemData(
            code=code,
            violation=row.text("violation", 300),
            violated_article=row.text("violated_article", 500),
            penalty_article=row.text("penalty_article", 500),
            first_violation_list=row.flag("first_violation_list"),
        )
        for field in ITEM_FIELDS:
            if not getattr(item, field):
                row.fail(field, "同一编号的第一行必须填写")
        items[code] = item
        first_row[code] = row.number
    else:
        for field in ITEM_FIELDS:
            value = row.values.get(field, "")
            if value and value != getattr(item, field):
                row.fail(field, f"与第{first_row[code]}行同一编号的内容不一致")
    tier_label = row.values.get("tier", "")
    tier = TIER_BY_LABEL.get(tier_label)
    if tier is None:
        row.fail("tier", f"裁量阶次“{tier_label[:20]}”无效" if tier_label else "裁量阶次不能为空")
        return
    fine_label = row.values.get("fine_kind", "")
    fine_kind = FINE_KINDS.get(fine_label)
    if fine_kind is None:
        row.fail("fine_kind", "罚款方式应为：不罚款、罚款金额或违法所得倍数")
        fine_kind = engine.FINE_NONE
    rule = engine.TierRule(
        tier=tier,
        conditions=row.text("conditions", 2000),
        requires_all=row.circumstances("requires_all"),
        requires_any=row.circumstances("requires_any"),
        warning=row.flag("warning"),
        fine_kind=fine_kind,
        fine_min=row.amount("fine_min"),
        fine_max=row.amount("fine_max"),
        multiple_min=row.amount("multiple_min", maximum=engine.MAX_MULTIPLE),
        multiple_max=row.amount("multiple_max", maximum=engine.MAX_MULTIPLE),
        gains_floor=row.amount("gains_floor"),
        confiscation=row.text("confiscation"),
        suspension=row.text("suspension"),
        revocation=row.text("revocation"),
        other_measures=row.text("other_measures"),
    )
    if row.ok:
        item.tiers.append(rule)
