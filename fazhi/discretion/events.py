"""Discretion benchmarks' audit events and the actions their refusals name."""

from __future__ import annotations

from fazhi.core.events import EventName


class BenchmarkEvent(EventName):
    CREATED = "benchmark.created", "发布裁量基准"
    SUPERSEDED = "benchmark.superseded", "裁量基准被新版本替代"
    IMPORTED = "benchmark.imported", "导入裁量基准"
    EXPORTED = "benchmark.exported", "导出裁量基准"
    LISTED = "benchmark.listed", "查看裁量基准列表"
    VIEWED = "benchmark.viewed", "查看裁量基准"
    PROPOSED = "benchmark.proposed", "裁量辅助计算"


EVENTS = (BenchmarkEvent,)

LEGACY: dict[str, tuple[str, str]] = {}
