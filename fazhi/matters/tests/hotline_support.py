"""Test state for hotline tickets, built through the real services (province 36: the sample
rule pack that sets the service levels)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.utils import timezone
from openpyxl import Workbook

from fazhi.core.models import Role
from fazhi.core.tests.factories import make_org_tree, make_user
from fazhi.matters.hotline_models import HotlinePlatform, TicketType
from fazhi.matters.models import Matter
from fazhi.matters.services import hotline as svc
from fazhi.matters.tests.support import World

HEADER = ["工单编号", "来电时间", "来电人", "电话", "诉求类型", "诉求内容", "承办单位", "办理时限"]


def make_hotline_world() -> World:
    tree = make_org_tree(province_code="36")
    org, other = tree.districts[0], tree.districts[2]
    return World(
        org=org,
        other_org=other,
        officer=make_user(org, Role.PETITION_OFFICER),
        head=make_user(org, Role.LEADER),
        stranger=make_user(other, Role.PETITION_OFFICER),
        viewer=make_user(tree.cities[0], Role.VIEWER),
    )


def moment(day: dt.date, hour: int = 9) -> dt.datetime:
    zone = timezone.get_current_timezone()
    return dt.datetime(day.year, day.month, day.day, hour, 15, tzinfo=zone)


_numbers = iter(range(1, 10**9))


def ticket(world: World, **kw: Any) -> Matter:
    values: dict[str, Any] = {
        "actor": world.officer,
        "organisation": world.org,
        "platform": HotlinePlatform.H12345,
        "ticket_no": f"GD2025{next(_numbers):08d}",
        "ticket_type": TicketType.COMPLAINT,
        "called_at": moment(dt.date(2025, 9, 30)),
        "caller_name": "王五",
        "caller_phone": "13800000000",
        "content": "某诊所无证行医，请求查处。",
    }
    values.update(kw)
    return svc.hotline_register(**values)


def workbook(rows: list[list[Any]], header: list[str] | None = None, title: str = "") -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    if title:
        sheet.append([title])
    sheet.append(header or HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
