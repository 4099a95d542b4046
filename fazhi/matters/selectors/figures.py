"""Figures of incoming matters for a year (issue #12 §7): counts by channel, category and outcome,
and the timeliness figures, each defined exactly over the matters' own clocks (core deadlines,
met or late as the engine judged them) so that every figure can be traced to rows.

Timeliness (``TIMELINESS``): a clock counts in the year in which it was closed (``met_on``);
the figure is met / closed, with the clocks still running past their due date shown apart
("逾期未办"). First response and final reply are kept apart: a petition's first written reply is
its handling clock (``petition.handle``), its final reply after a review the review clocks
(``petition.review``, ``petition.re_review``); a disclosure request's first response is the
correction notice when one was needed (its 7 working days, kept in the event) and its final reply
the reply clock (``disclosure.reply``). Satisfaction: of the matters replied in the year with a
satisfaction recorded, 满意 + 基本满意 over all rated; the rating rate is rated over replied.

Hotline tickets (decision 0089): counts by platform, ticket type, current state, reply type,
returned, extensions, case leads and re-handlings (重办), each with its definition; the service
level met (each ``hotline.<type>`` clock closed in the year, a re-handled ticket's second clock
counted on its own) and the call-back satisfaction (满意 + 基本满意 over the tickets called back in
the year, at their latest call-back). Every figure is a fixed number of queries, whatever the
number of rows: the matters in scope are a subquery, never a list of ids.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q, QuerySet
from django.db.models import Count as Total
from django.db.models.functions import Cast

from fazhi.core import clock
from fazhi.core.exports import xlsx_bytes
from fazhi.core.models import AuditEvent, Deadline, User
from fazhi.core.models.deadlines import DeadlineExtension, DeadlineState
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap
from fazhi.matters.events import HotlineEvent, MatterEvent
from fazhi.matters.hotline_models import HotlinePlatform, HotlineState, TicketType
from fazhi.matters.models import (
    HOTLINE_REPLIES,
    Category,
    Channel,
    Matter,
    MatterKind,
    ReplyType,
    Route,
    Satisfaction,
)
from fazhi.matters.selectors.matters import _matters

RUNNING = (DeadlineState.OPEN, DeadlineState.OVERDUE, DeadlineState.STOPPED)
FIGURE_KINDS = (MatterKind.PETITION, MatterKind.DISCLOSURE, MatterKind.HOTLINE)
HOTLINE_CLOCKS = tuple(f"hotline.{t}" for t in TicketType.values)
GOOD = (Satisfaction.SATISFIED, Satisfaction.BASIC)


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    definition: str
    kinds: tuple[str, ...]
    rules: tuple[str, ...] = ()  # the clocks it counts; none: computed otherwise


TIMELINESS = (
    Measure(
        "accept_notice",
        "受理告知按期率",
        "信访事项受理（或导入其他程序）告知期限（收到之日起15日）在本年结束的，按期告知数÷结束数",
        (MatterKind.PETITION,),
        ("petition.accept",),
    ),
    Measure(
        "first_reply",
        "首次答复按期率",
        "信访事项书面答复期限（受理之日起60日，经批准延长30日）在本年结束的，按期答复数÷结束数",
        (MatterKind.PETITION,),
        ("petition.handle",),
    ),
    Measure(
        "final_reply",
        "复查复核意见按期率",
        "复查、复核意见期限（收到请求之日起30日）在本年结束的，按期出具数÷结束数",
        (MatterKind.PETITION,),
        ("petition.review", "petition.re_review"),
    ),
    Measure(
        "concluded",
        "按期办结率",
        "本年办结的信访事项中，各答复期限（首次答复、复查、复核）均按期的件数÷办结件数",
        (MatterKind.PETITION,),
    ),
    Measure(
        "correction_notice",
        "补正告知按期率（首次回应）",
        "本年告知补正的政府信息公开申请中，收到申请之日起7个工作日内一次性告知的件数÷告知件数",
        (MatterKind.DISCLOSURE,),
    ),
    Measure(
        "disclosure_reply",
        "答复按期率（最终答复）",
        "政府信息公开申请答复期限（20个工作日，经同意延长20个工作日，征求意见时间不计）在本年结束的，"
        "按期答复数÷结束数",
        (MatterKind.DISCLOSURE,),
        ("disclosure.reply",),
    ),
    Measure(
        "satisfaction",
        "满意率",
        "本年作出答复并登记满意度的事项中，满意与基本满意件数÷登记件数",
        (MatterKind.PETITION, MatterKind.DISCLOSURE),
    ),
    Measure(
        "hotline_reply",
        "按期答复率",
        "热线工单办理时限（本省规则包按诉求类型规定的工作日数，自派单次日起算；经批准延期的按延长后的"
        "届满日；重办的另起一个期限，分别计算）在本年结束的，按期答复数÷结束数；退单的期限已取消，不计入",
        (MatterKind.HOTLINE,),
        HOTLINE_CLOCKS,
    ),
    Measure(
        "callback_satisfaction",
        "回访满意率",
        "本年回访的热线工单（重办后再次回访的，按最近一次回访计）中，满意与基本满意件数÷回访件数",
        (MatterKind.HOTLINE,),
    ),
)


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    definition: str
    numerator: int
    denominator: int
    pending_overdue: int  # clocks still running past their due date at the year's end (or today)

    @property
    def rate(self) -> float | None:
        return round(100 * self.numerator / self.denominator, 1) if self.denominator else None


@dataclass(frozen=True)
class Count:
    dimension: str  # 渠道, 类别, 办理结果
    label: str
    count: int
    definition: str = ""


def _year(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _keys(matters: QuerySet[Matter]) -> QuerySet[Any]:
    """The matters' primary keys as the text a generic relation stores: a subquery, so that a
    figure is one query whatever the number of matters."""
    return matters.order_by().annotate(key=Cast("pk", CharField())).values("key")


def _clocks(matters: QuerySet[Matter], rules: tuple[str, ...], *where: Q) -> list[Deadline]:
    return list(
        Deadline.objects.filter(
            *where,
            content_type=ContentType.objects.get_for_model(Matter),
            object_id__in=_keys(matters),
            rule_key__in=rules,
        ).only("object_id", "rule_key", "state", "met_on", "due_date")
    )


def _events(matters: QuerySet[Matter], action: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action=action, object_type=Matter._meta.label_lower, object_id__in=_keys(matters)
        ).only("object_id", "details_json")
    )


def _grouped(matters: QuerySet[Matter], field: str) -> dict[str, int]:
    """How many of ``matters`` have each value of ``field``, grouped in the database."""
    return dict(
        matters.order_by().values_list(field).annotate(n=Total("pk")).values_list(field, "n")
    )


def _in_year(details: dict[str, Any], key: str, start: dt.date, end: dt.date) -> bool:
    return start.isoformat() <= str(details.get(key) or "") <= end.isoformat()


def matter_counts(*, user: User | Any, year: int, kind: str) -> list[Count]:
    """Received in the year by channel and category; concluded in the year by outcome."""
    require_cap(user, Cap.MATTER_VIEW, action=MatterEvent.LISTED)
    start, end = _year(year)
    qs = _matters(user).filter(kind=kind)
    if kind == MatterKind.HOTLINE:
        return _hotline_counts(qs, start, end)
    received = list(
        qs.filter(received_on__range=(start, end)).values_list("channel", "category", "headcount")
    )
    channels = Counter(c for c, _, _ in received)
    rows = [
        Count("渠道", str(Channel(c).label), channels[c]) for c in Channel.values if channels[c]
    ]
    if kind == MatterKind.PETITION:
        people = sum(h for c, _, h in received if c == Channel.GROUP_VISIT)
        if people:
            rows.append(Count("渠道", "集体访人次", people))
        categories = Counter(cat for _, cat, _ in received)
        rows += [Count("类别", str(label), categories[v]) for v, label in Category.choices]
        routed = Counter(qs.filter(routed_on__range=(start, end)).values_list("route", flat=True))
        rows += [Count("办理结果", str(label), routed[v]) for v, label in Route.choices]
    outcomes = Counter(
        qs.filter(replied_on__range=(start, end)).values_list("reply_type", flat=True)
    )
    rows += [
        Count("办理结果", str(ReplyType(v).label), outcomes[v])
        for v in ReplyType.values
        if outcomes[v]
    ]
    rows.insert(0, Count("合计", "本年收到", len(received)))
    return rows


def _clock_figure(
    measure: Measure, matters: QuerySet[Matter], start: dt.date, end: dt.date
) -> Figure:
    cutoff = min(end, clock.today())
    # only the clocks the figure counts leave the database: closed in the year, or running late
    clocks = _clocks(
        matters,
        measure.rules,
        Q(met_on__range=(start, end))
        | Q(state__in=RUNNING, met_on__isnull=True, due_date__lt=cutoff),
    )
    closed = [d for d in clocks if d.met_on is not None and start <= d.met_on <= end]
    overdue = [
        d
        for d in clocks
        if d.state in RUNNING and d.met_on is None and d.due_date and d.due_date < cutoff
    ]
    met = sum(1 for d in closed if d.state == DeadlineState.MET)
    return Figure(measure.key, measure.label, measure.definition, met, len(closed), len(overdue))


def timeliness(*, user: User | Any, year: int, kind: str) -> list[Figure]:
    """The timeliness figures of ``kind`` for ``year`` (``TIMELINESS``)."""
    require_cap(user, Cap.MATTER_VIEW, action=MatterEvent.LISTED)
    start, end = _year(year)
    qs = _matters(user).filter(kind=kind, received_on__lte=end)
    figures = []
    for measure in TIMELINESS:
        if kind not in measure.kinds:
            continue
        if measure.rules:
            figures.append(_clock_figure(measure, qs, start, end))
        elif measure.key == "concluded":
            closed = qs.filter(closed_on__range=(start, end))
            count = closed.count()
            late = {
                d.object_id
                for d in _clocks(
                    closed, ("petition.handle", "petition.review", "petition.re_review")
                )
                if d.state == DeadlineState.LATE
            }
            figures.append(
                Figure(measure.key, measure.label, measure.definition, count - len(late), count, 0)
            )
        elif measure.key == "correction_notice":
            events = _events(qs, MatterEvent.CORRECTION_REQUESTED)
            notices = [e.details for e in events if _in_year(e.details, "on", start, end)]
            on_time = sum(1 for d in notices if d.get("on_time"))
            figures.append(
                Figure(measure.key, measure.label, measure.definition, on_time, len(notices), 0)
            )
        elif measure.key == "satisfaction":
            rated = list(
                qs.filter(replied_on__range=(start, end))
                .exclude(satisfaction="")
                .values_list("satisfaction", flat=True)
            )
            good = sum(1 for s in rated if s in GOOD)
            figures.append(
                Figure(measure.key, measure.label, measure.definition, good, len(rated), 0)
            )
        elif measure.key == "callback_satisfaction":
            called = _grouped(qs.filter(ticket__callback_on__range=(start, end)), "satisfaction")
            good = sum(n for s, n in called.items() if s in GOOD)
            figures.append(
                Figure(
                    measure.key, measure.label, measure.definition, good, sum(called.values()), 0
                )
            )
    return figures


def _hotline_counts(qs: QuerySet[Matter], start: dt.date, end: dt.date) -> list[Count]:
    """Hotline tickets: received in the year by platform, type and state; replied in the year
    by reply type; returned, extended, turned into case leads and re-handled. A fixed number of
    queries (grouped in the database), whatever the number of tickets."""
    received = qs.filter(received_on__range=(start, end))
    groups = list(
        received.order_by()
        .values_list("ticket__platform", "ticket__ticket_type", "state")
        .annotate(n=Total("pk"))
    )
    platforms: Counter[str] = Counter()
    types: Counter[str] = Counter()
    states: Counter[str] = Counter()
    for platform, ticket_type, state, n in groups:
        platforms[platform] += n
        types[ticket_type] += n
        states[state] += n
    rows = [Count("合计", "本年收到", sum(platforms.values()), "派单日期（收到日期）在本年的工单")]
    rows += [
        Count("来源平台", str(label), platforms[v], "本年收到的工单按来源平台")
        for v, label in HotlinePlatform.choices
    ]
    rows += [
        Count("诉求类型", str(label), types[v], "本年收到的工单按诉求类型")
        for v, label in TicketType.choices
    ]
    rows += [
        Count("状态", str(label), states[v], "本年收到的工单目前所处的状态")
        for v, label in HotlineState.choices
    ]
    replies = _grouped(qs.filter(replied_on__range=(start, end)), "reply_type")
    rows += [
        Count(
            "办理结果",
            str(ReplyType(v).label),
            replies.get(v, 0),
            "答复日期在本年的工单按办理结果（重办后再次答复的，按最近一次答复计）",
        )
        for v in HOTLINE_REPLIES
    ]
    returned = qs.filter(ticket__returned_on__range=(start, end)).count()
    extensions = DeadlineExtension.objects.filter(
        deadline__content_type=ContentType.objects.get_for_model(Matter),
        deadline__object_id__in=_keys(qs),
        deadline__rule_key__in=HOTLINE_CLOCKS,
        approved_on__range=(start, end),
    ).count()
    leads = received.filter(case_lead__isnull=False).count()
    rehandled = [
        e for e in _events(qs, HotlineEvent.REHANDLED) if _in_year(e.details, "on", start, end)
    ]
    rows += [
        Count("退单", "退单", returned, "退单日期在本年的工单"),
        Count("延期", "批准延期", extensions, "批准日期在本年的办理时限延期次数"),
        Count("转为案源", "投诉转为案源", leads, "本年收到的工单中已转为案源的件数"),
        Count(
            "重办",
            "重办次数",
            len(rehandled),
            "重办日期在本年的重办次数（平台因不满意或答复不到位退回重新办理）",
        ),
        Count(
            "重办",
            "重办工单",
            len({e.object_id for e in rehandled}),
            "本年有重办的工单件数（同一工单多次重办计一件）",
        ),
    ]
    return rows


def figures_xlsx(*, user: User | Any, year: int) -> bytes:
    sheets = []
    for kind in FIGURE_KINDS:
        label = MatterKind(kind).label
        counts = matter_counts(user=user, year=year, kind=kind)
        sheets.append(
            (
                f"{label}分类",
                ["维度", "项目", "件数", "口径"],
                [[c.dimension, c.label, c.count, c.definition] for c in counts],
            )
        )
        sheets.append(
            (
                f"{label}时效",
                ["指标", "按期（满意）", "总数", "比率（%）", "逾期未办", "口径"],
                [
                    [
                        f.label,
                        f.numerator,
                        f.denominator,
                        "" if f.rate is None else f.rate,
                        f.pending_overdue,
                        f.definition,
                    ]
                    for f in timeliness(user=user, year=year, kind=kind)
                ],
            )
        )
    return xlsx_bytes(sheets)
