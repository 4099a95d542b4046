"""Template filters for Chinese formats: ``{{ d|cn_date }}``, ``{{ amount|rmb_capitals }}``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template

from fazhi.core import errors, formatting, rules

register = template.Library()


@register.filter
def rule_title(key: str) -> str:
    """A rule key's Chinese title (``penalty.publicity`` → 行政处罚决定公示); never the key."""
    try:
        return rules.rule_def(key).title
    except errors.UnknownRule:
        return "（已停用的规则）"


@register.filter
def named_rules(text: str) -> str:
    """A stored sentence with any rule key in it replaced by the rule's title (older warnings
    were written with the key)."""
    for rule in rules.all_rules():
        if rule.key in text:
            text = text.replace(f"{rule.key} ", f"「{rule.title}」").replace(rule.key, rule.title)
    return text


@register.filter
def cn_date(value: Any) -> str:
    if isinstance(value, dt.date):
        return formatting.cn_date(value)
    return "" if value is None else str(value)


@register.filter
def rmb_capitals(value: Any) -> str:
    if value is None or value == "":
        return ""
    if not isinstance(value, Decimal | int | str):
        value = str(value)
    try:
        return formatting.amount_in_capitals(value)
    except errors.ValidationFailed:
        return ""
