"""Demo penalty cases (idempotent), loaded by ``fazhi demo`` after the inspections demo, in the
demo district institute (松溪区监督所), all through the real services:

- one case walked from filing to the archive (违法条款和处罚依据 from the sample benchmark,
  告知, 放弃陈述申辩, 决定, 送达, 公示, 缴款, 结案 with the file's pre-check, 归档, 案卷评查);
- one under investigation near the end of its decision period (on the handler's workbench);
- one notified with the hearing right, the hearing requested and scheduled;
- one decided and waiting to be served;
- one decided on the spot (简易程序) and served;
- one withdrawn; one decided, served, published, revoked by the agency and withdrawn from
  the portal (decision 0082); and the inspections demo's referred lead, if any, filed as a case;
- after the decision (``execution_demo``): a fine in instalments, an unpaid fine before the
  court, a suspected crime transferred to the police.

A reviewer of the institute with the legal qualification (``demo_case_reviewer``) is added, since
the demo's legal reviewer sits in the district commission, outside the institute's scope.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fazhi.core import clock
from fazhi.core.models import Officer, Organisation, OrganisationKind, Role, User
from fazhi.enforcement.models import CaseLead, CaseLeadSource, CaseLeadState, PenaltyCase
from fazhi.registry.models import Entity

SUPERVISOR = "demo_supervisor"
REVIEWER = "demo_case_reviewer"
PASSWORD = "Fazhi-Demo-2026"  # noqa: S105  (the documented demo password)


def _say(stdout: Any, text: str) -> None:
    stdout.write(f"行政处罚：{text}\n")


def _leader(institute: Organisation) -> User | None:
    """A leader whose scope holds the institute (the district's, else one above)."""
    for user in User.objects.filter(role=Role.LEADER, is_active=True).select_related(
        "organisation"
    ):
        if user.organisation and institute.path.startswith(user.organisation.path):
            return user
    return None


def _reviewer(institute: Organisation) -> User:
    from fazhi.core.services.people import officer_create, user_create

    found = User.objects.filter(username=REVIEWER).first()
    if found is not None:
        return found
    user = user_create(
        actor=None,
        username=REVIEWER,
        full_name="松溪区监督所法制审核员",
        organisation=institute,
        role=Role.LEGAL_REVIEWER,
        password=PASSWORD,
    )
    officer_create(
        actor=None,
        organisation=institute,
        name="松溪区监督所法制审核员",
        user=user,
        has_legal_qualification=True,
    )
    return user


# The on-the-spot decision's articles (公共场所卫生管理条例 Art. 7, Art. 14(1)(2)), typed.
SPOT_PROVISIONS: dict[str, Any] = {
    "violated": "《公共场所卫生管理条例》第七条",
    "penalty": "《公共场所卫生管理条例》第十四条第一款第（二）项",
    "reason": "简易程序当场作出，按条例原文填写。",
}


def _provisions(actor: User, case: PenaltyCase) -> None:
    """The sample benchmark's item for the case's violation, when the discretion demo loaded it;
    otherwise the articles written by hand with a reason."""
    from fazhi.core.scope import lineage_ids
    from fazhi.discretion.models import BenchmarkItem
    from fazhi.enforcement.services.case_provisions import case_provisions_set

    item = (
        BenchmarkItem.objects.filter(
            violation="公共场所未取得卫生许可证擅自营业",
            benchmark__organisation_id__in=lineage_ids(case.organisation),
        )
        .order_by("-benchmark__effective_from")
        .first()
    )
    if item is not None:
        case_provisions_set(actor=actor, case=case, item=item)
    else:
        case_provisions_set(
            actor=actor,
            case=case,
            violated="《公共场所卫生管理条例》第八条",
            penalty="《公共场所卫生管理条例》第十四条第一款第（四）项",
            reason="演示数据未载入裁量基准，按条例原文填写。",
        )


def _file_review(reviewer: User, case: PenaltyCase, on: dt.date) -> None:
    """The leader scores the archived file against the demo province's sample checklist."""
    from fazhi.core import errors
    from fazhi.enforcement.services.file_review import case_file_review, checklist

    try:
        items = checklist(case, on).value.points
    except errors.Conflict:
        return  # a province without a checklist: nothing to score
    scores = {name: points for name, points in items.items()}
    first = next(iter(scores))
    scores[first] = max(scores[first] - 2, 0)
    case_file_review(
        actor=reviewer, case=case, scores=scores, comments="案卷完整，文书个别栏目填写不全。", on=on
    )


def load(*, province: Organisation, stdout: Any) -> None:
    from fazhi.enforcement.services import case_steps, cases

    supervisor = User.objects.filter(username=SUPERVISOR).select_related("organisation").first()
    institute = supervisor.organisation if supervisor else None
    if (
        supervisor is None
        or institute is None
        or institute.kind != OrganisationKind.SUPERVISION_INSTITUTE
        or not institute.path.startswith(province.path)
    ):
        _say(stdout, "未找到演示监督所或监督员账号，跳过。")
        return
    if PenaltyCase.objects.filter(organisation=institute).exists():
        _say(stdout, "演示案件已存在，跳过。")
        return
    leader = _leader(institute)
    today = clock.today()
    officers = [
        o
        for o in Officer.objects.filter(organisation=institute, is_active=True).prefetch_related(
            "credentials"
        )
        if o.valid_credential(today) is not None
    ][:2]
    entities = list(Entity.objects.filter(organisation=institute).order_by("pk")[:8])
    if leader is None or len(officers) < 2 or len(entities) < 6:
        _say(stdout, "缺少机关负责人、两名持证执法人员或检查对象，跳过。")
        return
    reviewer = _reviewer(institute)

    def day(n: int) -> dt.date:
        return today - dt.timedelta(days=n)

    def filed(entity: Entity, cause: str, ago: int, **kw: Any) -> PenaltyCase:
        case = cases.case_file(
            actor=leader,
            organisation=institute,
            handler=supervisor,
            cause=cause,
            entity=kw.pop("entity_", entity),
            source=kw.pop("source", CaseLeadSource.ROUTINE),
            facts=kw.pop("facts", f"{cause}。经现场检查查实。"),
            act_ended_on=day(ago + 10),
            filed_on=day(ago),
            **kw,
        )
        for officer in officers:
            cases.case_officer_assign(actor=leader, case=case, officer=officer)
        return case

    def investigated(case: PenaltyCase, ago: int) -> PenaltyCase:
        return cases.case_end_investigation(
            actor=supervisor,
            case=case,
            report="违法事实清楚，证据确凿，建议给予行政处罚。",
            on=day(ago),
        )

    # 1. from filing to the archive: the provisions from the sample benchmark (decision 0068),
    # the file pre-checked at closing and scored by the leader (decision 0069)
    walked = investigated(filed(entities[0], "未取得公共场所卫生许可证擅自营业", 60), 50)
    _provisions(supervisor, walked)
    walked = cases.case_notify(
        actor=supervisor, case=walked, kinds=["warning", "fine"], fine="3000", on=day(45)
    )
    walked = case_steps.case_waive_rights(actor=supervisor, case=walked, on=day(44))
    walked = case_steps.case_decide(
        actor=leader, case=walked, outcome="penalty", fine="3000", on=day(43)
    )
    walked = case_steps.case_serve(actor=supervisor, case=walked, on=day(42))
    walked = case_steps.case_publish(actor=supervisor, case=walked, on=day(41))
    walked = case_steps.case_execute(actor=supervisor, case=walked, paid_amount="3000", on=day(35))
    walked = case_steps.case_close(actor=supervisor, case=walked, on=day(34))
    walked = case_steps.case_archive(actor=supervisor, case=walked, on=day(33))
    _file_review(leader, walked, day(30))

    # 2. under investigation, near the end of its decision period
    filed(entities[1], "从业人员未取得有效健康合格证明从事直接为顾客服务工作", 85)

    # 3. notified with the hearing right; the hearing requested and scheduled
    heard = investigated(
        filed(entities[2], "使用未经消毒的公共用品用具", 30, complex_case=True), 20
    )
    # The hearing notice is served two weeks ago, so its earliest date stays in a year the
    # calendar knows even when the demo is loaded in the last days of December.
    heard = cases.case_notify(
        actor=supervisor, case=heard, kinds=["warning", "fine"], fine="20000", on=day(16)
    )
    heard = case_steps.case_request_hearing(actor=supervisor, case=heard, on=day(14))
    from fazhi.core.periods import notice_earliest

    earliest = notice_earliest("penalty.hearing_notice", day(13)).due
    case_steps.case_schedule_hearing(
        actor=supervisor, case=heard, hearing_on=earliest, served_on=day(13)
    )

    # 4. decided (after a legal review), waiting to be served
    pending = investigated(filed(entities[3], "集中空调通风系统未按规定进行清洗", 40), 30)
    pending = cases.case_notify(
        actor=supervisor, case=pending, kinds=["fine"], fine="60000", on=day(25)
    )
    pending = case_steps.case_record_statement(
        actor=supervisor, case=pending, statement="当事人称已委托清洗，但未能提供记录。", on=day(23)
    )
    pending = case_steps.case_review(
        actor=reviewer, case=pending, opinion="事实清楚，适用依据正确，程序合法。", on=day(15)
    )
    case_steps.case_decide(actor=leader, case=pending, outcome="penalty", fine="50000", on=day(1))

    # 5. a decision on the spot
    spot = cases.case_decide_on_the_spot(
        actor=supervisor,
        organisation=institute,
        entity=entities[4],
        handler=supervisor,
        officers=officers,
        cause="从业人员未取得健康合格证明",
        facts="现场检查发现一名服务员未取得健康合格证明即直接为顾客服务，当场责令改正。",
        kinds=["warning", "fine"],
        fine="200",
        decided_on=day(3),
        **SPOT_PROVISIONS,
    )
    case_steps.case_serve(actor=supervisor, case=spot, on=day(3))

    # 6. withdrawn
    gone = filed(entities[5], "未按规定进行卫生检测", 20)
    case_steps.case_withdraw(
        actor=leader, case=gone, reason="经核实，当事人已于案发前办理注销登记。"
    )

    # 6b. a decision published, then revoked by the agency and withdrawn from the portal within
    # the 3 working days (行政处罚法 第四十八条第二款, decision 0082)
    from fazhi.enforcement.services import case_decisions

    revoked = investigated(filed(entities[4], "公共场所未设置醒目的禁止吸烟警语和标志", 30), 25)
    revoked = cases.case_notify(
        actor=supervisor, case=revoked, kinds=["warning", "fine"], fine="1000", on=day(20)
    )
    revoked = case_steps.case_waive_rights(actor=supervisor, case=revoked, on=day(19))
    revoked = case_steps.case_decide(
        actor=leader, case=revoked, outcome="penalty", fine="1000", on=day(18)
    )
    revoked = case_steps.case_serve(actor=supervisor, case=revoked, on=day(17))
    revoked = case_steps.case_publish(actor=supervisor, case=revoked, on=day(16))
    revoked = case_decisions.case_decision_revoke(
        actor=leader,
        case=revoked,
        reason="经复核，警语和标志在检查时已设置于入口处，认定事实有误，自行撤销。",
        on=day(4),
    )
    case_decisions.case_publicity_withdraw(actor=supervisor, case=revoked, on=day(3))

    # 7. the inspections demo's referral, filed
    lead = CaseLead.objects.filter(organisation=institute, state=CaseLeadState.NEW).first()
    if lead is not None:
        cases.case_file(
            actor=leader,
            organisation=institute,
            handler=supervisor,
            cause="抽查发现的违法行为",
            lead=lead,
            act_ended_on=min(day(0), lead.created_at.date()),
        )
    # 8.–10. after the decision: instalments, court enforcement, a transfer to the police
    from fazhi.enforcement import execution_demo

    execution_demo.load(
        institute=institute,
        leader=leader,
        supervisor=supervisor,
        officers=officers,
        entities=entities,
        stdout=stdout,
    )
    _say(stdout, f"已载入{PenaltyCase.objects.filter(organisation=institute).count()}件演示案件。")
