"""Demo data: deputies' suggestions and CPPCC proposals of 松溪区, through the services
(idempotent: nothing is added when the district already has any).

Last year: 40 suggestions and 79 proposals led by the district, every one answered on time and
closed (the seed's "answered 40 suggestions and 79 proposals (100%)"), two of them after a
follow-up; this year: one in every state (just assigned, co-handled, answered and waiting for the
deputy, handled again after 不满意, closed). Dates of this year never fall before 1 January, so the
figures of last year stay exact at the start of a year."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fazhi.core import clock
from fazhi.core.models import Organisation, User
from fazhi.matters.models import Matter, MatterKind, ReplyType, RequesterKind
from fazhi.matters.models_proposals import HandlingRole
from fazhi.matters.services import proposals as ps
from fazhi.matters.services.satisfaction import matter_record_satisfaction

OFFICER = "demo_petition"
LAST_YEAR = {MatterKind.SUGGESTION: 40, MatterKind.PROPOSAL: 79}
TOPICS = [
    "关于加强基层医疗卫生服务能力建设",
    "关于推进家庭医生签约服务",
    "关于加强医疗机构收费监管",
    "关于完善医疗纠纷人民调解机制",
    "关于加强公共场所卫生监督",
    "关于提高农村饮用水卫生安全水平",
    "关于规范医疗美容行业",
    "关于加强学校卫生工作",
]
CLASSES = (ReplyType.SOLVED, ReplyType.PLANNED, ReplyType.EXPLAINED)


def _say(stdout: Any, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


def _register(officer: User, kind: str, n: int, assigned: dt.date, **kw: Any) -> Matter:
    is_suggestion = kind == MatterKind.SUGGESTION
    return ps.proposal_register(
        actor=officer,
        organisation=officer.organisation,  # type: ignore[arg-type]
        kind=kind,
        reference=f"第{n:04d}号",
        session=f"{assigned.year}年会议",
        role=kw.pop("role", HandlingRole.LEAD),
        assigned_on=assigned,
        requester_kind=RequesterKind.DEPUTY if is_suggestion else RequesterKind.MEMBER,
        requester_name=f"{'代表' if is_suggestion else '委员'}{n:03d}",
        title=f"{TOPICS[n % len(TOPICS)]}的{'建议' if is_suggestion else '提案'}",
        content="（演示数据）建议内容。",
        **kw,
    )


def _answer(officer: User, matter: Matter, n: int, on: dt.date) -> Matter:
    return ps.proposal_reply(
        actor=officer,
        matter=matter,
        reply_type=CLASSES[n % 3],
        reply_text="（演示数据）答复内容。",
        on=on,
    )


def _last_year(officer: User, year: int) -> int:
    made = 0
    for kind, count in LAST_YEAR.items():
        for n in range(1, count + 1):
            assigned = dt.date(year, 3 + n % 6, 1 + n % 27)
            matter = _answer(
                officer, _register(officer, kind, n, assigned), n, assigned + dt.timedelta(days=40)
            )
            if n in (7, 19):  # the deputy was not satisfied: handled again, answered again
                matter = matter_record_satisfaction(
                    actor=officer, matter=matter, satisfaction="unsatisfied"
                )
                matter = ps.proposal_follow_up(
                    actor=officer,
                    matter=matter,
                    reason="代表委员认为落实不够",
                    on=assigned + dt.timedelta(days=50),
                )
                matter = _answer(officer, matter, 0, assigned + dt.timedelta(days=70))
            rating = "basic" if n % 5 == 0 else "satisfied"
            matter = matter_record_satisfaction(actor=officer, matter=matter, satisfaction=rating)
            ps.proposal_close(actor=officer, matter=matter, on=assigned + dt.timedelta(days=80))
            made += 1
    return made


def _this_year(officer: User, today: dt.date) -> int:
    start = dt.date(today.year, 1, 1)

    def day(days_ago: int) -> dt.date:
        return max(today - dt.timedelta(days=days_ago), start)

    kinds = (MatterKind.SUGGESTION, MatterKind.PROPOSAL)
    made = 0
    for i, kind in enumerate(kinds):
        base = 500 + 10 * i
        _register(officer, kind, base + 1, day(5))  # just assigned
        _register(officer, kind, base + 2, day(12), role=HandlingRole.CO, lead_unit="区教育局")
        co = _register(officer, kind, base + 3, day(40), role=HandlingRole.CO, lead_unit="区财政局")
        ps.proposal_submit_opinion(
            actor=officer, matter=co, reply_text="同意主办单位的办理意见。", on=day(30)
        )
        _answer(officer, _register(officer, kind, base + 4, day(60)), 1, day(20))  # waiting
        again = _answer(officer, _register(officer, kind, base + 5, day(90)), 2, day(50))
        again = matter_record_satisfaction(actor=officer, matter=again, satisfaction="unsatisfied")
        ps.proposal_follow_up(actor=officer, matter=again, reason="代表要求进一步落实", on=day(10))
        done = _answer(officer, _register(officer, kind, base + 6, day(100)), 0, day(60))
        done = matter_record_satisfaction(actor=officer, matter=done, satisfaction="satisfied")
        ps.proposal_close(actor=officer, matter=done, on=day(55))
        made += 6
    return made


def load(*, province: Organisation, stdout: Any) -> None:
    officer = User.objects.filter(username=OFFICER, is_active=True).first()
    if officer is None or officer.organisation is None:
        _say(stdout, "未找到演示信访办理员账号，跳过建议提案演示数据。")
        return
    if Matter.objects.filter(
        organisation=officer.organisation, kind__in=(MatterKind.SUGGESTION, MatterKind.PROPOSAL)
    ).exists():
        _say(stdout, "建议提案演示数据已存在。")
        return
    today = clock.today()
    made = _last_year(officer, today.year - 1) + _this_year(officer, today)
    _say(stdout, f"建议提案演示数据：{made} 件。")
