"""Demo data: a year of 12345 hotline tickets of 松溪区, imported as a platform export and taken
through the services into every state (idempotent: nothing is added when the district already
has tickets). Dates count back from today, so the demo works at year end and year start."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from fazhi.core import clock, errors
from fazhi.core.models import User
from fazhi.matters.hotline_import import Row, Validation
from fazhi.matters.hotline_models import HotlinePlatform, HotlineTicket, TicketType
from fazhi.matters.models import Matter, ReplyType, Satisfaction
from fazhi.matters.services import hotline as hs
from fazhi.matters.services.hotline_import import hotline_import_rows

TICKETS = 240  # about one every working day and a half
TEXTS = {
    TicketType.CONSULTATION: "咨询医师执业注册需要提交哪些材料。",
    TicketType.COMPLAINT: "反映某诊所无证行医、超范围执业，请求查处。",
    TicketType.REQUEST: "家中老人需要上门接种疫苗，请求社区卫生服务中心协助。",
    TicketType.SUGGESTION: "建议延长社区卫生服务中心周末门诊时间。",
}
TYPES = (TicketType.CONSULTATION, TicketType.COMPLAINT, TicketType.REQUEST, TicketType.SUGGESTION)


def _say(stdout: Any, text: str) -> None:
    if stdout is not None:
        stdout.write(text + "\n")


def _rows(today: dt.date) -> list[Row]:
    zone = timezone.get_current_timezone()
    rows = []
    for n in range(TICKETS):
        day = today - dt.timedelta(days=364 - (n * 364) // (TICKETS - 1))  # the last: today
        ticket_type = TYPES[n % len(TYPES)]
        called = dt.datetime(day.year, day.month, day.day, 8 + n % 2, (n * 7) % 60, tzinfo=zone)
        rows.append(
            Row(
                number=n + 2,
                ticket_no=f"QY12345{day:%Y%m%d}{n:04d}",
                called_at=called,
                received_on=day,
                caller="" if n % 6 == 0 else f"来电人{n + 1}",
                phone=f"1380000{n:04d}",
                ticket_type=str(ticket_type),
                content=TEXTS[ticket_type],
                unit="清源市松溪区卫生健康委员会",
                platform_due=None,
            )
        )
    return rows


def _work(
    matter: Matter, n: int, officer: User, head: User | None, entity: Any, today: dt.date
) -> None:
    received = matter.received_on
    age = (today - received).days
    if age < 2:
        return  # just dispatched: waiting to be taken on
    if n % 17 == 5:
        hs.hotline_return(
            actor=officer,
            matter=matter,
            on=received + dt.timedelta(days=1),
            reason="诉求属于市场监管部门职责，请平台改派。",
        )
        return
    matter = hs.hotline_accept(actor=officer, matter=matter, on=received)
    complaint = matter.ticket.ticket_type == TicketType.COMPLAINT
    if complaint and entity is not None and n % 8 == 1:
        matter = hs.hotline_start_case_lead(actor=officer, matter=matter, entity=entity)
    if age < 8:
        if head is not None and complaint and age >= 3:
            hs.hotline_extend(
                actor=officer,
                matter=matter,
                approved_by=head,
                approved_on=today,
                reason="需要现场核查，报平台同意延期",
            )
        return  # being handled
    late = n % 11 == 3  # a few replied after the service level
    delay = 12 if late else 1 + n % 2
    matter = hs.hotline_reply(
        actor=officer,
        matter=matter,
        reply_type=(ReplyType.RESOLVED, ReplyType.EXPLAIN, ReplyType.UNRESOLVED)[
            n % 3 if n % 4 else 0
        ],
        reply_text="经核实，已按规定处理并答复来电人。",
        on=min(received + dt.timedelta(days=delay), today),
    )
    if age < 15 or n % 9 == 4:
        return  # replied, call-back pending
    matter = hs.hotline_call_back(
        actor=officer,
        matter=matter,
        on=min(received + dt.timedelta(days=delay + 2), today),
        satisfaction=(Satisfaction.SATISFIED, Satisfaction.BASIC, Satisfaction.UNSATISFIED)[
            0 if n % 5 else n % 3
        ],
        note="电话回访来电人。",
    )
    if matter.satisfaction == Satisfaction.UNSATISFIED and n % 30 == 5 and age >= delay + 8:
        _rehandle(matter, n, officer, received + dt.timedelta(days=delay + 3))


def _rehandle(matter: Matter, n: int, officer: User, on: dt.date) -> None:
    """The platform sends an unsatisfied ticket back (重办): taken on again with a new clock;
    every other one handled again and called back, the rest still being handled."""
    matter = hs.hotline_rehandle(
        actor=officer, matter=matter, on=on, reason="来电人对答复不满意，平台退回重办。"
    )
    if n % 60 != 5:
        return
    matter = hs.hotline_reply(
        actor=officer,
        matter=matter,
        reply_type=ReplyType.RESOLVED,
        reply_text="重新核查后已处理，并再次答复来电人。",
        on=on + dt.timedelta(days=1),
    )
    hs.hotline_call_back(
        actor=officer,
        matter=matter,
        on=on + dt.timedelta(days=2),
        satisfaction=Satisfaction.BASIC,
        note="重办后电话回访来电人。",
    )


def load(*, officer: User, head: User | None, entity: Any, stdout: Any) -> None:
    organisation = officer.organisation
    assert organisation is not None
    if HotlineTicket.objects.filter(matter__organisation=organisation).exists():
        _say(stdout, "热线工单演示数据已存在。")
        return
    today = clock.today()
    result = Validation(rows=_rows(today), row_count=TICKETS)
    try:
        batch = hotline_import_rows(
            actor=officer,
            organisation=organisation,
            platform=HotlinePlatform.H12345,
            file_name="12345热线工单导出（演示）.xlsx",
            file_hash="demo",
            result=result,
        )
    except errors.FazhiError as exc:  # e.g. no service levels in this province's rule pack
        _say(stdout, f"跳过热线工单演示数据：{exc.message}")
        return
    tickets = {
        t.ticket_no: t.matter
        for t in HotlineTicket.objects.filter(import_batch=batch).select_related(
            "matter__organisation"
        )
    }
    for n, row in enumerate(result.rows):
        try:
            _work(tickets[row.ticket_no], n, officer, head, entity, today)
        except errors.FazhiError as exc:
            _say(stdout, f"跳过一张工单的办理：{exc.message}")
    _say(stdout, f"热线工单：已导入 {batch.imported} 张演示工单。")
    _start_one_inspection(officer, entity, stdout)


def _start_one_inspection(officer: User, entity: Any, stdout: Any) -> None:
    """One complaint ticket, still being handled and not a case lead, starts a targeted
    inspection of the clinic complained about (投诉举报核查, decision 0091)."""
    from fazhi.matters.services.complaint_checks import hotline_start_inspection
    from fazhi.matters.workflows import HOTLINE

    if entity is None:
        return
    candidates = Matter.objects.filter(
        organisation=officer.organisation,
        ticket__ticket_type=TicketType.COMPLAINT,
        state__in=list(HOTLINE.action("inspection").sources),
        case_lead__isnull=True,
        inspection_task__isnull=True,
    ).order_by("-received_on", "-pk")
    matter = candidates.select_related("ticket").first()
    from fazhi.registry.models import SupervisionCategory

    category = (
        entity.categories.filter(is_active=True).order_by("sort_order", "code").first()
        or SupervisionCategory.objects.filter(is_active=True).first()
    )
    if matter is None or category is None:
        return
    try:
        hotline_start_inspection(
            actor=officer,
            matter=matter,
            entity=entity,
            category=category,
            reason="来电反映无证行医、超范围执业，现场核查执业资质和执业范围。",
        )
    except errors.FazhiError as exc:
        _say(stdout, f"跳过投诉举报核查演示：{exc.message}")
        return
    _say(stdout, "热线工单：1 张投诉工单已启动投诉举报核查。")
