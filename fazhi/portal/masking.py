"""Masking of personal data before anything reaches the public portal.

What is masked (the usual practice of administrative-enforcement publicity):
- a natural person's name keeps the surname only: 张三 -> 张*, 欧阳娜娜 -> 欧阳*;
- a citizen ID number hides the date of birth (positions 7-14): 110101********123X;
- a mobile number keeps the first three and last four digits: 138****5678.
``mask_text`` applies the last two to free text (findings, notes) wherever they appear.
"""

from __future__ import annotations

import re

# Two-character surnames that would otherwise leak the given name's first character.
COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "轩辕",
        "令狐",
        "端木",
        "独孤",
        "南宫",
        "西门",
        "万俟",
        "闻人",
        "澹台",
        "呼延",
        "钟离",
        "赫连",
        "太史",
        "申屠",
    ]
)

_ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[0-9Xx])(?![0-9A-Za-z])")
_MOBILE_RE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def mask_person_name(name: str) -> str:
    """Keep the surname of a natural person's name and replace the rest with one ``*``."""
    name = name.strip()
    if not name:
        return ""
    surname = name[:2] if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else name[:1]
    return f"{surname}*"


def mask_id_number(value: str) -> str:
    """Hide the date of birth of an 18-character ID number; anything else is hidden whole."""
    value = value.strip()
    if len(value) == 18:
        return f"{value[:6]}{'*' * 8}{value[14:]}"
    return "*" * len(value)


def mask_text(text: str) -> str:
    """Mask ID numbers and mobile numbers inside free text."""
    text = _ID_RE.sub(lambda m: f"{m.group(1)}{'*' * 8}{m.group(3)}", text)
    return _MOBILE_RE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
