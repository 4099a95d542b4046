"""The yearly statistics of disclosure requests in the layout of the annual report's table
"收到和处理政府信息公开申请情况" (国办公开办函〔2021〕30号).

Counted from the matters, so every figure can be traced to rows:
- 本年新收: requests received in the year (``received_on``);
- 上年结转: received before the year and not concluded before it;
- 办理结果: requests concluded in the year (``replied_on`` in the year, by reply type and reason;
  an abandoned request is 其他处理 / 逾期不补正);
- 结转下年度继续办理: received by the year's end and not concluded by it.
Columns: natural persons, the five kinds of legal persons, total.

The report's table of reconsideration and litigation ("政府信息公开行政复议、行政诉讼情况") is
counted by the appeals app from the appeals linked to these requests
(``disclosure_appeal_statistics``, decision 0084).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fazhi.appeals.disclosure import RESULTS, AppealGroup, disclosure_appeal_table
from fazhi.core.exports import xlsx_bytes
from fazhi.core.models import User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap
from fazhi.matters.events import MatterEvent
from fazhi.matters.models import REPLY_REASONS, MatterKind, ReplyType, RequesterKind
from fazhi.matters.selectors.matters import _matters

COLUMNS = (
    RequesterKind.PERSON,
    RequesterKind.COMPANY,
    RequesterKind.RESEARCH,
    RequesterKind.NONPROFIT,
    RequesterKind.LEGAL_SERVICE,
    RequesterKind.OTHER_ORG,
)
HEADERS = ["项目", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]


@dataclass
class Row:
    label: str
    level: int  # 0 section, 1 result type, 2 reason
    counts: list[int]  # one per column, then the total


def _row(label: str, level: int, rows: list[tuple[str, str, str]]) -> Row:
    counts = [sum(1 for kind, _, _ in rows if kind == column) for column in COLUMNS]
    return Row(label, level, [*counts, sum(counts)])


def disclosure_statistics(*, user: User | Any, year: int) -> list[Row]:
    """The table for ``year`` over the disclosure requests in the user's scope."""
    require_cap(user, Cap.MATTER_VIEW, action=MatterEvent.LISTED)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    matters = _matters(user).filter(kind=MatterKind.DISCLOSURE, received_on__lte=end)
    data = list(
        matters.values_list(
            "requester_kind", "reply_type", "reply_reason", "received_on", "replied_on"
        )
    )
    new = [(k, t, r) for k, t, r, rec, rep in data if rec >= start]
    carried_in = [
        (k, t, r) for k, t, r, rec, rep in data if rec < start and (rep is None or rep >= start)
    ]
    done = [(k, t, r) for k, t, r, rec, rep in data if rep is not None and start <= rep <= end]
    carried_out = [(k, t, r) for k, t, r, rec, rep in data if rep is None or rep > end]
    rows = [
        _row("一、本年新收政府信息公开申请数量", 0, new),
        _row("二、上年结转政府信息公开申请数量", 0, carried_in),
        Row("三、本年度办理结果", 0, []),
    ]
    numbers = "一二三四五六"
    for i, reply_type in enumerate(
        (
            ReplyType.PUBLIC,
            ReplyType.PARTIAL,
            ReplyType.WITHHELD,
            ReplyType.UNAVAILABLE,
            ReplyType.NOT_PROCESSED,
            ReplyType.OTHER,
        )
    ):
        label = str(reply_type.label)
        if reply_type == ReplyType.PARTIAL:
            label += "（区分处理的，只计这一情形，不计其他情形）"
        of_type = [x for x in done if x[1] == reply_type]
        rows.append(_row(f"（{numbers[i]}）{label}", 1, of_type))
        for j, (code, reason) in enumerate(REPLY_REASONS.get(reply_type, ()), start=1):
            rows.append(_row(f"{j}.{reason}", 2, [x for x in of_type if x[2] == code]))
    rows.append(_row("（七）总计", 1, done))
    rows.append(_row("四、结转下年度继续办理", 0, carried_out))
    return rows


APPEAL_HEADERS = ["项目", *RESULTS]


def disclosure_appeal_statistics(*, user: User | Any, year: int) -> list[AppealGroup]:
    """The reconsideration and litigation table for ``year`` over the appeals that challenge a
    disclosure request in the user's scope."""
    require_cap(user, Cap.MATTER_VIEW, action=MatterEvent.LISTED)
    requests = _matters(user).filter(kind=MatterKind.DISCLOSURE).values("pk")
    return disclosure_appeal_table(requests=requests, year=year)


def disclosure_statistics_xlsx(*, user: User | Any, year: int) -> bytes:
    rows = disclosure_statistics(user=user, year=year)
    groups = disclosure_appeal_statistics(user=user, year=year)
    return xlsx_bytes(
        [
            (
                f"{year}年依申请公开",
                HEADERS,
                [[("　" * r.level) + r.label, *r.counts] for r in rows],
            ),
            (
                f"{year}年行政复议和行政诉讼",
                APPEAL_HEADERS,
                [[g.label, *g.counts] for g in groups],
            ),
        ]
    )
