"""The yearly disclosure table over the demo data against a hand count: every request of the demo
is counted again from its audit events (the receipt, the reply or the abandonment, with their
dates, type and reason: a source independent of the row fields the table reads), for both
calendar years the demo spans; carried in + new = concluded + carried forward, and a year's
carry-forward is the next year's carry-over."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
import time_machine
from django.core.management import call_command

from fazhi.core import demo
from fazhi.core.models import AuditEvent, Organisation, User
from fazhi.core.testing import at
from fazhi.matters import demo as matters_demo
from fazhi.matters.events import MatterEvent
from fazhi.matters.models import REPLY_REASONS, Matter, MatterKind, ReplyType
from fazhi.matters.selectors.statistics import COLUMNS, disclosure_statistics

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 31)  # the demo's year runs from April 2025


def hand_count(year: int) -> dict[str, Counter[str]]:
    """Per table line, how many requests of each applicant kind, read from the events."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    lines: dict[str, Counter[str]] = {}
    for matter in Matter.objects.filter(kind=MatterKind.DISCLOSURE):
        events = {
            e.action: e.details
            for e in AuditEvent.objects.filter(
                object_type="matters.matter", object_id=str(matter.pk)
            )
        }
        received = dt.date.fromisoformat(events[MatterEvent.RECEIVED]["received_on"])
        if MatterEvent.REPLIED in events:
            reply = events[MatterEvent.REPLIED]
            concluded = dt.date.fromisoformat(reply["on"])
            kind, reason = reply["reply_type"], reply["reason"]
        elif MatterEvent.ABANDONED in events:
            concluded = dt.date.fromisoformat(events[MatterEvent.ABANDONED]["on"])
            kind, reason = ReplyType.OTHER, "no_correction"
        else:
            concluded, kind, reason = None, "", ""
        who = matter.requester_kind
        if start <= received <= end:
            lines.setdefault("new", Counter())[who] += 1
        if received < start and (concluded is None or concluded >= start):
            lines.setdefault("carried_in", Counter())[who] += 1
        if concluded is not None and start <= concluded <= end:
            lines.setdefault("done", Counter())[who] += 1
            lines.setdefault(f"type:{kind}", Counter())[who] += 1
            if reason:
                lines.setdefault(f"reason:{kind}:{reason}", Counter())[who] += 1
        if received <= end and (concluded is None or concluded > end):
            lines.setdefault("carried_out", Counter())[who] += 1
    return lines


def expected(counter: Counter[str] | None) -> list[int]:
    counts = [(counter or Counter())[column] for column in COLUMNS]
    return [*counts, sum(counts)]


def test_demo_disclosure_table_matches_the_hand_count(monkeypatch):
    monkeypatch.setattr(demo, "DEMO_HOOKS", [])
    with time_machine.travel(at(TODAY), tick=True):
        call_command("demo", stdout=io.StringIO())
        matters_demo.load(province=Organisation.objects.get(parent=None), stdout=io.StringIO())
        user = User.objects.get(username="demo_viewer")  # the province: every request
        assert Matter.objects.filter(kind=MatterKind.DISCLOSURE).count() >= 20
        tables = {}
        for year in (2025, 2026):
            rows = {row.label: row for row in disclosure_statistics(user=user, year=year)}
            counted = hand_count(year)
            assert rows["一、本年新收政府信息公开申请数量"].counts == expected(counted.get("new"))
            assert rows["二、上年结转政府信息公开申请数量"].counts == expected(
                counted.get("carried_in")
            )
            assert rows["（七）总计"].counts == expected(counted.get("done"))
            assert rows["四、结转下年度继续办理"].counts == expected(counted.get("carried_out"))
            for label, row in rows.items():
                if row.level == 1 and not label.startswith("（七）"):
                    reply_type = next(t for t in ReplyType if str(t.label) in label)
                    assert row.counts == expected(counted.get(f"type:{reply_type}")), label
            current = ""
            for row in disclosure_statistics(user=user, year=year):  # the reasons, per type
                if row.level == 1:
                    current = next((str(t) for t in ReplyType if str(t.label) in row.label), "")
                elif row.level == 2:
                    code = next(c for c, text in REPLY_REASONS[current] if row.label.endswith(text))
                    assert row.counts == expected(counted.get(f"reason:{current}:{code}")), row
            total = rows["（七）总计"].counts[-1]
            assert total == sum(
                row.counts[-1]
                for label, row in rows.items()
                if row.level == 1 and not label.startswith("（七）")
            )
            new = rows["一、本年新收政府信息公开申请数量"].counts[-1]
            carried_in = rows["二、上年结转政府信息公开申请数量"].counts[-1]
            carried_out = rows["四、结转下年度继续办理"].counts[-1]
            assert carried_in + new == total + carried_out
            tables[year] = (carried_in, new, total, carried_out)
        assert tables[2025][3] == tables[2026][0]  # carry-forward = next year's carry-over
        assert tables[2025][1] > 0 and tables[2025][2] > 0 and tables[2026][1] > 0
