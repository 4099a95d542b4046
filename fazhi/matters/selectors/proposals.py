"""Reads of deputies' suggestions and CPPCC proposals: the scoped list and the year's figures
(decision 0074), each narrowed to the user's data scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from fazhi.core import exports
from fazhi.core.models import Deadline, User
from fazhi.core.models.deadlines import DeadlineState
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap, scoped
from fazhi.matters.events import MatterEvent
from fazhi.matters.models import PROPOSAL_KINDS, Matter, MatterKind, ReplyType, Satisfaction
from fazhi.matters.models_proposals import HandlingRole


def proposal_list(
    *,
    user: User | Any,
    kind: str | None = None,
    state: str | None = None,
    role: str | None = None,
    year: int | None = None,
    q: str | None = None,
) -> QuerySet[Matter]:
    """The suggestions and proposals in scope, latest assignment first; refused without
    ``matter.view``."""
    require_cap(user, Cap.MATTER_VIEW, action=MatterEvent.LISTED)
    qs = scoped(Matter.objects.filter(kind__in=PROPOSAL_KINDS), user).select_related(
        "organisation", "proposal_detail"
    )
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    if role:
        qs = qs.filter(proposal_detail__role=role)
    if year:
        qs = qs.filter(received_on__year=year)
    if q:
        qs = qs.filter(
            Q(title__icontains=q)
            | Q(requester_name__icontains=q)
            | Q(proposal_detail__reference__icontains=q)
        )
    return qs.order_by("-received_on", "-id")


@dataclass(frozen=True)
class ProposalFigures:
    """One kind's figures for a year, over the matters assigned in that year.

    ``answered`` counts lead matters with a reply to the deputy (whatever the day), ``on_time``
    those whose first reply met the ``proposal.reply`` clock; ``answered_rate`` is answered over
    led, in percent with one decimal (None when nothing was led). Satisfaction is the deputy's
    latest feedback; ``followed_up`` the matters handled again after 不满意."""

    kind: str
    label: str
    assigned: int
    led: int
    co_handled: int
    answered: int
    on_time: int
    opinions: int
    by_class: dict[str, int]
    satisfied: int
    basic: int
    unsatisfied: int
    followed_up: int

    @property
    def answered_rate(self) -> float | None:
        return round(100 * self.answered / self.led, 1) if self.led else None


def proposal_figures(*, user: User | Any, year: int) -> list[ProposalFigures]:
    rows = list(
        proposal_list(user=user, year=year).values(
            "pk",
            "kind",
            "replied_on",
            "reply_type",
            "satisfaction",
            "proposal_detail__role",
            "proposal_detail__follow_ups",
        )
    )
    met = set(
        Deadline.objects.filter(
            content_type=ContentType.objects.get_for_model(Matter),
            object_id__in=[str(r["pk"]) for r in rows],
            rule_key="proposal.reply",
            state=DeadlineState.MET,
        ).values_list("object_id", flat=True)
    )
    figures = []
    for kind in PROPOSAL_KINDS:
        mine = [r for r in rows if r["kind"] == kind]
        led = [r for r in mine if r["proposal_detail__role"] == HandlingRole.LEAD]
        co = [r for r in mine if r["proposal_detail__role"] == HandlingRole.CO]
        answered = [r for r in led if r["replied_on"] is not None and r["reply_type"]]
        figures.append(
            ProposalFigures(
                kind=str(kind),
                label=MatterKind(kind).label,
                assigned=len(mine),
                led=len(led),
                co_handled=len(co),
                answered=len(answered),
                on_time=sum(1 for r in led if str(r["pk"]) in met),
                opinions=sum(1 for r in co if r["replied_on"] is not None),
                by_class={
                    str(t): sum(1 for r in answered if r["reply_type"] == t)
                    for t in (ReplyType.SOLVED, ReplyType.PLANNED, ReplyType.EXPLAINED)
                },
                satisfied=sum(1 for r in led if r["satisfaction"] == Satisfaction.SATISFIED),
                basic=sum(1 for r in led if r["satisfaction"] == Satisfaction.BASIC),
                unsatisfied=sum(1 for r in led if r["satisfaction"] == Satisfaction.UNSATISFIED),
                followed_up=sum(1 for r in led if r["proposal_detail__follow_ups"]),
            )
        )
    return figures


FIGURE_HEADERS = [
    "类型",
    "交办件数",
    "主办",
    "协办",
    "已答复（主办）",
    "答复率（%）",
    "按期答复",
    "A类",
    "B类",
    "C类",
    "满意",
    "基本满意",
    "不满意",
    "再次办理",
    "协办意见已提交",
]


def figure_rows(figures: list[ProposalFigures]) -> list[list[Any]]:
    return [
        [
            f.label,
            f.assigned,
            f.led,
            f.co_handled,
            f.answered,
            "" if f.answered_rate is None else f.answered_rate,
            f.on_time,
            f.by_class[ReplyType.SOLVED],
            f.by_class[ReplyType.PLANNED],
            f.by_class[ReplyType.EXPLAINED],
            f.satisfied,
            f.basic,
            f.unsatisfied,
            f.followed_up,
            f.opinions,
        ]
        for f in figures
    ]


LIST_HEADERS = [
    "类型",
    "编号",
    "届次会议",
    "提出人",
    "案由",
    "办理方式",
    "主办单位",
    "交办日期",
    "状态",
    "答复类型",
    "答复日期",
    "满意度",
]


def _list_row(m: Matter) -> list[Any]:
    d = m.proposal_detail
    return [
        m.get_kind_display(),
        d.reference,
        d.session,
        m.requester_name,
        m.title,
        d.get_role_display(),
        d.lead_unit or m.organisation.name,
        d.assigned_on,
        m.get_state_display(),
        m.get_reply_type_display() if m.reply_type else "",
        m.replied_on or "",
        m.get_satisfaction_display() if m.satisfaction else "",
    ]


def proposals_xlsx(*, user: User | Any, year: int, qs: QuerySet[Matter] | None = None) -> bytes:
    """The year's figures and the (filtered) list, as an Excel workbook."""
    rows = qs if qs is not None else proposal_list(user=user, year=year)
    return exports.xlsx_bytes(
        [
            (f"{year}年统计", FIGURE_HEADERS, figure_rows(proposal_figures(user=user, year=year))),
            ("建议提案", LIST_HEADERS, (_list_row(m) for m in rows.iterator(chunk_size=500))),
        ]
    )
