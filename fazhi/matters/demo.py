"""Demo data: a year of petitions and disclosure requests of 松溪区 in every state, through the
services (idempotent: nothing is added when the district already has matters)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fazhi.core import clock, errors
from fazhi.core.models import Organisation, User
from fazhi.matters import hotline_demo
from fazhi.matters.models import (
    Channel,
    Matter,
    MatterKind,
    MatterState,
    ProactiveItem,
    ReplyType,
    RequesterKind,
    Route,
    SupervisionOrder,
)
from fazhi.matters.services import disclosure as ds
from fazhi.matters.services import oversight as os
from fazhi.matters.services import petitions as ps
from fazhi.matters.services import proactive as pro
from fazhi.matters.services.satisfaction import matter_record_satisfaction
from fazhi.registry.selectors.entities import entity_list

OFFICER = "demo_petition"
HEAD = "demo_leader"
SUPERVISOR = "demo_supervisor"

PETITIONS = [  # (title, content, channel, requester kind, headcount)
    (
        "反映诊所超标准收费",
        "某诊所超标准收取诊疗费用，请求查处。",
        Channel.LETTER,
        RequesterKind.PERSON,
        1,
    ),
    ("反映医院服务态度差", "某医院门诊医生服务态度恶劣。", Channel.CALL, RequesterKind.PERSON, 1),
    ("反映无证行医", "小区内有人无证行医。", Channel.ONLINE, RequesterKind.ANONYMOUS, 1),
    (
        "要求公开医疗机构校验结果",
        "要求公开本区医疗机构校验结果。",
        Channel.VISIT,
        RequesterKind.PERSON,
        1,
    ),
    ("医疗纠纷赔偿诉求", "对医疗损害赔偿数额不服。", Channel.VISIT, RequesterKind.PERSON, 1),
    (
        "要求解决乡村医生待遇",
        "多名乡村医生要求落实养老待遇。",
        Channel.GROUP_VISIT,
        RequesterKind.GROUP,
        8,
    ),
    ("反映公共场所卫生问题", "某游泳馆水质浑浊。", Channel.LETTER, RequesterKind.PERSON, 1),
    (
        "反映疫苗接种预约难",
        "社区卫生服务中心疫苗预约困难。",
        Channel.ONLINE,
        RequesterKind.PERSON,
        1,
    ),
]
DISCLOSURES = [  # (title, channel, requester kind, reply type, reason)
    ("2025年度医疗机构校验结果", Channel.IN_PERSON, RequesterKind.PERSON, ReplyType.PUBLIC, ""),
    ("某医院行政处罚决定书", Channel.INTERNET, RequesterKind.LEGAL_SERVICE, ReplyType.PARTIAL, ""),
    ("某案件调查笔录", Channel.POST_SIGNED, RequesterKind.PERSON, ReplyType.WITHHELD, "case_file"),
    ("内部会议纪要", Channel.INTERNET, RequesterKind.COMPANY, ReplyType.WITHHELD, "process"),
    (
        "2010年某诊所设置审批档案",
        Channel.POST_UNSIGNED,
        RequesterKind.PERSON,
        ReplyType.UNAVAILABLE,
        "not_held",
    ),
    (
        "全区医生收入分析报告",
        Channel.FAX,
        RequesterKind.RESEARCH,
        ReplyType.UNAVAILABLE,
        "needs_making",
    ),
    (
        "重复申请校验结果",
        Channel.IN_PERSON,
        RequesterKind.PERSON,
        ReplyType.NOT_PROCESSED,
        "repeat",
    ),
    (
        "投诉某医院乱收费",
        Channel.INTERNET,
        RequesterKind.PERSON,
        ReplyType.NOT_PROCESSED,
        "petition",
    ),
    ("某项目环评材料", Channel.IN_PERSON, RequesterKind.NONPROFIT, ReplyType.PUBLIC, ""),
    ("某公司卫生许可信息", Channel.POST_SIGNED, RequesterKind.OTHER_ORG, ReplyType.PUBLIC, ""),
]


def _say(stdout: Any, text: str) -> None:
    if stdout is not None:
        stdout.write(text + "\n")


def _entity(supervisor: User | None) -> Any:
    if supervisor is None:
        return None
    return entity_list(user=supervisor).order_by("pk").first()


def _cap(day: dt.date, today: dt.date) -> dt.date:
    return min(day, today)


def _petition(
    n: int, officer: User, head: User | None, entity: Any, received: dt.date, today: dt.date
) -> Matter:
    title, content, channel, kind, headcount = PETITIONS[n % len(PETITIONS)]
    m = ps.petition_register(
        actor=officer,
        organisation=officer.organisation,  # type: ignore[arg-type]
        channel=channel,
        received_on=received,
        requester_kind=kind,
        requester_name="" if kind == RequesterKind.ANONYMOUS else f"信访人{n + 1}",
        headcount=headcount,
        title=title,
        content=content,
        entity=entity if n % len(PETITIONS) == 0 else None,
    )
    age = (today - received).days
    if age < 10:
        return m  # recent: still waiting for acceptance
    step = n % 7
    if step == 1 and entity is not None:
        return ps.petition_route(
            actor=officer,
            matter=m,
            route=Route.CASE_LEAD,
            on=received + dt.timedelta(days=3),
            entity=entity,
        )
    if step == 2:
        return ps.petition_route(
            actor=officer,
            matter=m,
            route=Route.LITIGATION,
            on=received + dt.timedelta(days=5),
            note="该事项属于医疗损害赔偿争议，请依法申请医疗纠纷人民调解或者向人民法院提起诉讼。",
        )
    m = ps.petition_accept(actor=officer, matter=m, on=received + dt.timedelta(days=4))
    if 40 <= age < 60 and head is not None:  # the limit is near: the head extends it
        return ps.petition_extend(
            actor=officer,
            matter=m,
            approved_by=head,
            approved_on=received + dt.timedelta(days=40),
            reason="涉及多家单位，情况复杂",
        )
    if age < 40 or step == 3:
        return m  # being handled
    reply = (ReplyType.SUPPORT, ReplyType.EXPLAIN, ReplyType.REJECT)[n % 3]
    replied_on = _cap(received + dt.timedelta(days=35 + n % 30), today)
    m = ps.petition_reply(
        actor=officer,
        matter=m,
        reply_type=reply,
        reply_text="经调查核实，现答复如下：……",
        on=replied_on,
    )
    if step == 5 and age > 90:
        return ps.petition_request_review(
            actor=officer, matter=m, on=_cap(replied_on + dt.timedelta(days=10), today)
        )
    matter_record_satisfaction(
        actor=officer,
        matter=m,
        satisfaction=("satisfied", "basic", "unsatisfied")[n % 3 if n % 5 else 0],
    )
    if step in (0, 6):
        m = ps.petition_close(actor=officer, matter=m, on=replied_on)
    return m


def _disclosure(
    n: int, officer: User, head: User | None, received: dt.date, today: dt.date
) -> Matter:
    title, channel, kind, reply_type, reason = DISCLOSURES[n % len(DISCLOSURES)]
    m = ds.disclosure_register(
        actor=officer,
        organisation=officer.organisation,  # type: ignore[arg-type]
        channel=channel,
        submitted_on=received,
        confirmed_on=received
        if channel in (Channel.POST_UNSIGNED, Channel.INTERNET, Channel.FAX)
        else None,
        requester_kind=kind,
        requester_name=f"申请人{n + 1}",
        title=title,
        content=f"申请公开：{title}。",
    )
    age = (today - received).days
    if age < 15:
        return m
    if n % 6 == 1:
        m = ds.disclosure_request_correction(
            actor=officer,
            matter=m,
            on=received + dt.timedelta(days=3),
            items="请写明所需信息的名称、文号或者便于查询的其他特征。",
        )
        if n % 12 == 1:
            return ds.disclosure_abandon(
                actor=officer, matter=m, on=received + dt.timedelta(days=30)
            )
        m = ds.disclosure_correct(actor=officer, matter=m, on=received + dt.timedelta(days=10))
    if n % 6 == 2:
        m = ds.disclosure_consult(
            actor=officer,
            matter=m,
            on=received + dt.timedelta(days=5),
            third_party="涉及的医疗机构",
        )
        if age < 100:
            return m
        m = ds.disclosure_end_consultation(
            actor=officer, matter=m, on=received + dt.timedelta(days=20)
        )
    return ds.disclosure_reply(
        actor=officer,
        matter=m,
        reply_type=reply_type,
        reason=reason,
        reply_text="现答复如下：……",
        on=_cap(received + dt.timedelta(days=12 + n % 20), today),
    )


def load(*, province: Organisation, stdout: Any) -> None:
    officer = User.objects.filter(username=OFFICER, is_active=True).first()
    if officer is None or officer.organisation is None:
        _say(stdout, "未找到演示信访办理员账号，跳过来信来访演示数据。")
        return
    head = User.objects.filter(username=HEAD, is_active=True).first()
    entity = _entity(User.objects.filter(username=SUPERVISOR, is_active=True).first())
    hotline_demo.load(officer=officer, head=head, entity=entity, stdout=stdout)
    if Matter.objects.filter(
        organisation=officer.organisation, kind__in=(MatterKind.PETITION, MatterKind.DISCLOSURE)
    ).exists():
        _say(stdout, "来信来访演示数据已存在。")
        _oversight(officer, head, clock.today(), stdout)
        _proactive(officer, clock.today(), stdout)
        return
    today = clock.today()
    made = 0
    for n in range(48):
        received = today - dt.timedelta(days=360 - n * 7)
        try:
            _petition(n, officer, head, entity, received, today)
            made += 1
            if n % 2 == 0:
                _disclosure(n // 2, officer, head, received + dt.timedelta(days=2), today)
                made += 1
        except errors.FazhiError as exc:  # e.g. a calendar year not published yet
            _say(stdout, f"跳过一件来件：{exc.message}")
    _petition(48, officer, head, entity, today - dt.timedelta(days=3), today)  # just received
    made += 1
    if head is not None:  # a recent request whose reply limit the head extended
        m = _disclosure(0, officer, None, today - dt.timedelta(days=12), today)
        ds.disclosure_extend(
            actor=officer,
            matter=m,
            approved_by=head,
            approved_on=today - dt.timedelta(days=1),
            reason="申请内容涉及多个科室，需要检索历年档案",
        )
        made += 1
    _say(stdout, f"来信来访：已登记 {made} 件演示来件。")
    _oversight(officer, head, today, stdout)
    _proactive(officer, today, stdout)


PROACTIVE = [  # (title, category, made days ago, published days ago, changed days ago)
    ("本区医疗机构校验结果公告", "licensing", 60, 50, None),
    ("公共场所卫生双随机抽查结果", "inspection", 90, 20, None),
    ("行政处罚决定信息（第三季度）", "penalty", 45, None, None),
    ("卫生健康行政执法事项清单", "regulation", 120, 115, 5),
    ("本年度部门预算", "finance", 3, None, None),
]


def _proactive(officer: User, today: dt.date, stdout: Any) -> None:
    """Proactive disclosure (主动公开), once: published on time and late, overdue, changed, new."""
    if ProactiveItem.objects.filter(organisation=officer.organisation).exists():
        return
    try:
        for title, category, made, published, changed in PROACTIVE:
            item = pro.proactive_register(
                actor=officer,
                organisation=officer.organisation,  # type: ignore[arg-type]
                title=title,
                made_on=today - dt.timedelta(days=made),
                category=category,
            )
            if published is not None:
                pro.proactive_publish(
                    actor=officer,
                    item=item,
                    on=today - dt.timedelta(days=published),
                    channel="门户网站",
                    location="政府信息公开专栏",
                )
            if changed is not None:
                pro.proactive_change(
                    actor=officer,
                    item=item,
                    changed_on=today - dt.timedelta(days=changed),
                    note="调整部分执法事项的依据",
                )
    except errors.FazhiError as exc:
        _say(stdout, f"跳过主动公开演示数据：{exc.message}")
        return
    _say(stdout, f"来信来访：已登记主动公开事项 {len(PROACTIVE)} 件。")


def _oversight(officer: User, head: User | None, today: dt.date, stdout: Any) -> None:
    """Leader ownership and supervision orders (decision 0077), once: the head of the city above
    owns one petition being handled and supervises three (reported on time, overdue, waiting)."""
    if (
        head is None
        or SupervisionOrder.objects.filter(matter__organisation=officer.organisation).exists()
    ):
        return
    handled = list(
        Matter.objects.filter(
            organisation=officer.organisation,
            kind=MatterKind.PETITION,
            state=MatterState.ACCEPTED,
            received_on__lte=today - dt.timedelta(days=25),
        ).order_by("-received_on", "pk")[:4]
    )
    if len(handled) < 4:
        return
    try:
        os.matter_assign_leader(
            actor=officer,
            matter=handled[0],
            leader=head,
            on=handled[0].received_on + dt.timedelta(days=5),
            note="群众反映强烈，由分管领导包案化解。",
        )
        plans = [  # (issued days ago, due days ago (negative: ahead), reported days ago)
            (20, 5, 7),
            (20, 3, None),
            (2, -10, None),
        ]
        for matter, (issued, due, reported) in zip(handled[1:], plans, strict=True):
            order = os.supervision_issue(
                actor=head,
                matter=matter,
                on=today - dt.timedelta(days=issued),
                due_on=today - dt.timedelta(days=due),
                requirement="请查明情况，依法处理，并按期报告办理结果。",
                reference=f"青信督〔{today.year}〕{issued + due}号",
            )
            if reported is not None:
                os.supervision_answer(
                    actor=officer,
                    order=order,
                    on=today - dt.timedelta(days=reported),
                    answer="已约谈当事单位并督促整改，信访人表示认可。",
                )
    except errors.FazhiError as exc:  # e.g. the head's city is not above the district
        _say(stdout, f"跳过督办演示数据：{exc.message}")
        return
    _say(stdout, "来信来访：已添加领导包案 1 件、督办 3 件。")
