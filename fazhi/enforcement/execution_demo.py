"""Demo cases after the decision (called by ``demo.load``, through the real services):

- a fine paid in instalments: the plan approved, the first instalment paid, the second due;
- an unpaid fine: demand notice served, the court applied to after the challenge periods, the
  court's ruling to enforce recorded (waiting for the enforcement);
- a suspected crime transferred to the police: report, approval, transfer six hours later, the
  police's receipt (their decision pending).

Dates count back from today, so the demo works at year end and year start.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from fazhi.core import clock
from fazhi.core.models import Officer, Organisation, User
from fazhi.enforcement.execution_models import PoliceTransfer
from fazhi.enforcement.models import CaseLeadSource, PenaltyCase
from fazhi.registry.models import Entity

SHANGHAI = ZoneInfo("Asia/Shanghai")


def load(
    *,
    institute: Organisation,
    leader: User,
    supervisor: User,
    officers: list[Officer],
    entities: list[Entity],
    stdout: Any,
) -> None:
    from fazhi.enforcement.services import case_steps, cases, execution_court, execution_payments
    from fazhi.enforcement.services import police_transfer as pt

    if PoliceTransfer.objects.filter(case__organisation=institute).exists():
        return
    today = clock.today()

    def day(n: int) -> dt.date:
        return today - dt.timedelta(days=n)

    def instant(n: int, hour: int) -> dt.datetime:
        return dt.datetime.combine(day(n), dt.time(hour), tzinfo=SHANGHAI)

    def filed(entity: Entity, cause: str, ago: int) -> PenaltyCase:
        case = cases.case_file(
            actor=leader,
            organisation=institute,
            handler=supervisor,
            cause=cause,
            entity=entity,
            source=CaseLeadSource.COMPLAINT,
            facts=f"{cause}。经调查查实。",
            act_ended_on=day(ago + 10),
            filed_on=day(ago),
        )
        for officer in officers:
            cases.case_officer_assign(actor=leader, case=case, officer=officer)
        return case

    def served(entity: Entity, cause: str, fine: str, ago: int) -> PenaltyCase:
        case = filed(entity, cause, ago)
        case = cases.case_end_investigation(
            actor=supervisor, case=case, report="违法事实清楚，证据确凿。", on=day(ago - 5)
        )
        case = cases.case_notify(
            actor=supervisor, case=case, kinds=["fine"], fine=fine, on=day(ago - 8)
        )
        case = case_steps.case_waive_rights(actor=supervisor, case=case, on=day(ago - 9))
        case = case_steps.case_decide(
            actor=leader, case=case, outcome="penalty", fine=fine, on=day(ago - 12)
        )
        return case_steps.case_serve(actor=supervisor, case=case, on=day(ago - 14))

    # 1. instalments: served 40 days ago, applied, approved, the first of two paid
    plan = served(entities[6 % len(entities)], "未取得医疗机构执业许可证开展诊疗活动", "4000", 54)
    execution_payments.payment_arrangement_apply(
        actor=supervisor,
        case=plan,
        kind="instalments",
        reason="个体诊所经营困难，申请分两期缴纳。",
        schedule=[(day(30), Decimal("2000")), (day(-30), Decimal("2000"))],
        on=day(38),
    )
    execution_payments.payment_arrangement_approve(actor=leader, case=plan, on=day(37))
    execution_payments.instalment_pay(actor=supervisor, case=plan, paid_amount="2000", on=day(30))

    # 2. court enforcement: served about 7.5 months ago, never paid
    unpaid = served(entities[7 % len(entities)], "使用非卫生技术人员从事卫生技术工作", "5000", 244)
    execution_court.court_demand(actor=supervisor, case=unpaid, on=day(200))
    execution_court.court_apply(actor=leader, case=unpaid, court="松溪区人民法院", on=day(20))
    execution_court.court_ruling(
        actor=supervisor, case=unpaid, accepted=True, note="裁定准予强制执行", on=day(10)
    )

    # 3. a suspected crime transferred to the police
    crime = filed(entities[0], "非法行医致人身体健康受损", 12)
    pt.police_transfer_report(
        actor=supervisor,
        case=crime,
        report="当事人未取得医生执业资格行医，造成就诊人身体健康严重损害，涉嫌非法行医罪。",
        on=day(6),
    )
    pt.police_transfer_approve(actor=leader, case=crime, at=instant(5, 9))
    pt.police_transfer_send(
        actor=supervisor, case=crime, police="松溪区公安分局", at=instant(5, 15)
    )
    pt.police_transfer_acknowledge(actor=supervisor, case=crime, on=day(4))
    stdout.write("行政处罚：已载入分期缴纳、申请法院强制执行和移送公安机关的演示案件。\n")
