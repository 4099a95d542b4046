"""What waits for a user in disputes (the workbench's to-do list, ``fazhi.core.todo``): the units
whose screening report for last month is missing (for those who oversee them), and the user's
own unit's report when it has not been sent."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap
from fazhi.core.todo import Todo
from fazhi.disputes.models import ScreeningReport
from fazhi.disputes.selectors.screening import (
    MISSING,
    UnitStatus,
    last_due_month,
    screening_month,
)


def todo_items(user: User) -> list[Todo]:
    if not has_cap(user, Cap.DISPUTE_VIEW):
        return []
    month = last_due_month()
    url = reverse("disputes:screening_month") + f"?month={month:%Y-%m}"
    items = []
    rows = screening_month(user=user, month=month)
    missing = [row for row in rows if row.status == MISSING]
    others = [row for row in missing if row.organisation.pk != user.organisation_id]
    if others:
        items.append(Todo(f"{month:%Y年%m月}医疗纠纷排查未报送的单位", len(others), url))
    if has_cap(user, Cap.DISPUTE_HANDLE) and user.organisation_id is not None:
        items.extend(_own_report(user, month, url, rows))
    return items


def _own_report(user: User, month: dt.date, url: str, rows: list[UnitStatus]) -> list[Todo]:
    """The user's own unit's report, read from the month's rows when the unit reports (no
    query more on the workbench)."""
    own_id = user.organisation_id
    own = next((row for row in rows if row.organisation.pk == own_id), None)
    if own is not None:
        sent = own.report is not None
    else:
        sent = own_id is not None and (
            ScreeningReport.objects.filter(organisation_id=own_id, month=month).exists()
        )
    if sent:
        return []
    return [Todo(f"本单位{month:%Y年%m月}医疗纠纷排查报告待报送", 1, url, action="去报送")]
